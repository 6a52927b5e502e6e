"""The WeChat API client: wechatpy's `WeChatClient`, pointed at WECHAT_API_BASE_URL,
using the shared access token, with bounded retries and a timeout on every call.

wechatpy 1.8.18 fetches tokens from a hard-coded host and, on a token error, fetches a
new token and retries without bound; with several processes that is a fetch storm in
which each fetch invalidates everyone else's token. Here a token error re-reads the
shared token (another process may have refreshed it) and retries once; only when the
stored token is the one WeChat refused is a new one fetched, under a lock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from core.config import Settings
from core.metrics import count_token_fetch

log = logging.getLogger(__name__)

WECHAT_HOST = "https://api.weixin.qq.com"
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# Don't use a token with less than this left; the scheduler refreshes well before.
USABLE_MARGIN = timedelta(seconds=60)
REFRESH_AHEAD = timedelta(minutes=10)
# A forced refresh invalidates the token for everyone; not more often than this.
MIN_FORCED_INTERVAL = timedelta(seconds=30)
FORCED = "/forced"  # suffix of AccessToken.source after a refresh forced by a rejection


def use_proxies_from_environment_once(http: requests.Session, url: str) -> None:
    """Read HTTP(S)_PROXY / NO_PROXY now rather than on every call.

    requests re-reads the whole environment for each request (trust_env), which cost
    more CPU than the rest of a delivery; a proxy set up for reaching WeChat still works.
    """
    http.proxies.update(requests.utils.get_environ_proxies(url))
    http.trust_env = False


class TokenFetchError(RuntimeError):
    """WeChat would not give us a token (wrong secret, IP not whitelisted, down)."""


class StoredToken(NamedTuple):
    """The shared token as stored."""

    token: str
    expires_at: datetime
    fetched_at: datetime
    source: str  # "stable_token" or "token", + FORCED after a forced refresh


class TokenSlot(Protocol):
    """The stored token while a process holds the account-wide fetch lock."""

    current: StoredToken | None

    def save(self, token: StoredToken) -> None:
        """Store a freshly fetched token (committed at once)."""


class TokenStore(Protocol):
    """Where the token is shared between processes (models.delivery.access_token: the database)."""

    def read(self) -> StoredToken | None:
        """The stored token, if any."""

    def exclusive(self) -> AbstractContextManager[TokenSlot]:
        """Hold the account-wide lock under which a token is fetched."""


class TokenKeeper:
    """The shared access token of one account, cached per process."""

    NOUN = "access token"  # what the log calls it (core.jssdk.TicketKeeper: jsapi_ticket)

    def __init__(self, store: TokenStore, settings: Settings, clock: Callable[[], datetime],
                 http: requests.Session | None = None) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.http = http or requests.Session()
        use_proxies_from_environment_once(self.http, settings.api_base_url)
        self.app_id = settings.effective_app_id
        self._cached: tuple[str, datetime] | None = None
        self._lock = threading.Lock()  # one fetch per process at a time
        self.fetches = 0  # how many times this process asked WeChat (tests, logs)

    def current(self) -> str:
        """A usable token: from this process's cache, the database, or a fetch."""
        cached = self._cached
        if cached is not None and cached[1] - self.clock() > USABLE_MARGIN:
            return cached[0]
        with self._lock:
            stored = self.store.read()
            if stored is not None and stored.expires_at - self.clock() > USABLE_MARGIN:
                self._cached = (stored.token, stored.expires_at)
                return stored.token
            return self._fetch(lambda row: row is None
                               or row.expires_at - self.clock() <= USABLE_MARGIN)

    def after_rejection(self, rejected: str) -> str:
        """WeChat refused `rejected`: a newer shared token if there is one, else fetch."""
        with self._lock:
            stored = self.store.read()
            if stored is not None and stored.token != rejected \
                    and stored.expires_at - self.clock() > USABLE_MARGIN:
                self._cached = (stored.token, stored.expires_at)
                return stored.token
            return self._fetch(lambda row: row is None or row.token == rejected, force=True)

    def refresh_if_needed(self, ahead: timedelta = REFRESH_AHEAD) -> bool:
        """For the scheduler: fetch a new token when the stored one ends within `ahead`."""
        with self._lock:
            before = self.store.read()
            token = self._fetch(lambda row: row is None or row.expires_at - self.clock() <= ahead)
            return before is None or before.token != token

    def _fetch(self, still_needed: Callable[[StoredToken | None], bool],
               force: bool = False) -> str:
        """Fetch under the account-wide lock, unless someone did while we waited."""
        with self.store.exclusive() as slot:
            row = slot.current
            if row is not None and not still_needed(row):
                self._cached = (row.token, row.expires_at)
                return row.token
            now = self.clock()
            forced = force and row is not None
            if forced and row is not None and row.source.endswith(FORCED) \
                    and now - row.fetched_at < MIN_FORCED_INTERVAL:
                # A forced refresh just happened and WeChat still refuses: another one
                # would only invalidate the token for everyone else.
                return row.token
            try:
                token, expires_in, source = self._ask_wechat(forced)
            except TokenFetchError:
                count_token_fetch(self.NOUN.replace(" ", "_"), ok=False)
                raise
            count_token_fetch(self.NOUN.replace(" ", "_"), ok=True)
            if forced:
                source += FORCED
            expires_at = now + timedelta(seconds=expires_in)
            slot.save(StoredToken(token, expires_at, now, source))
            self._cached = (token, expires_at)
            log.info("fetched a new %s via %s (expires in %ss)", self.NOUN, source, expires_in)
            return token

    def _ask_wechat(self, force: bool) -> tuple[str, int, str]:
        """stable_token first; the classic /cgi-bin/token if that is not available."""
        self.fetches += 1
        base = self.settings.api_base_url
        secret = self.settings.effective_app_secret
        timeout = (3.05, self.settings.api_timeout)
        try:
            response = self.http.post(f"{base}/cgi-bin/stable_token", timeout=timeout, json={
                "grant_type": "client_credential", "appid": self.app_id, "secret": secret,
                "force_refresh": force})
            result = response.json() if response.status_code == 200 else {}
            if result.get("access_token"):
                return result["access_token"], int(result.get("expires_in", 7200)), \
                    "stable_token"
            log.warning("stable_token failed (HTTP %s, errcode %s); trying /cgi-bin/token",
                        response.status_code, result.get("errcode"))
            response = self.http.get(f"{base}/cgi-bin/token", timeout=timeout, params={
                "grant_type": "client_credential", "appid": self.app_id, "secret": secret})
            result = response.json() if response.status_code == 200 else {}
        except (requests.RequestException, ValueError) as exc:
            raise TokenFetchError(f"cannot reach WeChat for a token: {type(exc).__name__}") \
                from None
        if not result.get("access_token"):
            raise TokenFetchError(
                f"WeChat refused a token: errcode {result.get('errcode')} "
                f"{result.get('errmsg', '')}".strip())
        return result["access_token"], int(result.get("expires_in", 7200)), "token"


