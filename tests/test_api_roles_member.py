"""The role matrix over the member endpoints of /api/v1 (会议, 签到, 请假, 我的, 帮扶,
订阅通知): a member of the branch, a helper, its secretary, an admin of another branch,
township staff, a helper of another branch, a mini-program user not bound yet, no token,
an expired and a revoked token — each answered exactly 200, 401, 403, 404 or 409 as
documented, never 5xx, and every refusal as problem+json."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from bot import create_app
from bot.services import services_of
from core.subscribe_messages import MINIPROGRAM, SubscribeSpec
from core.template_messages import Keyword, TemplateSpec
from models.actors import Actor
from models.members.org_tables import Org, OrgAdmin
from models.members.tables import Member
from models.pairing.actions import make_pair
from tests.api_support import PROBLEM, bearer, bound_token, log_in
from tests.factories import make_branch, make_meeting, make_member

MEET = SubscribeSpec(MINIPROGRAM, TemplateSpec("meeting_reminder", "MP-MEET", "会议提醒", (
    Keyword("thing1", "meeting", "会议名称"),)), "pages/meetings/index")

# (method, path, body); {open} is 辽原村's meeting open for check-in now, {later} its
# meeting in two days, {helped} 刘芳, whom 王帮 helps
ENDPOINTS = [
    ("GET", "/api/v1/meetings", None),
    ("POST", "/api/v1/meetings/{later}/leave", {"reason": "外出务工"}),
    ("POST", "/api/v1/meetings/{open}/checkin", {"scene": "meeting:{open}"}),
    ("POST", "/api/v1/meetings/{later}/checkin", {"scene": "meeting:{later}"}),
    ("GET", "/api/v1/me/year", None),
    ("GET", "/api/v1/helper/members", None),
    ("POST", "/api/v1/helper/members/{helped}/relays/confirm", {}),
    ("POST", "/api/v1/helper/members/{helped}/meetings/{open}/checkin", None),
    ("POST", "/api/v1/helper/members/{helped}/meetings/{later}/leave", {"reason": "生病"}),
    ("GET", "/api/v1/subscriptions", None),
    ("POST", "/api/v1/subscriptions", {"choices": [{"template_id": "MP-MEET",
                                                     "status": "accept"}]}),
]
PATHS = [(method, path) for method, path, _ in ENDPOINTS]
ROLES = ["member", "helper", "secretary", "other_admin", "township", "other_helper", "unbound",
         "no_token", "expired", "revoked"]

MINE = {("GET", "/api/v1/meetings"): 200, ("POST", "/api/v1/meetings/{later}/leave"): 200,
        ("POST", "/api/v1/meetings/{open}/checkin"): 200,
        ("POST", "/api/v1/meetings/{later}/checkin"): 409,  # check-in not open yet
        ("GET", "/api/v1/me/year"): 200, ("GET", "/api/v1/subscriptions"): 200,
        ("POST", "/api/v1/subscriptions"): 200}
NOT_MINE = MINE | {("POST", "/api/v1/meetings/{later}/leave"): 404,
                   ("POST", "/api/v1/meetings/{open}/checkin"): 404,
                   ("POST", "/api/v1/meetings/{later}/checkin"): 404}
HELPING = {("GET", "/api/v1/helper/members"): 200,
           ("POST", "/api/v1/helper/members/{helped}/relays/confirm"): 200,
           ("POST", "/api/v1/helper/members/{helped}/meetings/{open}/checkin"): 200,
           ("POST", "/api/v1/helper/members/{helped}/meetings/{later}/leave"): 200}
NOT_HELPING = {key: 403 for key in HELPING}

# What each role gets from each endpoint, exactly.
EXPECTED = {
    "member": MINE | NOT_HELPING,
    "helper": MINE | HELPING,
    "secretary": MINE | NOT_HELPING,
    "other_admin": NOT_MINE | NOT_HELPING,
    "township": NOT_MINE | NOT_HELPING,
    # a helper, but not 刘芳's: her paths are 404 (the list itself is theirs: 200)
    "other_helper": NOT_MINE | {key: 404 for key in HELPING}
    | {("GET", "/api/v1/helper/members"): 200},
    "unbound": dict.fromkeys(PATHS, 403),
    "no_token": dict.fromkeys(PATHS, 401),
    "expired": dict.fromkeys(PATHS, 401),
    "revoked": dict.fromkeys(PATHS, 401),
}


@pytest.fixture
def app(api_settings, clock) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The app, its WeChat API the fake, a mini-program template offered."""
    settings = api_settings.with_overrides(configured_subscriptions={
        "meeting_reminder": (MEET,)})
    app = create_app(settings, clock=clock)
    yield app
    services_of(app).dispose()


