"""POST /api/v1/admin/meetings (新建会议) and /admin/meetings/<id>/change, /cancel, /close,
/backfill: the chat's actions from the mini-program — one audit entry each with surface
"api", the same notices queued as the chat's command queues, the night rule as a 409
saying how to confirm, times in and out as ISO-8601 with an offset."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.console.audit import AuditEntry
from models.meetings.tables import Attendance, Meeting
from models.members.tables import Member
from tests.api_admin_support import (
    MONDAY_10,
    TUESDAY_15,
    add_people,
    call,
    entries_since,
    last_audit_id,
    notices_of,
    occasions_of,
    one_api_entry,
    token_of,
)
from tests.api_support import problem


@pytest.fixture
def app(api_settings, clock) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The app, its WeChat API the fake, the clock on a Monday morning."""
    clock.set(MONDAY_10)
    app = create_app(api_settings, clock=clock)
    yield app
    services_of(app).dispose()


@pytest.fixture
def people(session, county):  # type: ignore[no-untyped-def]
    return add_people(session, county)


@pytest.fixture
def sec(client, fake, people):  # type: ignore[no-untyped-def]
    """李书记's token."""
    return token_of(client, fake.base_url, "secretary")


def new_meeting(client, token, **fields):  # type: ignore[no-untyped-def]
    body = {"kind": "branch_assembly", "starts_at": TUESDAY_15, "place": "村委会",
            "topic": "学习四中全会精神", **fields}
    return call(client, token, "POST", "/admin/meetings", body)


def member_id(session, name: str) -> int:  # type: ignore[no-untyped-def]
    return session.scalars(select(Member.id).where(Member.name == name)).one()


def test_create_schedules_tells_and_audits_once(client, sec, session, county, chat):
    chat.say("o-admin", "会议")  # the secretary wrote to the account: both ways alike
    since = last_audit_id(session)
    answer = new_meeting(client, sec)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    meeting = body["meeting"]
    assert meeting["starts_at"] == TUESDAY_15 and meeting["ends_at"].endswith("+08:00")
    assert meeting["kind_name"] == "支部党员大会" and meeting["status"] == "planned"
    assert len(meeting["code"]) >= 4 and meeting["code"] in body["message"]
    one_api_entry(session, since, "meeting.create", county["secretary"])
    # the same notices as the chat's 新建会议 of the same meeting an hour later
    reply = chat.say("o-admin", "新建会议 党员大会 2026-12-08 16:00 村委会 学习四中全会精神")
    assert "签到码" in reply, reply
    session.rollback()
    by_chat = session.scalars(select(Meeting).order_by(Meeting.id.desc())).first()
    assert by_chat is not None and by_chat.id != meeting["id"]
    api_rows = occasions_of(session, f"meeting:{meeting['id']}")
    assert api_rows == occasions_of(session, f"meeting:{by_chat.id}")
    assert {member for _, member, _ in api_rows} == {
        county["secretary"], member_id(session, "张明"), member_id(session, "刘芳"),
        member_id(session, "王帮"), member_id(session, "何委员")}
    assert notices_of(session, f"meeting:{meeting['id']}") \
        == notices_of(session, f"meeting:{by_chat.id}")
    held = body["notified"]
    assert held["reached"] + len(held["held"]) + len(held["unreachable"]) == 5


def test_a_time_in_another_offset_is_the_same_moment(client, sec):
    answer = new_meeting(client, sec, starts_at="2026-12-08T07:00:00Z",
                         ends_at="2026-12-08T09:30:00+00:00")
    meeting = answer.get_json()["meeting"]
    assert meeting["starts_at"] == TUESDAY_15
    assert meeting["ends_at"] == "2026-12-08T17:30:00+08:00"


@pytest.mark.parametrize("starts_at", ["2026-12-08T15:00:00", "2026-12-08 15:00+08:00",
                                       "2026-12-08T15:00:00+08", "明天下午3点", 1765180800])
def test_a_time_without_offset_or_not_a_time_is_400(client, sec, session, starts_at):
    problem(new_meeting(client, sec, starts_at=starts_at), 400, "bad-request")
    assert session.scalars(select(Meeting)).all() == []


def test_a_day_the_calendar_lacks_is_refused(client, sec, session):
    refused = problem(new_meeting(client, sec, starts_at="2027-02-29T15:00:00+08:00"), 409,
                      "refused")
    assert "2027-02-29" in refused["detail"]
    assert session.scalars(select(Meeting)).all() == []


