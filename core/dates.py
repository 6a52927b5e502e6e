"""Meeting times as secretaries write them: "2026-12-06 09:00", "2026年12月6日 9:00",
"12月6日9点", "12-06 09:00", "明天上午9点", "后天下午3点半", "周五晚上7点".

`read_start` finds a date and a time at the start of a text and resolves it in the
account's zone; the caller gets how much of the text it used, so the place and topic
that follow are taken as typed. Nothing is guessed silently: the reply to the admin
repeats the resolved date with its weekday.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core import words
from core.reading import read_numerals

_NUM = "[0-9" + "".join(words.DIGIT_NUMERALS) + "".join(words.UNIT_NUMERALS) + "]{1,4}"
_S = r"\s*"
_YEAR, _MONTH = words.DATE_WORDS["year"], words.DATE_WORDS["month"]
_DAYS, _HOURS = words.DATE_WORDS["days"], words.DATE_WORDS["hour"]
_HALF, _MINUTE = words.DATE_WORDS["half"], words.DATE_WORDS["minute"]
_PART = "|".join(words.AFTERNOON_WORDS + words.MORNING_WORDS + words.NOON_WORDS)

_DATE_FORMS = [
    # 2026-12-06, 2026/12/6, 2026.12.6
    re.compile(r"(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})"),
    # 2026年12月6日, 12月6日, 十二月六号
    re.compile(rf"(?:(?P<year>\d{{4}}|{_NUM}){_S}{_YEAR}{_S})?(?P<month>{_NUM}){_S}{_MONTH}"
               rf"{_S}(?P<day>{_NUM}){_S}[{_DAYS}]?"),
    # 12-06, 12/6 (a time must follow, or it is not read as a date)
    re.compile(r"(?P<month>\d{1,2})[-/](?P<day>\d{1,2})(?=\s|$|[^\d])"),
    # 明天, 后天, 大后天
    re.compile("(?P<relative>" + "|".join(sorted(words.RELATIVE_DAYS, key=len, reverse=True))
               + ")"),
    # 周五, 下周五, 星期天, 礼拜六
    re.compile(rf"(?P<next>{words.NEXT_WEEK})?(?:{'|'.join(words.WEEK_WORDS)})"
               rf"(?P<weekday>[{''.join(words.WEEKDAY_NUMBERS)}])"),
]
_TIME_FORMS = [
    # 9:00, 09:30, 下午3:30
    re.compile(rf"(?P<part>{_PART})?{_S}(?P<hour>\d{{1,2}}):(?P<minute>\d{{2}})"),
    # 9点, 3点半, 9点30, 9点30分, 上午九点, 晚上七点
    re.compile(rf"(?P<part>{_PART})?{_S}(?P<hour>{_NUM}){_S}[{_HOURS}]"
               rf"(?:{_S}(?P<half>{_HALF})|{_S}(?P<minute>{_NUM}){_S}{_MINUTE}?)?"),
]


@dataclass(frozen=True)
class ReadStart:
    """A resolved start time and how many characters of the text it used."""

    starts_at: datetime
    used: int


def read_start(text: str, now: datetime, tz: ZoneInfo) -> ReadStart | None:
    """The date and time at the start of `text` (NFKC-normalised by the caller), in
    `tz`; None when there is none, or it names no real day or hour."""
    today = now.astimezone(tz).date()
    position = len(text) - len(text.lstrip())
    for form in _DATE_FORMS:
        found_date = form.match(text, position)
        if found_date is None:
            continue
        rest = found_date.end()
        rest += len(text[rest:]) - len(text[rest:].lstrip())
        for time_form in _TIME_FORMS:
            found_time = time_form.match(text, rest)
            if found_time is None:
                continue
            resolved = _resolve(found_date.groupdict(), found_time.groupdict(), today, now, tz)
            if resolved is not None:
                return ReadStart(resolved, found_time.end())
        return None
    return None


def _number(text: str | None) -> int | None:
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    read = read_numerals(text)
    return int(read) if read is not None else None


def _resolve(day_parts: dict[str, str | None], time_parts: dict[str, str | None],
             today: date, now: datetime, tz: ZoneInfo) -> datetime | None:
    clock = _clock(time_parts)
    if clock is None:
        return None
    hour, minute = clock
    if day_parts.get("relative"):
        day = today + timedelta(days=words.RELATIVE_DAYS[day_parts["relative"] or ""])
    elif day_parts.get("weekday"):
        weekday = words.WEEKDAY_NUMBERS[day_parts["weekday"] or ""]
        ahead = (weekday - today.weekday()) % 7
        day = today + timedelta(days=ahead)
        if day_parts.get("next"):  # 下周五: the Friday of next week
            day = today + timedelta(days=7 - today.weekday() + weekday)
        elif datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz) <= now:
            day += timedelta(days=7)  # "周五" said on a Friday evening: next Friday
    else:
        month, day_of_month = _number(day_parts.get("month")), _number(day_parts.get("day"))
        year = _number(day_parts.get("year"))
        if month is None or day_of_month is None:
            return None
        try:
            if year is None:  # this year, or next year once the day has passed
                day = date(today.year, month, day_of_month)
                if day < today:
                    day = date(today.year + 1, month, day_of_month)
            else:
                day = date(year, month, day_of_month)
        except ValueError:
            return None
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def _clock(parts: dict[str, str | None]) -> tuple[int, int] | None:
    hour = _number(parts.get("hour"))
    minute = 30 if parts.get("half") else _number(parts.get("minute")) or 0
    if hour is None:
        return None
    part = parts.get("part") or ""
    if (part in words.AFTERNOON_WORDS and hour < 12) or (part in words.NOON_WORDS and hour < 6):
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return hour, minute
