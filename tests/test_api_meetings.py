"""GET /api/v1/meetings, POST /meetings/<id>/checkin ({"code"}, {"latitude",
"longitude"}, {"scene"}) and /leave, GET /me/year: the member's meetings as the 会议 page
lists them, and 签到 / 请假 recorded by the chat's own actions — a wrong 签到码 counted
against the limit although the call is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.db.guesses import GuessGuard
from models.meetings.tables import Attendance, AttendanceStatus
from models.members.org_tables import Org
from models.members.tables import Member
from tests.api_support import bearer, bound_token, log_in, problem
from tests.factories import make_meeting

VILLAGE = (47.92, 129.58)
NEAR = (47.9205, 129.5805)  # about 70 m from the village hall
FAR = (47.93, 129.60)  # about 1.8 km


@pytest.fixture
def app(api_settings, clock) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The app, its WeChat API the fake."""
    app = create_app(api_settings, clock=clock)
    yield app
    services_of(app).dispose()


@pytest.fixture
def meetings(session, county, clock):  # type: ignore[no-untyped-def]
    """辽原村: an assembly opening for check-in now (with coordinates, hosted by 李书记), a
    lecture in two days (without), a 支委会 张明 is not on; 远山村's meeting now."""
    now = clock()
    branch = session.get(Org, county["liaoyuan"])
    made = {
        "open": make_meeting(session, branch, now + timedelta(minutes=30),
                             place="辽原村村委会二楼", topic="学习新修订的党章",
                             latitude=VILLAGE[0], longitude=VILLAGE[1],
                             host_id=county["secretary"]),
        "later": make_meeting(session, branch, now + timedelta(days=2), kind="party_lecture",
                              place="村文化室"),
        "committee": make_meeting(session, branch, now + timedelta(days=3),
                                  kind="committee_meeting", place="书记办公室",
                                  invite_member_ids=(county["secretary"],)),
        "far": make_meeting(session, session.get(Org, county["far"]),
                            now + timedelta(minutes=20), place="远山村会议室"),
    }
    session.commit()
    return {key: meeting.id for key, meeting in made.items()}


@pytest.fixture
def token(client, fake, county):  # type: ignore[no-untyped-def]
    """张明's mini-program token."""
    return bound_token(client, fake.base_url, "mp-zm", "张明", "0002")


def _code(session, meeting_id: int) -> str:  # type: ignore[no-untyped-def]
    from models.meetings.tables import Meeting

    return session.get(Meeting, meeting_id).code


def _record(session, meeting_id: int, name: str = "张明") -> Attendance | None:  # type: ignore[no-untyped-def]
    session.rollback()  # a fresh read: what the calls committed
    member_id = session.scalar(select(Member.id).where(Member.name == name))
    return session.scalar(select(Attendance).where(Attendance.meeting_id == meeting_id,
                                                   Attendance.member_id == member_id))


def _checkin(client, token, meeting_id, body):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/meetings/{meeting_id}/checkin", json=body,
                       headers=bearer(token))


def test_the_list_is_my_upcoming_meetings(client, meetings, token, session):
    answer = client.get("/api/v1/meetings", headers=bearer(token)).get_json()
    assert [m["id"] for m in answer["meetings"]] == [meetings["open"], meetings["later"]]
    assert answer["more"] is False
    first = answer["meetings"][0]
    assert first["kind_name"] == "支部党员大会" and first["place"] == "辽原村村委会二楼"
    assert first["topic"] == "学习新修订的党章" and first["host"] == "李书记"
    assert first["code"] == _code(session, meetings["open"])
    assert first["located"] is True and first["check_in_open"] is True
    assert first["can_leave"] is True and first["status"] is None
    assert first["starts_at"].endswith("+08:00")
    later = answer["meetings"][1]
    assert later["located"] is False and later["check_in_open"] is False


