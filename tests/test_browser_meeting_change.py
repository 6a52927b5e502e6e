"""Changing a meeting in the console on a phone (issue 25, item 5), in Chromium at 390 px:
only 开始 changed, the end follows; a time at night is confirmed with a tick; the
members' notice says what changed, from what to what."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.actors import Actor
from models.console.accounts import add_console_user
from models.delivery.outbox import Outbox
from models.meetings.actions import NewMeeting, create_meeting
from models.meetings.tables import Meeting, MeetingKind
from tests.factories import make_branch, make_member, make_township
from tests.live import serving
from tests.test_browser import PASSWORD, PHONE, log_in, page  # noqa: F401

MONDAY = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
WEDNESDAY_9 = datetime(2026, 12, 9, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


@pytest.fixture
def branch_console(settings, clock) -> Iterator[tuple[str, int]]:  # type: ignore[no-untyped-def]
    """The app over HTTP: a branch, its secretary's account, a meeting on Wednesday 9:00."""
    clock.set(MONDAY)
    app = create_app(settings, clock=clock)
    services = services_of(app)
    with services.sessions() as session:
        branch = make_branch(session, "辽原村党支部", make_township(session, "东乡党委"))
        secretary = make_member(session, branch, "李书记", "13800000001", openid="o-admin",
                                is_admin=True)
        make_member(session, branch, "张明", "13800000002", openid="o-zm")
        add_console_user(session, "liaoyuan", PASSWORD, branch, secretary, clock())
        scheduled = create_meeting(session, Actor.cli("test"), NewMeeting(
            org_id=branch.id, kind=MeetingKind.BRANCH_ASSEMBLY, starts_at=WEDNESDAY_9,
            place="村委会"), outbox=services.outbox, tz=services.settings.tz, now=clock())
        session.commit()
        meeting_id = scheduled.meeting.id
    with serving(app) as base_url:
        yield base_url, meeting_id
    services.dispose()


def test_a_secretary_moves_a_meeting_on_a_phone(page, branch_console, settings):  # noqa: F811
    base_url, meeting_id = branch_console
    log_in(page, base_url, "liaoyuan")
    page.goto(f"{base_url}/admin/meeting/{meeting_id}/edit")
    expect(page.locator("#end")).to_have_value("11:00")
    expect(page.locator("main")).to_contain_text("结束时间会跟着顺延")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.fill("#start", "23:00")  # a slip: at night
    page.click("button.primary")
    expect(page.get_by_role("alert")).to_contain_text("夜里")
    page.fill("#start", "14:00")  # only the start: the end follows
    page.click("button.primary")
    flash = page.locator(".flash")
    expect(flash).to_contain_text("时间：12月9日（周三）09:00 改为 12月9日（周三）14:00")
    expect(flash).to_contain_text("已通知2名党员")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(f"{base_url}/admin/meeting/{meeting_id}/edit")
    expect(page.locator("#end")).to_have_value("16:00")
    page.fill("#start", "22:30")
    page.click("button.primary")
    expect(page.get_by_role("alert")).to_contain_text("夜里")
    page.check("#night_ok")
    page.click("button.primary")
    expect(page.locator(".flash")).to_contain_text("改为 12月9日（周三）22:30")
    # what 张明 receives: the 会议通知 template says it is a change, from when
    app_db = create_app(settings)
    try:
        with services_of(app_db).sessions() as session:
            rows = list(session.scalars(select(Outbox).where(
                Outbox.dedupe_key.like(f"meeting:{meeting_id}:member:%:changed:%"),
                Outbox.openid == "o-zm").order_by(Outbox.id)))
            assert [r.payload["data"]["thing1"]["value"] for r in rows] \
                == ["党员大会改期，原12月9日09:00", "党员大会改期，原12月9日14:00"]
            meeting = session.get(Meeting, meeting_id)
            assert meeting is not None
            assert meeting.ends_at - meeting.starts_at == timedelta(hours=2)
    finally:
        services_of(app_db).dispose()
