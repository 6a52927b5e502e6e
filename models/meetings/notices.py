"""Meeting notices queued in the outbox: created, changed, (un)invited, cancelled,
reminders.

Used by the chat (新建会议, 取消会议) and by the scheduler's reminder sweep. Each notice's
dedupe key names the meeting, the member and the occasion, so it is queued once however
often the sweep runs.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import notices, page_links, texts
from models.delivery.outbox import ChannelPolicy, Notice, Status
from models.meetings.queries import invitee_ids
from models.meetings.tables import Meeting
from models.members.tables import Member
from models.pairing.actions import helpers_of
from models.pairing.relay_items import URGENT_WITHIN
from models.pairing.urgent import queue_urgent_relays


@dataclass(frozen=True)
class Notified:
    """Members a notice reaches now (template, customer service, helper), and the
    names of those it does not (held for their next message, or no channel at all)."""

    reached: int = 0
    held: tuple[str, ...] = ()  # follow us, but nothing reaches them until they write
    unreachable: tuple[str, ...] = ()  # no WeChat bound (or unfollowed), no helper

    @property
    def total(self) -> int:
        """Invitees the notice was for."""
        return self.reached + len(self.held) + len(self.unreachable)

    def __str__(self) -> str:
        """For the admin's reply: "4名党员", or "3名党员；暂时联系不上：赵大爷（…）"."""
        parts = [texts.NOTIFIED.format(queued=self.reached)]
        if self.held:
            parts.append(texts.NOTIFIED_HELD.format(
                count=len(self.held), names=notices.names_list(list(self.held), 10)))
        if self.unreachable:
            parts.append(texts.NOTIFIED_UNREACHABLE.format(
                count=len(self.unreachable),
                names=notices.names_list(list(self.unreachable), 10)))
        return "".join(parts)


def notify_invitees(session: Session, outbox: ChannelPolicy, meeting: Meeting, occasion: str,
                    text: str, tz: ZoneInfo, now: datetime,
                    kind: str = "meeting_notice",
                    member_ids: Sequence[int] | None = None,
                    fields: dict[str, str] | None = None) -> Notified:
    """Queue `text` for every invitee (or these members), in one statement per chunk;
    the template takes `fields` (default: the meeting's own)."""
    wanted = invitee_ids(session, meeting) if member_ids is None else member_ids
    members = list(session.scalars(select(Member).where(
        Member.id.in_(wanted)).order_by(Member.id))) if wanted else []
    notice = Notice(kind=kind, text=text,
                    fields=fields or notices.meeting_template_fields(meeting, tz),
                    url=outbox.page_url(page_links.meeting(meeting.id)),
                    subject=f"meeting:{meeting.id}")
    statuses = outbox.enqueue_each(
        session, [(f"meeting:{meeting.id}:member:{m.id}:{occasion}", m) for m in members],
        notice, now)
    if meeting.starts_at - now <= URGENT_WITHIN:  # helpers hear of it now, not at 09:00
        helpers = helpers_of(session, [m.id for m, status in zip(members, statuses, strict=True)
                                       if status == Status.RELAYED])
        if helpers:
            queue_urgent_relays(session, outbox, now, tz, sorted(set(helpers.values())))
    held = tuple(m.name for m, status in zip(members, statuses, strict=True)
                 if status == Status.HELD)
    unreachable = tuple(m.name for m, status in zip(members, statuses, strict=True)
                        if status == Status.UNDELIVERABLE)
    return Notified(len(members) - len(held) - len(unreachable), held, unreachable)


def notify_created(session: Session, outbox: ChannelPolicy, meeting: Meeting, tz: ZoneInfo,
                   now: datetime) -> Notified:
    """会议通知 to every invitee."""
    return notify_invitees(session, outbox, meeting, "created",
                           notices.meeting_created(meeting, tz), tz, now)


def notify_cancelled(session: Session, outbox: ChannelPolicy, meeting: Meeting, tz: ZoneInfo,
                     now: datetime) -> Notified:
    """会议取消 to every invitee."""
    return notify_invitees(session, outbox, meeting, "cancelled",
                           notices.meeting_cancelled(meeting, tz), tz, now,
                           kind="meeting_cancelled")


def notify_changed(session: Session, outbox: ChannelPolicy, meeting: Meeting,
                   was: notices.MeetingWas, tz: ZoneInfo, now: datetime,
                   member_ids: Sequence[int] | None = None) -> Notified:
    """会议变更 to every invitee, or these (each change is a notice of its own): what
    changed from what (`was`) to what, in the text and in the 会议通知 template's
    keywords alike."""
    # two changes in one second are two notices: the key names what it changed to
    to = zlib.crc32(f"{meeting.starts_at.isoformat()}|{meeting.place}|{meeting.topic}".encode())
    return notify_invitees(session, outbox, meeting, f"changed:{int(now.timestamp())}:{to}",
                           notices.meeting_changed(meeting, was, tz), tz, now,
                           member_ids=member_ids,
                           fields=notices.change_template_fields(meeting, was, tz))


def notify_invited(session: Session, outbox: ChannelPolicy, meeting: Meeting,
                   member_ids: Sequence[int], tz: ZoneInfo, now: datetime) -> Notified:
    """会议通知 to members invited after the meeting was scheduled."""
    return notify_invitees(session, outbox, meeting, f"invited:{int(now.timestamp())}",
                           notices.meeting_created(meeting, tz), tz, now,
                           member_ids=member_ids)


def notify_uninvited(session: Session, outbox: ChannelPolicy, meeting: Meeting,
                     member_ids: Sequence[int], tz: ZoneInfo, now: datetime) -> Notified:
    """参会调整 to members no longer expected (sent before a move: they were told the
    old time)."""
    return notify_invitees(session, outbox, meeting, f"uninvited:{int(now.timestamp())}",
                           notices.meeting_uninvited(meeting, tz), tz, now,
                           kind="meeting_uninvited", member_ids=member_ids)


def remind(session: Session, outbox: ChannelPolicy, meeting: Meeting, occasion: str,
           tz: ZoneInfo, now: datetime) -> Notified:
    """A reminder to every invitee."""
    return notify_invitees(session, outbox, meeting, occasion,
                           notices.meeting_reminder(meeting, tz, now), tz, now,
                           kind="meeting_reminder")