class WeChatAPI(WeChatClient):
    """wechatpy's client with our base URL, shared token, single retry and timeouts."""

    def __init__(self, settings: Settings, keeper: TokenKeeper) -> None:
        super().__init__(settings.effective_app_id, settings.effective_app_secret,
                         timeout=(3.05, settings.api_timeout), auto_retry=False)
        # One pooled connection per delivery thread: requests keeps only 10 by default
        # and would open (and discard) a new connection for every call beyond that.
        adapter = requests.adapters.HTTPAdapter(pool_connections=4,
                                                pool_maxsize=max(10, settings.delivery_threads))
        self._http.mount("http://", adapter)
        self._http.mount("https://", adapter)
        use_proxies_from_environment_once(self._http, settings.api_base_url)
        self.keeper = keeper
        self.base_url = settings.api_base_url
        self.API_BASE_URL = f"{self.base_url}/cgi-bin/"

    def rebase(self, url: str) -> str:
        """Any api.weixin.qq.com URL wechatpy built, moved to our base URL."""
        if url.startswith(WECHAT_HOST):
            return self.base_url + url[len(WECHAT_HOST):]
        return url

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        base = kwargs.pop("api_base_url", self.API_BASE_URL)
        url = url_or_endpoint if url_or_endpoint.startswith(("http://", "https://")) \
            else f"{base}{url_or_endpoint}"
        url = self.rebase(url)
        params = kwargs.setdefault("params", {})
        token = self.keeper.current()
        params["access_token"] = token
        try:
            return super()._request(method, url, **kwargs)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            log.info("WeChat refused the access token (%s); retrying once", exc.errcode)
            params["access_token"] = self.keeper.after_rejection(token)
            return super()._request(method, url, **kwargs)

    @property
    def access_token(self) -> str:
        """The shared token (wechatpy's API helpers read this)."""
        return self.keeper.current()

    def fetch_access_token(self) -> dict[str, Any]:
        """Never fetch on our own: go through the keeper."""
        return {"access_token": self.keeper.current()}


def make_client(store: TokenStore, settings: Settings,
                clock: Callable[[], datetime]) -> WeChatAPI:
    """A client for this process (one TokenKeeper per process)."""
    return WeChatAPI(settings, TokenKeeper(store, settings, clock))
