"""The fake's access tokens: the classic `/cgi-bin/token` and `/cgi-bin/stable_token`,
replacing and expiring them as WeChat does (see FakeWeChat.issue_token), and
`getcallbackip`, the harmless call that says whether a token works."""

from __future__ import annotations

from flask import Blueprint, Response, request

from bot.sandbox.fake_http import answer, fake_state, json_body, misbehave, refused
from bot.sandbox.fake_state import OLD_TOKEN_GRACE, TOKEN_TTL

bp = Blueprint("fake_token", __name__)


@bp.get("/cgi-bin/token")
def token() -> Response:
    """Classic token: every call issues a new one (the old lasts 5 more minutes)."""
    if (fault := misbehave("token")) is not None:
        return fault
    if request.args.get("grant_type") != "client_credential" or not request.args.get("appid"):
        return answer({"errcode": 40013, "errmsg": "invalid appid"})
    state = fake_state()
    if state.app_secret is not None and request.args.get("secret") != state.app_secret:
        return answer({"errcode": 40001, "errmsg": "invalid credential, access_token is "
                                                  "invalid or not latest"})
    return answer({"access_token": state.issue_token(state.clock()), "expires_in": TOKEN_TTL})


@bp.post("/cgi-bin/stable_token")
def stable_token() -> Response:
    """Stable token: the same token while it has over 5 minutes left, unless forced."""
    if (fault := misbehave("stable_token")) is not None:
        return fault
    body = json_body()
    if body.get("grant_type") != "client_credential" or not body.get("appid"):
        return answer({"errcode": 40013, "errmsg": "invalid appid"})
    state = fake_state()
    if state.app_secret is not None and body.get("secret") != state.app_secret:
        return answer({"errcode": 40125, "errmsg": "invalid appsecret"})
    now = state.clock()
    current = state.stable_token
    expiry = state.tokens.get(current or "", 0.0)
    if current and expiry - now > OLD_TOKEN_GRACE and not body.get("force_refresh"):
        return answer({"access_token": current, "expires_in": int(expiry - now)})
    return answer({"access_token": state.issue_token(now), "expires_in": TOKEN_TTL})


@bp.get("/cgi-bin/getcallbackip")
def callback_ips() -> Response:
    """The addresses WeChat's messages come from; needs a valid token and changes nothing."""
    if (bad := refused("getcallbackip")) is not None:
        return bad
    return answer({"ip_list": ["127.0.0.1"]})
