"""The fake's mini-program login (`sns/jscode2session`), and the unionids of the
official account's followers (`cgi-bin/user/info/batchget`).

On a phone, `wx.login()` gives the mini-program a code that its server exchanges once,
within 5 minutes, for the user's openid, a session_key and (when the mini-program and
the official account share an open platform account) the unionid. The fake mints codes
through `POST /_fake/miniprogram/code {"openid", "unionid"?}` (what wx.login would have
given that user) and answers the exchange as WeChat does: 40029 for an unknown or stale
code, 40163 for a used one, 41008 without a code, 40013 without an app id or secret; 45011
(too many logins) and the rest through the fault rules (endpoint "sns/jscode2session").

When the official account and the mini-program share an open platform account, WeChat
tells the account a follower's unionid too: `POST /_fake/miniprogram/unionid
{"openid", "unionid"}` says which follower has which; batchget answers with it (up to
100 openids a call, 40032 past that).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field

from flask import Blueprint, Response, current_app, request

from bot.sandbox.fake_http import answer, fake_state, json_body, misbehave, refused

bp = Blueprint("fake_miniprogram", __name__)

CODE_SECONDS = 300
STATE_KEY = "fake_miniprogram"


@dataclass
class LoginCodes:
    """Codes wx.login handed out: code -> (openid, unionid, issued at; -1 once used)."""

    codes: dict[str, tuple[str, str | None, float]] = field(default_factory=dict)
    unionids: dict[str, str] = field(default_factory=dict)  # official-account openid ->
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def login_codes() -> LoginCodes:
    """The current app's codes (made on first use)."""
    found: LoginCodes = current_app.extensions.setdefault(STATE_KEY, LoginCodes())
    return found


@bp.post("/_fake/miniprogram/code")
def mint_code() -> Response:
    """What wx.login gives the user `openid` (a test or the sandbox plays the phone)."""
    body = json_body()
    openid = str(body.get("openid") or "").strip()[:64]
    if not openid:
        return answer({"error": "openid required"}, 400)
    unionid = str(body.get("unionid") or "").strip()[:64] or None
    code = "fake-js-" + secrets.token_urlsafe(12)
    codes = login_codes()
    with codes.lock:
        codes.codes[code] = (openid, unionid, fake_state().clock())
    return answer({"code": code})


@bp.get("/sns/jscode2session")
def jscode2session() -> Response:
    """A wx.login code for the user's openid, session_key (and unionid)."""
    if (fault := misbehave("sns/jscode2session")) is not None:
        return fault
    args = request.args
    if not args.get("appid") or not args.get("secret"):
        return answer({"errcode": 40013, "errmsg": "invalid appid"})
    if args.get("grant_type") != "authorization_code":
        return answer({"errcode": 40002, "errmsg": "invalid grant_type"})
    code = args.get("js_code", "")
    if not code:
        return answer({"errcode": 41008, "errmsg": "missing code"})
    codes, now = login_codes(), fake_state().clock()
    with codes.lock:
        issued = codes.codes.get(code)
        if issued is not None and issued[2] >= 0 and issued[2] + CODE_SECONDS > now:
            codes.codes[code] = (issued[0], issued[1], -1.0)  # used up
    if issued is None or (issued[2] >= 0 and issued[2] + CODE_SECONDS <= now):
        return answer({"errcode": 40029, "errmsg": "invalid code"})
    if issued[2] < 0:
        return answer({"errcode": 40163, "errmsg": "code been used"})
    result = {"openid": issued[0], "session_key": "fake-session-key-" + secrets.token_hex(8)}
    if issued[1]:
        result["unionid"] = issued[1]
    return answer(result)


@bp.post("/_fake/miniprogram/unionid")
def set_unionid() -> Response:
    """The follower `openid` of the official account has `unionid`."""
    body = json_body()
    openid, unionid = str(body.get("openid") or ""), str(body.get("unionid") or "")
    if not openid or not unionid:
        return answer({"error": "openid and unionid required"}, 400)
    codes = login_codes()
    with codes.lock:
        codes.unionids[openid[:64]] = unionid[:64]
    return answer({"ok": True})


BATCH_MAX = 100


@bp.post("/cgi-bin/user/info/batchget")
def user_info_batch() -> Response:
    """Followers' info, with the unionid where one is known."""
    if (bad := refused("user/info/batchget")) is not None:
        return bad
    wanted = json_body().get("user_list")
    if not isinstance(wanted, list) or not wanted or len(wanted) > BATCH_MAX:
        return answer({"errcode": 40032, "errmsg": "invalid openid list size"})
    codes = login_codes()
    users = []
    with codes.lock:
        for entry in wanted:
            openid = str(entry.get("openid") if isinstance(entry, dict) else entry)
            user = {"subscribe": 1, "openid": openid, "language": "zh_CN"}
            if openid in codes.unionids:
                user["unionid"] = codes.unionids[openid]
            users.append(user)
    return answer({"user_info_list": users})
