"""The fake's parametric QR codes: `/cgi-bin/qrcode/create` hands out a ticket and the
URL its picture encodes; `scene_of_ticket` (fake_state) is what scanning it sends."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, Response

from bot.sandbox.fake_http import answer, fake_state, json_body, refused

bp = Blueprint("fake_qrcodes", __name__)

SCENE_CHARS = 64
TEMPORARY_SECONDS = 60  # a temporary code's life when the call names none


@bp.post("/cgi-bin/qrcode/create")
def qrcode_create() -> Response:
    """A parametric QR code: a ticket and the URL its picture encodes."""
    if (bad := refused("qrcode/create")) is not None:
        return bad
    body = json_body()
    scene = (body.get("action_info") or {}).get("scene") or {}
    scene_str = scene.get("scene_str") or str(scene.get("scene_id", ""))
    if not scene_str or len(scene_str) > SCENE_CHARS:
        return answer({"errcode": 40009, "errmsg": "invalid scene"})
    ticket = "fake-ticket-" + secrets.token_urlsafe(12)
    result: dict[str, Any] = {"ticket": ticket, "url": f"http://weixin.qq.com/q/sandbox-{ticket}"}
    if body.get("action_name") in ("QR_SCENE", "QR_STR_SCENE"):
        result["expire_seconds"] = int(body.get("expire_seconds") or TEMPORARY_SECONDS)
    state = fake_state()
    state.qrcodes.append({"scene": scene_str, "at": state.clock(), **result})
    return answer(result)
