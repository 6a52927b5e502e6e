"""一帮一 matching: propose a nearby helper for each member who needs one.

就近、便利、快捷: a helper from the member's own branch, preferably of the same 党小组 or
address, else the nearest by coordinates, else the least loaded; never over capacity,
never oneself; deterministic. Storing the proposals and making them pairs are actions
(models.pairing.actions: generate_suggestions, apply_suggestion(s), reject_suggestion).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column, relationship

from core import words
from core.geo import distance_m
from models.db.base import Base, UTCDateTime
from models.members.tables import Member, live_member
from models.pairing.queries import helper_role
from models.pairing.tables import HelpPair


class PairSuggestion(Base):
    """A proposed pair from `partybot pairs suggest`, waiting for `pairs apply`."""

    __tablename__ = "pair_suggestion"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    reason: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # Read-only: proposals are stored with the ids.
    member: Mapped[Member] = relationship(foreign_keys=[member_id], viewonly=True)
    helper: Mapped[Member] = relationship(foreign_keys=[helper_id], viewonly=True)


@dataclass(frozen=True)
class Person:
    """What matching needs to know about a member."""

    id: int
    branch_id: int
    group_id: int | None
    address: str | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Suggestion:
    """A proposed pair and why."""

    member_id: int
    helper_id: int
    reason: str


@dataclass(frozen=True)
class Unmatched:
    """A member who needs help and got no helper, and why."""

    member_id: int
    reason: str


def distance_km(a: Person, b: Person) -> float | None:
    """Great-circle distance, if both have coordinates."""
    if a.latitude is None or a.longitude is None or b.latitude is None or b.longitude is None:
        return None
    return distance_m(a.latitude, a.longitude, b.latitude, b.longitude) / 1000


def village(address: str | None) -> str | None:
    """The village / 组 part of an address, for "same address" (whitespace-insensitive)."""
    return "".join(address.split()) or None if address else None


def suggest_pairs(needing: Iterable[Person], helpers: Iterable[Person],
                  load: dict[int, int], capacity: dict[int, int],
                  ) -> tuple[list[Suggestion], list[Unmatched]]:
    """Propose a helper for each member needing one.

    Helpers come from the member's own branch; among them, someone from the same 党小组
    or the same address comes first, then the nearest (when both have coordinates),
    then whoever helps the fewest so far. Nobody goes over capacity, nobody helps
    themselves, and the result depends only on the input (ties go to the lower id).
    `load` is each helper's current number of members (existing pairs are kept).
    """
    by_branch: dict[int, list[Person]] = defaultdict(list)
    for helper in sorted(helpers, key=lambda p: p.id):
        by_branch[helper.branch_id].append(helper)
    load = dict(load)
    suggestions: list[Suggestion] = []
    unmatched: list[Unmatched] = []
    for person in sorted(needing, key=lambda p: (p.branch_id, p.id)):
        best: tuple[tuple[float, ...], Person, str] | None = None
        had_helpers = False
        for helper in by_branch.get(person.branch_id, ()):
            if helper.id == person.id:
                continue
            had_helpers = True
            if load.get(helper.id, 0) >= capacity.get(helper.id, 0):
                continue
            close = (person.group_id is not None and helper.group_id == person.group_id) or (
                village(person.address) is not None
                and village(person.address) == village(helper.address))
            km = distance_km(person, helper)
            reason = words.MATCH_CLOSE if close else (
                words.MATCH_DISTANCE.format(km=km) if km is not None else words.MATCH_SAME_BRANCH)
            key = (0 if close else 1, km if km is not None else math.inf,
                   load.get(helper.id, 0), helper.id)
            if best is None or key < best[0]:
                best = (key, helper, reason)
        if best is None:
            unmatched.append(Unmatched(person.id, words.MATCH_HELPERS_FULL if had_helpers
                                       else words.MATCH_NO_HELPERS))
            continue
        helper = best[1]
        load[helper.id] = load.get(helper.id, 0) + 1
        suggestions.append(Suggestion(person.id, helper.id, best[2]))
    return suggestions, unmatched


def _needs_a_helper() -> tuple[Any, ...]:
    """Members who need help and have no helper now (forgotten ones never again)."""
    paired = select(HelpPair.member_id).where(HelpPair.ended_at.is_(None))
    return Member.needs_help.is_not(None), Member.id.not_in(paired), live_member()


def names_needing_a_helper(session: Session, branch_id: int) -> list[str]:
    """The branch's members who need help and have no helper, by name."""
    return list(session.scalars(select(Member.name).where(
        Member.branch_id == branch_id, *_needs_a_helper()).order_by(Member.name)))


@dataclass
class MatchingInput:
    """Who needs a helper and who can help, within one org's subtree."""

    needing: list[Person]
    helpers: list[Person]
    load: dict[int, int]
    capacity: dict[int, int]


def matching_input(session: Session, branch_ids: list[int] | None,
                   default_capacity: int) -> MatchingInput:
    """Members needing help without a helper, and helpers with their current load."""
    paired = select(HelpPair.member_id).where(HelpPair.ended_at.is_(None))
    columns = (Member.id, Member.branch_id, Member.group_id, Member.address, Member.latitude,
               Member.longitude)
    scope = [Member.branch_id.in_(branch_ids)] if branch_ids is not None else []
    needing = [Person(*row) for row in session.execute(
        select(*columns).where(*_needs_a_helper(), *scope))]
    # Who can help (models.pairing.actions' rule): a helper by the roster or by a pair
    # now, bound to WeChat, needing no help and helped by nobody.
    helper_rows = list(session.execute(
        select(*columns, Member.helper_capacity).where(
            helper_role(Member), Member.needs_help.is_(None),
            Member.openid.is_not(None), Member.id.not_in(paired), live_member(), *scope)))
    load = dict(session.execute(
        select(HelpPair.helper_id, func.count()).where(HelpPair.ended_at.is_(None))
        .group_by(HelpPair.helper_id)).all())
    return MatchingInput(
        needing=needing,
        helpers=[Person(*row[:6]) for row in helper_rows],
        load={helper_id: n for helper_id, n in load.items()},
        capacity={row[0]: row[6] if row[6] is not None else default_capacity
                  for row in helper_rows},
    )


@dataclass(frozen=True)
class WaitingSuggestion:
    """A stored proposal, with names, as the console lists it."""

    member_id: int
    member: str
    helper_id: int
    helper: str
    reason: str


def waiting_suggestions(session: Session, branch_ids: list[int]) -> list[WaitingSuggestion]:
    """The stored proposals for members of these branches."""
    helper = aliased(Member)
    rows = session.execute(
        select(PairSuggestion.member_id, Member.name, PairSuggestion.helper_id, helper.name,
               PairSuggestion.reason)
        .join(Member, Member.id == PairSuggestion.member_id)
        .join(helper, helper.id == PairSuggestion.helper_id)
        .where(Member.branch_id.in_(branch_ids)).order_by(Member.name)).all()
    return [WaitingSuggestion(*row) for row in rows]
