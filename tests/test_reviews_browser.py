"""述职评议 in Chromium (issue 28): the county's round page at 1280 px (the table sortable
by the county) and a secretary submitting the report and grading themselves in the
console at 390 px; on the member page /m/review (390 px) a secretary submits from the
phone and a member votes — nothing clipped, no horizontal scrolling, no CSP refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import create_app
from bot.services import services_of
from models.actors import Actor
from models.reviews import actions
from tests import test_browser
from tests.live import serving
from tests.reviews_support import WEIGHTS, build_county, zhou_actor

page = test_browser.page  # Chromium at 390x844; fails on anything the CSP blocked
expect = test_browser.expect


@pytest.fixture
def review_site(settings, clock):  # type: ignore[no-untyped-def]
    app = create_app(settings, clock=clock)
    services = services_of(app)
    with services.sessions() as session:
        ids = build_county(session, clock)
        review = actions.open_round(session, zhou_actor(ids), services.outbox, ids["county"],
                                    2026, clock() + timedelta(days=10), WEIGHTS, clock(),
                                    services.settings.tz)
        session.commit()
        ids["round"] = review.id
        for name in ("张明", "刘芳"):
            reporter = next(r for r in actions_reporters(session, review.id)
                            if r.member_id == ids["li"])
            actions.cast_vote(session, ids["voters"][name], reporter, "好")
        actions.add_item(session, Actor.member(ids["li"], "李书记"), reporter,
                         actions.ItemKind.SUGGESTION, "修通村道，硬化两公里", clock().date(),
                         clock().date() - timedelta(days=1), clock())
        session.commit()
        ids["li_reporter"] = reporter.id
    with serving(app) as base_url:
        yield base_url, ids
    services.dispose()


def actions_reporters(session, round_id):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from models.reviews.tables import ReviewReporter

    return session.scalars(select(ReviewReporter).where(ReviewReporter.round_id == round_id))


def test_a_secretary_on_a_phone_and_the_county_on_a_pc(page, review_site, tmp_path):
    base_url, ids = review_site
    test_browser.log_in(page, base_url, "liaoyuan")
    page.goto(f"{base_url}/admin/review/reporter/{ids['li_reporter']}")
    expect(page.locator("h1")).to_contain_text("李书记 · 辽原村党支部")
    page.fill("#report-text", "一年来，支部带领群众修通村道，办好了三件实事。")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("main")).to_contain_text("述职报告已提交")
    page.select_option("#grade-self", "较好")
    page.locator("form", has=page.locator("#grade-self")).get_by_role("button").click()
    expect(page.locator("main")).to_contain_text("评价已保存：较好")
    expect(page.locator("#items")).to_contain_text("逾期")
    assert page.evaluate("document.documentElement.scrollWidth") <= test_browser.PHONE["width"]
    page.screenshot(path=str(tmp_path / "review-reporter-phone.png"), full_page=True)
    page.goto(f"{base_url}/admin/review/{ids['round']}")
    expect(page.locator("#reporters")).to_contain_text("李书记")
    assert "?sort=" not in page.content()  # a branch never gets a sortable table
    assert page.evaluate("document.documentElement.scrollWidth") <= test_browser.PHONE["width"]

    page.context.clear_cookies()
    page.set_viewport_size(test_browser.PC)
    test_browser.log_in(page, base_url, "county")
    page.goto(f"{base_url}/admin/review/{ids['round']}")
    expect(page.locator("#summary")).to_contain_text("未提交 3 名")
    page.get_by_role("link", name="测评票数").click()
    expect(page.locator("#reporters tbody tr").first).to_contain_text("李书记")
    page.screenshot(path=str(tmp_path / "review-round-pc.png"), full_page=True)
    page.get_by_role("button", name="提醒未提交的人").click()
    expect(page.locator("main")).to_contain_text("已提醒3人")


@pytest.fixture
def review_pages(settings, clock):  # type: ignore[no-untyped-def]
    """The app with its WeChat API at its own /sandbox (WeChat's web authorization),
    a round open."""
    from tests.live import serving_own_sandbox

    made = []

    def make(api_base_url: str):  # type: ignore[no-untyped-def]
        app = create_app(settings.with_overrides(api_base_url=api_base_url, api_timeout=3.0),
                         clock=clock)
        services = services_of(app)
        with services.sessions() as session:
            ids = build_county(session, clock)
            actions.open_round(session, zhou_actor(ids), services.outbox, ids["county"], 2026,
                               clock() + timedelta(days=10), WEIGHTS, clock(),
                               services.settings.tz)
            session.commit()
        made.append(app)
        return app

    with serving_own_sandbox(make) as (_app, base_url):
        yield base_url
    services_of(made[0]).dispose()


def test_the_phone_page_a_secretary_writes_and_a_member_votes(page, review_pages, tmp_path):
    from tests.test_browser_pages_me_helper import log_in_as

    base_url = review_pages
    log_in_as(page, base_url, "/m/review", "o-zy")
    expect(page.locator("main")).to_contain_text("我的2026年述职报告")
    page.locator("textarea[name=report]").fill("远山村这一年：修了水渠，办了夜校。")
    page.get_by_role("button", name="提交述职报告").click()
    expect(page.locator("main")).to_contain_text("述职报告已提交")
    page.get_by_role("button", name="较好", exact=True).first.click()
    expect(page.locator("main")).to_contain_text("评价已保存：较好")
    assert page.evaluate("document.documentElement.scrollWidth") <= test_browser.PHONE["width"]
    page.screenshot(path=str(tmp_path / "review-page-secretary.png"), full_page=True)
    page.context.clear_cookies()
    log_in_as(page, base_url, "/m/review", "o-qd")
    votes = page.locator("#votes")
    expect(votes).to_contain_text("1. 赵远（远山村党支部）")
    votes.get_by_role("button", name="好", exact=True).click()
    expect(page.locator("main")).to_contain_text("已收到您对赵远的测评")
    expect(page.locator("#votes")).to_contain_text("已投票")
    assert page.evaluate("document.documentElement.scrollWidth") <= test_browser.PHONE["width"]
    page.screenshot(path=str(tmp_path / "review-page-voter.png"), full_page=True)
