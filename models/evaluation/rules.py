"""The rules a round is checked against: the cap on the share of 优秀."""

from __future__ import annotations

from sqlalchemy.orm import Session

# A common county rule: at most 30% of a branch's members 优秀 in one year.
DEFAULT_EXCELLENT_SHARE_MAX = 0.3


def excellent_share_max(session: Session, year: int) -> float:
    """The highest share of members a branch may determine 优秀 in `year`.

    A default for now: the assessment scheme's `[rules] excellent_share_max` (helper
    h22's scheme loader) replaces it at merge, read from the scheme of `year`."""
    del session, year  # read by the scheme's version
    return DEFAULT_EXCELLENT_SHARE_MAX
