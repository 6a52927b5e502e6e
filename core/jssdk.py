"""WeChat's JS-SDK on partybot's pages: the shared `jsapi_ticket` and `wx.config` signing.

A page calls `wx.config({appId, timestamp, nonceStr, signature, jsApiList})` before it
may ask WeChat for anything (`wx.getLocation`, the `wx-open-subscribe` tag). WeChat checks
`signature = sha1("jsapi_ticket=…&noncestr=…&timestamp=…&url=…")`, where url is the
page's address as the phone has it, without its #fragment.

The ticket (`cgi-bin/ticket/getticket?type=jsapi`, 7200 s, few calls allowed) is shared
through the database exactly like the access token (core.wechat.TokenKeeper; storage in
models.delivery.jsapi_ticket): the scheduler refreshes it ahead of expiry under the
account-wide lock, and web processes only read it (`TicketKeeper.usable`). A web
process never fetches a ticket: with none stored a page shows no location button and
offers the 签到码 instead, and nobody waits on WeChat while opening a page.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import requests
from wechatpy.exceptions import WeChatClientException

from core.config import Settings
from core.wechat import USABLE_MARGIN, TokenFetchError, TokenKeeper, TokenStore, WeChatAPI

log = logging.getLogger(__name__)

TICKET_SOURCE = "getticket"
# A web process re-reads the stored ticket this often (one primary-key read), so that a
# ticket the scheduler refreshed is picked up long before the old one ends.
REREAD_EVERY = timedelta(seconds=60)
DEFAULT_JS_APIS = ("getLocation",)


def strip_fragment(url: str) -> str:
    """The page's URL as WeChat signs it: everything before the first '#'."""
    return url.split("#", 1)[0]


def signature(ticket: str, nonce: str, timestamp: int | str, url: str) -> str:
    """The `wx.config` signature: sha1 of the four fields in WeChat's order."""
    plain = f"jsapi_ticket={ticket}&noncestr={nonce}&timestamp={timestamp}" \
            f"&url={strip_fragment(url)}"
    return hashlib.sha1(plain.encode("utf-8")).hexdigest()


def config_for(app_id: str, ticket: str, url: str, *, now: datetime,
               js_api_list: Sequence[str] = DEFAULT_JS_APIS,
               open_tag_list: Sequence[str] = (), nonce: str | None = None) -> dict[str, Any]:
    """The object a page passes to `wx.config` for `url` (appId, timestamp, nonceStr,
    signature, jsApiList; openTagList when open tags such as wx-open-subscribe are used)."""
    nonce = nonce or secrets.token_urlsafe(12)
    timestamp = int(now.timestamp())
    config: dict[str, Any] = {
        "debug": False, "appId": app_id, "timestamp": timestamp, "nonceStr": nonce,
        "signature": signature(ticket, nonce, timestamp, url), "jsApiList": list(js_api_list)}
    if open_tag_list:
        config["openTagList"] = list(open_tag_list)
    return config


class TicketMissing(TokenFetchError):
    """No usable jsapi_ticket is stored (the scheduler has not fetched one)."""


class TicketKeeper(TokenKeeper):
    """The shared jsapi_ticket of one account: the token keeper's locking and storage,
    asking `ticket/getticket` (with the shared access token) instead of `token`."""

    NOUN = "jsapi_ticket"

    def __init__(self, store: TokenStore, settings: Settings, clock: Callable[[], datetime],
                 client: WeChatAPI) -> None:
        super().__init__(store, settings, clock, http=client._http)
        self.client = client
        self._read_at: datetime | None = None

    def usable(self) -> str | None:
        """A ticket with over a minute left, from this process's cache or the database;
        None when there is none. Never asks WeChat (pages call this)."""
        now = self.clock()
        cached = self._cached
        if cached is not None and self._read_at is not None \
                and now - self._read_at < REREAD_EVERY and cached[1] - now > USABLE_MARGIN:
            return cached[0]
        stored = self.store.read()
        self._read_at = now
        if stored is None or stored.expires_at - now <= USABLE_MARGIN:
            self._cached = None
            return None
        self._cached = (stored.token, stored.expires_at)
        return stored.token

    def current(self) -> str:
        """The stored ticket (TicketMissing when there is none): never fetched here."""
        ticket = self.usable()
        if ticket is None:
            raise TicketMissing("no jsapi_ticket stored yet (the scheduler fetches it)")
        return ticket

    def after_rejection(self, rejected: str) -> str:
        """WeChat never tells the server a ticket was refused: nothing to do."""
        return self.current()

    def _ask_wechat(self, force: bool) -> tuple[str, int, str]:
        """GET ticket/getticket?type=jsapi with the shared access token."""
        self.fetches += 1
        try:
            result = self.client.get("ticket/getticket", params={"type": "jsapi"})
        except WeChatClientException as exc:
            raise TokenFetchError(f"WeChat refused a jsapi_ticket: errcode {exc.errcode} "
                                  f"{exc.errmsg or ''}".strip()) from None
        except (requests.RequestException, ValueError, TokenFetchError) as exc:
            raise TokenFetchError(
                f"cannot reach WeChat for a jsapi_ticket: {type(exc).__name__}") from None
        if not isinstance(result, dict) or not result.get("ticket"):
            raise TokenFetchError("WeChat answered getticket without a ticket")
        return str(result["ticket"]), int(result.get("expires_in", 7200)), TICKET_SOURCE
