"""The survey's changes: open, close (audited, by county or township staff), and a
member's answer (not audited: the answer is anonymous, and that the member answered is
the respondent row itself).

One answer per member: the respondent row's unique key decides, also when the same
member sends twice at once (the second insert waits for the first transaction and then
fails; nothing of it is counted). The tallies exist from the opening on, so an answer
only adds one to existing rows: no answer creates a row whose id or time could be
matched to the respondent's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import texts
from models.actors import Actor, Surface
from models.console.accounts import account_by_key
from models.console.audit import record_change
from models.delivery.outbox import ChannelPolicy, Notice
from models.errors import DomainError
from models.members.org_levels import OrgLevel, levels_of
from models.members.org_tables import Org
from models.members.orgs import subtree_ids
from models.members.tables import Member, live_member
from models.survey.tables import (
    CHOICES,
    Choice,
    Survey,
    SurveyQuestion,
    SurveyRespondent,
    SurveyStatus,
    SurveyTally,
    SurveyTarget,
)

QUESTIONS_MAX = 10
QUESTION_MAX = 100
TITLE_MAX = 100
OPENERS = (OrgLevel.COUNTY, OrgLevel.TOWNSHIP)
ANSWERING = (OrgLevel.BRANCH, OrgLevel.OFFICE)
NOTICE_KIND = "survey_open"


class SurveyError(DomainError):
    """A survey request that cannot be done."""


def _check_opener(session: Session, actor: Actor, org: Org) -> None:
    """County or township staff for their own org (the operator at the CLI for any)."""
    if levels_of(session, [org.id]).get(org.id) not in OPENERS:
        raise SurveyError("SURVEY_OPENER_LEVEL")
    if actor.surface is Surface.CLI:
        return
    account = account_by_key(session, actor.key)
    if account is None or account.org_id != org.id:
        raise SurveyError("SURVEY_NOT_YOURS", org=org.name)


def open_survey(session: Session, actor: Actor, org: Org, year: int, title: str,
                questions: Sequence[str], opens_on: date, closes_on: date, quorum: float,
                now: datetime, target_ids: Sequence[int] | None = None,
                outbox: ChannelPolicy | None = None) -> Survey:
    """Open a survey of the branches below `org` (all of them, or `target_ids`); with
    `outbox`, every member of those branches is told how to answer (one notice each)."""
    _check_opener(session, actor, org)
    title = title.strip()[:TITLE_MAX]
    asked = [q.strip() for q in questions if q.strip()]
    if not title:
        raise SurveyError("SURVEY_NO_TITLE")
    if not asked or len(asked) > QUESTIONS_MAX:
        raise SurveyError("SURVEY_QUESTION_COUNT", limit=QUESTIONS_MAX)
    if any(len(q) > QUESTION_MAX for q in asked):
        raise SurveyError("SURVEY_QUESTION_LONG", limit=QUESTION_MAX)
    if not 0 < quorum <= 1:
        raise SurveyError("SURVEY_BAD_QUORUM")
    if closes_on < opens_on:
        raise SurveyError("SURVEY_BAD_DATES")
    below = subtree_ids(session, org.id)
    levels = levels_of(session, below)
    answering = [org_id for org_id in below if levels.get(org_id) in ANSWERING]
    if target_ids is not None:
        if any(org_id not in answering for org_id in target_ids):
            raise SurveyError("SURVEY_TARGET_OUTSIDE", org=org.name)
        answering = list(dict.fromkeys(target_ids))
    if not answering:
        raise SurveyError("SURVEY_NO_TARGETS")
    survey = Survey(org_id=org.id, year=year, title=title, opens_on=opens_on,
                    closes_on=closes_on, quorum=quorum, status=SurveyStatus.OPEN.value,
                    created_at=now, created_by=actor.name[:100])
    session.add(survey)
    session.flush()
    rows = [SurveyQuestion(survey_id=survey.id, position=i, text=text)
            for i, text in enumerate(asked, 1)]
    session.add_all(rows)
    members = dict(session.execute(
        select(Member.branch_id, func.count()).where(Member.branch_id.in_(answering),
                                                     live_member())
        .group_by(Member.branch_id)).all())
    session.add_all(SurveyTarget(survey_id=survey.id, org_id=org_id,
                                 members=members.get(org_id, 0)) for org_id in answering)
    session.flush()
    session.execute(insert(SurveyTally), [
        {"survey_id": survey.id, "org_id": org_id, "question_id": q.id,
         "choice": choice.value, "count": 0}
        for org_id in answering for q in rows for choice in CHOICES])
    record_change(session, actor, org_id=org.id, action="survey.open",
                  target=f"{year} {title}"[:200], now=now, before=None,
                  after={"questions": asked, "branches": len(answering), "quorum": quorum,
                         "opens_on": opens_on.isoformat(),
                         "closes_on": closes_on.isoformat()})
    if outbox is not None:
        _tell_members(session, outbox, survey, answering, now)
    return survey


def _tell_members(session: Session, outbox: ChannelPolicy, survey: Survey,
                  branch_ids: Sequence[int], now: datetime) -> None:
    """One notice per live member of the branches (a member without WeChat hears it
    from their helper; the answer itself is theirs alone)."""
    members = session.scalars(select(Member).where(Member.branch_id.in_(list(branch_ids)),
                                                   live_member()).order_by(Member.id)).all()
    notice = Notice(kind=NOTICE_KIND, subject=f"survey:{survey.id}",
                    text=texts.SURVEY_NOTICE.format(
                        title=survey.title,
                        closes=texts.SURVEY_DAY.format(month=survey.closes_on.month,
                                                       day=survey.closes_on.day)),
                    url=outbox.page_url("/m/survey"))
    outbox.enqueue_many(session, [(f"survey:{survey.id}:{m.id}", m) for m in members],
                        notice, now)


def close_survey(session: Session, actor: Actor, survey: Survey, now: datetime) -> None:
    """Close it: no more answers."""
    _check_opener(session, actor, session.get_one(Org, survey.org_id))
    if survey.status == SurveyStatus.CLOSED:
        raise SurveyError("SURVEY_ALREADY_CLOSED")
    survey.status, survey.closed_at = SurveyStatus.CLOSED.value, now
    session.flush()
    record_change(session, actor, org_id=survey.org_id, action="survey.close",
                  target=f"{survey.year} {survey.title}"[:200], now=now,
                  before={"status": SurveyStatus.OPEN.value},
                  after={"status": SurveyStatus.CLOSED.value})


def is_answerable(survey: Survey, today: date) -> bool:
    """Open, and today within its dates."""
    return survey.status == SurveyStatus.OPEN and survey.opens_on <= today <= survey.closes_on


def surveys_for(session: Session, member: Member, today: date) -> list[tuple[Survey, bool]]:
    """The surveys the member's branch answers now, each with whether the member has
    answered it, the earliest closing first."""
    rows = session.scalars(select(Survey).join(SurveyTarget, SurveyTarget.survey_id == Survey.id)
                           .where(SurveyTarget.org_id == member.branch_id,
                                  Survey.status == SurveyStatus.OPEN.value,
                                  Survey.opens_on <= today, Survey.closes_on >= today)
                           .order_by(Survey.closes_on, Survey.id))
    surveys = list(rows)
    answered = set(session.scalars(select(SurveyRespondent.survey_id).where(
        SurveyRespondent.member_id == member.id,
        SurveyRespondent.survey_id.in_([s.id for s in surveys]))))
    return [(survey, survey.id in answered) for survey in surveys]


def questions_of(session: Session, survey_id: int) -> list[SurveyQuestion]:
    """The survey's questions in order."""
    return list(session.scalars(select(SurveyQuestion).where(
        SurveyQuestion.survey_id == survey_id).order_by(SurveyQuestion.position)))


