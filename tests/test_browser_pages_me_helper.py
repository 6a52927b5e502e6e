"""帮扶 and 我的 in the sandbox (Chromium at 390x844 and at 320 px): a helper opens the
member pages, confirms a relay for 赵大爷 and 代签s him into the meeting under way; 赵大爷
(his grandson's phone) then sees on 我的 that 帮扶人王帮扶 passed the item on and checked
him in. Screenshots go to $PARTYBOT_SHOTS (default: the test's tmp dir)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.actors import Actor
from models.delivery.outbox import ChannelPolicy
from models.members.tables import Member
from models.pairing.actions import make_pair
from models.study.posting import Draft, publish
from schedules.study import push_due_items
from tests import test_browser
from tests.factories import make_branch, make_meeting, make_member, make_township
from tests.live import serving_own_sandbox
from tests.test_browser_pages_bind import NARROW, fits, shots

page = test_browser.page  # Chromium at 390x844; fails on anything the CSP blocked
expect = test_browser.expect
PHONE = test_browser.PHONE


@pytest.fixture
def helped_village(settings, clock):  # type: ignore[no-untyped-def]
    """Local 2026-06-15 10:00: 王帮扶 helps 赵大爷 (老式手机); today's item pushed (a
    relay for 王帮扶), a branch assembly at 10:30 (check-in open)."""
    clock.set(datetime(2026, 6, 15, 2, 0, tzinfo=UTC))
    made = []

    def make(api_base_url: str):  # type: ignore[no-untyped-def]
        app = create_app(settings.with_overrides(api_base_url=api_base_url, api_timeout=3.0),
                         clock=clock)
        services = services_of(app)
        with services.sessions() as session:
            branch = make_branch(session, "辽原村党支部", make_township(session, "东乡党委"))
            make_member(session, branch, "李书记", "13800000001", openid="o-admin",
                        is_admin=True)
            helper = make_member(session, branch, "王帮扶", "13800000002", openid="o-helper",
                                 is_helper=True)
            old = make_member(session, branch, "赵大爷", "13800000005", needs_help="老式手机")
            make_pair(session, Actor.cli("test"), helper, old, clock(), 3)
            publish(session, branch.id, Draft("学习四中全会精神", "全会精神第一部分。"),
                    None, clock(), clock())
            make_meeting(session, branch, clock() + timedelta(minutes=30), created=clock(),
                         place="辽原村村委会二楼会议室", topic="民主评议党员")
            session.commit()
        push_due_items(dataclasses.replace(services, outbox=ChannelPolicy({"x": "y"})))
        made.append(app)
        return app

    with serving_own_sandbox(make) as (app, base_url):
        app.config["BASE_URL"] = base_url
        yield app
    services_of(made[0]).dispose()


def log_in_as(tab, base_url: str, path: str, openid: str) -> None:  # type: ignore[no-untyped-def]
    """The sandbox's authorize page stands in for WeChat: who is opening the link."""
    tab.goto(f"{base_url}{path}")
    tab.fill("#sandbox_openid", openid)
    tab.click("text=以这个 openid 打开")


def tap_heights(tab) -> list[float]:  # type: ignore[no-untyped-def]
    return list(tab.evaluate(
        "[...document.querySelectorAll('main button, main a.more, .year-switch a, "
        "details summary, nav.bottom a')].map(e => e.getBoundingClientRect().height)"))


def test_a_helper_confirms_and_checks_in_then_the_member_sees_it_on_my_page(
        page, browser, helped_village, clock, tmp_path):  # type: ignore[no-untyped-def]
    base_url = helped_village.config["BASE_URL"]
    folder = shots(tmp_path)
    with services_of(helped_village).sessions() as session:
        old_id = session.scalar(select(Member.id).where(Member.name == "赵大爷"))
    log_in_as(page, base_url, "/m/helper", "o-helper")
    expect(page.locator("h1")).to_have_text("帮扶")
    card = page.locator(f"#m{old_id}")
    expect(card).to_contain_text("需要帮扶：老式手机")
    expect(card).to_contain_text("待转达（1条）")
    expect(card).to_contain_text("学习四中全会精神")
    expect(card).to_contain_text("正在签到：支部党员大会：民主评议党员")
    expect(page.locator("nav.bottom a.active")).to_have_text("帮扶")
    fits(page)
    page.screenshot(path=str(folder / "helper-390.png"), full_page=True)
    heights = tap_heights(page)
    assert heights and min(heights) >= 44, heights
    # 已转达 for the one line, then 代签
    card.locator("ul.relays button.act").click()
    expect(page.locator(".flash")).to_have_text(
        "已记录：你向赵大爷转达了《学习四中全会精神》。可以再发一张照片或一段语音作为凭证（10分钟内）。")
    expect(card).to_contain_text("赵大爷现在没有需要转达的内容。")
    card.locator("text=替赵大爷代签").click()
    expect(page.locator(".flash")).to_have_text(
        "已替赵大爷签到：支部党员大会 6月15日（周一）10:30，辽原村村委会二楼会议室。")
    expect(card.locator("text=替赵大爷代签")).to_have_count(0)
    expect(card.locator("form.leave")).to_have_count(0)  # present: no 代请假 either
    fits(page)
    page.screenshot(path=str(folder / "helper-done-390.png"), full_page=True)
    page.set_viewport_size(NARROW)
    page.reload()
    fits(page)
    page.screenshot(path=str(folder / "helper-done-320.png"), full_page=True)
    # 赵大爷, on his grandson's phone bound to him, opens 我的
    with services_of(helped_village).sessions() as session:
        session.get_one(Member, old_id).openid = "o-old"
        session.commit()
    clock.advance(minutes=5)
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    try:
        mine = context.new_page()
        log_in_as(mine, base_url, "/m/me", "o-old")
        expect(mine.locator("h1")).to_have_text("2026年")
        expect(mine.locator("ul.counts")).to_contain_text("1/1")
        expect(mine.locator("#meetings")).to_contain_text(
            "出席 · 帮扶人王帮扶代签 · 6月15日（周一）10:00")
        expect(mine.locator("#study")).to_contain_text("已学 · 帮扶人王帮扶帮学")
        expect(mine.locator("#relays")).to_contain_text("帮扶人王帮扶已转达")
        expect(mine.locator("#summary")).to_contain_text("我的帮扶人：王帮扶")
        expect(mine.locator("nav.bottom a.active")).to_have_text("我的")
        expect(mine.locator("nav.bottom")).not_to_contain_text("帮扶")
        fits(mine)
        mine.screenshot(path=str(folder / "me-390.png"), full_page=True)
        heights = tap_heights(mine)
        assert heights and min(heights) >= 44, heights
        mine.click(".font-switch button.size-xlarge")
        expect(mine.locator("html")).to_have_class("font-xlarge")
        fits(mine)
        mine.screenshot(path=str(folder / "me-xlarge-390.png"), full_page=True)
        mine.set_viewport_size(NARROW)
        mine.reload()
        fits(mine)
        mine.screenshot(path=str(folder / "me-xlarge-320.png"), full_page=True)
        mine.click(".font-switch button.size-standard")
        expect(mine.locator("html")).to_have_class("font-standard")
        fits(mine)
        mine.screenshot(path=str(folder / "me-320.png"), full_page=True)
        mine.click("text=去年")
        expect(mine.locator("h1")).to_have_text("2025年")
        expect(mine.locator("#study")).to_contain_text("这一年还没有学习内容。")
    finally:
        context.close()
