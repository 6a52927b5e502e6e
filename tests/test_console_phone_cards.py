"""Issue 25, items 13–16 in Chromium at 390 px (and 1366 px for the screenshots): every
list table becomes cards with the state first — a cancelled meeting says so, a leave's
reason, 需帮扶 and the pairing buttons are on screen; the audit log is cards in words;
a wrong address is a Chinese page with a way back; the org form asks for the kind and
an empty org is removed. PARTYBOT_SCREENSHOTS names a folder to keep the screenshots."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot import create_app
from bot.services import services_of
from models.console.accounts import add_console_user
from models.meetings.tables import Attendance, AttendanceStatus, MeetingStatus, Method
from models.members.org_tables import Org, OrgKind
from tests.factories import make_branch, make_meeting, make_member, make_township
from tests.live import serving

# (the browser tests' own fixtures; importing it skips this module without Chromium)
from tests.test_browser import (  # noqa: F401
    PASSWORD,
    PHONE,
    Page,
    expect,
    log_in,
    page,
)

WIDE = {"width": 1366, "height": 900}


@pytest.fixture
def branch_console(settings, clock) -> Iterator[tuple[str, dict[str, int]]]:  # type: ignore[no-untyped-def]
    """A township with one branch: a cancelled and a held meeting (a leave with its
    reason), members who need help and a helper, and the township's account."""
    app = create_app(settings, clock=clock)
    services = services_of(app)
    now = clock()
    with services.sessions() as session:
        county = Org(name="嘉荫县委", kind=OrgKind.COMMITTEE)
        session.add(county)
        session.flush()
        east = make_township(session, "东乡党委")
        east.parent_id = county.id
        branch = make_branch(session, "辽原村党支部", east)
        make_member(session, branch, "李书记", "13800000001", is_admin=True)
        zhang = make_member(session, branch, "张明", "13800000002", openid="o-zm")
        make_member(session, branch, "王帮扶", "13800000003", openid="o-wang", is_helper=True)
        make_member(session, branch, "陈强", "13800000004", needs_help="老式手机",
                    needs_help_note="老人机，不会用微信")
        make_member(session, branch, "刘奶奶", "13800000005", needs_help="行动不便")
        cancelled = make_meeting(session, branch, now + timedelta(days=3), topic="学习党章")
        cancelled.status = MeetingStatus.CANCELLED
        held = make_meeting(session, branch, now - timedelta(days=2), kind="party_lecture",
                            topic="二十大精神", created=now - timedelta(days=5))
        held.status = MeetingStatus.HELD
        session.add(Attendance(meeting_id=held.id, member_id=zhang.id,
                               status=AttendanceStatus.LEAVE, method=Method.ADMIN,
                               reason="家里有事，去县城医院看病",
                               recorded_at=now - timedelta(days=3)))
        add_console_user(session, "east-it", PASSWORD, east, None, now)
        session.commit()
        ids = {"east": east.id, "branch": branch.id, "cancelled": cancelled.id,
               "held": held.id}
    with serving(app) as base_url:
        yield base_url, ids
    services.dispose()


