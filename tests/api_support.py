"""What the /api/v1 tests share: the app pointed at the fake WeChat API (real HTTP),
logging in as the mini-program would (a wx.login code from the fake, exchanged by the
app at sns/jscode2session), and study items to read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import requests
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from models.study.tables import StudyItem

PROBLEM = "application/problem+json"


def wx_login(fake_base: str, openid: str, unionid: str | None = None) -> str:
    """The code wx.login would give the user `openid` (minted by the fake)."""
    response = requests.post(f"{fake_base}/_fake/miniprogram/code",
                             json={"openid": openid, "unionid": unionid}, timeout=5)
    response.raise_for_status()
    return str(response.json()["code"])


def log_in(client: FlaskClient, fake_base: str, openid: str,
           unionid: str | None = None) -> dict[str, Any]:
    """POST /api/v1/login with a fresh code; the 200 answer's JSON."""
    response = client.post("/api/v1/login",
                           json={"code": wx_login(fake_base, openid, unionid)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return dict(response.get_json())


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for `token`."""
    return {"Authorization": f"Bearer {token}"}


def bound_token(client: FlaskClient, fake_base: str, openid: str, name: str,
                phone_tail: str) -> str:
    """Log in and bind to the roster member `name`; the token."""
    token = str(log_in(client, fake_base, openid)["token"])
    response = client.post("/api/v1/bind", json={"name": name, "phone_tail": phone_tail},
                           headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return token


def problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    """Assert `response` is the problem `kind` with `status`; its JSON."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = dict(response.get_json())
    assert body["type"] == f"urn:partybot:problem:{kind}"
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def make_item(session: Session, org_id: int, title: str, published: datetime,
              body: str = "正文", withdrawn: datetime | None = None) -> StudyItem:
    """A published study item (flushed)."""
    item = StudyItem(org_id=org_id, title=title, body=body, content_hash=title.ljust(64, "x"),
                     publish_at=published, push_at=published, pushed_at=published,
                     withdrawn_at=withdrawn)
    session.add(item)
    session.flush()
    return item
