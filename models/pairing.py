"""一帮一: help pairs, the relay tasks they create, and the matching of helpers.

A member who is old, immobile or has no smartphone is paired with a nearby helper
(就近、便利、快捷). Every notice for that member that no direct channel reaches
becomes a relay task for the helper; the helper confirms each relay, and can check in
or ask leave for the members they help.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, Text, delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime
from models.member import Member
from models.outbox import Notice


class HelpPair(Base):
    """A helper and one member they help; ended pairs are kept for the record."""

    __tablename__ = "help_pair"
    __table_args__ = (
        # A member has at most one active helper.
        Index("uq_help_pair_active_member", "member_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Relay(Base):
    """One notice a helper is to pass on to their member, and whether they did."""

    __tablename__ = "relay"
    __table_args__ = (Index("ix_relay_helper_open", "helper_id", "confirmed_at"),
                      Index("ix_relay_member_id", "member_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)  # the notice's key
    helper_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    kind: Mapped[str] = mapped_column(String(40))  # the notice kind
    subject: Mapped[str | None] = mapped_column(String(60))  # "study:12", "meeting:7"
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # in a daily message
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def item_id(self) -> int | None:
        """The study item this relay is about, if any."""
        if self.subject and self.subject.startswith("study:"):
            return int(self.subject.split(":", 1)[1])
        return None


class PairSuggestion(Base):
    """A proposed pair from `partybot pairs suggest`, waiting for `pairs apply`."""

    __tablename__ = "pair_suggestion"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    reason: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PairRelay:
    """The outbox's relay hook: notices for paired members become relay tasks."""

    def helpers_of(self, session: Session, member_ids: list[int]) -> dict[int, int]:
        """member id → helper id for those with an active pair."""
        if not member_ids:
            return {}
        found: dict[int, int] = {}
        for start in range(0, len(member_ids), 5000):  # stay under bind-parameter limits
            found.update(dict(session.execute(
                select(HelpPair.member_id, HelpPair.helper_id).where(
                    HelpPair.member_id.in_(member_ids[start:start + 5000]),
                    HelpPair.ended_at.is_(None))).all()))
        return found

    def relay(self, session: Session, tasks: list[tuple[str, int, int]], notice: Notice,
              now: datetime) -> None:
        """One relay task per (notice key, member, helper); a key already relayed is kept."""
        dialect = session.get_bind().dialect.name
        dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(dialect_insert(Relay.__table__).on_conflict_do_nothing(
            index_elements=["dedupe_key"]), [
            {"dedupe_key": key, "helper_id": helper_id, "member_id": member_id,
             "kind": notice.kind, "subject": notice.subject, "text": notice.text,
             "created_at": now}
            for key, member_id, helper_id in tasks])


class PairingError(ValueError):
    """A pairing request that cannot be done; the message is for the user (Chinese)."""


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
        raise PairingError("不能和自己结对")
    if active_pair_of(session, member.id) is not None:
        raise PairingError(f"{member.name}已经有帮扶人了，请先「解除结对 {member.name}」")
    if active_pair_of(session, helper.id) is not None:
        raise PairingError(f"{helper.name}自己也在接受帮扶，不能当帮扶人")
    load = len(members_of(session, helper.id))
    if load >= capacity_of(helper, default_capacity):
        raise PairingError(f"{helper.name}已经帮扶{load}人，达到上限")
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
        raise PairingError(f"{member.name}现在没有帮扶人")
    pair.ended_at = now
    session.flush()
    return pair


# Matching

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
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude,
                                                b.longitude))  # type: ignore[arg-type]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * \
        math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


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
            reason = "同一党小组或住址" if close else (
                f"相距{km:.1f}公里" if km is not None else "同一支部")
            key = (0 if close else 1, km if km is not None else math.inf,
                   load.get(helper.id, 0), helper.id)
            if best is None or key < best[0]:
                best = (key, helper, reason)
        if best is None:
            unmatched.append(Unmatched(person.id, "本支部的帮扶人都已满员" if had_helpers
                                       else "本支部没有帮扶人"))
            continue
        helper = best[1]
        load[helper.id] = load.get(helper.id, 0) + 1
        suggestions.append(Suggestion(person.id, helper.id, best[2]))
    return suggestions, unmatched


