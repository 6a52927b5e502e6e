"""帮扶 in the mini-program: GET /api/v1/helper/members (the helper page's view), and
POST /helper/members/<id>/relays/confirm (one relay or all: chat's 帮学 … 完成),
/meetings/<id>/checkin (代签) and /leave (代请假) — the chat's own actions with the
API as the audited surface; a non-helper gets 403, another helper's member a 404 that
changes nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.actors import Actor, Surface
from models.console.audit import AuditEntry
from models.delivery.outbox import ChannelPolicy
from models.meetings.tables import Attendance
from models.pairing.actions import make_pair
from models.pairing.relays import Relay
from models.study.posting import Draft, publish
from models.study.tables import StudyRecord
from schedules.study import push_due_items
from tests.api_support import bearer, bound_token, log_in, problem
from tests.factories import make_branch, make_meeting, make_member, make_township

JUNE = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)  # local 10:00


@pytest.fixture
def app(api_settings, clock) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """辽原村: 王帮扶 helps 赵大爷 (老式手机) and 孙奶奶 (无手机); 吴丽 helps 钱婆婆;
    张明 is a plain member. A study item pushed today (relays for the offline members),
    a branch assembly at 12:00 today; 远山村's meeting at 12:00 too."""
    clock.set(JUNE)
    app = create_app(api_settings, clock=clock)
    services = services_of(app)
    with services.sessions() as session:
        township = make_township(session, "东乡党委")
        branch = make_branch(session, "辽原村党支部", township)
        far = make_branch(session, "远山村党支部", township)
        people = {
            "helper": make_member(session, branch, "王帮扶", "13800000002", openid="o-helper",
                                  is_helper=True),
            "other": make_member(session, branch, "吴丽", "13800000003", openid="o-other",
                                 is_helper=True),
            "old": make_member(session, branch, "赵大爷", "13800000005", needs_help="老式手机",
                               needs_help_note="老人机，看不了文章"),
            "nophone": make_member(session, branch, "孙奶奶", None, needs_help="无手机"),
            "hers": make_member(session, branch, "钱婆婆", "13800000007", needs_help="行动不便"),
            "plain": make_member(session, branch, "张明", "13800000006", openid="o-zm"),
        }
        for helper, member in (("helper", "old"), ("helper", "nophone"), ("other", "hers")):
            make_pair(session, Actor.cli("test"), people[helper], people[member], JUNE, 3)
        publish(session, branch.id, Draft("学习四中全会精神", "第一段。\n第二段。"), None,
                JUNE, JUNE)
        ids = {key: member.id for key, member in people.items()}
        ids["meeting"] = make_meeting(session, branch, JUNE + timedelta(hours=2), created=JUNE,
                                      place="村委会二楼", topic="民主评议").id
        ids["far"] = make_meeting(session, far, JUNE + timedelta(hours=2), created=JUNE,
                                  place="远山村会议室").id
        session.commit()
    push_due_items(dataclasses.replace(services, outbox=ChannelPolicy({"x": "y"})))
    app.config["IDS"] = ids
    yield app
    services.dispose()


