"""Meeting times as secretaries write them: "2026-12-06 09:00", "2026年12月6日 9:00",
"12月6日9点", "12.15 下午2点", "12-06 09:00", "明天上午9点", "后天下午3点半",
"周五晚上7点", "今晚8点", "下午3点" (today), "10号下午两点", "十二月六日（周日）上午九点".

`read_when` finds a date and a time at the start of a text (after any commas) and says
what it found and what is missing, so the caller asks for the one thing left out
rather than guessing:
- a date and no time ("12月10号"): missing "time";
- a part of the day and no hour ("12月20日上午"): missing "hour";
- a bare hour from 7 to 11 ("9点": morning or evening?): missing "half_day".
A bare hour from 1 to 6 ("两点") is the afternoon — a meeting is never in the small
hours unless someone says so (凌晨2点, 02:00), and then the caller confirms it
(models.meetings.rules.is_at_night). The caller gets how much of the text it used, so
the place and topic that follow are taken as typed.
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
_PART_WORDS = sorted(words.AFTERNOON_WORDS + words.MORNING_WORDS + words.NOON_WORDS
                     + words.NIGHT_WORDS, key=len, reverse=True)
_PART = "|".join(_PART_WORDS)
_SKIP = re.compile(r"[\s" + re.escape(words.MEETING_PART_SEPARATORS) + "]*")
_DAY_WORDS = {**words.RELATIVE_DAYS, **words.PAST_DAYS}
_WEEKDAY = rf"(?:{'|'.join(words.WEEK_WORDS)})[{''.join(words.WEEKDAY_NUMBERS)}]"

_DATE_FORMS = [
    # 2026-12-06, 2026/12/6, 2026.12.6
    re.compile(r"(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})"),
    # 2026年12月6日, 12月6日, 十二月六号
    re.compile(rf"(?:(?P<year>\d{{4}}|{_NUM}){_S}{_YEAR}{_S})?(?P<month>{_NUM}){_S}{_MONTH}"
               rf"{_S}(?P<day>{_NUM}){_S}[{_DAYS}]?"),
    # 12-06, 12/6, 12.15 (not the start of a longer number or a time)
    re.compile(r"(?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?![\d.:])"),
    # 下个月5号, 本月20日
    re.compile("(?P<month_offset>" + "|".join(sorted(words.MONTH_OFFSETS, key=len, reverse=True))
               + rf"){_S}(?P<day>{_NUM}){_S}[{_DAYS}]?"),
    # 10号, 十日: a day of this month (or the next, once it has passed)
    re.compile(rf"(?P<day>{_NUM}){_S}[{_DAYS}]"),
    # 今晚, 明早: a day and its part in one word
    re.compile("(?P<day_and_part>" + "|".join(words.DAY_AND_PART) + ")"),
    # 明天, 后天, 大后天, 昨天
    re.compile("(?P<relative>" + "|".join(sorted(_DAY_WORDS, key=len, reverse=True)) + ")"),
    # 周五, 下周五, 这周五, 星期天, 礼拜六
    re.compile(rf"(?:(?P<next>{words.NEXT_WEEK})|[{''.join(words.THIS_WEEK)}])?"
               rf"(?:{'|'.join(words.WEEK_WORDS)})"
               rf"(?P<weekday>[{''.join(words.WEEKDAY_NUMBERS)}])"),
]
# A weekday copied after a date: "12月10日（周四）", "12月10日 星期四"
_OPEN, _CLOSE = words.WEEKDAY_BRACKETS
_WEEKDAY_AFTER = re.compile(rf"{_S}[{_OPEN}]?{_S}{_WEEKDAY}{_S}[{_CLOSE}]?")
_QUARTERS = "|".join(words.QUARTER_HOURS)
_TIME_FORMS = [
    # 9:00, 09:30, 下午3:30
    re.compile(rf"(?P<part>{_PART})?{_S}(?P<hour>\d{{1,2}}):(?P<minute>\d{{2}})"),
    # 9点, 3点半, 3点一刻, 9点30, 9点30分, 上午九点, 晚上七点, 14时, 3点钟
    re.compile(rf"(?P<part>{_PART})?{_S}(?P<hour>{_NUM}){_S}[{_HOURS}]{words.HOUR_SUFFIX}?"
               rf"(?:{_S}(?P<half>{_HALF})|{_S}(?P<quarter>{_QUARTERS})"
               rf"|{_S}(?P<minute>{_NUM}){_S}{_MINUTE}?)?"),
]
_PART_ALONE = re.compile(rf"(?P<part>{_PART})")

TIME_MISSING = "time"  # a date, no time
HOUR_MISSING = "hour"  # a part of the day, no hour
HALF_DAY_MISSING = "half_day"  # an hour from 7 to 11: morning or evening?


@dataclass(frozen=True)
class When:
    """What the start of a text says about when: a complete start, or what is missing.

    `date_text` and `time_text` are the words read (normalised), so a question back can
    quote them and the answer can be read together with them."""

    starts_at: datetime | None  # None while something is missing (or no real day)
    missing: str  # "" when complete; TIME_MISSING, HOUR_MISSING or HALF_DAY_MISSING
    used: int  # characters of the text read
    date_text: str = ""
    time_text: str = ""
    afternoon_assumed: bool = False  # a bare "两点" read as 14:00
    has_date: bool = False


@dataclass(frozen=True)
class ReadStart:
    """A resolved start time and how many characters of the text it used."""

    starts_at: datetime
    used: int


def read_when(text: str, now: datetime, tz: ZoneInfo) -> When | None:
    """The date and time at the start of `text` (NFKC-normalised by the caller), in `tz`.

    None when the text starts with neither a date nor a time, or names no real day or
    hour (2月30日, 25点). With no date, the day is today."""
    today = now.astimezone(tz).date()
    position = _SKIP.match(text, 0).end()  # type: ignore[union-attr]
    day_parts: dict[str, str | None] = {}
    date_text, rest = "", position
    for form in _DATE_FORMS:
        found_date = form.match(text, position)
        if found_date is not None:
            day_parts = found_date.groupdict()
            date_text = found_date.group(0)
            rest = found_date.end()
            weekday = _WEEKDAY_AFTER.match(text, rest)
            if weekday is not None and not day_parts.get("weekday"):
                rest = weekday.end()
            break
    part_of_day = ""
    if day_parts.get("day_and_part"):
        relative, part_of_day = words.DAY_AND_PART[day_parts["day_and_part"] or ""]
        day_parts = {"relative": relative}
    after_date = _SKIP.match(text, rest).end()  # type: ignore[union-attr]
    found_time = next((match for form in _TIME_FORMS
                       if (match := form.match(text, after_date)) is not None), None)
    if found_time is None:
        alone = _PART_ALONE.match(text, after_date)
        if not date_text and alone is None:
            return None
        day = _day(day_parts, today, now, tz, None)
        if date_text and day is None:
            return None
        if alone is not None:
            return When(None, HOUR_MISSING, alone.end(), date_text, alone.group(0),
                        has_date=bool(date_text))
        if part_of_day:
            return When(None, HOUR_MISSING, rest, date_text, part_of_day, has_date=True)
        return When(None, TIME_MISSING, rest, date_text, has_date=True)
    time_parts = {**found_time.groupdict(), "colon": ":" if ":" in found_time.group(0) else None}
    if part_of_day and not time_parts.get("part"):
        time_parts["part"] = part_of_day
    clock = _clock(time_parts)
    if clock is None:
        return None
    time_text = found_time.group(0).strip()
    if isinstance(clock, str):  # HALF_DAY_MISSING
        return When(None, HALF_DAY_MISSING, found_time.end(), date_text, time_text,
                    has_date=bool(date_text))
    hour, minute, assumed = clock
    day = _day(day_parts, today, now, tz, (hour, minute)) if date_text else today
    if day is None:
        return None
    starts_at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    return When(starts_at, "", found_time.end(), date_text, time_text, assumed,
                has_date=bool(date_text))


def read_start(text: str, now: datetime, tz: ZoneInfo) -> ReadStart | None:
    """A complete start at the beginning of `text`, for callers that cannot ask back:
    a bare hour from 7 to 11 is then the morning (a daytime hour, never the small
    hours). None when there is no date and time, or something is missing."""
    found = read_when(text, now, tz)
    if found is not None and found.missing == HALF_DAY_MISSING:
        morning = words.MORNING_WORDS[0]
        again = read_when(f"{found.date_text} {morning}{found.time_text}", now, tz)
        if again is not None and again.starts_at is not None:
            return ReadStart(again.starts_at, found.used)
    if found is None or found.starts_at is None:
        return None
    return ReadStart(found.starts_at, found.used)


def _number(text: str | None) -> int | None:
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    read = read_numerals(text)
    return int(read) if read is not None else None


def _day(day_parts: dict[str, str | None], today: date, now: datetime, tz: ZoneInfo,
         clock: tuple[int, int] | None) -> date | None:
    """The day the date words name (None: no real day)."""
    if day_parts.get("relative"):
        return today + timedelta(days=_DAY_WORDS[day_parts["relative"] or ""])
    if day_parts.get("weekday"):
        weekday = words.WEEKDAY_NUMBERS[day_parts["weekday"] or ""]
        if day_parts.get("next"):  # 下周五: the Friday of next week
            return today + timedelta(days=7 - today.weekday() + weekday)
        day = today + timedelta(days=(weekday - today.weekday()) % 7)
        hour, minute = clock or (23, 59)
        if datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz) <= now:
            day += timedelta(days=7)  # "周五" said on a Friday evening: next Friday
        return day
    month, day_of_month = _number(day_parts.get("month")), _number(day_parts.get("day"))
    year = _number(day_parts.get("year"))
    if day_of_month is None:
        return None
    try:
        if day_parts.get("month_offset"):
            first = today.replace(day=1)
            for _ in range(words.MONTH_OFFSETS[day_parts["month_offset"] or ""]):
                first = (first + timedelta(days=32)).replace(day=1)
            return first.replace(day=day_of_month)
        if month is None:  # 10号: this month, or the next once it has passed
            day = date(today.year, today.month, day_of_month)
            if day < today:
                following = today.replace(day=1) + timedelta(days=32)
                day = date(following.year, following.month, day_of_month)
            return day
        if year is None:  # this year, or next year once the day has passed
            day = date(today.year, month, day_of_month)
            return day if day >= today else date(today.year + 1, month, day_of_month)
        return date(year, month, day_of_month)
    except ValueError:
        return None


def _clock(parts: dict[str, str | None]) -> tuple[int, int, bool] | str | None:
    """(hour, minute, afternoon assumed), HALF_DAY_MISSING, or None (no real time)."""
    hour = _number(parts.get("hour"))
    if hour is None:
        return None
    if parts.get("half"):
        minute: int | None = 30
    elif parts.get("quarter"):
        minute = words.QUARTER_HOURS[parts["quarter"] or ""]
    else:
        minute = _number(parts.get("minute")) if parts.get("minute") else 0
    if minute is None:
        return None
    part = parts.get("part") or ""
    colon = bool(parts.get("colon"))  # 24-hour "2:00" is what it says (and confirmed at night)
    assumed = False
    later = (part in words.AFTERNOON_WORDS and hour < 12) \
        or (part in words.NOON_WORDS and hour < 6) \
        or (part in words.NIGHT_WORDS and 7 <= hour < 12)  # 夜里11点; 半夜2点 stays 2
    if later:
        hour += 12
    elif not part and not colon and 1 <= hour <= 6:
        hour, assumed = hour + 12, True  # "两点": two in the afternoon
    elif not part and not colon and 7 <= hour <= 11:
        return HALF_DAY_MISSING
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return hour, minute, assumed