@dataclass
class PairReport:
    """一帮一 in one branch this month (for 统计 and the admin's digest)."""

    pairs: int = 0
    relays: int = 0
    confirmed: int = 0
    not_reached: list[str] = field(default_factory=list)
    idle_helpers: list[str] = field(default_factory=list)
    overdue: list[tuple[str, str, str]] = field(default_factory=list)  # helper, member, text

    @property
    def rate(self) -> float | None:
        """Relays confirmed / relays created this month."""
        return self.confirmed / self.relays if self.relays else None


IDLE_AFTER = timedelta(days=30)


def branch_pair_report(session: Session, branch_id: int, month_start: datetime,
                       now: datetime) -> PairReport:
    """Pairs, relay completion this month, members not reached, idle helpers, overdue."""
    from models.outbox import Outbox, Status

    members = {m.id: m for m in session.scalars(select(Member).where(
        Member.branch_id == branch_id))}
    ids = list(members)
    report = PairReport()
    pairs = list(session.scalars(select(HelpPair).where(HelpPair.member_id.in_(ids),
                                                        HelpPair.ended_at.is_(None))))
    report.pairs = len(pairs)
    relays = list(session.scalars(select(Relay).where(Relay.member_id.in_(ids),
                                                      Relay.created_at >= month_start)))
    report.relays = len(relays)
    report.confirmed = sum(1 for r in relays if r.confirmed_at is not None)
    reached: set[int] = {r.member_id for r in relays if r.confirmed_at is not None}
    notified: set[int] = set()
    for member_id, status in session.execute(select(Outbox.member_id, Outbox.status).where(
            Outbox.member_id.in_(ids), Outbox.created_at >= month_start)):
        notified.add(member_id)
        if status == Status.SENT:
            reached.add(member_id)
    notified.update(r.member_id for r in relays)
    report.not_reached = sorted(members[m].name for m in notified - reached if m in members)
    helper_ids = {p.helper_id for p in pairs}
    for helper_id in sorted(helper_ids):
        recent = list(session.scalars(select(Relay).where(
            Relay.helper_id == helper_id, Relay.created_at >= now - IDLE_AFTER)))
        if recent and not any(r.confirmed_at for r in recent):
            helper = session.get(Member, helper_id)
            if helper is not None:
                report.idle_helpers.append(helper.name)
    for relay in session.scalars(select(Relay).where(
            Relay.member_id.in_(ids), Relay.confirmed_at.is_(None),
            Relay.escalated_at.is_not(None)).order_by(Relay.id)):
        helper = session.get(Member, relay.helper_id)
        report.overdue.append((helper.name if helper else "", members[relay.member_id].name,
                               relay.text.splitlines()[0][:24] if relay.text else ""))
    return report


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
        select(*columns).where(Member.needs_help.is_not(None), Member.id.not_in(paired),
                               *scope))]
    helper_rows = list(session.execute(
        select(*columns, Member.helper_capacity).where(
            Member.is_helper.is_(True), Member.needs_help.is_(None),
            Member.id.not_in(paired), *scope)))
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


def save_suggestions(session: Session, suggestions: list[Suggestion], member_ids: list[int],
                     now: datetime) -> None:
    """Replace the stored suggestions for these members (flushes)."""
    for start in range(0, len(member_ids), 5000):
        session.execute(delete(PairSuggestion).where(
            PairSuggestion.member_id.in_(member_ids[start:start + 5000])))
    session.add_all([PairSuggestion(member_id=s.member_id, helper_id=s.helper_id,
                                    reason=s.reason, created_at=now) for s in suggestions])
    session.flush()


@dataclass
class Applied:
    """What `pairs apply` did."""

    made: list[tuple[str, str]] = field(default_factory=list)  # helper, member
    skipped: list[tuple[str, str]] = field(default_factory=list)  # member, why


def apply_suggestions(session: Session, now: datetime, default_capacity: int) -> Applied:
    """Turn every stored suggestion into a pair (those still possible); flushes."""
    result = Applied()
    for suggestion in list(session.scalars(select(PairSuggestion).order_by(
            PairSuggestion.member_id))):
        helper = session.get(Member, suggestion.helper_id)
        member = session.get(Member, suggestion.member_id)
        session.delete(suggestion)
        if helper is None or member is None:
            continue
        try:
            make_pair(session, helper, member, now, None, default_capacity)
        except PairingError as exc:
            result.skipped.append((member.name, str(exc)))
            continue
        result.made.append((helper.name, member.name))
    session.flush()
    return result
