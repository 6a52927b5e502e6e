"""Meeting notices queued in the outbox: created, cancelled, reminders.

Used by the chat (新建会议, 取消会议) and by the scheduler's reminder sweep. Each notice's
dedupe key names the meeting, the member and the occasion, so it is queued once however
often the sweep runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import notices, texts
from models.meetings import Meeting, invitee_ids
from models.member import Member
from models.outbox import ChannelPolicy, Notice, Status


@dataclass(frozen=True)
class Notified:
    """How many notices were newly queued, and how many of those reach nobody."""

    queued: int = 0
    unreachable: int = 0

    def __str__(self) -> str:
        """For the admin's reply: "4名党员" or "4名党员（1人暂时联系不上…）"."""
        if not self.unreachable:
            return texts.NOTIFIED.format(queued=self.queued)
        return texts.NOTIFIED_SOME_UNREACHABLE.format(queued=self.queued,
                                                      unreachable=self.unreachable)


def notify_invitees(session: Session, outbox: ChannelPolicy, meeting: Meeting, occasion: str,
                    text: str, tz: ZoneInfo, now: datetime,
                    kind: str = "meeting_notice") -> Notified:
    """Queue `text` for every invitee, in one statement per chunk."""
    members = list(session.scalars(select(Member).where(
        Member.id.in_(invitee_ids(session, meeting))).order_by(Member.id)))
    notice = Notice(kind=kind, text=text,
                    fields=notices.meeting_template_fields(meeting, tz),
                    subject=f"meeting:{meeting.id}")
    counts = outbox.enqueue_many(
        session, [(f"meeting:{meeting.id}:member:{m.id}:{occasion}", m) for m in members],
        notice, now)
    return Notified(sum(counts.values()), counts.get(Status.UNDELIVERABLE, 0))


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


def remind(session: Session, outbox: ChannelPolicy, meeting: Meeting, occasion: str,
           tz: ZoneInfo, now: datetime) -> Notified:
    """A reminder to every invitee."""
    return notify_invitees(session, outbox, meeting, occasion,
                           notices.meeting_reminder(meeting, tz, now), tz, now,
                           kind="meeting_reminder")
