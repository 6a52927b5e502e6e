"""The scheduler's sweeps over relays (一帮一): the daily message to each helper with
what is new to pass on, a reminder of relays left open, and the escalation of those left
longer to the branch admin's digest. A job opens its session, calls one of these and
commits; each is safe to run twice. Urgent relays (a meeting within 24 hours) are
models.pairing.urgent."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import page_links, texts, words
from core.localtime import local_day
from models.actors import Actor
from models.console.audit import record_change
from models.delivery.outbox import ChannelPolicy, Notice
from models.members.tables import Member
from models.pairing.relay_items import RelayItem, current_relays, lines_by_member, member_names
from models.pairing.relays import Relay


def queue_relay_digests(session: Session, outbox: ChannelPolicy, now: datetime,
                        tz: ZoneInfo) -> int:
    """One message per helper with everything new to pass on (each item dated; what no
    longer matters left out), the relays marked as carried; returns messages queued.
    Safe to run twice: the key is per helper and day, and carried relays are not new."""
    day = local_day(now, tz)
    by_helper: dict[int, list[RelayItem]] = defaultdict(list)
    for item in current_relays(session, now, undigested_only=True):
        by_helper[item.relay.helper_id].append(item)
    queued = 0
    for helper_id, found in by_helper.items():
        helper = found[0].relay.helper
        text = texts.NOTICE_RELAY_DIGEST.format(lines=lines_by_member(session, found, tz))
        queued += outbox.enqueue(
            session, f"relay-digest:{helper_id}:{day}", helper,
            Notice("relay_digest", text, fields={
                "count": texts.RELAY_TEMPLATE_COUNT.format(count=len(found)),
                "members": member_names(session, found)},
                url=outbox.page_url(page_links.HELPER)),
            now) is not None
        for item in found:
            item.relay.digested_at = now
    session.flush()
    return queued


def queue_relay_reminders(session: Session, outbox: ChannelPolicy, now: datetime, tz: ZoneInfo,
                          after_days: int) -> int:
    """Remind each helper, once, of the relays open for `after_days`; returns messages
    queued (the key is per helper and day; a relay is reminded of once)."""
    day = local_day(now, tz)
    overdue = list(session.scalars(select(Relay).where(
        Relay.confirmed_at.is_(None), Relay.dropped_at.is_(None), Relay.reminded_at.is_(None),
        Relay.created_at <= now - timedelta(days=after_days))))
    by_helper: dict[int, list[Relay]] = defaultdict(list)
    for relay in overdue:
        by_helper[relay.helper_id].append(relay)
    reminded = 0
    for helper_id, items in by_helper.items():
        helper = items[0].helper
        lines = lines_by_member(session, [RelayItem(r, r.created_at, False) for r in items], tz)
        text = texts.NOTICE_RELAY_OVERDUE.format(days=after_days, lines=lines)
        reminded += outbox.enqueue(session, f"relay-remind:{helper_id}:{day}", helper,
                                   Notice("relay_digest", text,
                                          url=outbox.page_url(page_links.HELPER)),
                                   now) is not None
        for relay in items:
            relay.reminded_at = now
    session.flush()
    return reminded


def escalate_overdue_relays(session: Session, actor: Actor, now: datetime,
                            after_days: int) -> int:
    """Flag the relays open for `after_days` for the branch admin's digest (once each);
    one audit entry per branch whose members' relays were flagged. Returns how many."""
    overdue = list(session.scalars(select(Relay).where(
        Relay.confirmed_at.is_(None), Relay.dropped_at.is_(None), Relay.escalated_at.is_(None),
        Relay.created_at <= now - timedelta(days=after_days)).order_by(Relay.id)))
    members = {m.id: m for m in session.scalars(select(Member).where(
        Member.id.in_({r.member_id for r in overdue})))} if overdue else {}
    by_branch: dict[int, list[str]] = defaultdict(list)
    for relay in overdue:
        relay.escalated_at = now
        member = members.get(relay.member_id)
        if member is not None:
            by_branch[member.branch_id].append(member.name)
    for branch_id, names in sorted(by_branch.items()):
        record_change(session, actor, org_id=branch_id, action="relay.escalate",
                      target=str(len(names)), now=now,
                      after={"members": words.LIST_SEP.join(dict.fromkeys(names))[:500]})
    session.flush()
    return len(overdue)