def test_night_start_is_409_until_confirmed(client, sec, session, county):
    since = last_audit_id(session)
    night = "2026-12-08T23:00:00+08:00"
    refused = problem(new_meeting(client, sec, starts_at=night), 409, "refused")
    assert "夜里" in refused["detail"] and "确认" in refused["detail"]
    assert refused["key"] == "MEETING_AT_NIGHT" and refused["confirm"] == "night_confirmed"
    assert session.scalars(select(Meeting)).all() == [] and entries_since(session, since) == []
    answer = new_meeting(client, sec, starts_at=night, night_confirmed=True)
    assert answer.status_code == 200
    assert answer.get_json()["meeting"]["starts_at"] == night
    one_api_entry(session, since, "meeting.create", county["secretary"])


def test_refusals_are_409_with_the_catalogs_sentence(client, sec, clock):
    past = (MONDAY_10 - timedelta(hours=1)).isoformat()
    assert "已经过去" in problem(new_meeting(client, sec, starts_at=past), 409,
                              "refused")["detail"]
    assert new_meeting(client, sec).status_code == 200
    clash = problem(new_meeting(client, sec), 409, "refused")  # same kind, same time
    assert "已经安排了" in clash["detail"] and clash["key"] == "MEETING_CLASH"
    problem(new_meeting(client, sec, kind="party_lecture",
                        ends_at="2026-12-08T14:00:00+08:00"), 409, "refused")
    problem(new_meeting(client, sec, kind="party_lecture", latitude=30.1), 409, "refused")


def test_committee_and_group_meetings_invite_their_people(client, sec, session, county):
    committee = new_meeting(client, sec, kind="committee_meeting").get_json()["meeting"]
    rows = occasions_of(session, f"meeting:{committee['id']}")
    assert {member for _, member, _ in rows} == {county["secretary"]}
    which = problem(new_meeting(client, sec, kind="group_meeting"), 409, "refused")
    assert "第一党小组" in which["detail"] and f"group:{county['group']}" in which["detail"]
    group = new_meeting(client, sec, kind="group_meeting",
                        invitees=f"group:{county['group']}").get_json()["meeting"]
    rows = occasions_of(session, f"meeting:{group['id']}")
    assert {member for _, member, _ in rows} == {county["secretary"], member_id(session, "张明")}
    problem(new_meeting(client, sec, kind="other", invitees="group:999"), 409, "refused")