def test_check_in_by_code_is_chats_record(client, meetings, token, session):
    code = _code(session, meetings["open"])
    done = _checkin(client, token, meetings["open"], {"code": code})
    assert done.status_code == 200, done.get_data(as_text=True)
    body = done.get_json()
    assert body["outcome"] == "recorded" and body["method"] == "code"
    assert "签到成功" in body["message"] or "已签到" in body["message"]
    record = _record(session, meetings["open"])
    assert record is not None and record.status == AttendanceStatus.PRESENT
    assert record.method == "code"
    again = _checkin(client, token, meetings["open"], {"code": code}).get_json()
    assert again["outcome"] == "already"
    listed = client.get("/api/v1/meetings", headers=bearer(token)).get_json()["meetings"][0]
    assert listed["status"] == "present" and listed["method"] == "code"
    assert listed["can_leave"] is False


def test_a_wrong_code_stays_counted(client, meetings, token, session):
    """A wrong 签到码 is refused (409) and counted although the call is refused: after
    ten, even the right code waits, as in chat."""
    right = _code(session, meetings["open"])
    wrong = "0000" if right != "0000" else "1111"
    body = problem(_checkin(client, token, meetings["open"], {"code": wrong}), 409, "refused")
    assert body["detail"] and "MEETING_NO_SUCH_CODE" not in body["detail"]
    session.rollback()
    guards = session.scalars(select(GuessGuard).where(GuessGuard.openid == "mp-zm")).all()
    assert len(guards) == 1, "the wrong guess was rolled back with the refusal"
    for _ in range(9):
        problem(_checkin(client, token, meetings["open"], {"code": wrong}), 409, "refused")
    locked = problem(_checkin(client, token, meetings["open"], {"code": right}), 409,
                     "refused")
    assert "分钟后再试" in locked["detail"]
    assert _record(session, meetings["open"]) is None


def test_check_in_by_position(client, meetings, token, session):
    far = problem(_checkin(client, token, meetings["open"],
                           {"latitude": FAR[0], "longitude": FAR[1]}), 409, "refused")
    assert far["distance_m"] > 1000 and "辽原村村委会二楼" in far["detail"]
    assert _record(session, meetings["open"]) is None
    near = _checkin(client, token, meetings["open"], {"latitude": NEAR[0], "longitude": NEAR[1]})
    assert near.status_code == 200 and near.get_json()["method"] == "location"
    assert _record(session, meetings["open"]).method == "location"


def test_check_in_by_position_needs_the_meetings_place(client, meetings, token, clock, fake):
    clock.advance(days=2)  # the lecture, without coordinates, is open now
    token = log_in(client, fake.base_url, "mp-zm")["token"]  # the first one has expired
    body = problem(_checkin(client, token, meetings["later"],
                            {"latitude": VILLAGE[0], "longitude": VILLAGE[1]}), 409, "refused")
    assert "distance_m" not in body


def test_check_in_with_the_qr_scene(client, meetings, token, session):
    other = problem(_checkin(client, token, meetings["open"],
                             {"scene": f"meeting:{meetings['later']}"}), 409, "refused")
    assert "二维码" in other["detail"]
    done = _checkin(client, token, meetings["open"], {"scene": f"meeting:{meetings['open']}"})
    assert done.status_code == 200 and done.get_json()["method"] == "qr"
    assert _record(session, meetings["open"]).method == "qr"


def test_check_in_before_the_window_is_refused(client, meetings, token, session):
    body = problem(_checkin(client, token, meetings["later"],
                            {"scene": f"meeting:{meetings['later']}"}), 409, "refused")
    assert body["detail"]
    assert _record(session, meetings["later"]) is None


@pytest.mark.parametrize("which", ["far", "committee", "missing"])
def test_a_meeting_not_mine_is_404(client, meetings, token, which):
    meeting_id = meetings.get(which, 999_999)
    problem(_checkin(client, token, meeting_id, {"scene": f"meeting:{meeting_id}"}), 404,
            "not-found")
    problem(client.post(f"/api/v1/meetings/{meeting_id}/leave", json={"reason": "生病"},
                        headers=bearer(token)), 404, "not-found")


