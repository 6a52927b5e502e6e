"""The audit page in a real browser (Debian's Chromium, as tests/test_browser.py): the
filter form at phone and PC width, filled and sent like an admin would."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from models.actors import Actor
from models.console.audit import record_change
from models.db.engine import make_engine
from tests.test_browser import PC, PHONE, browser, console, log_in, page  # noqa: F401

SHOTS = os.environ.get("PARTYBOT_SCREENSHOTS")  # a folder to keep the screenshots in


def _shoot(tab, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    tab.screenshot(path=str(Path(SHOTS or tmp_path) / name), full_page=True)


def test_audit_filters_in_a_browser(page, console, tmp_path, settings, clock):  # noqa: F811
    from playwright.sync_api import expect

    base_url, ids = console
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        for days, actor, target in (
                (1, Actor.member(1, "李书记"), "五月党员大会"),
                (2, Actor.console("user:1", "东乡管理员", None), "五月党课"),
                (3, Actor.cli("root"), "刘芳"),
                (4, Actor.job("meetings.close"), "四月支委会")):
            record_change(session, actor, org_id=ids["liaoyuan"], action="meeting.create",
                          target=target, now=clock() - timedelta(days=days),
                          after={"地点": "村委会"})
        session.commit()
    engine.dispose()
    log_in(page, base_url, "east-it")
    expect(page.locator("h1")).to_contain_text("东乡党委")
    page.goto(f"{base_url}/admin/audit")
    expect(page.locator("table")).to_contain_text("四月支委会")
    _shoot(page, tmp_path, "audit-phone.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.select_option("select[name=surface]", "chat")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table")).to_contain_text("五月党员大会")
    expect(page.locator("table")).not_to_contain_text("五月党课")
    expect(page.locator("select[name=surface]")).to_have_value("chat")
    page.set_viewport_size({**PC, "width": 1366})
    page.select_option("select[name=surface]", "")
    page.fill("input[name=actor]", "管理")
    three_days_ago = (clock() - timedelta(days=3)).astimezone(settings.tz)
    page.fill("input[name=since]", three_days_ago.strftime("%Y-%m-%d"))
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table")).to_contain_text("五月党课")
    expect(page.locator("table")).not_to_contain_text("五月党员大会")
    expect(page.locator("input[name=actor]")).to_have_value("管理")
    _shoot(page, tmp_path, "audit-pc.png")
    page.goto(f"{base_url}/admin/audit?since=2026-13-01&org={ids['far']}")
    expect(page.locator("main")).to_contain_text("不是日期")
    expect(page.locator("main")).to_contain_text("不在你的管理范围内")
    _shoot(page, tmp_path, "audit-bad-input-pc.png")
