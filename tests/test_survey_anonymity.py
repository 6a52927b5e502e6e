"""The survey on the member page (/m/survey) and anonymity: after members answered in
chat and on the page, no page, export, log line, CLI output or audit entry names a
voter (by name or openid) next to anything of the survey."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot import create_app
from bot.cli.main import main
from bot.services import services_of
from bot.simulator import WeChatSide
from models.actors import Actor
from models.assessment.actions import load_scheme
from models.assessment.ratios import Span
from models.console.accounts import ConsoleUser
from models.console.audit import AuditEntry
from models.members.org_tables import Org
from models.survey.actions import open_survey, questions_of
from models.survey.measure import satisfaction
from tests.conftest import TOKEN, Chat
from tests.county_year import build_county
from tests.procs import command_env
from tests.test_console_meetings import logged_in
from tests.test_pages_login import csrf_of, open_as

SCHEME = """
year = {year}
name = "满意度测评方案"

[[item]]
key = "mood"
title = "满意度测评"

[[item.clause]]
key = "mood-members"
title = "党员满意度"
points = 10
applies_to = ["branch", "township"]
source = "survey"
measure = "satisfaction"
linear = [0.5, 1.0]
"""


@pytest.fixture
def survey_app(api_settings, clock):  # type: ignore[no-untyped-def]
    app = create_app(api_settings, clock=clock)
    with services_of(app).sessions() as session:
        ids = build_county(session, clock())
        staff = session.scalar(select(ConsoleUser).where(ConsoleUser.login == "east-it"))
        today = clock().astimezone(api_settings.tz).date()
        survey = open_survey(session, Actor.console(f"user:{staff.id}", "east-it"),
                             session.get(Org, ids["east"]), today.year, "年度满意度测评",
                             ["对支部班子是否满意", "对三会一课是否满意"],
                             today - timedelta(days=1), today + timedelta(days=3), 0.6,
                             clock())
        session.commit()
        ids["survey"] = survey.id
        ids["year"] = today.year
    app.ids = ids  # type: ignore[attr-defined]
    yield app
    services_of(app).dispose()


VOTERS = {"o-ly2": "张明", "o-ly3": "刘芳", "o-ly4": "王强", "o-li": "李书记"}


def test_answers_on_the_page_and_in_chat_leave_no_trace_of_who(survey_app, fake, clock,
                                                               caplog, monkeypatch,
                                                               tmp_path):
    from models.assessment.measures import MEASURES

    monkeypatch.setitem(MEASURES, "satisfaction", satisfaction)  # the merger registers it
    caplog.set_level(logging.DEBUG)
    ids = survey_app.ids
    phone, _ = open_as(survey_app, fake, "o-ly2", "/m/")
    assert 'href="/m/survey"' in phone.get("/m/").get_data(as_text=True)  # waiting for them
    shown = phone.get("/m/survey").get_data(as_text=True)
    assert "年度满意度测评" in shown and "对三会一课是否满意" in shown and "基本满意" in shown
    with services_of(survey_app).sessions() as session:
        questions = [q.id for q in questions_of(session, ids["survey"])]
    form = {"csrf_token": csrf_of(shown), f"q{questions[0]}": "satisfied",
            f"q{questions[1]}": "fairly"}
    sent = phone.post(f"/m/survey/{ids['survey']}", data=form)
    assert sent.status_code == 302
    after = phone.get("/m/survey").get_data(as_text=True)
    assert "你的回答已匿名记下" in after and "已经参加过" in after
    assert 'href="/m/survey"' not in phone.get("/m/").get_data(as_text=True)  # done
    again = phone.post(f"/m/survey/{ids['survey']}", data=form)
    assert "已经参加过这次测评" in phone.get(again.location).get_data(as_text=True)
    chat = Chat(survey_app.test_client(), WeChatSide(TOKEN), clock)
    assert "谢谢" in chat.say("o-ly3", "满意度 11")
    assert "谢谢" in chat.say("o-li", "满意度 31")
    assert "已经参加过" in chat.say("o-ly2", "满意度 11")
    # every output a survey touches, read by the township, the county and the CLI
    outputs = []
    east, county = logged_in(survey_app, "east-it"), logged_in(survey_app, "county-it")
    for browser in (east, county):
        for url in ("/admin/survey", f"/admin/survey/{ids['survey']}", "/admin/audit"):
            got = browser.get(url)
            assert got.status_code == 200, url
            outputs.append(got.get_data(as_text=True))
    results = outputs[1]
    assert "3 / 5 人已答" in results and "辽原村党支部" in results
    with services_of(survey_app).sessions() as session:
        load_scheme(session, Actor.cli("root"), SCHEME.format(year=ids["year"]), clock())
        session.commit()
        entries = session.scalars(select(AuditEntry)).all()
        outputs += [f"{e.actor_key} {e.actor_name} {e.target} {e.before} {e.after}"
                    for e in entries]
        assert satisfaction(session, [ids["liaoyuan"]], Span.year(ids["year"]))[
            ids["liaoyuan"]].share == pytest.approx(4 / 6)
    sheet = county.get(f"/admin/assess/{ids['year']}/org/{ids['liaoyuan']}")
    outputs.append(sheet.get_data(as_text=True))
    assert "党员满意度" in outputs[-1] and "4/6" in outputs[-1]  # 满意 answers of all
    below = county.get(f"/admin/assess/{ids['year']}/org/{ids['hongguang']}")
    assert "未达法定人数" in below.get_data(as_text=True)  # nobody of 红光村 answered
    for name, value in command_env(services_of(survey_app).settings.database_url,
                                   tmp_path).items():
        monkeypatch.setenv(name, value)
    cli = CliRunner().invoke(main, ["assess", "sheet", "辽原村党支部", "--year", str(ids["year"]),
                              "--xlsx", str(tmp_path / "sheet.xlsx")])
    outputs.append(cli.output)
    outputs.append((tmp_path / "sheet.xlsx").read_bytes().decode("latin-1"))
    # the replies WeChat's retries get are kept beside the openid: none names a choice
    with services_of(survey_app).sessions() as session:
        from models.db.inbound import InboundMessage
        for row in session.scalars(select(InboundMessage)):
            assert not any(word in (row.reply or "") for word in ("基本满意", "不满意",
                                                                   "（满意"))
    joined = "\n".join(outputs)
    for openid, name in VOTERS.items():
        assert openid not in joined and name not in joined, (openid, name)
    # a log line may say who wrote (the webhook's own line), never what of the survey
    ours = [r for r in caplog.records if not r.name.startswith("urllib3")]  # the fake's
    survey_words = ("满意", "satisf", "fairly", "survey", "测评", f"q{questions[0]}")
    for record in ours:
        line = record.getMessage() + str(record.__dict__.get("args"))
        if any(openid in line or name in line for openid, name in VOTERS.items()):
            assert not any(word in line for word in survey_words), line
