"""The account's time zone and meeting cadence, as the measures read them.

A `MeasureFn` takes (session, org_ids, span) only; the zone that turns a span's local
days into UTC bounds and the cadence of 三会一课 are the deployment's settings. A
surface that has the settings puts them on the session (`use_settings`); without them
the defaults hold (Asia/Shanghai, the 支部工作条例's cadence), as in most tests.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.config import DEFAULT_CADENCE

DEFAULT_ZONE = ZoneInfo("Asia/Shanghai")


def use_settings(session: Session, tz: ZoneInfo, cadence: dict[str, str]) -> None:
    """Let the measures computed on this session use the deployment's zone and cadence."""
    session.info["assessment_tz"] = tz
    session.info["assessment_cadence"] = dict(cadence)


def zone_of(session: Session) -> ZoneInfo:
    """The zone the measures count local days in."""
    found = session.info.get("assessment_tz")
    return found if isinstance(found, ZoneInfo) else DEFAULT_ZONE


def cadence_of(session: Session) -> dict[str, str]:
    """Meeting kind -> "month" | "quarter" | "year"."""
    found = session.info.get("assessment_cadence")
    return dict(found) if isinstance(found, dict) else dict(DEFAULT_CADENCE)