def test_change_moves_tells_and_audits_once(client, sec, session, county, chat):
    meeting = new_meeting(client, sec).get_json()["meeting"]
    since = last_audit_id(session)
    path = f"/admin/meetings/{meeting['id']}/change"
    answer = call(client, sec, "POST", path, {"starts_at": "2026-12-09T09:00:00+08:00",
                                              "place": "党员活动室"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["changed"] is True and body["meeting"]["place"] == "党员活动室"
    assert body["meeting"]["starts_at"] == "2026-12-09T09:00:00+08:00"
    assert body["meeting"]["code"] == meeting["code"]
    one_api_entry(session, since, "meeting.change", county["secretary"])
    occasions = occasions_of(session, f"meeting:{meeting['id']}")
    assert {o for _, _, o in occasions} == {"created", "changed"}
    # chat's 改会议 of another meeting queues the same occasions
    other = new_meeting(client, sec, kind="party_lecture").get_json()["meeting"]
    chat.say("o-admin", f"改会议 {other['code']} 2026-12-09 09:00")
    assert occasions_of(session, f"meeting:{other['id']}") == occasions
    # the same again: nothing changes, nobody is told, nothing audited
    since = last_audit_id(session)
    again = call(client, sec, "POST", path, {"place": "党员活动室"}).get_json()
    assert again["changed"] is False and entries_since(session, since) == []
    problem(call(client, sec, "POST", path, {}), 409, "refused")
    refused = problem(call(client, sec, "POST", path,
                           {"starts_at": "2026-12-09T02:00:00+08:00"}), 409, "refused")
    assert refused["confirm"] == "night_confirmed"
    moved = call(client, sec, "POST", path, {"starts_at": "2026-12-09T02:00:00+08:00",
                                             "night_confirmed": True})
    assert moved.get_json()["meeting"]["starts_at"] == "2026-12-09T02:00:00+08:00"


def test_change_of_invitees(client, sec, session, county):
    meeting = new_meeting(client, sec).get_json()["meeting"]
    answer = call(client, sec, "POST", f"/admin/meetings/{meeting['id']}/change",
                  {"invitees": "committee"}).get_json()
    assert answer["changed"] is True
    assert answer["uninvited"]["reached"] + len(answer["uninvited"]["held"]) \
        + len(answer["uninvited"]["unreachable"]) == 4


def test_cancel_tells_everyone_and_audits_once(client, sec, session, county):
    meeting = new_meeting(client, sec).get_json()["meeting"]
    since = last_audit_id(session)
    answer = call(client, sec, "POST", f"/admin/meetings/{meeting['id']}/cancel")
    assert answer.status_code == 200 and answer.get_json()["meeting"]["status"] == "cancelled"
    one_api_entry(session, since, "meeting.cancel", county["secretary"])
    kinds = {(kind, o) for kind, _, o in occasions_of(session, f"meeting:{meeting['id']}")}
    assert {o for _, o in kinds} == {"created", "cancelled"}
    again = problem(call(client, sec, "POST", f"/admin/meetings/{meeting['id']}/cancel"),
                    409, "refused")
    assert "已经取消" in again["detail"]


def test_close_and_backfill(client, fake, sec, session, county, clock):
    meeting = new_meeting(client, sec).get_json()["meeting"]
    path = f"/admin/meetings/{meeting['id']}"
    problem(call(client, sec, "POST", f"{path}/close"), 409, "refused")  # not started
    zm = member_id(session, "张明")
    problem(call(client, sec, "POST", f"{path}/backfill", {"member_id": zm,
                                                           "status": "present"}), 409, "refused")
    clock.set(MONDAY_10 + timedelta(days=1, hours=6))  # Tuesday 16:00
    sec = token_of(client, fake.base_url, "secretary")  # a token lasts two hours
    since = last_audit_id(session)
    closed = call(client, sec, "POST", f"{path}/close")
    assert closed.status_code == 200, closed.get_data(as_text=True)
    body = closed.get_json()
    assert body["meeting"]["status"] == "held" and body["marked_absent"] == 4
    assert body["meeting"]["present"] == 1 and body["meeting"]["absent"] == 4
    one_api_entry(session, since, "meeting.close", county["secretary"])
    since = last_audit_id(session)
    done = call(client, sec, "POST", f"{path}/backfill", {"member_id": zm, "status": "present"})
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["meeting"]["present"] == 2 and "张明" in done.get_json()["message"]
    entry = one_api_entry(session, since, "attendance.backfill", county["secretary"])
    assert entry.after == {"member": "张明", "status": "present", "reason": None}
    record = session.scalars(select(Attendance).where(Attendance.member_id == zm)).one()
    assert record.backfilled and record.recorded_by == county["secretary"]
    lf = member_id(session, "刘芳")
    reason = problem(call(client, sec, "POST", f"{path}/backfill",
                          {"member_id": lf, "status": "leave"}), 409, "refused")
    assert reason["detail"] == "补录请假时请写明原因"
    leave = call(client, sec, "POST", f"{path}/backfill",
                 {"member_id": lf, "status": "leave", "reason": "外出务工"}).get_json()
    assert leave["status"] == "leave" and leave["reason"] == "外出务工"
    zy = member_id(session, "赵远")  # another branch's member: not found
    problem(call(client, sec, "POST", f"{path}/backfill", {"member_id": zy, "status": "present"}),
            404, "not-found")
    for bad in ({"member_id": zm, "status": "absent"}, {"member_id": zm},
                {"member_id": "1", "status": "present"}):
        problem(call(client, sec, "POST", f"{path}/backfill", bad), 400, "bad-request")


def test_another_branchs_meeting_is_404_and_untouched(client, fake, sec, session):
    other = token_of(client, fake.base_url, "other_admin")
    meeting = new_meeting(client, other).get_json()["meeting"]
    since = last_audit_id(session)
    for action in ("change", "cancel", "close"):
        body = {"place": "别处"} if action == "change" else None
        problem(call(client, sec, "POST", f"/admin/meetings/{meeting['id']}/{action}", body),
                404, "not-found")
    problem(call(client, sec, "POST", "/admin/meetings/999999/cancel"), 404, "not-found")
    assert entries_since(session, since) == []
    assert set(session.scalars(select(AuditEntry.surface))) == {"api"}
