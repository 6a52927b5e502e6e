"""How every faked WeChat endpoint handles a call: find the fake's state, count the call,
misbehave as told (latency, errcode, HTTP status, dropped connection), check the access
token, read the JSON body and answer in WeChat's JSON.

The endpoint modules (fake_token, fake_messages, fake_menus, fake_users, fake_qrcodes,
fake_oauth) and the controls (fake_controls) share these; the state itself is
bot/sandbox/fake_state.py.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from typing import Any

from flask import Response, current_app, request

from bot.sandbox.fake_state import FakeWeChat

STATE_KEY = "fake_wechat"  # where the app keeps the fake's state, in app.extensions


def fake_state() -> FakeWeChat:
    """The fake WeChat of the current app."""
    state: FakeWeChat = current_app.extensions[STATE_KEY]
    return state


def answer(payload: dict[str, Any], status: int = 200) -> Response:
    """A JSON answer as WeChat writes it (Chinese unescaped)."""
    return Response(json.dumps(payload, ensure_ascii=False), status=status,
                    mimetype="application/json")


def _drop_connection() -> Response:
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    return answer({"errcode": -1, "errmsg": "connection dropped"}, 502)


def misbehave(endpoint: str, openid: str | None = None) -> Response | None:
    """Count the call, apply latency and the first matching fault; a response means
    "answer this"."""
    state = fake_state()
    state.calls[endpoint] += 1
    fault = state.pick_fault(endpoint, openid)
    delay = state.latency + (fault.latency if fault else 0.0)
    if delay:
        time.sleep(delay)
    if fault is None:
        return None
    if fault.drop:
        return _drop_connection()
    if fault.http_status:
        return answer({"error": "injected"}, fault.http_status)
    if fault.errcode is not None:
        return answer({"errcode": fault.errcode, "errmsg": f"injected error {fault.errcode}"})
    return None


def check_token() -> Response | None:
    """WeChat's answer to a missing, unknown or expired access_token; None if valid."""
    state = fake_state()
    error = state.token_error(request.args.get("access_token"), state.clock())
    if error is not None:
        return answer({"errcode": error[0], "errmsg": error[1]})
    return None


def refused(endpoint: str, openid: str | None = None) -> Response | None:
    """`misbehave`, then `check_token`: what every token-taking endpoint does first."""
    fault = misbehave(endpoint, openid)
    return fault if fault is not None else check_token()


def json_body() -> dict[str, Any]:
    """The request's JSON object (an empty one for anything else)."""
    data = request.get_json(force=True, silent=True)
    return data if isinstance(data, dict) else {}
