"""GET /api/v1/admin/stats: the numbers of the chat's 统计, as JSON, from the same
queries — a branch admin's branch; township staff's area, or one branch below them
(`?branch_id=`, like `统计 <支部名>`); 404 for a branch outside, 403 for a member.
统计 changes nothing: no audit entry, no notice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.delivery.outbox import Outbox
from tests.api_admin_support import (
    MONDAY_10,
    TUESDAY_15,
    add_people,
    call,
    entries_since,
    last_audit_id,
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
def held(client, fake, people, clock):  # type: ignore[no-untyped-def]
    """A 党员大会 of 辽原村 held on Tuesday (only the host came); the clock on Wednesday."""
    sec = token_of(client, fake.base_url, "secretary")
    meeting = call(client, sec, "POST", "/admin/meetings", {
        "kind": "branch_assembly", "starts_at": TUESDAY_15, "place": "村委会"}).get_json()
    clock.set(MONDAY_10 + timedelta(days=2))
    sec = token_of(client, fake.base_url, "secretary")
    closed = call(client, sec, "POST", f"/admin/meetings/{meeting['meeting']['id']}/close")
    assert closed.status_code == 200
    return meeting["meeting"]["id"]


def test_a_secretary_sees_the_chats_numbers(client, fake, held, session, chat, county):
    sec = token_of(client, fake.base_url, "secretary")
    since = last_audit_id(session)
    session.rollback()
    notices = session.scalars(select(Outbox.id)).all()
    answer = call(client, sec, "GET", "/admin/stats")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    stats = answer.get_json()
    assert stats["org"] is None
    branch = stats["branch"]
    assert branch["id"] == county["liaoyuan"] and branch["name"] == "辽原村党支部"
    attendance = branch["attendance"]
    assert (attendance["expected"], attendance["present"], attendance["absent"]) == (5, 1, 4)
    assert attendance["rate"] == pytest.approx(0.2)
    assembly = next(k for k in branch["kinds"] if k["kind"] == "branch_assembly")
    assert assembly["state"] == "on_track" and assembly["held"] == 1
    assert branch["reach"]["days"] == 30 and branch["open_questions"] == 0
    # the chat's 统计 says the same numbers
    reply = chat.say("o-admin", "统计")
    assert f"{stats['quarter']}出勤：应到5人次，实到1，请假0，缺席4，出勤率20%" in reply
    for kind in branch["kinds"]:
        assert kind["name"] in reply
    assert f"{assembly['name']}：{assembly['period']}已开1次" in reply
    # reading changes nothing
    assert entries_since(session, since) == []
    session.rollback()
    assert session.scalars(select(Outbox.id)).all() == notices
    # asking for one's own branch by id is the same
    own = call(client, sec, "GET", f"/admin/stats?branch_id={county['liaoyuan']}").get_json()
    assert own["branch"] == branch


def test_township_staff_see_their_area_and_its_branches(client, fake, held, people, county,
                                                        chat):
    officer = token_of(client, fake.base_url, "officer")
    area = call(client, officer, "GET", "/admin/stats").get_json()
    assert area["branch"] is None
    org = area["org"]
    assert org["id"] == people["east"] and org["name"] == "东乡党委"
    assert org["branches"] == 1 and org["branch_ids"] == [county["liaoyuan"]]
    assert org["attendance"]["expected"] == 5 and org["attendance"]["present"] == 1
    one = call(client, officer, "GET", f"/admin/stats?branch_id={county['liaoyuan']}")
    assert one.status_code == 200
    assert one.get_json()["branch"]["attendance"]["absent"] == 4
    # another township's branch, a group, a committee, nothing: not found
    for other in (county["far"], county["group"], people["west"], people["east"], 999999):
        problem(call(client, officer, "GET", f"/admin/stats?branch_id={other}"), 404,
                "not-found")


def test_scope_and_roles(client, fake, people, county):
    sec = token_of(client, fake.base_url, "secretary")
    problem(call(client, sec, "GET", f"/admin/stats?branch_id={county['far']}"), 404,
            "not-found")
    far = token_of(client, fake.base_url, "other_admin")
    assert call(client, far, "GET", "/admin/stats").get_json()["branch"]["name"] == "远山村党支部"
    problem(call(client, far, "GET", f"/admin/stats?branch_id={county['liaoyuan']}"), 404,
            "not-found")
    member = token_of(client, fake.base_url, "member")
    problem(call(client, member, "GET", "/admin/stats"), 403, "forbidden")
    problem(call(client, member, "GET", f"/admin/stats?branch_id={county['liaoyuan']}"), 403,
            "forbidden")
    for bad in ("branch_id=x", "branch_id=0", "branch_id=", "other=1"):
        problem(call(client, sec, "GET", f"/admin/stats?{bad}"), 400, "bad-request")