@pytest.fixture
def world(session, county, clock) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """王帮 (辽原村) helps 刘芳; 赵远 is 远山村's admin and 孙帮 helps 远山村's 钱大爷; 乡干部
    administers 东乡党委 (from its own branch); two meetings of 辽原村."""
    now = clock()
    liaoyuan, far = session.get(Org, county["liaoyuan"]), session.get(Org, county["far"])
    east = session.get(Org, liaoyuan.parent_id)
    helper = make_member(session, liaoyuan, "王帮", "13800000008", openid="o-wb",
                         is_helper=True)
    lf = session.get(Member, _id(session, "刘芳"))
    make_pair(session, Actor.cli("test"), helper, lf, now, 3)
    session.get(Member, _id(session, "赵远")).is_admin = True
    far_helper = make_member(session, far, "孙帮", "13800000009", openid="o-sb",
                             is_helper=True)
    make_pair(session, Actor.cli("test"), far_helper,
              make_member(session, far, "钱大爷", None, needs_help="无手机"), now, 3)
    office = make_branch(session, "东乡机关党支部", east)
    staff = make_member(session, office, "乡干部", "13800000010", openid="o-staff")
    session.add(OrgAdmin(org_id=east.id, member_id=staff.id))
    ids = {"open": make_meeting(session, liaoyuan, now + timedelta(minutes=30)).id,
           "later": make_meeting(session, liaoyuan, now + timedelta(days=2)).id,
           "helped": lf.id}
    session.commit()
    return ids


def _id(session, name: str) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    found = session.scalar(select(Member.id).where(Member.name == name))
    assert found is not None
    return int(found)


def _token(role: str, client, fake, clock) -> str | None:  # type: ignore[no-untyped-def]
    base = fake.base_url
    people = {"member": ("张明", "0002"), "helper": ("王帮", "0008"),
              "secretary": ("李书记", "0001"), "other_admin": ("赵远", "0004"),
              "township": ("乡干部", "0010"), "other_helper": ("孙帮", "0009")}
    if role == "no_token":
        return None
    if role in people:
        return bound_token(client, base, f"mp-{role}", *people[role])
    if role == "unbound":
        return str(log_in(client, base, "mp-stranger")["token"])
    token = bound_token(client, base, f"mp-{role}", "刘芳", "0003")
    if role == "expired":
        clock.advance(hours=2)
    else:
        assert client.post("/api/v1/logout", headers=bearer(token)).status_code == 200
    return token


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role, client, fake, world, clock):
    now = clock()
    seen = {}
    for method, path, body in ENDPOINTS:
        token = _token(role, client, fake, clock)
        headers = bearer(token) if token else {}
        payload = body
        if body is not None and "scene" in body:
            payload = {"scene": body["scene"].format(**world)}
        response = client.open(path.format(**world), method=method, json=payload,
                               headers=headers)
        assert response.status_code < 500, response.get_data(as_text=True)
        if response.status_code >= 400:
            assert response.mimetype == PROBLEM
            assert response.get_json()["status"] == response.status_code
        else:
            assert response.mimetype == "application/json"
        seen[(method, path)] = response.status_code
        clock.set(now)  # an expired role moved the clock: back for the next one
    assert seen == EXPECTED[role]