def answer_survey(session: Session, actor: Actor, member: Member, survey: Survey,
                  choices: Sequence[Choice], now: datetime, tz: ZoneInfo) -> None:
    """The member's answer, one choice per question, once. Nothing is logged or audited
    with the member's name: the respondent row says who answered, the tallies what."""
    if actor.member_id != member.id:  # nobody answers for someone else (not a helper either)
        raise SurveyError("SURVEY_OWN_ONLY")
    if not is_answerable(survey, now.astimezone(tz).date()):
        raise SurveyError("SURVEY_NOT_OPEN")
    target = session.scalar(select(SurveyTarget.org_id).where(
        SurveyTarget.survey_id == survey.id, SurveyTarget.org_id == member.branch_id))
    if target is None:
        raise SurveyError("SURVEY_NOT_YOUR_BRANCH")
    questions = questions_of(session, survey.id)
    if len(choices) != len(questions):
        raise SurveyError("SURVEY_ANSWER_COUNT", count=len(questions))
    answered = select(SurveyRespondent.id).where(SurveyRespondent.survey_id == survey.id,
                                                 SurveyRespondent.member_id == member.id)
    if session.scalar(answered) is not None:
        raise SurveyError("SURVEY_ALREADY_ANSWERED")
    try:
        with session.begin_nested():
            session.add(SurveyRespondent(survey_id=survey.id, member_id=member.id,
                                         org_id=member.branch_id))
            session.flush()
    except IntegrityError:  # the same member's other answer, committed meanwhile
        raise SurveyError("SURVEY_ALREADY_ANSWERED") from None
    for question, choice in zip(questions, choices, strict=True):
        session.execute(update(SurveyTally).where(
            SurveyTally.survey_id == survey.id, SurveyTally.org_id == member.branch_id,
            SurveyTally.question_id == question.id, SurveyTally.choice == choice.value)
            .values(count=SurveyTally.count + 1).execution_options(synchronize_session=False))