def shoot(tab: Page, tmp_path: Path, name: str) -> None:
    """A full-page screenshot at phone width, then at PC width (then back)."""
    folder = Path(os.environ.get("PARTYBOT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(folder / f"{name}-390.png"), full_page=True)
    tab.set_viewport_size(WIDE)
    tab.screenshot(path=str(folder / f"{name}-1366.png"), full_page=True)
    tab.set_viewport_size(PHONE)


def on_screen(locator) -> None:  # type: ignore[no-untyped-def]
    """The element is shown and lies within the phone's width."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def no_sideways_scroll(tab: Page) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for width in tab.evaluate("[...document.querySelectorAll('.scroll')]"
                              ".map(e => e.scrollWidth - e.clientWidth)"):
        assert width <= 0


def test_lists_are_cards_with_the_state_first_at_phone_width(page, branch_console,  # noqa: F811
                                                             tmp_path):
    base_url, ids = branch_console
    log_in(page, base_url, "east-it")
    expect(page.locator("h1")).to_contain_text("东乡党委")
    # meetings: the cancelled one says 已取消, first on its card
    page.goto(f"{base_url}/admin/branch/{ids['branch']}/meetings")
    cancelled = page.locator("tr", has_text="学习党章")
    state = cancelled.locator("td.card-first")
    expect(state).to_have_text("已取消")
    on_screen(state)
    first = cancelled.locator("td").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().top)")
    assert state.bounding_box()["y"] <= min(first)  # type: ignore[index]
    no_sideways_scroll(page)
    shoot(page, tmp_path, "meetings")
    # a leave's reason
    page.goto(f"{base_url}/admin/meeting/{ids['held']}")
    reason = page.locator("td", has_text="家里有事，去县城医院看病")
    on_screen(reason)
    on_screen(page.locator("#attendance tr", has_text="张明").locator("td.card-first"))
    no_sideways_scroll(page)
    shoot(page, tmp_path, "attendance")
    # 需帮扶 on the branch's members
    page.goto(f"{base_url}/admin/branch/{ids['branch']}")
    on_screen(page.locator("tr", has_text="陈强").locator("td[data-label=需帮扶]"))
    expect(page.locator("tr", has_text="陈强").locator("td[data-label=需帮扶]")) \
        .to_contain_text("老式手机")
    no_sideways_scroll(page)
    shoot(page, tmp_path, "members")
    # the pairing buttons
    page.goto(f"{base_url}/admin/branch/{ids['branch']}/pairs")
    page.get_by_role("button", name="生成建议").click()
    for name in ("确认结对", "不采用"):
        on_screen(page.get_by_role("button", name=name).first)
    no_sideways_scroll(page)
    shoot(page, tmp_path, "pairs-suggested")
    page.get_by_role("button", name="确认结对").first.click()
    on_screen(page.get_by_role("button", name="解除").first)
    no_sideways_scroll(page)
    shoot(page, tmp_path, "pairs")
    # the overview
    page.goto(f"{base_url}/admin/")
    no_sideways_scroll(page)
    shoot(page, tmp_path, "overview")


def test_the_audit_log_is_cards_in_words(page, branch_console, tmp_path):  # noqa: F811
    base_url, ids = branch_console
    log_in(page, base_url, "east-it")
    expect(page.locator("h1")).to_contain_text("东乡党委")
    page.goto(f"{base_url}/admin/branch/{ids['branch']}/pairs")
    page.get_by_role("button", name="生成建议").click()
    page.get_by_role("button", name="确认结对").first.click()
    page.goto(f"{base_url}/admin/audit")
    card = page.locator("tbody tr").first
    on_screen(card.locator("td.card-first"))
    expect(card.locator("td.card-first")).to_have_text("确认结对")
    expect(card.locator("td.changes")).to_contain_text("帮扶人：王帮扶")
    on_screen(card.locator("td.changes"))
    expect(page.locator("main")).not_to_contain_text("helper=")
    no_sideways_scroll(page)
    shoot(page, tmp_path, "audit")


def test_a_wrong_address_in_a_browser(page, branch_console, tmp_path):  # noqa: F811
    base_url, _ = branch_console
    page.goto(f"{base_url}/admin/login")
    on_screen(page.locator("#wechat-way"))  # narrow: WeChat's way in comes first
    assert page.locator("#wechat-way").bounding_box()["y"] \
        < page.locator("#scan").bounding_box()["y"]  # type: ignore[index]
    expect(page.locator("body")).not_to_contain_text("partybot")
    shoot(page, tmp_path, "login")
    log_in(page, base_url, "east-it")
    expect(page.locator("h1")).to_contain_text("东乡党委")
    page.goto(f"{base_url}/admin/no-such-page")
    expect(page.locator("h1")).to_have_text("找不到这个页面")
    back = page.get_by_role("link", name="回到首页")
    on_screen(back)
    shoot(page, tmp_path, "not-found")
    back.click()
    expect(page.locator("h1")).to_contain_text("东乡党委")


def test_the_org_form_suggests_the_kind_and_an_empty_org_is_removed(
        page, branch_console, tmp_path):  # noqa: F811
    base_url, ids = branch_console
    log_in(page, base_url, "east-it")
    expect(page.locator("h1")).to_contain_text("东乡党委")
    page.goto(f"{base_url}/admin/orgs")
    expect(page.locator("#org-kind")).to_have_value("")
    page.fill("#org-name", "新建村")
    expect(page.locator("#org-kind")).to_have_value("branch")
    page.fill("#org-name", "城关镇")
    expect(page.locator("#org-kind")).to_have_value("committee")
    page.fill("#org-name", "新建村")
    page.select_option("#org-parent", str(ids["east"]))
    on_screen(page.locator("#org-kind"))
    shoot(page, tmp_path, "org-form")
    page.click("button:has-text('新建')")
    expect(page.locator(".flash")).to_contain_text("新建党支部「新建村」")
    page.locator("ul.tree a", has_text="新建村").click()
    page.once("dialog", lambda dialog: dialog.accept())
    remove = page.get_by_role("button", name="删除这个组织")
    on_screen(remove)
    shoot(page, tmp_path, "org-remove")
    remove.click()
    expect(page.locator(".flash")).to_contain_text("已删除「新建村」")
    page.goto(f"{base_url}/admin/org/{ids['branch']}")
    expect(page.locator("#remove")).to_contain_text("不能删除：下面还有党员、会议")
    expect(page.get_by_role("button", name="删除这个组织")).to_have_count(0)
