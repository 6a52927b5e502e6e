"""Showing times to people: local time, Chinese month/day and weekday."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

WEEKDAYS = "一二三四五六日"


def when(moment: datetime, tz: ZoneInfo, with_year: bool = False) -> str:
    """e.g. "12月5日（周五）09:00"."""
    local = moment.astimezone(tz)
    year = f"{local.year}年" if with_year else ""
    return f"{year}{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def day(moment: datetime | date, tz: ZoneInfo | None = None) -> str:
    """e.g. "2026年12月5日"."""
    local = moment.astimezone(tz) if isinstance(moment, datetime) and tz else moment
    return f"{local.year}年{local.month}月{local.day}日"
