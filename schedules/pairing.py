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
from sqlalchemy.orm import Session

from core import notices, texts, words
from core.localtime import local_day
from core.notices import first_line
from models.base import write_session
from models.member import Member
from models.outbox import Notice
from models.relays import Relay
from schedules.registry import JobSpec, register
from schedules.runtime import Runtime

log = logging.getLogger(__name__)


def _lines(session: Session, relays: list[Relay]) -> str:
    by_member: dict[int, list[Relay]] = defaultdict(list)
    for relay in relays:
        by_member[relay.member_id].append(relay)
    names = {m.id: m.name for m in session.scalars(select(Member).where(
        Member.id.in_(list(by_member))))}
    return "\n".join(texts.NOTICE_RELAY_DIGEST_LINE.format(
        name=names.get(member_id, ""), items=words.ITEM_SEP.join(first_line(r.text, 30)
                                                              for r in items))
        for member_id, items in sorted(by_member.items()))


def _names(session: Session, relays: list[Relay]) -> str:
    ids = list(dict.fromkeys(relay.member_id for relay in relays))
    names = dict(session.execute(select(Member.id, Member.name).where(Member.id.in_(ids))).all())
    return notices.names_list([names[i] for i in ids if i in names], 3)


def _by_helper(relays: list[Relay]) -> dict[int, list[Relay]]:
    grouped: dict[int, list[Relay]] = defaultdict(list)
    for relay in relays:
        grouped[relay.helper_id].append(relay)
    return grouped


def send_relay_digests(runtime: Runtime) -> int:
    """One message per helper with everything new to pass on; returns messages queued."""
    now = runtime.clock()
    day = local_day(now, runtime.settings.tz)
    queued = 0
    with write_session(runtime.engine) as session:
        relays = list(session.scalars(select(Relay).where(
            Relay.digested_at.is_(None), Relay.confirmed_at.is_(None)).order_by(Relay.id)))
        for helper_id, items in _by_helper(relays).items():
            helper = session.get(Member, helper_id)
            if helper is None:
                continue
            text = texts.NOTICE_RELAY_DIGEST.format(lines=_lines(session, items))
            queued += runtime.outbox.enqueue(
                session, f"relay-digest:{helper_id}:{day}", helper,
                Notice("relay_digest", text, fields={
                    "count": texts.RELAY_TEMPLATE_COUNT.format(count=len(items)),
                    "members": _names(session, items)}),
                now) is not None
            for relay in items:
                relay.digested_at = now
        session.commit()
    if queued:
        log.info("pairing: %d helper digests queued", queued)
    return queued


def remind_and_escalate(runtime: Runtime) -> tuple[int, int]:
    """Remind helpers of relays open for 3 days; flag those open for 6 for the admin."""
    now = runtime.clock()
    settings = runtime.settings
    day = local_day(now, runtime.settings.tz)
    reminded = escalated = 0
    with write_session(runtime.engine) as session:
        overdue = list(session.scalars(select(Relay).where(
            Relay.confirmed_at.is_(None), Relay.reminded_at.is_(None),
            Relay.created_at <= now - timedelta(days=settings.relay_remind_days))))
        for helper_id, items in _by_helper(overdue).items():
            helper = session.get(Member, helper_id)
            if helper is None:
                continue
            text = texts.NOTICE_RELAY_OVERDUE.format(days=settings.relay_remind_days,
                                                     lines=_lines(session, items))
            reminded += runtime.outbox.enqueue(session, f"relay-remind:{helper_id}:{day}",
                                               helper, Notice("relay_digest", text),
                                               now) is not None
            for relay in items:
                relay.reminded_at = now
        for relay in session.scalars(select(Relay).where(
                Relay.confirmed_at.is_(None), Relay.escalated_at.is_(None),
                Relay.created_at <= now - timedelta(days=settings.relay_escalate_days))):
            relay.escalated_at = now
            escalated += 1
        session.commit()
    if reminded or escalated:
        log.info("pairing: %d helpers reminded, %d relays escalated", reminded, escalated)
    return reminded, escalated


register(JobSpec("pairing.relay_digest", send_relay_digests, "cron",
                 lambda settings: {"hour": settings.relay_digest_time[0],
                                   "minute": settings.relay_digest_time[1]}))
register(JobSpec("pairing.remind_and_escalate", remind_and_escalate, "cron",
                 {"hour": 10, "minute": 0}))
