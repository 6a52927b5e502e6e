"""一帮一 sweepers: one combined message a day to each helper, reminders for relays
not confirmed after 3 days, escalation to the branch admin's digest after 6.

Both are idempotent: the daily message has a key per helper and day and marks the
relays it carried; the reminder has a key per helper and day; escalation is a flag.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from core import texts
from core.localtime import local_day
from models.db.write_gate import write_session
from models.delivery.outbox import Notice
from models.members.tables import Member
from models.pairing.relay_items import RelayItem, current_relays, lines_by_member, member_names
from models.pairing.relays import Relay
from models.pairing.urgent import queue_urgent_relays
from schedules.job_spec import JobSpec
from schedules.runtime import Runtime

log = logging.getLogger(__name__)


def _by_helper(relays: list[Relay]) -> dict[int, list[Relay]]:
    grouped: dict[int, list[Relay]] = defaultdict(list)
    for relay in relays:
        grouped[relay.helper_id].append(relay)
    return grouped


def send_relay_digests(runtime: Runtime) -> int:
    """One message per helper with everything new to pass on (each item dated; what no
    longer matters left out); returns messages queued."""
    now = runtime.clock()
    tz = runtime.settings.tz
    day = local_day(now, tz)
    queued = 0
    with write_session(runtime.engine) as session:
        items = current_relays(session, now, undigested_only=True)
        by_helper: dict[int, list[RelayItem]] = defaultdict(list)
        for item in items:
            by_helper[item.relay.helper_id].append(item)
        for helper_id, found in by_helper.items():
            helper = session.get(Member, helper_id)
            if helper is None:
                continue
            text = texts.NOTICE_RELAY_DIGEST.format(lines=lines_by_member(session, found, tz))
            queued += runtime.outbox.enqueue(
                session, f"relay-digest:{helper_id}:{day}", helper,
                Notice("relay_digest", text, fields={
                    "count": texts.RELAY_TEMPLATE_COUNT.format(count=len(found)),
                    "members": member_names(session, found)}),
                now) is not None
            for item in found:
                item.relay.digested_at = now
        session.commit()
    if queued:
        log.info("pairing: %d helper digests queued", queued)
    return queued


def send_urgent_relays(runtime: Runtime) -> int:
    """Relays about a meeting within 24 hours that no message has carried yet (one that
    went to a helper after WeChat refused a direct message, say): sent now."""
    with write_session(runtime.engine) as session:
        queued = queue_urgent_relays(session, runtime.outbox, runtime.clock(),
                                     runtime.settings.tz)
        session.commit()
    if queued:
        log.info("pairing: %d urgent relay messages queued", queued)
    return queued


def remind_and_escalate(runtime: Runtime) -> tuple[int, int]:
    """Remind helpers of relays open for 3 days; flag those open for 6 for the admin."""
    now = runtime.clock()
    settings = runtime.settings
    day = local_day(now, runtime.settings.tz)
    reminded = escalated = 0
    with write_session(runtime.engine) as session:
        overdue = list(session.scalars(select(Relay).where(
            Relay.confirmed_at.is_(None), Relay.dropped_at.is_(None),
            Relay.reminded_at.is_(None),
            Relay.created_at <= now - timedelta(days=settings.relay_remind_days))))
        for helper_id, items in _by_helper(overdue).items():
            helper = session.get(Member, helper_id)
            if helper is None:
                continue
            lines = lines_by_member(session, [RelayItem(r, r.created_at, False) for r in items],
                                    settings.tz)
            text = texts.NOTICE_RELAY_OVERDUE.format(days=settings.relay_remind_days,
                                                     lines=lines)
            reminded += runtime.outbox.enqueue(session, f"relay-remind:{helper_id}:{day}",
                                               helper, Notice("relay_digest", text),
                                               now) is not None
            for relay in items:
                relay.reminded_at = now
        for relay in session.scalars(select(Relay).where(
                Relay.confirmed_at.is_(None), Relay.dropped_at.is_(None),
                Relay.escalated_at.is_(None),
                Relay.created_at <= now - timedelta(days=settings.relay_escalate_days))):
            relay.escalated_at = now
            escalated += 1
        session.commit()
    if reminded or escalated:
        log.info("pairing: %d helpers reminded, %d relays escalated", reminded, escalated)
    return reminded, escalated


JOBS = [
    JobSpec("pairing.relay_digest", send_relay_digests, "cron",
            lambda settings: {"hour": settings.relay_digest_time[0],
                              "minute": settings.relay_digest_time[1]}),
    JobSpec("pairing.urgent_relays", send_urgent_relays, "interval", {"minutes": 1}),
    JobSpec("pairing.remind_and_escalate", remind_and_escalate, "cron",
            {"hour": 10, "minute": 0}),
]