@pytest.fixture
def ids(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return dict(app.config["IDS"])


@pytest.fixture
def token(client, fake, ids) -> str:  # type: ignore[no-untyped-def]
    """王帮扶's mini-program token."""
    return bound_token(client, fake.base_url, "mp-helper", "王帮扶", "0002")


def _relays(session, member_id: int) -> list[Relay]:  # type: ignore[no-untyped-def]
    session.rollback()  # a fresh read: what the calls committed
    return list(session.scalars(select(Relay).where(Relay.member_id == member_id)
                                .order_by(Relay.id)))


def _path(ids: dict[str, int], member: str, tail: str) -> str:
    return f"/api/v1/helper/members/{ids[member]}/{tail}"


def test_my_members_and_what_waits(client, token, ids):
    answer = client.get("/api/v1/helper/members", headers=bearer(token))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    view = answer.get_json()
    assert [m["name"] for m in view["members"]] == ["赵大爷", "孙奶奶"]
    assert view["waiting"] == 2
    old = view["members"][0]
    assert old["needs_help"] == "老式手机" and old["needs_help_note"] == "老人机，看不了文章"
    assert old["phone_tail"] == "0005" and old["has_wechat"] is False
    [relay] = old["relays"]
    assert relay["kind"] == "study_push" and "学习四中全会精神" in relay["text"]
    assert old["study_to_confirm"]["title"] == "学习四中全会精神"
    [meeting] = old["meetings"]
    assert meeting["id"] == ids["meeting"] and meeting["place"] == "村委会二楼"
    assert meeting["check_in_open"] is False and meeting["can_leave"] is True
    assert meeting["status"] is None and meeting["starts_at"].startswith("2026-06-15T12:00")


def test_a_non_helper_gets_403_and_changes_nothing(client, fake, ids, session):
    plain = bound_token(client, fake.base_url, "mp-zm", "张明", "0006")
    body = problem(client.get("/api/v1/helper/members", headers=bearer(plain)), 403,
                   "not-helper")
    assert "帮扶人" in body["detail"]
    for tail, payload in (("relays/confirm", {}),
                          (f"meetings/{ids['meeting']}/checkin", None),
                          (f"meetings/{ids['meeting']}/leave", {"reason": "病了"})):
        problem(client.post(_path(ids, "old", tail), json=payload, headers=bearer(plain)), 403,
                "not-helper")
    assert all(r.confirmed_at is None for r in _relays(session, ids["old"]))


def test_another_helpers_member_is_a_404_that_changes_nothing(client, token, ids, session,
                                                              clock):
    clock.advance(hours=1, minutes=30)  # check-in open
    [hers] = _relays(session, ids["hers"])
    for member in ("hers", "plain", "helper"):
        for tail, payload in (("relays/confirm", {}), ("relays/confirm", {"relay_id": hers.id}),
                              (f"meetings/{ids['meeting']}/checkin", None),
                              (f"meetings/{ids['meeting']}/leave", {"reason": "病了"})):
            problem(client.post(_path(ids, member, tail), json=payload, headers=bearer(token)),
                    404, "not-found")
    problem(client.post("/api/v1/helper/members/999999/relays/confirm", json={},
                        headers=bearer(token)), 404, "not-found")
    # her relay through one of my members: refused with the chat's sentence
    gone = problem(client.post(_path(ids, "old", "relays/confirm"), json={"relay_id": hers.id},
                               headers=bearer(token)), 409, "refused")
    assert "不在待转达的列表" in gone["detail"]
    # another branch's meeting for my member: not theirs
    problem(client.post(_path(ids, "old", f"meetings/{ids['far']}/checkin"),
                        headers=bearer(token)), 404, "not-found")
    assert _relays(session, ids["hers"])[0].confirmed_at is None
    assert session.scalars(select(Attendance)).all() == []
    assert session.scalars(select(AuditEntry).where(
        AuditEntry.action.in_(["relay.confirm", "attendance.check_in"]))).all() == []


def test_confirm_one_relay_then_all(client, token, ids, session):
    [old_relay] = _relays(session, ids["old"])
    one = client.post(_path(ids, "old", "relays/confirm"), json={"relay_id": old_relay.id},
                      headers=bearer(token))
    assert one.status_code == 200, one.get_data(as_text=True)
    body = one.get_json()
    assert body["anything"] is True and body["studied"]["title"] == "学习四中全会精神"
    assert "赵大爷" in body["message"]
    again = client.post(_path(ids, "old", "relays/confirm"), json={"relay_id": old_relay.id},
                        headers=bearer(token)).get_json()
    assert again["anything"] is False and "已经记录为转达过" in again["message"]
    everything = client.post(_path(ids, "nophone", "relays/confirm"), json={},
                             headers=bearer(token)).get_json()
    assert everything["anything"] is True and "孙奶奶" in everything["message"]
    nothing = client.post(_path(ids, "nophone", "relays/confirm"), json={},
                          headers=bearer(token)).get_json()
    assert nothing["anything"] is False and "没有需要转达" in nothing["message"]
    assert all(r.confirmed_at is not None for r in _relays(session, ids["nophone"]))
    records = {(r.member_id, r.via, r.helper_id) for r in session.scalars(select(StudyRecord))}
    assert records == {(ids["old"], "helper", ids["helper"]),
                       (ids["nophone"], "helper", ids["helper"])}
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "relay.confirm"))
    assert {(e.target, e.surface) for e in entries} == {("赵大爷", Surface.API),
                                                       ("孙奶奶", Surface.API)}
    view = client.get("/api/v1/helper/members", headers=bearer(token)).get_json()
    assert view["waiting"] == 0


