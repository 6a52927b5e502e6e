"""Notices no channel could carry: moved to the next channel, held, and combined.

The channel policy (models.delivery.outbox) is applied again whenever WeChat or the allowance
says no: a customer-service row that the member's allowance no longer covers (at claim
time, or WeChat answered 45047/45015) goes to the member's helper, else it is held.
When the member next writes (which opens a new allowance), their held notices are
combined, newest first, into as few customer-service messages as WeChat's 2,048-byte
limit allows; notices that no longer matter are dropped (models.delivery.relevance).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import texts
from core.localtime import when
from core.service_allowance import TEXT_LIMIT_BYTES
from models.db.base import rowcount
from models.delivery.allowance import ServiceAllowance
from models.delivery.outbox import Channel, Outbox, Status, status_is
from models.delivery.relevance import Pending, Relevance
from models.pairing.actions import helpers_of
from models.pairing.relays import add_relays

COMBINED_KIND = "held_combined"
RELEASE_BATCH = 2000


@dataclass
class Rerouted:
    """Where rows went when their channel failed them."""

    relayed: int = 0
    held: int = 0
    unmerged: int = 0  # held notices of a combined message that could not go


def reroute(session: Session, row_ids: Sequence[int], now: datetime,
            error: str | None = None) -> Rerouted:
    """Move customer-service rows the allowance does not cover to the next channel.

    A member with a helper gets a relay task; anyone else's row is held. A combined
    message that cannot go is dissolved: its notices are held again, to be combined
    afresh at the member's next message.
    """
    done = Rerouted()
    rows = list(session.scalars(select(Outbox).where(Outbox.id.in_(list(row_ids)))))
    carriers = [row for row in rows if row.kind == COMBINED_KIND]
    if carriers:
        done.unmerged = _dissolve(session, carriers, error)
    rows = [row for row in rows if row.kind != COMBINED_KIND]
    helpers = helpers_of(session, [row.member_id for row in rows if row.member_id])
    for row in rows:
        row.lease_owner = row.lease_until = None
        if error:
            row.last_error = error[:300]
        helper_id = helpers.get(row.member_id) if row.member_id else None
        if helper_id is not None and row.member_id is not None:
            row.channel, row.status = Channel.RELAY, Status.RELAYED
            add_relays(session, [(row.dedupe_key, row.member_id, helper_id)], row.kind,
                       row.subject, str(row.payload.get("text", "")), now)
            done.relayed += 1
        else:
            row.channel, row.status = Channel.CUSTOM, Status.HELD
            done.held += 1
    session.flush()
    return done


def _dissolve(session: Session, carriers: list[Outbox], error: str | None) -> int:
    ids = [carrier.id for carrier in carriers]
    for carrier in carriers:
        carrier.status = Status.DROPPED
        carrier.lease_owner = carrier.lease_until = None
        carrier.last_error = f"combined message not sent: {error or 'no allowance'}"[:300]
    result = session.execute(
        update(Outbox).where(Outbox.carried_by.in_(ids), status_is(Status.MERGED))
        .values(status=Status.HELD, carried_by=None)
        .execution_options(synchronize_session=False))
    session.flush()
    return rowcount(result)


MEETING_NOTICE = "meeting_notice"  # a 会议通知, or a 会议变更 (the same kind, newer)


def release_held(session: Session, now: datetime, tz: ZoneInfo) -> int:
    """Combine the held notices of members whose allowance is open again; returns how
    many combined messages were queued. Idempotent: merged rows are no longer held."""
    held = list(session.scalars(
        select(Outbox).join(ServiceAllowance, ServiceAllowance.openid == Outbox.openid)
        .where(status_is(Status.HELD), ServiceAllowance.remaining > 0,
               ServiceAllowance.until > now)
        .order_by(Outbox.openid, Outbox.id.desc()).limit(RELEASE_BATCH)))
    if not held:
        return 0
    by_openid: dict[str, list[Outbox]] = defaultdict(list)
    for row in held:
        by_openid[str(row.openid)].append(row)
    relevance = Relevance(session, (_pending(row) for row in held))
    told = _told_of_meetings(session, held)
    queued = 0
    for openid, rows in by_openid.items():
        keep = []
        noticed: set[str] = set()  # meetings whose newest 会议通知 / 会议变更 is kept
        for row in rows:  # newest first
            reason = relevance.reason_to_drop(
                _pending(row), now, told_of_meeting=(row.member_id, row.subject) in told)
            if reason is None and row.kind == MEETING_NOTICE and row.subject:
                # A later 会议变更 says the time and place in full: an older notice of
                # the same meeting would hand the member two times.
                if row.subject in noticed:
                    reason = "superseded by a later notice of the meeting"
                noticed.add(row.subject)
            if reason is None:
                keep.append(row)
            else:
                row.status, row.last_error = Status.DROPPED, f"dropped: {reason}"
        queued += _combine(session, openid, keep, now, tz)
    session.flush()
    return queued


def _pending(row: Outbox) -> Pending:
    return Pending(row.kind, row.subject, row.member_id, row.created_at)


def _told_of_meetings(session: Session,
                      held: list[Outbox]) -> set[tuple[int | None, str | None]]:
    """(member, "meeting:N") pairs of held cancellations whose member had an earlier
    notice of the meeting by some channel."""
    asked = {(row.member_id, row.subject) for row in held
             if row.kind == "meeting_cancelled" and row.subject}
    if not asked:
        return set()
    reached = (Status.SENT, Status.RELAYED, Status.MERGED)
    found = session.execute(select(Outbox.member_id, Outbox.subject).where(
        Outbox.member_id.in_({member for member, _ in asked}),
        Outbox.subject.in_({subject for _, subject in asked}),
        Outbox.kind != "meeting_cancelled", Outbox.status.in_(reached)))
    return {(member, subject) for member, subject in found} & asked


def combined_texts(items: list[tuple[datetime, str]], tz: ZoneInfo) -> list[tuple[str, int]]:
    """Messages carrying `items` ((queued at, text), newest first), each within WeChat's
    2,048 bytes, with how many items each carries; the first says how many in all."""
    parts: list[list[str]] = [[texts.HELD_HEAD.format(count=len(items))]]
    for at, text in items:
        entry = _cut(texts.HELD_ITEM.format(when=when(at, tz), text=text.strip()))
        current = "\n\n".join([*parts[-1], entry])
        if len(current.encode()) > TEXT_LIMIT_BYTES and len(parts[-1]) > 1:
            parts.append([texts.HELD_CONTINUED])
        parts[-1].append(entry)
    return [("\n\n".join(part), len(part) - 1) for part in parts]


def _cut(entry: str) -> str:
    """One entry that alone would not fit a message, cut to fit beside a heading."""
    room = TEXT_LIMIT_BYTES - 200
    data = entry.encode()
    if len(data) <= room:
        return entry
    return data[:room].decode(errors="ignore").rstrip() + "\u2026"


def _combine(session: Session, openid: str, rows: list[Outbox], now: datetime,
             tz: ZoneInfo) -> int:
    if not rows:
        return 0
    items = [(row.created_at, str(row.payload.get("text", ""))) for row in rows]
    newest, start = rows[0], 0
    messages = combined_texts(items, tz)
    for number, (text, count) in enumerate(messages, 1):
        carrier = Outbox(
            dedupe_key=f"held:{openid}:{newest.id}:{number}", kind=COMBINED_KIND,
            member_id=newest.member_id, openid=openid, channel=Channel.CUSTOM,
            payload={"text": text}, status=Status.PENDING, send_after=now, attempts=0,
            unknown_retried=False, created_at=now)
        session.add(carrier)
        session.flush()
        # Each notice is marked with the message that carries it (counted by that one).
        for row in rows[start:start + count]:
            row.status, row.carried_by = Status.MERGED, carrier.id
        start += count
    return len(messages)
