"""一帮一: help pairs.

A member who is old, immobile or has no smartphone is paired with a nearby helper
(就近、便利、快捷). A member has at most one active helper; a helper helps up to a
capacity. Ended pairs are kept for the record. Relay tasks (models.pairing.relays), matching
(models.pairing.matching) and reports (models.pairing.reports) build on these pairs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import PairingError
from models.members.tables import Member
from models.pairing.tables import HelpPair


def active_pair_of(session: Session, member_id: int) -> HelpPair | None:
    """The member's current pair, if any."""
    return session.scalar(select(HelpPair).where(HelpPair.member_id == member_id,
                                                 HelpPair.ended_at.is_(None)))


def helper_of(session: Session, member_id: int) -> Member | None:
    """The member's current helper, if any."""
    pair = active_pair_of(session, member_id)
    return session.get(Member, pair.helper_id) if pair else None


def members_of(session: Session, helper_id: int) -> list[Member]:
    """The members a helper currently helps."""
    ids = select(HelpPair.member_id).where(HelpPair.helper_id == helper_id,
                                           HelpPair.ended_at.is_(None))
    return list(session.scalars(select(Member).where(Member.id.in_(ids)).order_by(Member.id)))


def capacity_of(member: Member, default: int) -> int:
    """How many members this helper may help."""
    return member.helper_capacity if member.helper_capacity is not None else default


def make_pair(session: Session, helper: Member, member: Member, now: datetime,
              created_by: Member | None, default_capacity: int) -> HelpPair:
    """Pair `member` with `helper` (flushes); PairingError explains a refusal."""
    if helper.id == member.id:
        raise PairingError("PAIR_SELF")
    if active_pair_of(session, member.id) is not None:
        raise PairingError("PAIR_MEMBER_HAS_HELPER", name=member.name)
    if active_pair_of(session, helper.id) is not None:
        raise PairingError("PAIR_HELPER_IS_HELPED", name=helper.name)
    load = len(members_of(session, helper.id))
    if load >= capacity_of(helper, default_capacity):
        raise PairingError("PAIR_HELPER_FULL", name=helper.name, load=load)
    pair = HelpPair(helper_id=helper.id, member_id=member.id, created_at=now,
                    created_by=created_by.id if created_by else None)
    session.add(pair)
    if not helper.is_helper:
        helper.is_helper = True  # an admin named them: they are a helper now
    session.flush()
    return pair


def end_pair(session: Session, member: Member, now: datetime) -> HelpPair:
    """End the member's current pair (flushes)."""
    pair = active_pair_of(session, member.id)
    if pair is None:
        raise PairingError("PAIR_NO_HELPER", name=member.name)
    pair.ended_at = now
    session.flush()
    return pair


def helpers_of(session: Session, member_ids: list[int]) -> dict[int, int]:
    """member id → helper id, for those of `member_ids` with an active pair."""
    found: dict[int, int] = {}
    for start in range(0, len(member_ids), 5000):  # stay under bind-parameter limits
        found.update({member_id: helper_id for member_id, helper_id in session.execute(
            select(HelpPair.member_id, HelpPair.helper_id).where(
                HelpPair.member_id.in_(member_ids[start:start + 5000]),
                HelpPair.ended_at.is_(None)))})
    return found


def helper_member(session: Session, helper: Member, name: str) -> Member:
    """One of the members `helper` helps, by name; PairingError if there is none such."""
    for member in members_of(session, helper.id):
        if member.name == name:
            return member
    raise PairingError("PAIR_NOT_YOURS", name=name)
