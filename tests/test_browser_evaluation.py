"""民主评议 in Chromium at 390 px and 1280 px: a member rates on /m/evaluation with the big
buttons (each at least 44 px tall, the chosen one marked), the secretary enters a paper
ballot on the console, ends the voting and reads the tallies; neither page scrolls
sideways. Screenshots go to $PARTYBOT_SHOTS (default: the test's tmp dir)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.actors import Actor
from models.console.accounts import add_console_user
from models.delivery.outbox import ChannelPolicy
from models.evaluation.actions import open_round
from models.members.tables import Member
from tests import test_browser
from tests.conftest import CONSOLE_PASSWORD
from tests.factories import make_branch, make_member, make_township
from tests.live import serving_own_sandbox
from tests.test_browser_pages_bind import fits, shots
from tests.test_browser_pages_me_helper import log_in_as

expect = test_browser.expect


@pytest.fixture
def evaluating(settings, clock):  # type: ignore[no-untyped-def]
    """Local 2026-12-01 10:00: 辽原村's round open until 12-10; 赵大爷 has no phone."""
    clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    made = []

    def make(api_base_url: str):  # type: ignore[no-untyped-def]
        app = create_app(settings.with_overrides(api_base_url=api_base_url, api_timeout=3.0),
                         clock=clock)
        with services_of(app).sessions() as session:
            branch = make_branch(session, "辽原村党支部", make_township(session, "东乡党委"))
            secretary = make_member(session, branch, "李书记", "13800000001", openid="o-admin",
                                    is_admin=True)
            for name, phone, openid in (("张明", "13800000002", "o-zm"),
                                        ("刘芳", "13800000003", "o-lf"),
                                        ("赵大爷", None, None)):
                make_member(session, branch, name, phone, openid=openid)
            add_console_user(session, "liaoyuan", CONSOLE_PASSWORD, branch, secretary, clock())
            open_round(session, Actor.cli("test"), branch.id,
                       datetime(2026, 12, 10).date(), outbox=ChannelPolicy({}),
                       tz=ZoneInfo("Asia/Shanghai"), now=clock())
            session.commit()
        made.append(app)
        return app

    with serving_own_sandbox(make) as (app, base_url):
        app.config["BASE_URL"] = base_url
        yield app
    services_of(made[0]).dispose()


@pytest.mark.parametrize("width", [390, 1280])
def test_rating_on_the_page_and_the_round_on_the_console(browser, evaluating, clock, tmp_path,
                                                         width):
    base_url = evaluating.config["BASE_URL"]
    folder = shots(tmp_path)
    with services_of(evaluating).sessions() as session:
        ids = {m.name: m.id for m in session.scalars(select(Member))}
        branch_id = session.scalar(select(Member.branch_id).limit(1))
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    try:
        phone = context.new_page()
        log_in_as(phone, base_url, "/m/evaluation", "o-zm")
        expect(phone.locator("h1")).to_have_text("2026年民主评议")
        expect(phone.locator("#rate h2")).to_contain_text("还有3人没评")
        row = phone.locator(f"#m{ids['李书记']}")
        row.locator("button[value=excellent]").click()
        expect(phone.locator(".flash")).to_have_text("已记下，截止前可以改。")
        expect(row.locator("button[value=excellent]")).to_have_attribute("aria-pressed", "true")
        expect(phone.locator("#rate h2")).to_contain_text("还有2人没评")
        heights = phone.evaluate("[...document.querySelectorAll('button.grade')]"
                                 ".map(e => e.getBoundingClientRect().height)")
        assert heights and min(heights) >= 44, heights
        fits(phone)
        phone.screenshot(path=str(folder / f"evaluation-member-{width}.png"), full_page=True)

        console = context.new_page()
        console.goto(f"{base_url}/admin/branch/{branch_id}/evaluation")
        console.fill("#login", "liaoyuan")
        console.fill("#password", CONSOLE_PASSWORD)
        console.click("button.primary")
        expect(console.locator("h1")).to_contain_text("民主评议党员")
        expect(console.locator("#progress")).to_contain_text("1/3")
        console.select_option("#voter", str(ids["赵大爷"]))
        console.select_option(f"select[name=grade-{ids['李书记']}]", "qualified")
        console.select_option(f"select[name=grade-{ids['张明']}]", "excellent")
        console.click("#paper button.primary")
        expect(console.locator(".flash")).to_have_text("已录入赵大爷的纸质选票（2人）。")
        fits(console)
        console.screenshot(path=str(folder / f"evaluation-console-{width}.png"), full_page=True)
        console.click("text=提前截止投票")
        expect(console.locator("#determinations")).to_contain_text("张明")
        li = console.locator("#determinations tr", has_text="李书记")
        expect(li).to_contain_text("按评议（合格）")
        fits(console)
        console.screenshot(path=str(folder / f"evaluation-tallies-{width}.png"), full_page=True)
    finally:
        context.close()
