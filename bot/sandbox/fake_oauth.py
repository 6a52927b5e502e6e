"""The fake's WeChat web authorization (snsapi_base).

Inside WeChat, `/connect/oauth2/authorize` comes straight back to `redirect_uri` with a
code, silently. The sandbox has no WeChat to know who is holding the phone, so its
authorize page asks which follower is opening the link (or takes `sandbox_openid=`),
then comes back the same way. `/sns/oauth2/access_token` exchanges the code for the
openid: each code works once (40163 after), for 5 minutes (40029 after, as for an
unknown code).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, redirect, render_template, request
from flask.typing import ResponseReturnValue

from bot.sandbox.fake_http import answer, fake_state, misbehave

# its own templates: the standalone fake (make_fake_app) has no sandbox pages beside it
bp = Blueprint("fake_oauth", __name__, template_folder="templates")

CODE_SECONDS = 300
SCOPES = ("snsapi_base", "snsapi_userinfo")


@bp.get("/connect/oauth2/authorize")
def oauth_authorize() -> ResponseReturnValue:
    """Pick who opens the link (sandbox only), then back to redirect_uri with a code."""
    redirect_uri = request.args.get("redirect_uri", "")
    scope = request.args.get("scope", "")
    if not request.args.get("appid") or scope not in SCOPES or \
            urlsplit(redirect_uri).scheme not in ("http", "https") or \
            request.args.get("response_type") != "code":
        # WeChat shows "redirect_uri 参数错误" / "scope 参数错误" pages: a 400 here.
        return Response("oauth2 authorize: bad appid, scope, response_type or redirect_uri",
                        status=400, mimetype="text/plain")
    openid = request.args.get("sandbox_openid", "").strip()[:64]
    if not openid:
        return Response(render_template(
            "sandbox_authorize.html", followers=fake_state().followers(), scope=scope,
            args=request.args), mimetype="text/html")
    state = fake_state()
    code = "fake-code-" + secrets.token_urlsafe(12)
    with state.lock:
        state.oauth_codes[code] = (openid, state.clock())
    back = {"code": code, "state": request.args.get("state", "")}
    joiner = "&" if "?" in redirect_uri else "?"
    return redirect(f"{redirect_uri}{joiner}{urlencode(back)}")


@bp.get("/sns/oauth2/access_token")
def oauth_access_token() -> Response:
    """Exchange a code for the visitor's openid (snsapi_base: nothing more)."""
    if (fault := misbehave("sns/oauth2/access_token")) is not None:
        return fault
    args = request.args
    if args.get("grant_type") != "authorization_code" or not args.get("appid") \
            or not args.get("secret"):
        return answer({"errcode": 40002, "errmsg": "invalid grant_type"})
    state = fake_state()
    with state.lock:
        issued = state.oauth_codes.get(args.get("code", ""))
        if issued is not None and issued[1] + CODE_SECONDS > state.clock():
            state.oauth_codes[args["code"]] = (issued[0], -1.0)  # used up
    if issued is None or (issued[1] >= 0 and issued[1] + CODE_SECONDS <= state.clock()):
        return answer({"errcode": 40029, "errmsg": "invalid code"})
    if issued[1] < 0:
        return answer({"errcode": 40163, "errmsg": "code been used"})
    return answer({"access_token": "fake-web-" + secrets.token_urlsafe(16),
                    "expires_in": 7200, "refresh_token": "fake-refresh-" + secrets.token_urlsafe(8),
                    "openid": issued[0], "scope": "snsapi_base"})
