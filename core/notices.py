"""Notice texts: the words of every message partybot sends on its own, built from the
catalog. A leaf that the chat (replies that echo a notice) and the sweepers share.

Functions take plain values or any object with the attributes they read, so that this
layer needs nothing from the database layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from core import texts
from core.localtime import template_time, when
from core.template_types import LIMITS
from core.words import LIST_SEP, MEETING_KIND_NAMES, MEETING_KIND_SHORT_NAMES


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


def meeting_changed(meeting: MeetingLike, was: MeetingWas, tz: ZoneInfo) -> str:
    """会议变更: what changed, from what to what, the code unchanged; its first line
    (what a helper's list shows) says what changed on its own."""
    return texts.NOTICE_MEETING_CHANGE.format(
        summary=change_summary(meeting, was, tz), changes="\n".join(change_lines(meeting, was, tz)),
        code=meeting.code)


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


@dataclass(frozen=True)
class MeetingWas:
    """A meeting's time, place and topic before a change (what a 会议变更 compares)."""

    starts_at: datetime
    place: str
    topic: str

    @classmethod
    def of(cls, meeting: MeetingLike) -> MeetingWas:
        """The meeting as it is now, to compare with after the change."""
        return cls(meeting.starts_at, meeting.place, meeting.topic or "")


_SHORT_KIND = {MEETING_KIND_NAMES[kind]: short for kind, short in MEETING_KIND_SHORT_NAMES.items()}
_THING = LIMITS["thing"][0]  # a template's thing keyword: 20 characters


def short_when(moment: datetime, tz: ZoneInfo) -> str:
    """e.g. "12月9日09:00" (a change notice's first line, a template keyword)."""
    local = moment.astimezone(tz)
    return texts.SHORT_WHEN.format(month=local.month, day=local.day, clock=f"{local:%H:%M}")


def change_summary(meeting: MeetingLike, was: MeetingWas, tz: ZoneInfo) -> str:
    """"党员大会改期，原12月9日09:00" / "党员大会改地点" / "党员大会改主题": what changed,
    short enough for a template's thing keyword (the meeting's name in 会议通知)."""
    kind = _SHORT_KIND.get(meeting.kind_name, meeting.kind_name)
    if meeting.starts_at != was.starts_at:
        return texts.CHANGE_SUMMARY_TIME.format(kind=kind, old=short_when(was.starts_at, tz))
    if meeting.place != was.place:
        return texts.CHANGE_SUMMARY_PLACE.format(kind=kind)
    if (meeting.topic or "") != was.topic:
        return texts.CHANGE_SUMMARY_TOPIC.format(kind=kind)
    return texts.CHANGE_SUMMARY_OTHER.format(kind=kind)


def change_lines(meeting: MeetingLike, was: MeetingWas, tz: ZoneInfo) -> list[str]:
    """One line each for time and place ("时间：A 改为 B" or "（不变）"), and the topic
    when it changed."""
    old, new = when(was.starts_at, tz), when(meeting.starts_at, tz)
    lines = [texts.CHANGE_LINE_TIME.format(old=old, new=new) if old != new
             else texts.CHANGE_LINE_SAME_TIME.format(when=new),
             texts.CHANGE_LINE_PLACE.format(old=was.place, new=meeting.place)
             if was.place != meeting.place
             else texts.CHANGE_LINE_SAME_PLACE.format(place=meeting.place)]
    if (meeting.topic or "") != was.topic:
        lines.append(texts.CHANGE_LINE_TOPIC.format(old=was.topic or texts.CHANGE_NO_TOPIC,
                                                    new=meeting.topic or texts.CHANGE_NO_TOPIC))
    return lines


def change_template_fields(meeting: MeetingLike, was: MeetingWas,
                           tz: ZoneInfo) -> dict[str, str]:
    """The 会议通知 template's fields for a change: the meeting's name says what changed
    ("党员大会改期，原12月9日09:00"), the time is the new one, a new place names the old."""
    fields = meeting_template_fields(meeting, tz)
    fields["meeting"] = change_summary(meeting, was, tz)
    if meeting.place != was.place:
        place = texts.TEMPLATE_PLACE_CHANGED.format(new=meeting.place, old=was.place)
        if len(place) > _THING:
            place = texts.TEMPLATE_PLACE_CHANGED_SHORT.format(new=meeting.place)
        fields["place"] = place if len(place) <= _THING else meeting.place
    return fields
