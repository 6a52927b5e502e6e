"""The measures a scheme's computed (and survey) clauses may name. Each lives in its
feature's package and answers for many orgs at once (models.assessment.ratios)."""

from __future__ import annotations

from models.assessment.ratios import MeasureFn
from models.delivery.measures import notice_reach
from models.meetings.measures import attendance, meetings_held
from models.pairing.measures import relays_confirmed
from models.study.measures import study_rate

MEASURES: dict[str, MeasureFn] = {
    "meetings_held": meetings_held,  # required 三会一课 held, per period of the cadence
    "attendance": attendance,  # present / expected over meetings held
    "study_rate": study_rate,  # studied / (members × items published for them)
    "notice_reach": notice_reach,  # notices that reached members / notices queued
    "relays_confirmed": relays_confirmed,  # 一帮一 relays confirmed / relays due
    # Registered by the merger from the other parts of issue 28:
    #   "satisfaction": the members' survey (h23, source = "survey")
    #   "evaluation_completed": 民主评议党员 rounds completed (h24)
    #   "rectification_on_time": 整顿 problems closed by their deadline (h25)
    #   "joint_sessions": 双联双促 joint sessions held (h27)
}
