"""一帮一 reports: pairs, relay completion, members not reached, idle helpers (统计,
the branch admin's digest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.delivery.outbox import Outbox, Status
from models.members.tables import Member
from models.pairing.relays import Relay
from models.pairing.tables import HelpPair


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
IN_FLIGHT = (Status.PENDING, Status.SENDING, Status.MERGED)


def branch_pair_report(session: Session, branch_id: int, month_start: datetime,
                       now: datetime) -> PairReport:
    """Pairs, relay completion this month, members not reached, idle helpers, overdue."""
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
        if member_id is None or status in IN_FLIGHT:
            continue  # still being sent: not (yet) a member we failed to reach
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
            report.idle_helpers.append(recent[0].helper.name)
    for relay in session.scalars(select(Relay).where(
            Relay.member_id.in_(ids), Relay.confirmed_at.is_(None), Relay.dropped_at.is_(None),
            Relay.escalated_at.is_not(None)).order_by(Relay.id)):
        report.overdue.append((relay.helper.name, members[relay.member_id].name,
                               relay.text.splitlines()[0][:24] if relay.text else ""))
    return report


