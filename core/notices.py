"""Notice texts: the words of every message partybot sends on its own, built from the
catalog. A leaf that the chat (replies that echo a notice) and the sweepers share.

Functions take plain values or any object with the attributes they read, so that this
layer needs nothing from the database layer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from core import texts
from core.localtime import template_time, when
from core.words import LIST_SEP


class MeetingLike(Protocol):
    """What a meeting notice reads of a meeting."""

    @property
    def kind_name(self) -> str: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def place(self) -> str: ...
    @property
    def topic(self) -> str: ...
    @property
    def code(self) -> str: ...


def meeting_fields(meeting: MeetingLike, tz: ZoneInfo) -> dict[str, str]:
    """The words every meeting notice and reply uses."""
    return {
        "kind": meeting.kind_name,
        "when": when(meeting.starts_at, tz),
        "place": meeting.place,
        "topic": texts.MEETING_TOPIC_LINE.format(topic=meeting.topic) if meeting.topic else "",
        "code": meeting.code,
    }


def meeting_template_fields(meeting: MeetingLike, tz: ZoneInfo) -> dict[str, str]:
    """The fields a meeting notice offers its template (core.template_messages.KIND_FIELDS)."""
    title = texts.MEETING_TITLE_WITH_TOPIC.format(kind=meeting.kind_name, topic=meeting.topic) \
        if meeting.topic else meeting.kind_name
    return {"meeting": title, "kind": meeting.kind_name, "topic": meeting.topic,
            "time": template_time(meeting.starts_at, tz), "place": meeting.place,
            "code": meeting.code}


def meeting_created(meeting: MeetingLike, tz: ZoneInfo) -> str:
    """会议通知."""
    return texts.NOTICE_MEETING_NEW.format(**meeting_fields(meeting, tz))


def meeting_changed(meeting: MeetingLike, tz: ZoneInfo) -> str:
    """会议变更: the meeting as it now is."""
    return texts.NOTICE_MEETING_CHANGED.format(**meeting_fields(meeting, tz))


def meeting_cancelled(meeting: MeetingLike, tz: ZoneInfo) -> str:
    """会议取消."""
    return texts.NOTICE_MEETING_CANCELLED.format(**meeting_fields(meeting, tz))


def meeting_uninvited(meeting: MeetingLike, tz: ZoneInfo) -> str:
    """参会调整: this member is no longer expected."""
    return texts.NOTICE_MEETING_UNINVITED.format(**meeting_fields(meeting, tz))


def reminder_lead(starts_at: datetime, now: datetime) -> str:
    """ "3小时后召开：" or "即将召开："."""
    hours = round((starts_at - now).total_seconds() / 3600)
    return texts.REMIND_LEAD_HOURS.format(hours=hours) if hours >= 1 else texts.REMIND_LEAD_SOON


def meeting_reminder(meeting: MeetingLike, tz: ZoneInfo, now: datetime) -> str:
    """会议提醒 ("明天" / "1小时后")."""
    return texts.NOTICE_MEETING_REMINDER.format(lead=reminder_lead(meeting.starts_at, now),
                                                **meeting_fields(meeting, tz))


def study_push(title: str, summary: str) -> str:
    """今日学习."""
    return texts.NOTICE_STUDY.format(title=title, summary=summary)


def names_list(names: list[str], limit: int) -> str:
    """"张三、李四" — at most `limit` names, then "等"."""
    shown = LIST_SEP.join(names[:limit])
    return texts.MORE_NAMES.format(names=shown) if len(names) > limit else shown


def first_line(text: str, width: int) -> str:
    """The first line of `text`, cut to `width` characters with an ellipsis."""
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= width else line[: width - 1] + "…"
