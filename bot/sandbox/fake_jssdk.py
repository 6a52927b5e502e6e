"""The fake's JS-SDK ticket: `GET /cgi-bin/ticket/getticket?type=jsapi&access_token=…`.

As WeChat: a valid access token and `type=jsapi` get `{"errcode": 0, "errmsg": "ok",
"ticket": …, "expires_in": 7200}`; a missing, unknown or replaced token 40001 (42001 when
expired); any other type 40097 (invalid args). The fault rules apply to the endpoint
"ticket/getticket". Every call issues a new ticket; earlier ones keep working until
their own 7200 s are up (`FakeWeChat.jsapi_tickets`, which tests read).
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, request

from bot.sandbox.fake_http import answer, fake_state, refused
from bot.sandbox.fake_state import TOKEN_TTL, FakeWeChat

bp = Blueprint("fake_jssdk", __name__)

TICKET_TYPES = ("jsapi", "wx_card")


@bp.get("/cgi-bin/ticket/getticket")
def getticket() -> Response:
    """A JS-SDK (or card) ticket for a valid access token."""
    if (fault := refused("ticket/getticket")) is not None:
        return fault
    if request.args.get("type") not in TICKET_TYPES:
        return answer({"errcode": 40097, "errmsg": "invalid args"})
    state = fake_state()
    ticket = "fake-ticket-" + secrets.token_urlsafe(30)
    tickets = jsapi_tickets(state)
    with state.lock:
        tickets[ticket] = state.clock() + TOKEN_TTL
    return answer({"errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": TOKEN_TTL})


def jsapi_tickets(state: FakeWeChat) -> dict[str, float]:
    """The tickets the fake issued: ticket -> expiry (epoch seconds). Kept beside the
    fake's state (not a field of it), so that this endpoint stays one module."""
    tickets: dict[str, float] | None = getattr(state, "jsapi_tickets", None)
    if tickets is None:
        tickets = {}
        setattr(state, "jsapi_tickets", tickets)  # noqa: B010
    return tickets
