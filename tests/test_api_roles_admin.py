"""The role matrix over the branch admins' endpoints (/api/v1/admin/...), as chat decides
roles: a plain member, a helper, the branch's secretary, the secretary of another branch,
township staff over the branch and over another township, a mini-program user not bound
yet, no token, an expired and a revoked token — each answered exactly as documented, never
5xx, every refusal problem+json. Meetings are the branch admin's (chat's Role.ADMIN);
发布 / 推送 / 撤回 and 统计 are also township staff's (Role.ANY_ADMIN), each within their
own org: anything outside is 404, not 403."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.meetings.rules import close_meeting
from models.members.org_tables import Org
from models.members.tables import Member
from models.study.tables import StudyItem
from tests.api_admin_support import MONDAY_10, TUESDAY_15, add_people, token_of, unbound_token
from tests.api_support import PROBLEM, bearer, bound_token
from tests.factories import make_meeting

# (method, path, body); {meeting}, {started}, {held}, {item}, {item2}, {branch}, {member}:
# 辽原村's planned meeting, one under way, one held, two items, its id, 张明
ENDPOINTS = [
    ("POST", "/api/v1/admin/meetings",
     {"kind": "party_lecture", "starts_at": TUESDAY_15, "place": "村委会"}),
    ("POST", "/api/v1/admin/meetings/{meeting}/change", {"place": "党员活动室"}),
    ("POST", "/api/v1/admin/meetings/{meeting2}/cancel", None),
    ("POST", "/api/v1/admin/meetings/{started}/close", None),
    ("POST", "/api/v1/admin/meetings/{held}/backfill", {"member_id": "{member}",
                                                       "status": "present"}),
    ("POST", "/api/v1/admin/study", {"title": "学习党章", "body": "第一章"}),
    ("POST", "/api/v1/admin/study/{item}/push", None),
    ("POST", "/api/v1/admin/study/{item2}/withdraw", None),
    ("GET", "/api/v1/admin/stats", None),
    ("GET", "/api/v1/admin/stats?branch_id={branch}", None),
]
PATHS = [path for _, path, _ in ENDPOINTS]
MEETINGS, STUDY, STATS = PATHS[:5], PATHS[5:8], PATHS[8:]
ROLES = ["member", "helper", "secretary", "other_admin", "officer", "far_officer", "unbound",
         "no_token", "expired", "revoked"]


def _all(status: int) -> dict[str, int]:
    return dict.fromkeys(PATHS, status)


# What each role gets from each endpoint, exactly.
EXPECTED = {
    "member": _all(403),
    "helper": _all(403),
    "secretary": _all(200),
    # their own branch: scheduling, posting and its 统计 work; 辽原村's things are not there
    "other_admin": _all(404) | {PATHS[0]: 200, PATHS[5]: 200, PATHS[8]: 200},
    # township staff: no meetings (chat's 新建会议 is a branch admin's); they post to the
    # township, and see their area and the branches in it
    "officer": dict.fromkeys(MEETINGS, 403) | {PATHS[5]: 200, PATHS[6]: 404, PATHS[7]: 404}
    | dict.fromkeys(STATS, 200),
    "far_officer": dict.fromkeys(MEETINGS, 403) | {PATHS[5]: 200, PATHS[6]: 404,
                                                   PATHS[7]: 404, PATHS[8]: 200,
                                                   PATHS[9]: 404},
    "unbound": _all(403),
    "no_token": _all(401),
    "expired": _all(401),
    "revoked": _all(401),
}


@pytest.fixture
def app(api_settings, clock) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The app, its WeChat API the fake, the clock on a Monday morning."""
    clock.set(MONDAY_10)
    app = create_app(api_settings, clock=clock)
    yield app
    services_of(app).dispose()


def _world(session, county) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """辽原村's meetings (planned ×2, under way, held) and items (not pushed yet)."""
    branch = session.get_one(Org, county["liaoyuan"])
    now = MONDAY_10
    planned = make_meeting(session, branch, now + timedelta(days=1, hours=5), created=now)
    planned2 = make_meeting(session, branch, now + timedelta(days=1, hours=5),
                            kind="theme_day", created=now)
    started = make_meeting(session, branch, now - timedelta(minutes=30), kind="group_meeting",
                           created=now - timedelta(days=1))
    held = make_meeting(session, branch, now - timedelta(days=1), kind="committee_meeting",
                        created=now - timedelta(days=2))
    close_meeting(session, held, now - timedelta(hours=20))
    items = [StudyItem(org_id=branch.id, title=title, body="正文",
                       content_hash=title.ljust(64, "x"), publish_at=now, push_at=now
                       + timedelta(hours=22)) for title in ("待推送", "待撤回")]
    session.add_all(items)
    session.commit()
    member = session.scalars(select(Member.id).where(Member.name == "张明")).one()
    return {"meeting": planned.id, "meeting2": planned2.id, "started": started.id,
            "held": held.id, "item": items[0].id, "item2": items[1].id,
            "branch": branch.id, "member": member}


def _token(role: str, client, fake, clock) -> str | None:  # type: ignore[no-untyped-def]
    if role == "no_token":
        return None
    if role == "unbound":
        return unbound_token(client, fake.base_url)
    if role in ("expired", "revoked"):
        token = bound_token(client, fake.base_url, "mp-sec", "李书记", "0001")
        if role == "expired":
            clock.advance(hours=2)
        else:
            assert client.post("/api/v1/logout", headers=bearer(token)).status_code == 200
        return token
    return token_of(client, fake.base_url, role)


def _fill(value, world):  # type: ignore[no-untyped-def]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return world[value[1:-1]]
    return value


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role, client, fake, county, session, clock):
    add_people(session, county)
    world = _world(session, county)
    seen = {}
    for method, path, body in ENDPOINTS:
        token = _token(role, client, fake, clock)  # fresh: logout ends it
        headers = bearer(token) if token else {}
        payload = {k: _fill(v, world) for k, v in body.items()} if body else None
        response = client.open(path.format(**world), method=method, json=payload,
                               headers=headers)
        assert response.status_code < 500, response.get_data(as_text=True)
        if response.status_code >= 400:
            assert response.mimetype == PROBLEM
            problem = response.get_json()
            assert problem["status"] == response.status_code
            if response.status_code == 403:
                assert problem["type"].endswith("not-bound" if role == "unbound"
                                                else "forbidden")
        else:
            assert response.mimetype == "application/json"
        seen[path] = response.status_code
        clock.set(MONDAY_10)  # an expired role moved the clock: back for the next one
    assert seen == EXPECTED[role]