@pytest.mark.parametrize("payload", [
    {}, {"code": ""}, {"code": "12a4"}, {"code": 1234}, {"code": "1234", "latitude": 47.0},
    {"latitude": 47.0}, {"latitude": 91, "longitude": 0}, {"latitude": "47", "longitude": "1"},
    {"latitude": True, "longitude": 1}, {"scene": ""}, {"scene": "a\x00"}, {"other": 1},
])
def test_bad_check_in_bodies_are_400(client, meetings, token, payload, session):
    problem(_checkin(client, token, meetings["open"], payload), 400, "bad-request")
    session.rollback()
    assert session.scalars(select(GuessGuard).where(GuessGuard.openid == "mp-zm")).all() == []


def test_leave_with_a_reason(client, meetings, token, session):
    path = f"/api/v1/meetings/{meetings['later']}/leave"
    asked = client.post(path, json={"reason": "外出  务工"}, headers=bearer(token))
    assert asked.status_code == 200, asked.get_data(as_text=True)
    assert asked.get_json()["outcome"] == "recorded" and "外出 务工" in asked.get_json()["message"]
    record = _record(session, meetings["later"])
    assert record.status == AttendanceStatus.LEAVE and record.reason == "外出 务工"
    again = client.post(path, json={"reason": "外出 务工"}, headers=bearer(token)).get_json()
    assert again["outcome"] == "already"
    listed = client.get("/api/v1/meetings", headers=bearer(token)).get_json()["meetings"][1]
    assert listed["status"] == "leave" and listed["reason"] == "外出 务工"


def test_check_in_after_leave_replaces_it_and_leave_after_check_in_is_refused(
        client, meetings, token, session):
    client.post(f"/api/v1/meetings/{meetings['open']}/leave", json={"reason": "生病"},
                headers=bearer(token))
    done = _checkin(client, token, meetings["open"], {"scene": f"meeting:{meetings['open']}"})
    assert done.get_json()["outcome"] == "replaced_leave"
    body = problem(client.post(f"/api/v1/meetings/{meetings['open']}/leave",
                               json={"reason": "生病"}, headers=bearer(token)), 409, "refused")
    assert body["detail"]
    assert _record(session, meetings["open"]).status == AttendanceStatus.PRESENT


@pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": "字" * 201},
                                     {"reason": "a\nb"}, {"reason": 3}])
def test_bad_leave_bodies_are_400(client, meetings, token, payload):
    problem(client.post(f"/api/v1/meetings/{meetings['later']}/leave", json=payload,
                        headers=bearer(token)), 400, "bad-request")


def test_a_blank_reason_is_the_chats_refusal(client, meetings, token, session):
    body = problem(client.post(f"/api/v1/meetings/{meetings['later']}/leave",
                               json={"reason": "   "}, headers=bearer(token)), 409, "refused")
    assert "原因" in body["detail"]
    assert _record(session, meetings["later"]) is None


def test_my_year_shows_what_i_did(client, meetings, token, clock):
    _checkin(client, token, meetings["open"], {"scene": f"meeting:{meetings['open']}"})
    client.post(f"/api/v1/meetings/{meetings['later']}/leave", json={"reason": "外出"},
                headers=bearer(token))
    year = client.get("/api/v1/me/year", headers=bearer(token))
    assert year.status_code == 200, year.get_data(as_text=True)
    record = year.get_json()
    local = clock().astimezone(ZoneInfo("Asia/Shanghai")).year
    assert record["year"] == local
    by_id = {line["meeting_id"]: line for line in record["meetings"]}
    assert by_id[meetings["open"]]["status"] == "present"
    assert by_id[meetings["open"]]["how"] == "self" and by_id[meetings["open"]]["method"] == "qr"
    assert by_id[meetings["later"]]["status"] == "leave"
    assert [line["reason"] for line in record["leave"]] == ["外出"]
    assert record["counts"]["present"] == 1 and record["counts"]["leave"] == 1
    last = client.get(f"/api/v1/me/year?year={local - 1}", headers=bearer(token)).get_json()
    assert last["meetings"] == [] and last["counts"]["meetings"] == 0
    for bad in ("year=1999", "year=2101", "year=x", "years=2026"):
        problem(client.get(f"/api/v1/me/year?{bad}", headers=bearer(token)), 400, "bad-request")
