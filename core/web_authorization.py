"""WeChat web authorization with `snsapi_base`: inside WeChat's browser, the console
learns the visitor's openid with no consent screen (a link partybot sent opens the
console already logged in).

wechatpy's `WeChatOAuth` does the talking; here it is pointed at the fake API in
sandbox mode (both the authorize page the browser visits and the code exchange), given
a timeout, and its failures are turned into one error with WeChat's reason.
`snsapi_userinfo` is never asked for: it shows a consent screen, and since 2022 a
misused one yields a virtual openid.
"""

from __future__ import annotations

from typing import Any

import requests
from wechatpy.exceptions import WeChatOAuthException
from wechatpy.oauth import WeChatOAuth

from core.config import Settings

WECHAT_OAUTH_HOST = "https://open.weixin.qq.com/connect/"


class WebAuthorizationError(RuntimeError):
    """The code could not be exchanged for an openid (`reason` says why, for logs)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _OAuth(WeChatOAuth):
    """WeChatOAuth with our base URLs and a timeout on every call."""

    def __init__(self, settings: Settings, redirect_uri: str, state: str) -> None:
        super().__init__(settings.effective_app_id, settings.effective_app_secret,
                         redirect_uri, scope="snsapi_base", state=state)
        self.API_BASE_URL = f"{settings.api_base_url}/"
        self.OAUTH_BASE_URL = f"{settings.api_base_url}/connect/" if settings.sandbox \
            else WECHAT_OAUTH_HOST
        self.timeout = (3.05, settings.api_timeout)

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self.timeout)
        return super()._request(method, url_or_endpoint, **kwargs)


def authorize_url(settings: Settings, redirect_uri: str, state: str) -> str:
    """Where to send the browser: WeChat (or the fake) asks nothing and comes back to
    `redirect_uri` with `code` and `state`."""
    return str(_OAuth(settings, redirect_uri, state).authorize_url)


def openid_for_code(settings: Settings, code: str) -> str:
    """The visitor's openid for the `code` WeChat gave (each code works once, 5 minutes)."""
    try:
        answer = _OAuth(settings, "", "").fetch_access_token(code)
    except WeChatOAuthException as exc:
        raise WebAuthorizationError(f"errcode {exc.errcode}: {exc.errmsg}") from exc
    except (requests.RequestException, ValueError) as exc:
        raise WebAuthorizationError(type(exc).__name__) from exc
    openid = answer.get("openid")
    if not isinstance(openid, str) or not openid:
        raise WebAuthorizationError("no openid in the answer")
    return openid
