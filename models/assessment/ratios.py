"""What a computed clause measures: a ratio of done to due, per org, over a period.

Every feature that a scheme can score (meetings, study, reach, relays, rectification,
民主评议, 双联双促) offers its measure as a `MeasureFn` in its own package; the
assessment's registry (models.assessment.measures) names them for scheme files. A
measure answers for many orgs in one call (the county's sheets for a thousand branches
must not run a query per branch), and answers with counts rather than a share so a
township's figure is the sum of its branches' counts, not an average of averages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Ratio:
    """`done` of `due` (both counts; `due` 0 means nothing was required)."""

    done: int
    due: int

    @property
    def share(self) -> float | None:
        """done / due, or None when nothing was due (the clause does not apply)."""
        return None if self.due == 0 else self.done / self.due

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.done + other.done, self.due + other.due)


@dataclass(frozen=True)
class Span:
    """Local calendar days `first`..`last` inclusive (a year, a quarter)."""

    first: date
    last: date

    @classmethod
    def year(cls, year: int) -> Span:
        return cls(date(year, 1, 1), date(year, 12, 31))

    def utc_bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) as aware UTC datetimes (what UTCDateTime columns compare with)."""
        start = datetime.combine(self.first, time(), zone)
        end = datetime.combine(self.last + timedelta(days=1), time(), zone)
        return start.astimezone(UTC), end.astimezone(UTC)


# (session, ids of branches/offices/townships to measure, the span) -> a Ratio per org id.
# An org with nothing to count may be left out (read as Ratio(0, 0)).
MeasureFn = Callable[[Session, Sequence[int], Span], dict[int, Ratio]]
