"""The measures a scheme's computed (and survey) clauses may name. Each lives in its
feature's package and answers for many orgs at once (models.assessment.ratios)."""

from __future__ import annotations

from models.assessment.ratios import MeasureFn
from models.delivery.measures import notice_reach
from models.evaluation.measure import evaluation_completed
from models.joint.measure import joint_sessions
from models.meetings.measures import attendance, meetings_held
from models.pairing.measures import relays_confirmed
from models.rectification.measure import rectification_on_time
from models.reviews.measures import review_items_done, review_submitted
from models.study.measures import study_rate
from models.survey.measure import satisfaction

MEASURES: dict[str, MeasureFn] = {
    "meetings_held": meetings_held,  # required 三会一课 held, per period of the cadence
    "attendance": attendance,  # present / expected over meetings held
    "study_rate": study_rate,  # studied / (members × items published for them)
    "notice_reach": notice_reach,  # notices that reached members / notices queued
    "relays_confirmed": relays_confirmed,  # 一帮一 relays confirmed / relays due
    "satisfaction": satisfaction,  # 满意 / answers of the members' survey, at quorum only
    "evaluation_completed": evaluation_completed,  # branches that closed a 民主评议 round
    "rectification_on_time": rectification_on_time,  # 整顿 problems closed by their deadline
    "joint_sessions": joint_sessions,  # 双联双促 joint sessions held, one due a quarter
    "review_submitted": review_submitted,  # 述职 reports handed in by the deadline
    "review_items_done": review_items_done,  # 述职 suggestions and problems followed up
}
