"""Fetching a photo a member sent in chat back from WeChat: by its media id (`media/get`,
temporary media, kept 3 days) through the wrapped client, or by its picture URL (PicUrl,
WeChat's image host, no token).

Both answer bytes or raise `FetchFailed`, which says whether trying again later could
help (`transient`: a timeout, a dropped connection, HTTP 5xx, WeChat busy) or not (the
media id is gone, 40007; the URL answers 404; not a picture; too big).
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from wechatpy.exceptions import WeChatClientException

log = logging.getLogger(__name__)

# A received picture is at most 10 MB in WeChat; anything much larger is not one.
MAX_BYTES = 20 * 1024 * 1024
INVALID_MEDIA_ID = 40007
# WeChat's "system busy" and rate limits: worth another try later.
BUSY = frozenset({-1, 45009, 45011})


class FetchFailed(Exception):
    """The photo could not be fetched; `transient` when a later try may work."""

    def __init__(self, reason: str, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


def media_bytes(client: Any, media_id: str) -> bytes:
    """The temporary media `media_id` (cgi-bin/media/get) through the wrapped WeChat
    client (core.wechat.WeChatAPI: base URL, shared token, timeouts)."""
    try:
        response = client.media.download(media_id)
    except WeChatClientException as exc:
        if exc.errcode is None:  # HTTP error: WeChat or the way to it is down
            raise FetchFailed(f"media/get HTTP error: {exc}", transient=True) from None
        raise FetchFailed(f"media/get errcode {exc.errcode}",
                          transient=exc.errcode in BUSY) from None
    except requests.RequestException as exc:
        raise FetchFailed(f"media/get: {type(exc).__name__}", transient=True) from None
    if not isinstance(response, requests.Response):  # JSON: a video's URL, not a picture
        raise FetchFailed("media/get answered JSON, not a picture", transient=False)
    return _picture(response, "media/get")


def picture_bytes(http: requests.Session, url: str, timeout: float) -> bytes:
    """The picture at `url` (a message's PicUrl), at most MAX_BYTES."""
    if not url.startswith(("https://", "http://")):
        raise FetchFailed("PicUrl is not an http(s) URL", transient=False)
    try:
        with http.get(url, timeout=(3.05, timeout), stream=True,
                      allow_redirects=True) as response:
            if response.status_code >= 500 or response.status_code == 429:
                raise FetchFailed(f"PicUrl HTTP {response.status_code}", transient=True)
            if response.status_code != 200:
                raise FetchFailed(f"PicUrl HTTP {response.status_code}", transient=False)
            data = bytearray()
            for chunk in response.iter_content(64 * 1024):
                data += chunk
                if len(data) > MAX_BYTES:
                    raise FetchFailed("PicUrl: larger than a picture can be", transient=False)
            return _checked(bytes(data), response.headers.get("Content-Type", ""), "PicUrl")
    except requests.RequestException as exc:
        raise FetchFailed(f"PicUrl: {type(exc).__name__}", transient=True) from None


def _picture(response: requests.Response, source: str) -> bytes:
    data = response.content
    if len(data) > MAX_BYTES:
        raise FetchFailed(f"{source}: larger than a picture can be", transient=False)
    return _checked(data, response.headers.get("Content-Type", ""), source)


def _checked(data: bytes, content_type: str, source: str) -> bytes:
    """WeChat's JSON error where a picture was expected is an answer, not a picture."""
    if content_type.startswith(("application/json", "text/")) or not data:
        raise FetchFailed(f"{source}: not a picture ({content_type or 'empty'})",
                          transient=content_type.startswith("text/"))
    return data
