"""Marks and the survey in Chromium at 390 px and 1280 px: the inspector scores a
branch with a photo on the marks page; the township opens a survey and reads its
results; nothing is wider than a phone."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
import segno

from bot import create_app
from bot.services import services_of
from models.actors import Actor
from models.assessment.actions import load_scheme
from models.assessment.mark_actions import add_inspector
from models.members.tables import Member
from models.survey.actions import answer_survey, questions_of
from models.survey.tables import Choice, Survey
from tests import test_browser
from tests.county_year import build_county
from tests.live import serving
from tests.test_assessment_marks import SCHEME, YEAR

page = test_browser.page
expect = test_browser.expect


@pytest.fixture
def county_app(settings, clock):  # type: ignore[no-untyped-def]
    app = create_app(settings, clock=clock)
    with services_of(app).sessions() as session:
        ids = build_county(session, clock())
        load_scheme(session, Actor.cli("root"), SCHEME, clock())
        add_inspector(session, Actor.cli("root"), clock(),
                      member=session.get(Member, ids["inspector"]))
        session.commit()
    with serving(app) as base_url:
        yield app, base_url, ids
    services_of(app).dispose()


def fits(tab, width: int) -> None:  # type: ignore[no-untyped-def]
    assert tab.evaluate("document.documentElement.scrollWidth") <= width


def test_marks_and_survey_at_phone_and_pc_width(page, county_app, clock, tmp_path):
    app, base_url, ids = county_app
    test_browser.log_in(page, base_url, "inspector")
    page.goto(f"{base_url}/admin/assess/marks/{YEAR}/org/{ids['far']}")
    expect(page.locator("h1")).to_contain_text("远山村党支部")
    form = page.locator("section.mark", has_text="巡查班子运转")
    form.locator("input[name=score]").fill("3.5")
    form.locator("textarea[name=note]").fill("走访三户党员，台账规范")
    photo = BytesIO()
    segno.make("巡查照片").save(photo, kind="png", scale=4)
    (tmp_path / "visit.png").write_bytes(photo.getvalue())
    form.locator("input[type=file]").set_input_files(str(tmp_path / "visit.png"))
    form.get_by_role("button", name="保存巡查分数").click()
    expect(page.locator("main")).to_contain_text("已保存：巡查班子运转 3.5 分")
    expect(page.locator("section.mark", has_text="巡查班子运转")).to_contain_text("照片 1")
    fits(page, test_browser.PHONE["width"])
    page.screenshot(path=str(tmp_path / "marks-phone.png"), full_page=True)
    page.set_viewport_size(test_browser.PC)
    page.screenshot(path=str(tmp_path / "marks-pc.png"), full_page=True)
    page.click("text=退出")
    # the township opens a survey on a phone
    page.set_viewport_size(test_browser.PHONE)
    test_browser.log_in(page, base_url, "east-it")
    page.goto(f"{base_url}/admin/survey")
    page.fill("#quorum", "50")
    page.get_by_role("button", name="发起测评").click()
    expect(page.locator("main")).to_contain_text("已发起满意度测评")
    with services_of(app).sessions() as session:
        survey = session.query(Survey).one()
        count = len(questions_of(session, survey.id))
        tz = services_of(app).settings.tz
        for member_id in ids["liaoyuan_members"][:3]:
            member = session.get(Member, member_id)
            answer_survey(session, Actor.member(member.id, member.name), member, survey,
                          [Choice.SATISFIED] * count, clock() + timedelta(minutes=1), tz)
        session.commit()
        survey_id = survey.id
    fits(page, test_browser.PHONE["width"])
    page.screenshot(path=str(tmp_path / "surveys-phone.png"), full_page=True)
    page.goto(f"{base_url}/admin/survey/{survey_id}")
    expect(page.locator("main")).to_contain_text("3 / 5 人已答")
    expect(page.locator("main")).to_contain_text("未达法定人数")  # 红光村
    fits(page, test_browser.PHONE["width"])
    page.screenshot(path=str(tmp_path / "survey-phone.png"), full_page=True)
    page.set_viewport_size(test_browser.PC)
    page.screenshot(path=str(tmp_path / "survey-pc.png"), full_page=True)


@pytest.fixture
def survey_pages(settings, clock):  # type: ignore[no-untyped-def]
    """The app with its WeChat API at its own /sandbox; 红光乡 runs a survey."""
    from models.console.accounts import ConsoleUser
    from models.members.org_tables import Org
    from models.survey.actions import open_survey
    from tests.live import serving_own_sandbox

    made = []

    def make(api_base_url: str):  # type: ignore[no-untyped-def]
        app = create_app(settings.with_overrides(api_base_url=api_base_url, api_timeout=3.0),
                         clock=clock)
        with services_of(app).sessions() as session:
            ids = build_county(session, clock())
            staff = session.query(ConsoleUser).filter_by(login="east-it").one()
            today = clock().astimezone(settings.tz).date()
            open_survey(session, Actor.console(f"user:{staff.id}", "east-it"),
                        session.get(Org, ids["east"]), today.year, "年度党员满意度测评",
                        ["对支部班子的工作是否满意", "对支部组织生活（三会一课）是否满意"],
                        today, today + timedelta(days=7), 0.6, clock())
            session.commit()
        made.append(app)
        return app

    with serving_own_sandbox(make) as (app, base_url):
        yield app, base_url
    services_of(made[0]).dispose()


def test_a_member_answers_on_the_page_at_phone_and_pc_width(page, survey_pages, tmp_path):
    from tests.test_browser_pages_me_helper import log_in_as

    _app, base_url = survey_pages
    log_in_as(page, base_url, "/m/", "o-ly2")
    page.click("#survey-link a")
    expect(page.locator("h1")).to_contain_text("年度党员满意度测评")
    fits(page, test_browser.PHONE["width"])
    page.screenshot(path=str(tmp_path / "member-survey-phone.png"), full_page=True)
    page.locator("fieldset.question").nth(0).get_by_label("满意", exact=True).check()
    page.locator("fieldset.question").nth(1).get_by_label("基本满意").check()
    page.click("#send-survey")
    expect(page.locator("body")).to_contain_text("你的回答已匿名记下")
    expect(page.locator("#survey-done")).to_contain_text("已经参加过")
    page.set_viewport_size(test_browser.PC)
    page.screenshot(path=str(tmp_path / "member-survey-pc.png"), full_page=True)
