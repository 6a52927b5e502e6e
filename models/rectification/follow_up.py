"""A follow-up item's state from its deadline and its closing: the one rule for items
"closed like rectification items" (整改问题 here; 述职 recommendations and 双联双促 联促
items may use it for theirs). Deadlines are local days; an item closed on its deadline's
day (local time) is on time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class FollowUp(StrEnum):
    """Where an item stands on a given day."""

    OPEN = "open"  # not closed, deadline not passed
    OVERDUE = "overdue"  # not closed, deadline passed
    CLOSED = "closed"  # closed by its deadline
    CLOSED_LATE = "closed_late"  # closed after its deadline


def end_of(day: date, tz: ZoneInfo) -> datetime:
    """The first moment after the local day `day` (aware)."""
    return datetime.combine(day + timedelta(days=1), time(), tz)


def closed_on_time(deadline: date, closed_at: datetime | None, tz: ZoneInfo) -> bool:
    """Whether the item was closed by the end of its deadline's local day."""
    return closed_at is not None and closed_at < end_of(deadline, tz)


def follow_up_state(deadline: date, closed_at: datetime | None, today: date,
                    tz: ZoneInfo) -> FollowUp:
    """The item's state on local day `today`."""
    if closed_at is not None:
        return FollowUp.CLOSED if closed_on_time(deadline, closed_at, tz) \
            else FollowUp.CLOSED_LATE
    return FollowUp.OVERDUE if today > deadline else FollowUp.OPEN


def days_overdue(deadline: date, today: date) -> int:
    """How many days past its deadline an open item is on `today` (0 when not)."""
    return max(0, (today - deadline).days)
