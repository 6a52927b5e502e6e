"""Local time: the one place where wall-clock arithmetic in the account's zone happens.

Times are stored in UTC and compared as aware datetimes; days, weeks, months, quarters
and years begin at local midnight in `PARTYBOT_TIMEZONE`. Every function takes an aware
datetime and returns aware datetimes in the caller's zone (UTC in practice), so results
compare directly with stored times.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core import texts
from core.words import WEEKDAYS

PERIOD_KINDS = ("month", "quarter", "year")


def _back(local: datetime, like: datetime) -> datetime:
    """A local wall-clock datetime, rebuilt in `tz` (DST-safe), in `like`'s zone."""
    tz = local.tzinfo
    return local.replace(tzinfo=None).replace(tzinfo=tz).astimezone(like.tzinfo)


def start_of_day(moment: datetime, tz: ZoneInfo) -> datetime:
    """Local midnight of the day containing `moment`."""
    local = moment.astimezone(tz)
    return _back(local.replace(hour=0, minute=0, second=0, microsecond=0), moment)


def start_of_week(moment: datetime, tz: ZoneInfo) -> datetime:
    """Monday 00:00 (local) of the week containing `moment`."""
    local = moment.astimezone(tz)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0,
                                                               microsecond=0)
    return _back(monday, moment)


def start_of_month(moment: datetime, tz: ZoneInfo) -> datetime:
    """The first of the month, 00:00 local."""
    local = moment.astimezone(tz)
    return _back(local.replace(day=1, hour=0, minute=0, second=0, microsecond=0), moment)


def start_of_year(moment: datetime, tz: ZoneInfo) -> datetime:
    """1 January, 00:00 local."""
    local = moment.astimezone(tz)
    return _back(local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0),
                 moment)


def next_midnight(moment: datetime, tz: ZoneInfo) -> datetime:
    """The next local midnight (daily quotas reset then)."""
    return start_of_day(start_of_day(moment, tz) + timedelta(hours=36), tz)


def next_at(moment: datetime, tz: ZoneInfo, clock: tuple[int, int]) -> datetime:
    """The next local (hour, minute) strictly after `moment` (e.g. the daily push)."""
    local = moment.astimezone(tz)
    hour, minute = clock
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if candidate <= local:
        candidate = (candidate + timedelta(days=1)).replace(hour=hour, minute=minute)
    return _back(candidate, moment)


def local_day(moment: datetime, tz: ZoneInfo) -> str:
    """The local calendar day as YYYY-MM-DD."""
    return moment.astimezone(tz).date().isoformat()


def same_local_day(a: datetime, b: datetime, tz: ZoneInfo) -> bool:
    """Whether two moments fall on the same local calendar day."""
    return a.astimezone(tz).date() == b.astimezone(tz).date()


def local_range(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in local time, as aware datetimes."""
    return (datetime.combine(start, time(), tzinfo=tz),
            datetime.combine(end + timedelta(days=1), time(), tzinfo=tz))


@dataclass(frozen=True)
class Week:
    """A Monday-to-Monday week and how people name it."""

    start: datetime
    end: datetime
    label: str


def last_week(moment: datetime, tz: ZoneInfo) -> Week:
    """The week before the one containing `moment` (for Monday digests)."""
    this_monday = start_of_week(moment, tz)
    last_monday = start_of_week(this_monday - timedelta(days=3), tz)
    first, last = last_monday.astimezone(tz), (this_monday - timedelta(days=1)).astimezone(tz)
    label = texts.WEEK_LABEL.format(month=first.month, day=first.day, last_day=last.day)
    return Week(last_monday, this_monday, label)


def current_streak(moments: Iterable[datetime], now: datetime, tz: ZoneInfo) -> int:
    """Consecutive local days with at least one moment, ending today (or yesterday)."""
    days = {moment.astimezone(tz).date() for moment in moments}
    day = now.astimezone(tz).date()
    if day not in days:
        day -= timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year in local time; `end` is exclusive."""

    kind: str
    start: datetime
    end: datetime
    label: str

    def days_left(self, now: datetime) -> int:
        """Whole days from `now` to the end (0 on the last day)."""
        return max(0, (self.end - now).days)

    def contains(self, moment: datetime) -> bool:
        """start <= moment < end."""
        return self.start <= moment < self.end


def period_containing(moment: datetime, kind: str, tz: ZoneInfo) -> Period:
    """The month / quarter / year (local calendar) that contains `moment`."""
    local = moment.astimezone(tz)
    if kind == "month":
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (start + timedelta(days=32)).replace(day=1)
        label = texts.PERIOD_MONTH.format(year=start.year, month=start.month)
    elif kind == "quarter":
        first_month = (local.month - 1) // 3 * 3 + 1
        start = local.replace(month=first_month, day=1, hour=0, minute=0, second=0,
                              microsecond=0)
        end = (start + timedelta(days=95)).replace(day=1)
        label = texts.PERIOD_QUARTER.format(year=start.year, quarter=(first_month - 1) // 3 + 1)
    elif kind == "year":
        start = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        end = start.replace(year=start.year + 1)
        label = texts.PERIOD_YEAR.format(year=start.year)
    else:
        raise ValueError(f"unknown period kind {kind!r}")
    return Period(kind, _back(start, moment), _back(end, moment), label)


def when(moment: datetime, tz: ZoneInfo, with_year: bool = False) -> str:
    """e.g. "12月5日（周五）09:00"."""
    local = moment.astimezone(tz)
    text = texts.WHEN.format(month=local.month, day=local.day,
                             weekday=WEEKDAYS[local.weekday()], clock=f"{local:%H:%M}")
    return texts.YEAR_PREFIX.format(year=local.year) + text if with_year else text


def template_time(moment: datetime, tz: ZoneInfo) -> str:
    """A template message's `time` keyword, e.g. "2026年12月5日 09:00" (WeChat refuses
    the weekday form that `when` gives)."""
    local = moment.astimezone(tz)
    return texts.DAY.format(year=local.year, month=local.month, day=local.day) \
        + f" {local:%H:%M}"


def day(moment: datetime | date, tz: ZoneInfo | None = None) -> str:
    """e.g. "2026年12月5日"."""
    local = moment.astimezone(tz) if isinstance(moment, datetime) and tz else moment
    return texts.DAY.format(year=local.year, month=local.month, day=local.day)


def clock_time(moment: datetime, tz: ZoneInfo) -> str:
    """e.g. "09:05" (local)."""
    return f"{moment.astimezone(tz):%H:%M}"


# Quarters a page may ask for: far enough either way for any ledger, and well inside
# what datetime and the databases can hold (9999-4 overflowed at the quarter's end).
QUARTER_YEARS = range(1900, 2200)
_QUARTER = re.compile(r"([0-9]{4})-([1-4])")


def quarter_asked(asked: str, tz: ZoneInfo, default: datetime) -> datetime | None:
    """A moment inside the quarter a page asks for as "2026-4"; `default` when nothing
    is asked; None when what is asked is not a quarter in QUARTER_YEARS."""
    if not asked:
        return default
    found = _QUARTER.fullmatch(asked)
    if found is None or int(found[1]) not in QUARTER_YEARS:
        return None
    return datetime(int(found[1]), 3 * int(found[2]) - 1, 15, tzinfo=tz)
