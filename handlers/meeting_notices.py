"""Meeting notices and reminders: composed from the catalog, queued in the outbox.

Used by the chat handlers (created / cancelled) and by the scheduler's sweeper
(reminders 24 h and 1 h before, compliance warnings). Each notice's dedupe key names
the meeting, the member and the occasion, so it is queued once however often the
sweep runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from handlers import texts
from handlers.timefmt import when
from models.meetings import Meeting, invitee_ids
from models.member import Member
from models.outbox import Notice, Status, enqueue


def meeting_fields(meeting: Meeting, settings: Settings) -> dict[str, str]:
    """The words every meeting notice uses."""
    return {
        "kind": meeting.kind_name,
        "when": when(meeting.starts_at, settings.tz),
        "place": meeting.place,
        "topic": f"\n主题：{meeting.topic}" if meeting.topic else "",
        "code": meeting.code,
    }


def template_data(meeting: Meeting, settings: Settings) -> dict[str, str]:
    """Fields for a meeting template message: thing1 (meeting), time2, thing3 (place)."""
    title = f"{meeting.kind_name}：{meeting.topic}" if meeting.topic else meeting.kind_name
    return {"thing1": title, "time2": when(meeting.starts_at, settings.tz),
            "thing3": meeting.place, "character_string4": meeting.code}


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


def notify_invitees(session: Session, meeting: Meeting, occasion: str, text: str,
                    settings: Settings, now: datetime, kind: str = "meeting_notice") -> Notified:
    """Queue `text` for every invitee."""
    members = session.scalars(select(Member).where(Member.id.in_(invitee_ids(session, meeting))))
    notice = Notice(kind=kind, text=text, template_data=template_data(meeting, settings),
                    subject=f"meeting:{meeting.id}")
    statuses = [enqueue(session, f"meeting:{meeting.id}:member:{member.id}:{occasion}", member,
                        notice, now, settings.template_ids) for member in members]
    queued = [s for s in statuses if s is not None]
    return Notified(len(queued), sum(1 for s in queued if s == Status.UNDELIVERABLE))


def notify_created(session: Session, meeting: Meeting, settings: Settings,
                   now: datetime) -> Notified:
    """会议通知 to every invitee."""
    text = texts.NOTICE_MEETING_NEW.format(**meeting_fields(meeting, settings))
    return notify_invitees(session, meeting, "created", text, settings, now)


def notify_cancelled(session: Session, meeting: Meeting, settings: Settings,
                     now: datetime) -> Notified:
    """会议取消 to every invitee."""
    text = texts.NOTICE_MEETING_CANCELLED.format(**meeting_fields(meeting, settings))
    return notify_invitees(session, meeting, "cancelled", text, settings, now,
                           kind="meeting_cancelled")


def remind(session: Session, meeting: Meeting, lead: str, occasion: str, settings: Settings,
           now: datetime) -> Notified:
    """A reminder ("明天", "1小时后") to every invitee."""
    text = texts.NOTICE_MEETING_REMINDER.format(lead=lead, **meeting_fields(meeting, settings))
    return notify_invitees(session, meeting, occasion, text, settings, now,
                           kind="meeting_reminder")
