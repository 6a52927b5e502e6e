"""The mini-program's login: a `wx.login` code exchanged at `sns/jscode2session`.

Like every other call it goes to WECHAT_API_BASE_URL (the fake in tests and the
sandbox) with the client's timeout, and is tried once more when WeChat is busy (-1) or
the connection failed. The answer's `session_key` is WeChat's secret with the user's
device: it is dropped here, never returned, stored or logged (only errcodes are).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests

from core.config import Settings
from core.wechat import use_proxies_from_environment_once

log = logging.getLogger(__name__)

BAD_CODE = frozenset({40029, 40163, 40226})  # invalid, already used, high-risk user
RATE_LIMITED = 45011
BUSY = -1
CODE_MAX = 128


@dataclass(frozen=True)
class MiniProgramUser:
    """Who WeChat says opened the mini-program: its openid, and the unionid when the
    mini-program and the official account share an open platform account."""

    openid: str
    unionid: str | None = None


class CodeExchangeError(RuntimeError):
    """WeChat did not turn the code into a user; `errcode` says why (None: unreachable)."""

    def __init__(self, errcode: int | None, message: str) -> None:
        super().__init__(message)
        self.errcode = errcode

    @property
    def bad_code(self) -> bool:
        """The code itself was refused (the client should log in again)."""
        return self.errcode in BAD_CODE

    @property
    def rate_limited(self) -> bool:
        """WeChat's 45011: too many logins."""
        return self.errcode == RATE_LIMITED


class CodeExchange:
    """jscode2session for one process (one pooled HTTP session)."""

    def __init__(self, settings: Settings, http: requests.Session | None = None) -> None:
        self.settings = settings
        self.http = http or requests.Session()
        use_proxies_from_environment_once(self.http, settings.api_base_url)

    def exchange(self, code: str, app_id: str, secret: str) -> MiniProgramUser:
        """The user behind `code`; CodeExchangeError otherwise."""
        last: CodeExchangeError | None = None
        for _attempt in range(2):
            try:
                return self._once(code, app_id, secret)
            except CodeExchangeError as exc:
                if exc.errcode not in (None, BUSY):
                    raise
                last = exc
        assert last is not None
        raise last

    def _once(self, code: str, app_id: str, secret: str) -> MiniProgramUser:
        url = f"{self.settings.api_base_url}/sns/jscode2session"
        try:
            response = self.http.get(url, timeout=(3.05, self.settings.api_timeout), params={
                "appid": app_id, "secret": secret, "js_code": code,
                "grant_type": "authorization_code"})
            result: Any = response.json() if response.status_code == 200 else {}
        except (requests.RequestException, ValueError) as exc:
            log.warning("jscode2session: WeChat unreachable (%s)", type(exc).__name__)
            raise CodeExchangeError(None, type(exc).__name__) from None
        if not isinstance(result, dict) or response.status_code != 200:
            log.warning("jscode2session: HTTP %s", response.status_code)
            raise CodeExchangeError(None, f"HTTP {response.status_code}")
        openid = result.get("openid")
        errcode = result.get("errcode") or 0
        if errcode or not isinstance(openid, str) or not openid:
            code_number = int(errcode) if isinstance(errcode, int) else BUSY
            log.info("jscode2session refused: errcode %s", code_number)
            raise CodeExchangeError(code_number, f"errcode {code_number}")
        unionid = result.get("unionid")
        return MiniProgramUser(openid[:64], unionid[:64] if isinstance(unionid, str)
                               and unionid else None)
