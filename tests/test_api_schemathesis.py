"""schemathesis over the whole generated OpenAPI document (GET /api/v1/openapi.json),
against the app itself (WSGI), with a real token of a bound member: valid and invalid
requests to every operation; no 5xx, and every status, header, content type and body as
the document says (schemathesis' default checks). Runs on SQLite and, with
PARTYBOT_TEST_DATABASE_URL, on PostgreSQL.

schemathesis' pytest plugin does not run under pytest 9 (it sets a node attribute pytest
no longer has), so the test drives its hypothesis strategies itself: per operation,
positive and negative cases, a few dozen each. Random item ids and login codes are
mostly refused (404, 401); so that the successful answers are checked against the
document too, each valid case is sent once more with a real item id or a real wx.login
code from the fake.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.actors import Actor
from models.members.org_tables import Org
from models.members.tables import Member
from models.pairing.actions import make_pair
from tests.api_support import bearer, bound_token, make_item, wx_login
from tests.factories import make_meeting

EXAMPLES = 30  # per operation and mode: the whole run stays well under a minute
# the branch admins' endpoints: called with the branch secretary's token
ADMIN_LABELS = {"POST /api/v1/admin/meetings", "POST /api/v1/admin/meetings/{meeting_id}/change",
                "POST /api/v1/admin/meetings/{meeting_id}/cancel",
                "POST /api/v1/admin/meetings/{meeting_id}/close",
                "POST /api/v1/admin/meetings/{meeting_id}/backfill", "POST /api/v1/admin/study",
                "POST /api/v1/admin/study/{item_id}/push",
                "POST /api/v1/admin/study/{item_id}/withdraw", "GET /api/v1/admin/stats"}


@pytest.fixture
def app(api_settings, clock) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The app, its WeChat API the fake; no rate limit in the way of the fuzzing."""
    app = create_app(api_settings.with_overrides(api_rate_per_minute=10**9), clock=clock)
    yield app
    services_of(app).dispose()


@pytest.fixture
def world(client, fake, county, session, clock) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """张明 bound in the mini-program, and an item of his branch he has studied; a
    meeting of his branch open for check-in; 张明 helps 刘芳."""
    item = make_item(session, county["liaoyuan"], "今天的学习", clock() - timedelta(minutes=5))
    meeting = make_meeting(session, session.get(Org, county["liaoyuan"]),
                           clock() + timedelta(minutes=30))
    zm, lf = (session.scalar(select(Member).where(Member.name == name))
              for name in ("张明", "刘芳"))
    make_pair(session, Actor.cli("test"), zm, lf, clock(), 3)
    session.commit()
    token = bound_token(client, fake.base_url, "mp-zm", "张明", "0002")
    assert client.post(f"/api/v1/study/{item.id}/done", headers=bearer(token)).status_code == 200
    planned = make_meeting(session, session.get(Org, county["liaoyuan"]),
                           clock() + timedelta(days=1), created=clock())
    session.commit()
    secretary = bound_token(client, fake.base_url, "mp-sec", "李书记", "0001")
    return {"token": token, "item": item.id, "meeting": meeting.id, "helped": lf.id,
            "secretary": secretary, "planned": planned.id}


def _operations(app: Flask) -> list[Any]:
    document = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in document.get_all_operations()]


def test_every_operation_is_covered(app):
    labels = {op.label for op in _operations(app)}
    assert labels - ADMIN_LABELS == {"POST /api/v1/login", "POST /api/v1/bind", "GET /api/v1/me",
                      "POST /api/v1/logout", "GET /api/v1/study", "GET /api/v1/study/{item_id}",
                      "POST /api/v1/study/{item_id}/done",
                      "POST /api/v1/study/{item_id}/feedback",
                      "GET /api/v1/meetings", "POST /api/v1/meetings/{meeting_id}/checkin",
                      "POST /api/v1/meetings/{meeting_id}/leave", "GET /api/v1/me/year",
                      "GET /api/v1/helper/members",
                      "POST /api/v1/helper/members/{member_id}/relays/confirm",
                      "POST /api/v1/helper/members/{member_id}/meetings/{meeting_id}/checkin",
                      "POST /api/v1/helper/members/{member_id}/meetings/{meeting_id}/leave",
                      "GET /api/v1/subscriptions", "POST /api/v1/subscriptions",
                      "POST /api/v1/study/{item_id}/feedback/photo"}
    assert labels >= ADMIN_LABELS


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_its_document(app, client, fake, world, mode):
    for operation in _operations(app):
        _fuzz(operation, mode, client, fake, world)


def _fuzz(operation: Any, mode: GenerationMode, client: Any, fake: Any,
          world: dict[str, Any]) -> None:
    def headers() -> dict[str, str]:
        if operation.path.endswith("/logout"):  # it ends the token: a fresh one
            return bearer(bound_token(client, fake.base_url, "mp-zm", "张明", "0002"))
        if operation.path.startswith("/api/v1/admin/"):
            return bearer(world["secretary"])
        return bearer(world["token"])

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers())
        if not mode.is_positive:
            return
        admin = operation.path.startswith("/api/v1/admin/")
        real = {"item_id": world["item"],
                "meeting_id": world["planned"] if admin else world["meeting"],
                "member_id": world["helped"]}
        if set(case.path_parameters or {}) & set(real):
            case.path_parameters.update({name: real[name] for name in case.path_parameters
                                         if name in real})
            case.call_and_validate(headers=headers())
        elif "meeting_id" in (case.path_parameters or {}):
            case.path_parameters["meeting_id"] = world["meeting"]
            case.call_and_validate(headers=headers())
        elif operation.path.endswith("/login") and isinstance(case.body, dict):
            case.body = {"code": wx_login(fake.base_url, "mp-fuzz")}
            case.call_and_validate()

    run()
