"""How a branch's notices reached its members: by template, 订阅通知, customer service or helper;
held (with names); failed (with WeChat's reason). For 统计 and the console.

Who cannot be reached *now* (no WeChat bound or not following, and no helper) is one
query, `unreachable_members`, which both 统计 and the console's delivery page print: a
notice that found nobody last week does not make a member who has bound since
unreachable.

Counted per notice (outbox row), not per message: a held notice later sent inside a
combined message counts as reached by customer service once that message is sent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from core import texts
from models.db.base import id_list
from models.delivery.held import COMBINED_KIND
from models.delivery.outbox import Channel, Outbox, Status
from models.members.tables import Member, live_member
from models.pairing.tables import HelpPair


@dataclass
class Reach:
    """One branch's notices since a moment."""

    template: int = 0
    customer_service: int = 0
    helper: int = 0
    in_flight: int = 0  # queued, being sent, outcome not yet known
    dropped: int = 0  # held, then no longer worth sending
    held_notices: int = 0
    unreachable_notices: int = 0
    held: list[str] = field(default_factory=list)  # names (waiting for their next message)
    failed: Counter[str] = field(default_factory=Counter)  # reason key -> notices
    subscription: int = 0  # 订阅通知 (one per acceptance)

    @property
    def total(self) -> int:
        """Notices counted."""
        return (self.template + self.customer_service + self.helper + self.in_flight
                + self.dropped + self.held_notices + self.unreachable_notices
                + sum(self.failed.values()) + self.subscription)


def failure_reason(code: int | None, report: str | None, error: str | None) -> str:
    """A key for why a notice failed: WeChat's code ("43004"), a delivery report
    ("report:failed:user block"), or what partybot concluded ("gave_up", "unknown")."""
    if report and report != "delivered":
        return f"report:{report}"
    if code is not None:
        return str(code)
    if error and error.startswith("gave up"):
        return "gave_up"
    if error and error.startswith("outcome unknown"):
        return "unknown"
    return "other"


def failure_text(key: str) -> str:
    """A failure reason key in Chinese (WeChat's own words for its codes)."""
    return texts.FAILURE_REASONS.get(key) or texts.FAILURE_REASON_CODE.format(code=key)


def branch_reach(session: Session, branch_id: int, since: datetime) -> Reach:
    """How the notices queued for the branch's members since `since` fared."""
    carrier = aliased(Outbox)
    rows = session.execute(
        select(Outbox.channel, Outbox.status, Outbox.last_error_code, Outbox.report,
               Outbox.last_error, Member.name, carrier.status)
        .join(Member, Outbox.member_id == Member.id)
        .outerjoin(carrier, Outbox.carried_by == carrier.id)
        .where(Member.branch_id == branch_id, Outbox.created_at >= since,
               Outbox.kind != COMBINED_KIND, Outbox.channel != Channel.TAG))
    reach = Reach()
    held: set[str] = set()
    for channel, status, code, report, error, name, carried in rows:
        if status == Status.MERGED:  # inside a combined message: that message's fate
            status, channel = carried or Status.PENDING, Channel.CUSTOM
        if status == Status.SENT:
            if channel == Channel.TEMPLATE:
                reach.template += 1
            elif channel == Channel.SUBSCRIBE:
                reach.subscription += 1
            else:
                reach.customer_service += 1
        elif status == Status.RELAYED:
            reach.helper += 1
        elif status == Status.HELD:
            held.add(name)
            reach.held_notices += 1
        elif status == Status.UNDELIVERABLE:
            # counted, not named: who could not be reached *then* may have bound since;
            # who cannot be reached now is unreachable_members, for 统计 and the console
            reach.unreachable_notices += 1
        elif status == Status.FAILED:
            reach.failed[failure_reason(code, report, error)] += 1
        elif status == Status.DROPPED:
            reach.dropped += 1
        else:
            reach.in_flight += 1
    reach.held = sorted(held)
    return reach


def unreachable_members(session: Session, branch_id: int) -> list[str]:
    """Members nothing can reach today: no WeChat bound (or not following) and no helper."""
    paired = select(HelpPair.member_id).where(HelpPair.ended_at.is_(None))
    return list(session.scalars(select(Member.name).where(
        Member.branch_id == branch_id, Member.id.not_in(paired), live_member(),
        or_(Member.openid.is_(None), Member.subscribed.is_(False))).order_by(Member.name)))


def unreachable_counts(session: Session, branch_ids: list[int]) -> dict[int, int]:
    """How many members of each branch nothing can reach today (as unreachable_members),
    in one grouped query; branches with none are left out."""
    paired = select(HelpPair.member_id).where(HelpPair.ended_at.is_(None))
    return {branch: count for branch, count in session.execute(
        select(Member.branch_id, func.count(Member.id)).where(
            Member.branch_id.in_(id_list(branch_ids)), Member.id.not_in(paired), live_member(),
            or_(Member.openid.is_(None), Member.subscribed.is_(False)))
        .group_by(Member.branch_id))}


@dataclass(frozen=True)
class FailedNotice:
    """One notice that did not arrive, and why."""

    name: str
    kind: str
    at: datetime
    reason: str  # a key as `failure_reason` gives


def recent_failures(session: Session, branch_id: int, since: datetime,
                    limit: int = 30) -> list[FailedNotice]:
    """The branch's newest failed notices since `since`."""
    rows = session.execute(
        select(Member.name, Outbox.kind, Outbox.created_at, Outbox.last_error_code,
               Outbox.report, Outbox.last_error)
        .join(Member, Outbox.member_id == Member.id)
        .where(Member.branch_id == branch_id, Outbox.created_at >= since,
               Outbox.status == Status.FAILED)
        .order_by(Outbox.created_at.desc(), Outbox.id.desc()).limit(limit)).all()
    return [FailedNotice(name, kind, at, failure_reason(code, report, error))
            for name, kind, at, code, report, error in rows]
