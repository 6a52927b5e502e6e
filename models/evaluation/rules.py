"""The rules a round is checked against: the cap on the share of 优秀."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.assessment.sheets import excellent_share_max as scheme_cap

# A common county rule, used when the year's assessment scheme sets none: at most 30%
# of a branch's members 优秀 in one year.
DEFAULT_EXCELLENT_SHARE_MAX = 0.3


def excellent_share_max(session: Session, year: int) -> float:
    """The highest share of members a branch may determine 优秀 in `year`: the year's
    scheme's `[rules] excellent_share_max` (partybot assess load), else the default."""
    cap = scheme_cap(session, year)
    return DEFAULT_EXCELLENT_SHARE_MAX if cap is None else cap
