"""The members' satisfaction survey: opened by a township or the county, answered once
per member in chat (also under concurrent submission on PostgreSQL), a quorum per
branch, results only to the org above, and the `satisfaction` measure."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.actors import Actor
from models.assessment.ratios import Ratio, Span
from models.console.accounts import ConsoleUser
from models.members.org_tables import Org
from models.members.tables import Member
from models.survey.actions import SurveyError, answer_survey, close_survey, open_survey
from models.survey.measure import satisfaction
from models.survey.results import survey_results, visible_orgs
from models.survey.tables import Choice, Survey, SurveyRespondent, SurveyTally
from tests.conftest import PG_URL, Chat
from tests.county_year import build_county

S, F, D = Choice.SATISFIED, Choice.FAIRLY, Choice.DISSATISFIED


@pytest.fixture
def c(session, clock):  # type: ignore[no-untyped-def]
    return build_county(session, clock())


def user(session, login: str) -> Actor:  # type: ignore[no-untyped-def]
    found = session.scalar(select(ConsoleUser).where(ConsoleUser.login == login))
    return Actor.console(f"user:{found.id}", login, found.member_id)


def open_east(session, clock, c, quorum: float = 0.5) -> Survey:  # type: ignore[no-untyped-def]
    today = clock().astimezone(_tz()).date()
    survey = open_survey(session, user(session, "east-it"), session.get(Org, c["east"]),
                         today.year, "2026年度党员满意度测评",
                         ["对支部班子是否满意", "对三会一课是否满意"],
                         today - timedelta(days=1), today + timedelta(days=7), quorum, clock())
    session.commit()
    return survey


def _tz():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo
    return ZoneInfo("Asia/Shanghai")


def test_only_townships_and_the_county_open_surveys_for_their_own_branches(session, clock, c):
    today = clock().date()
    args = (2026, "测评", ["满意吗"], today, today, 0.5, clock())
    with pytest.raises(SurveyError, match="县委或乡镇党委"):
        open_survey(session, user(session, "liaoyuan"), session.get(Org, c["liaoyuan"]), *args)
    with pytest.raises(SurveyError, match="管理员"):  # west's staff for east
        open_survey(session, user(session, "west-it"), session.get(Org, c["east"]), *args)
    with pytest.raises(SurveyError, match="下面的支部"):
        open_survey(session, user(session, "east-it"), session.get(Org, c["east"]), *args,
                    target_ids=[c["far"]])
    survey = open_survey(session, user(session, "county-it"), session.get(Org, c["county"]),
                         *args)
    session.commit()
    tallies = session.scalar(select(func.count()).select_from(SurveyTally))
    assert tallies == 4 * 1 * 3  # four branches (the office too), one question, 3 choices
    assert survey.status == "open"


def test_chat_answers_once_and_the_tallies_count(session, clock, c, chat: Chat):
    open_east(session, clock, c)
    assert "满意度" in chat.say("o-ly2", "帮助 全部")
    assert "满意度" in chat.say("o-ly2", "帮助 满意度")
    ask = chat.say("o-ly2", "满意度")
    assert "对支部班子是否满意" in ask and "满意度 11" in ask
    assert "谢谢" in chat.say("o-ly2", "满意度 12")
    assert "已经参加过" in chat.say("o-ly2", "满意度 11")
    assert "谢谢" in chat.say("o-ly3", "满意度 1 3")
    assert "每题回复一个数字" in chat.say("o-ly4", "满意度 1")  # too few: asked again
    assert "不参加" in chat.say("o-far", "满意度") or "没有" in chat.say("o-far", "满意度")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SurveyRespondent)) == 2
    survey = session.scalar(select(Survey))
    [liaoyuan] = survey_results(session, survey, [c["liaoyuan"]])
    assert (liaoyuan.members, liaoyuan.answered, liaoyuan.met) == (5, 2, False)
    assert liaoyuan.counts == {}  # below the quorum (3 of 5): no counts shown
    assert "谢谢" in chat.say("o-li", "满意度 满意 满意")
    session.rollback()
    [liaoyuan] = survey_results(session, survey, [c["liaoyuan"]])
    assert liaoyuan.met
    by_question = [liaoyuan.counts[q] for q in sorted(liaoyuan.counts)]
    assert by_question[0] == {S: 3, F: 0, D: 0} and by_question[1] == {S: 1, F: 1, D: 1}
    year = survey.year
    assert satisfaction(session, [c["liaoyuan"], c["hongguang"]], Span.year(year)) == {
        c["liaoyuan"]: Ratio(4, 6)}  # 红光村: nobody answered, no Ratio (未达法定人数)
    assert satisfaction(session, [c["liaoyuan"]], Span.year(year - 1)) == {}


def test_nobody_answers_for_another_or_after_the_close(session, clock, c):
    survey = open_east(session, clock, c)
    member = session.get(Member, c["liaoyuan_members"][1])
    with pytest.raises(SurveyError, match="本人"):
        answer_survey(session, Actor.member(c["secretary"], "李书记"), member, survey, [S, S],
                      clock(), _tz())
    close_survey(session, user(session, "east-it"), survey, clock())
    with pytest.raises(SurveyError, match="不在进行中"):
        answer_survey(session, Actor.member(member.id, member.name), member, survey, [S, S],
                      clock(), _tz())


def test_results_go_only_to_the_org_above():
    assert visible_orgs({1, 2, 3}, 1) == {2, 3}
    assert visible_orgs({5}, 5) == set()  # a branch: nothing of its own


@pytest.mark.skipif(not PG_URL, reason="concurrent submission: PostgreSQL")
def test_one_answer_under_concurrent_submission(app, session, clock, c):
    from bot.services import services_of

    survey = open_east(session, clock, c)
    member_id = c["liaoyuan_members"][1]
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def answer() -> None:
        with services_of(app).sessions() as own:
            member = own.get(Member, member_id)
            found = own.get(Survey, survey.id)
            barrier.wait()
            try:
                answer_survey(own, Actor.member(member_id, member.name), member, found,
                              [S, D], clock(), _tz())
                own.commit()
                outcomes.append("ok")
            except SurveyError:
                own.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=answer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    session.rollback()
    counted = session.scalar(select(func.sum(SurveyTally.count)).where(
        SurveyTally.survey_id == survey.id))
    assert counted == 2  # one answer of two questions
