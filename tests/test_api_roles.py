"""The role matrix over every /api/v1 endpoint: a member of the branch, a helper, its
secretary, a member of another branch, a mini-program user not bound yet, no token, an
expired and a revoked token — each answered exactly 200, 401, 403, 404 or 409 as
documented, never 5xx, and every refusal as problem+json."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from bot import create_app
from bot.services import services_of
from models.members.org_tables import Org
from tests.api_support import PROBLEM, bearer, bound_token, log_in, make_item
from tests.factories import make_member

# (method, path, body); {item} is an item of 辽原村 that its members have studied
ENDPOINTS = [
    ("GET", "/api/v1/me", None),
    ("GET", "/api/v1/study", None),
    ("GET", "/api/v1/study/{item}", None),
    ("POST", "/api/v1/study/{item}/done", None),
    ("POST", "/api/v1/study/{item}/feedback", {"text": "学到了"}),
    ("POST", "/api/v1/bind", {"name": "张明", "phone_tail": "0002"}),
    ("POST", "/api/v1/logout", None),
]
ROLES = ["member", "helper", "secretary", "other_branch", "unbound", "no_token", "expired",
         "revoked"]

# What each role gets from each endpoint (by path), exactly.
EXPECTED = {
    "member": dict.fromkeys(p for _, p, _ in ENDPOINTS) | {"/api/v1/bind": 200},
    "helper": dict.fromkeys(p for _, p, _ in ENDPOINTS) | {"/api/v1/bind": 409},
    "secretary": dict.fromkeys(p for _, p, _ in ENDPOINTS) | {"/api/v1/bind": 409},
    "other_branch": {"/api/v1/me": 200, "/api/v1/study": 200, "/api/v1/study/{item}": 404,
                     "/api/v1/study/{item}/done": 404, "/api/v1/study/{item}/feedback": 404,
                     "/api/v1/bind": 409, "/api/v1/logout": 200},
    "unbound": {"/api/v1/me": 403, "/api/v1/study": 403, "/api/v1/study/{item}": 403,
                "/api/v1/study/{item}/done": 403, "/api/v1/study/{item}/feedback": 403,
                "/api/v1/bind": 409, "/api/v1/logout": 200},
    "no_token": dict.fromkeys((p for _, p, _ in ENDPOINTS), 401),
    "expired": dict.fromkeys((p for _, p, _ in ENDPOINTS), 401),
    "revoked": dict.fromkeys((p for _, p, _ in ENDPOINTS), 401),
}
for _role in ("member", "helper", "secretary"):
    EXPECTED[_role] = {p: (s if s is not None else 200) for p, s in EXPECTED[_role].items()}


@pytest.fixture
def app(api_settings, clock) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The app, its WeChat API the fake."""
    app = create_app(api_settings, clock=clock)
    yield app
    services_of(app).dispose()


def _token(role: str, client, fake, clock) -> str | None:  # type: ignore[no-untyped-def]
    base = fake.base_url
    if role == "no_token":
        return None
    if role == "member":
        return bound_token(client, base, "mp-zm", "张明", "0002")
    if role == "helper":
        return bound_token(client, base, "mp-helper", "王帮", "0008")
    if role == "secretary":
        return bound_token(client, base, "mp-sec", "李书记", "0001")
    if role == "other_branch":
        return bound_token(client, base, "mp-zy", "赵远", "0004")
    if role == "unbound":
        # bound to nobody; the bind attempt in the matrix names a member bound elsewhere
        bound_token(client, base, "mp-zm-phone", "张明", "0002")
        return str(log_in(client, base, "mp-stranger")["token"])
    token = bound_token(client, base, f"mp-{role}", "刘芳", "0003")
    if role == "expired":
        clock.advance(hours=2)
    else:
        assert client.post("/api/v1/logout", headers=bearer(token)).status_code == 200
    return token


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role, client, fake, county, session, clock):
    now = clock()
    item = make_item(session, county["liaoyuan"], "今天的学习", now - timedelta(minutes=5)).id
    make_member(session, session.get(Org, county["liaoyuan"]), "王帮", "13800000008",
                is_helper=True)
    session.commit()
    seen = {}
    for method, path, body in ENDPOINTS:
        token = _token(role, client, fake, clock)  # fresh: logout ends it
        if role in ("member", "helper", "secretary") and "feedback" in path:
            client.post(f"/api/v1/study/{item}/done", headers=bearer(token or ""))
        headers = bearer(token) if token else {}
        response = client.open(path.format(item=item), method=method, json=body,
                               headers=headers)
        assert response.status_code < 500
        if response.status_code >= 400:
            assert response.mimetype == PROBLEM
            assert response.get_json()["status"] == response.status_code
        else:
            assert response.mimetype == "application/json"
        seen[path] = response.status_code
        clock.set(now)  # an expired role moved the clock: back for the next one
    assert seen == EXPECTED[role]
