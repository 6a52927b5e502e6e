"""Photos through the mini-program API: an item's kept photos come as signed links an
`<image>` can load without the token (and nobody can stretch or forge), and a 心得 photo
goes up as wx.uploadFile sends it — the pages' action, quotas and refusals."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.console.audit import AuditEntry
from models.db.stored_files import FEEDBACK, StoredFile
from models.study.tables import StudyFeedback, StudyItem
from tests.api_support import bearer, bound_token, problem
from tests.test_pages_study import picture, post_item


@pytest.fixture
def app(api_settings, clock) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    app = create_app(api_settings, clock=clock)
    yield app
    services_of(app).dispose()


@pytest.fixture
def item(app, session, county, clock):  # type: ignore[no-untyped-def]
    """Today's item of 辽原村 with two photos kept in partybot's storage."""
    made = post_item(session, county["liaoyuan"], "今天的学习", clock() - timedelta(minutes=5),
                     photos=(picture("darkred"), picture("navy")),
                     root=services_of(app).settings.instance_path)
    session.commit()
    return made.id


@pytest.fixture
def token(client, fake, county):  # type: ignore[no-untyped-def]
    return bound_token(client, fake.base_url, "mp-zm", "张明", "0002")


def links_of(client, item: int, token: str) -> list[str]:  # type: ignore[no-untyped-def]
    answer = client.get(f"/api/v1/study/{item}", headers=bearer(token))
    assert answer.status_code == 200
    return [image["url"] for image in answer.get_json()["images"]]


def test_kept_photos_are_signed_links_that_need_no_token(client, item, token):
    links = links_of(client, item, token)
    assert len(links) == 2 and all("/api/v1/photos/" in link for link in links)
    for link in links:
        got = client.get(link)  # no Authorization: an <image> cannot send it
        assert got.status_code == 200 and got.mimetype == "image/png"
        assert got.data.startswith(b"\x89PNG")


def test_a_forged_stretched_or_foreign_link_is_404(client, item, token):
    link = urlsplit(links_of(client, item, token)[0])
    query = {key: values[0] for key, values in parse_qs(link.query).items()}
    later = str(int(query["e"]) + 3600)
    for bad in (f"e={later}&s={query['s']}",  # a longer life than was signed
                f"e={query['e']}&s={'0' * 64}",  # a made-up signature
                f"e=1&s={query['s']}", "e=x&s=y", ""):
        assert client.get(f"{link.path}?{bad}").status_code == 404, bad
    other = link.path.replace(f"/photos/{item}/", f"/photos/{item + 1}/")
    assert client.get(f"{other}?{link.query}").status_code == 404


def test_an_expired_link_or_a_withdrawn_items_photo_is_404(client, item, token, session,
                                                          monkeypatch, clock):
    link = links_of(client, item, token)[0]
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 3 * 3600)
    assert client.get(link).status_code == 404
    monkeypatch.setattr(time, "time", lambda: now)
    assert client.get(link).status_code == 200
    session.get(StudyItem, item).withdrawn_at = clock()
    session.commit()
    assert client.get(link).status_code == 404


def upload(client, item: int, token: str | None, data: bytes,  # type: ignore[no-untyped-def]
           field: str = "photo"):
    headers = bearer(token) if token else {}
    return client.post(f"/api/v1/study/{item}/feedback/photo", headers=headers,
                       data={field: (io.BytesIO(data), "wx-upload.png")},
                       content_type="multipart/form-data")


def test_a_feedback_photo_goes_up_as_wx_upload_file_sends_it(client, item, token, session):
    refused = problem(upload(client, item, token, picture("olive")), 409, "refused")
    assert "已学" in refused["detail"]
    assert client.post(f"/api/v1/study/{item}/done", headers=bearer(token)).status_code == 200
    saved = upload(client, item, token, picture("olive", (2400, 1600)))
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json() == {"item_id": item, "pieces": 1}
    assert session.scalars(select(StudyFeedback.kind)).all() == ["image"]
    stored = session.scalars(select(StoredFile).where(StoredFile.owner == FEEDBACK)).one()
    assert stored.org_id is not None
    # a member's own 心得 is its own trace, not an audit entry (as in chat and on the pages)
    assert session.scalars(select(AuditEntry).where(
        AuditEntry.action == "study.feedback")).all() == []


def test_a_bad_upload_is_refused_with_a_sentence(client, item, token, session):
    client.post(f"/api/v1/study/{item}/done", headers=bearer(token))
    not_a_photo = problem(upload(client, item, token, b"%PDF-1.4 not a photo"), 409, "refused")
    assert "照片" in not_a_photo["detail"]
    missing = problem(upload(client, item, token, picture("olive"), field="file"), 400,
                      "bad-request")
    assert "photo" in missing["detail"]
    assert session.scalars(select(StudyFeedback)).all() == []


def test_a_large_body_needs_a_live_token(client, item, token):
    """Without a live token the body is never read: 401 before it, as for any call."""
    big = picture("olive", (2400, 1600)) + b"\0" * (200 * 1024)
    problem(upload(client, item, None, big), 401, "token-missing")
    problem(upload(client, item, "not-a-token", big), 401, "token-invalid")
    client.post(f"/api/v1/study/{item}/done", headers=bearer(token))
    assert upload(client, item, token, big).status_code in (200, 409)


@pytest.mark.parametrize("role,expected", [
    ("member", 200), ("other_branch", 404), ("unbound", 403), ("no_token", 401),
    ("expired", 401), ("revoked", 401)])
def test_the_photo_upload_by_role(role, expected, client, fake, item, clock):
    """The role matrix (tests/test_api_roles.py) for the one multipart endpoint."""
    from tests.test_api_roles import _token

    token = _token(role, client, fake, clock)
    if role == "member":
        client.post(f"/api/v1/study/{item}/done", headers=bearer(token or ""))
    answer = upload(client, item, token, picture("olive"))
    assert answer.status_code == expected
    assert answer.mimetype == ("application/json" if expected == 200
                               else "application/problem+json")


def test_every_endpoint_is_in_a_role_matrix(app):
    """No endpoint escapes the matrices: each documented operation is in one of them."""
    from tests import test_api_roles, test_api_roles_admin, test_api_roles_member

    document = client_document(app)
    documented = {(method.upper(), path) for path, ops in document["paths"].items()
                  for method in ops}
    in_matrices = {(method, path.replace("{item}", "{item_id}"))
                   for method, path, _ in test_api_roles.ENDPOINTS}
    for module in (test_api_roles_member, test_api_roles_admin):
        in_matrices |= {(method, path) for method, path, _ in module.ENDPOINTS}
    in_matrices |= {("POST", "/api/v1/study/{item_id}/feedback/photo"), ("POST", "/api/v1/login")}
    missing = {op for op in documented if normalized(op) not in {normalized(o)
                                                                 for o in in_matrices}}
    assert not missing, sorted(missing)


def client_document(app):  # type: ignore[no-untyped-def]
    return app.test_client().get("/api/v1/openapi.json").get_json()


def normalized(operation: tuple[str, str]) -> tuple[str, str]:
    """A path with every {placeholder} alike (the matrices name them their own way)."""
    import re

    method, path = operation
    return method, re.sub(r"\{[^}]+\}", "{}", path)