def test_proxy_check_in_and_leave(client, token, ids, session, clock, fake):
    meeting = ids["meeting"]
    early = problem(client.post(_path(ids, "old", f"meetings/{meeting}/checkin"),
                                headers=bearer(token)), 409, "refused")
    assert early["detail"]
    leave = client.post(_path(ids, "nophone", f"meetings/{meeting}/leave"),
                        json={"reason": "腿脚 不便"}, headers=bearer(token))
    assert leave.status_code == 200, leave.get_data(as_text=True)
    assert leave.get_json()["outcome"] == "recorded"
    assert "已替孙奶奶请假" in leave.get_json()["message"]
    again = client.post(_path(ids, "nophone", f"meetings/{meeting}/leave"),
                        json={"reason": "腿脚 不便"}, headers=bearer(token)).get_json()
    assert again["outcome"] == "already"
    clock.advance(hours=1, minutes=30)  # 11:30: check-in open
    token = str(log_in(client, fake.base_url, "mp-helper")["token"])
    done = client.post(_path(ids, "old", f"meetings/{meeting}/checkin"), headers=bearer(token))
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["outcome"] == "recorded" and done.get_json()["method"] == "helper"
    assert "已替赵大爷签到" in done.get_json()["message"]
    twice = client.post(_path(ids, "old", f"meetings/{meeting}/checkin"),
                        headers=bearer(token)).get_json()
    assert twice["outcome"] == "already"
    refused = problem(client.post(_path(ids, "old", f"meetings/{meeting}/leave"),
                                  json={"reason": "病了"}, headers=bearer(token)), 409, "refused")
    assert refused["detail"]
    session.rollback()
    rows = {(a.member_id, a.status, a.method, a.recorded_by)
            for a in session.scalars(select(Attendance))}
    assert rows == {(ids["old"], "present", "helper", ids["helper"]),
                    (ids["nophone"], "leave", "helper", ids["helper"])}
    assert {e.action for e in session.scalars(select(AuditEntry).where(
        AuditEntry.surface == Surface.API, AuditEntry.action.startswith("attendance.")))} \
        == {"attendance.check_in", "attendance.leave"}
    view = client.get("/api/v1/helper/members", headers=bearer(token)).get_json()
    [shown] = view["members"][0]["meetings"]
    assert shown["status"] == "present" and shown["recorded_by"] == "王帮扶"
    assert shown["check_in_open"] is False and shown["can_leave"] is False


@pytest.mark.parametrize("payload", [None, [], {"relay_id": 0}, {"relay_id": "1"},
                                     {"relay_id": 1.5}, {"other": 1}])
def test_bad_confirm_bodies_are_400(client, token, ids, payload, session):
    problem(client.post(_path(ids, "old", "relays/confirm"), json=payload,
                        headers=bearer(token)), 400, "bad-request")
    assert _relays(session, ids["old"])[0].confirmed_at is None
