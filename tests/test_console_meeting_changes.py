"""Changing a meeting in the console (issue 25, item 5): changing only 开始 moves the end
with it; the members' notice says what changed, from what to what (template keywords
included); a time at night is confirmed first; a second 取消 says it is already
cancelled and tells nobody."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from models.delivery.outbox import Outbox
from models.meetings.tables import Meeting
from schedules.delivery_loop import DeliveryWorker
from tests.test_console_meetings import create, logged_in

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
FORM = {"kind": "branch_assembly", "day": "2026-12-09", "start": "09:00", "end": "",
        "place": "村委会", "topic": "学习党章", "audience": "all", "host": ""}


@pytest.fixture
def secretary(app, county, clock):
    clock.set(MONDAY)
    browser = logged_in(app, "liaoyuan")
    assert create(browser, county["liaoyuan"], FORM).status_code == 302
    return browser


def the_meeting(session) -> Meeting:
    session.rollback()
    session.expire_all()
    return session.scalars(select(Meeting)).one()


def local(moment: datetime) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def edit(browser, meeting_id: int, **changed: str):  # type: ignore[no-untyped-def]
    form = {"day": "2026-12-09", "start": "09:00", "end": "11:00", "place": "村委会",
            "topic": "学习党章", "audience": "all", **changed}
    return browser.post(f"/admin/meeting/{meeting_id}/edit",
                        data={**form, "csrf_token": browser.token})


def test_changing_only_the_start_moves_the_end_and_members_read_a_change(
        secretary, session, services, fake):
    meeting = the_meeting(session)
    page = secretary.get(f"/admin/meeting/{meeting.id}/edit").get_data(as_text=True)
    assert 'value="11:00"' in page  # the end as it is shown, and left alone below
    answer = edit(secretary, meeting.id, start="14:00")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    shown = secretary.get(answer.location).get_data(as_text=True)
    assert "时间：12月9日（周三）09:00 改为 12月9日（周三）14:00" in shown
    assert "已通知3名党员" in shown
    meeting = the_meeting(session)
    assert (local(meeting.starts_at), local(meeting.ends_at)) \
        == ("2026-12-09 14:00", "2026-12-09 16:00")
    worker = DeliveryWorker(services, services.wechat, owner="t", batch_size=20)
    try:
        worker.drain(max_seconds=10)
    finally:
        worker.close()
    sent = fake.messages("o-zm")
    (change,) = [m for m in sent if "改期" in m.body["data"]["thing1"]["value"]]
    assert change.body["data"]["thing1"]["value"] == "党员大会改期，原12月9日09:00"
    assert change.body["data"]["time2"]["value"] == "2026年12月9日 14:00"
    assert len(sent) == 2 and fake.state.refused == {}


def test_a_new_end_typed_by_the_admin_is_kept(secretary, session):
    meeting = the_meeting(session)
    assert edit(secretary, meeting.id, start="14:00", end="15:00").status_code == 302
    meeting = the_meeting(session)
    assert (local(meeting.starts_at), local(meeting.ends_at)) \
        == ("2026-12-09 14:00", "2026-12-09 15:00")
    refused = edit(secretary, meeting.id, start="16:00", end="15:30")
    assert refused.status_code == 400 and "结束时间要晚于开始时间" in refused.get_data(as_text=True)


def test_a_move_to_another_day_keeps_the_length(secretary, session):
    meeting = the_meeting(session)
    assert edit(secretary, meeting.id, day="2026-12-10", start="15:00").status_code == 302
    meeting = the_meeting(session)
    assert (local(meeting.starts_at), local(meeting.ends_at)) \
        == ("2026-12-10 15:00", "2026-12-10 17:00")


def test_a_time_at_night_is_confirmed_before_anyone_is_told(secretary, session):
    meeting = the_meeting(session)
    rows = session.scalar(select(func.count()).select_from(Outbox))
    asked = edit(secretary, meeting.id, start="23:00", end="")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 400 and "夜里" in page and 'name="night_ok"' in page
    session.rollback()
    assert local(the_meeting(session).starts_at) == "2026-12-09 09:00"
    assert session.scalar(select(func.count()).select_from(Outbox)) == rows
    assert edit(secretary, meeting.id, start="23:00", end="", night_ok="1").status_code == 302
    assert local(the_meeting(session).starts_at) == "2026-12-09 23:00"


def test_a_second_cancel_says_it_is_already_cancelled(secretary, session, chat):
    meeting = the_meeting(session)
    url = f"/admin/meeting/{meeting.id}/cancel"
    first = secretary.post(url, data={"csrf_token": secretary.token})
    assert "已取消这次会议" in secretary.get(first.location).get_data(as_text=True)
    session.rollback()
    rows = session.scalar(select(func.count()).select_from(Outbox))
    again = secretary.post(url, data={"csrf_token": secretary.token}, follow_redirects=True)
    assert "这次会议已经取消了" in again.get_data(as_text=True)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Outbox)) == rows
    changed = edit(secretary, meeting.id, start="14:00")
    assert "已经取消了，不能再改" in changed.get_data(as_text=True)
    form = secretary.get(f"/admin/meeting/{meeting.id}/edit", follow_redirects=True)
    assert "已经取消了，不能再改" in form.get_data(as_text=True)
    # and in chat
    assert "已经取消了" in chat.say("o-admin", f"取消会议 {meeting.code}")
