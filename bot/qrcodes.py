"""Parametric QR codes: created through the API, rendered as a printable PNG locally.

WeChat answers qrcode/create with a ticket and the URL the code encodes; drawing the
picture ourselves (segno) needs no further call and works offline in sandbox mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import segno
from wechatpy.exceptions import WeChatException

from core.wechat import TokenFetchError, WeChatAPI

MAX_SCENE_LENGTH = 64
# What creating a code can fail with when WeChat is unreachable or refuses: callers
# that can go on without the code (a page, a sheet) catch these.
QR_FAILURES: tuple[type[Exception], ...] = (WeChatException, TokenFetchError, OSError,
                                            KeyError, ValueError)
MAX_TEMPORARY_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class SceneQR:
    """A created QR code."""

    scene: str
    ticket: str
    url: str  # what the code encodes
    expire_seconds: int | None  # None: permanent


def create_scene_qr(client: WeChatAPI, scene: str, permanent: bool = False,
                    expire_seconds: int = MAX_TEMPORARY_SECONDS) -> SceneQR:
    """QR_STR_SCENE (temporary, ≤ 30 days) or QR_LIMIT_STR_SCENE (permanent)."""
    if not scene or len(scene) > MAX_SCENE_LENGTH:
        raise ValueError(f"scene must be 1–{MAX_SCENE_LENGTH} characters: {scene!r}")
    data: dict[str, object] = {
        "action_name": "QR_LIMIT_STR_SCENE" if permanent else "QR_STR_SCENE",
        "action_info": {"scene": {"scene_str": scene}},
    }
    if not permanent:
        data["expire_seconds"] = max(60, min(expire_seconds, MAX_TEMPORARY_SECONDS))
    answer = client.qrcode.create(data)
    return SceneQR(scene, answer["ticket"], answer["url"],
                   None if permanent else int(answer.get("expire_seconds", 0)))


def render_png(qr: SceneQR, path: Path, scale: int = 10) -> Path:
    """Write a printable PNG of the code (error correction M, quiet zone kept)."""
    segno.make(qr.url, error="m").save(str(path), scale=scale, border=4)
    return path
