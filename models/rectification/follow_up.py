"""A follow-up item's state from its deadline and its closing: the one rule for items
"closed like rectification items" (整改问题 here; 述职 recommendations and 双联双促 联促
items may use it for theirs). Deadlines are local days; an item closed on its deadline's
day (local time) is on time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.db.base import UTCDateTime


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


class FollowUpColumns:
    """The columns of an item followed up to its closing (a declarative mixin)."""

    deadline: Mapped[date] = mapped_column(Date)  # a local day
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(100))  # the approver, as audited
    close_note: Mapped[str | None] = mapped_column(Text)  # the evidence, in words
    reopen_reason: Mapped[str | None] = mapped_column(Text)  # the last reopening's


def close_item(item: FollowUpColumns, by: str, note: str, now: datetime) -> dict[str, Any]:
    """Mark the item closed by `by` with the note; returns the audit's `after`."""
    item.closed_at = now
    item.closed_by = by[:100]
    item.close_note = note
    return {"note": note}


def reopen_item(item: FollowUpColumns, reason: str) -> dict[str, Any]:
    """Open a closed item again; returns the audit's `before` (who closed it, when, how)."""
    before = {"closed_by": item.closed_by,
              "closed_at": item.closed_at.isoformat() if item.closed_at else None,
              "note": item.close_note}
    item.closed_at = None
    item.closed_by = None
    item.close_note = None
    item.reopen_reason = reason
    return before
