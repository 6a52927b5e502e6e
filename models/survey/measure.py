"""The assessment's `satisfaction` measure: per branch, 满意 answers of all answers
(every question counts) over the surveys of the span's year(s) that run within it
(one still open counts as answered so far). A branch whose
members did not reach a survey's quorum gets nothing from that survey; with no survey
at quorum it gets no Ratio at all, and its clause reads 未达法定人数."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.assessment.ratios import Ratio, Span
from models.db.base import id_list
from models.survey.results import quorum_met
from models.survey.tables import Choice, Survey, SurveyRespondent, SurveyTally, SurveyTarget


def satisfaction(session: Session, org_ids: Sequence[int], span: Span) -> dict[int, Ratio]:
    """A Ratio (满意 answers, answers) per branch that met the quorum (four queries for
    any number of branches)."""
    if not org_ids:
        return {}
    ids = id_list(org_ids)
    surveys = {survey.id: survey for survey in session.scalars(select(Survey).where(
        Survey.opens_on <= span.last, Survey.closes_on >= span.first,
        Survey.year >= span.first.year, Survey.year <= span.last.year))}
    if not surveys:
        return {}
    targets = session.execute(select(SurveyTarget.survey_id, SurveyTarget.org_id,
                                     SurveyTarget.members).where(
        SurveyTarget.survey_id.in_(list(surveys)), SurveyTarget.org_id.in_(ids))).all()
    answered = {(survey_id, org_id): count for survey_id, org_id, count in session.execute(
        select(SurveyRespondent.survey_id, SurveyRespondent.org_id, func.count())
        .where(SurveyRespondent.survey_id.in_(list(surveys)),
               SurveyRespondent.org_id.in_(ids))
        .group_by(SurveyRespondent.survey_id, SurveyRespondent.org_id))}
    met = {(survey_id, org_id) for survey_id, org_id, members in targets
           if quorum_met(answered.get((survey_id, org_id), 0), members,
                         surveys[survey_id].quorum)}
    found: dict[int, Ratio] = {}
    for survey_id, org_id, satisfied, total in session.execute(
            select(SurveyTally.survey_id, SurveyTally.org_id,
                   func.sum(SurveyTally.count).filter(
                       SurveyTally.choice == Choice.SATISFIED.value),
                   func.sum(SurveyTally.count))
            .where(SurveyTally.survey_id.in_(list(surveys)), SurveyTally.org_id.in_(ids))
            .group_by(SurveyTally.survey_id, SurveyTally.org_id)):
        if (survey_id, org_id) in met:
            ratio = Ratio(int(satisfied or 0), int(total or 0))
            found[org_id] = found[org_id] + ratio if org_id in found else ratio
    return found
