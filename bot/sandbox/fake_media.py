"""The fake's pictures: what a member sends in chat, as WeChat keeps it — temporary media
behind `GET /cgi-bin/media/get?media_id=…` (3 days, then 40007 invalid media_id) and the
picture URL a message carries (PicUrl, `GET /mmbiz/<key>`, no token, as WeChat's image
host serves it).

`POST /_fake/media` (JSON: optional `data_base64`, `content_type`, `age_seconds`) makes
one — a small sample photo when no data is given — and answers its `media_id` and
`pic_url`; the sandbox's chat page makes one for each /image it sends
(`new_picture`).
"""

from __future__ import annotations

import base64
import binascii
import io
import secrets
import threading
from dataclasses import dataclass, field

from flask import Blueprint, Flask, Response, current_app, request, url_for

from bot.sandbox.fake_http import answer, fake_state, json_body, misbehave, refused

bp = Blueprint("fake_media", __name__)

MEDIA_KEY = "fake_wechat_media"  # where the app keeps the pictures, in app.extensions
MEDIA_TTL = 3 * 24 * 3600  # WeChat keeps temporary media 3 days


@dataclass
class Picture:
    """One picture a user sent: its bytes, type and when WeChat received it."""

    data: bytes
    content_type: str
    at: float  # epoch seconds, on the fake's clock


@dataclass
class FakeMedia:
    """Pictures by media id, and the key of each one's picture URL."""

    by_media_id: dict[str, Picture] = field(default_factory=dict)
    by_key: dict[str, Picture] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, picture: Picture) -> tuple[str, str]:
        """Keep a picture; its (media id, picture key)."""
        media_id = "fake-media-" + secrets.token_urlsafe(24)
        key = secrets.token_urlsafe(16)
        with self.lock:
            self.by_media_id[media_id] = picture
            self.by_key[key] = picture
        return media_id, key


def install_media(app: Flask) -> FakeMedia:
    """Fresh picture storage for the fake on `app`."""
    media = FakeMedia()
    app.extensions[MEDIA_KEY] = media
    return media


def fake_media() -> FakeMedia:
    """The pictures of the current app's fake."""
    media: FakeMedia = current_app.extensions[MEDIA_KEY]
    return media


def sample_photo() -> bytes:
    """A small JPEG (a red flag on a white wall, more or less)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (245, 245, 240))
    ImageDraw.Draw(image).rectangle((60, 50, 260, 180), fill=(200, 16, 46))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def new_picture(data: bytes | None = None, content_type: str = "image/jpeg",
                age_seconds: float = 0.0) -> tuple[str, str]:
    """Keep a picture as if a user had just sent it (in a request to the app the fake is
    mounted on); its (MediaId, PicUrl)."""
    picture = Picture(data if data is not None else sample_photo(), content_type,
                      fake_state().clock() - age_seconds)
    media_id, key = fake_media().add(picture)
    return media_id, url_for("fake_media.picture", key=key, _external=True)


@bp.before_request
def _controls_take_json() -> Response | None:
    """Like every control of the fake: a POST is JSON only (no cross-site form)."""
    if request.method == "POST" and not request.is_json:
        return answer({"errcode": 415, "errmsg": "send application/json"}, 415)
    return None


@bp.get("/cgi-bin/media/get")
def media_get() -> Response:
    """Temporary media: the picture's bytes, or WeChat's 40007 for an unknown or
    expired media id."""
    if (bad := refused("media/get")) is not None:
        return bad
    media_id = request.args.get("media_id", "")
    with fake_media().lock:
        picture = fake_media().by_media_id.get(media_id)
    if picture is None or fake_state().clock() - picture.at > MEDIA_TTL:
        return answer({"errcode": 40007, "errmsg": "invalid media_id"})
    return Response(picture.data, mimetype=picture.content_type, headers={
        "Content-disposition": f'attachment; filename="{media_id[-12:]}.jpg"'})


@bp.get("/mmbiz/<key>")
def picture(key: str) -> Response:
    """A message's picture URL: the bytes (no token; 404 for an unknown key)."""
    if (bad := misbehave("mmbiz")) is not None:
        return bad
    with fake_media().lock:
        found = fake_media().by_key.get(key)
    if found is None:
        return Response(b"not found", status=404, mimetype="text/plain")
    return Response(found.data, mimetype=found.content_type)


@bp.post("/_fake/media")
def add_media() -> Response:
    """Make a picture a user sent: {"data_base64"?, "content_type"?, "age_seconds"?} →
    {"media_id", "pic_url"}."""
    body = json_body()
    data = None
    if body.get("data_base64"):
        try:
            data = base64.b64decode(str(body["data_base64"]), validate=True)
        except (binascii.Error, ValueError):
            return answer({"errcode": 40005, "errmsg": "invalid data_base64"}, 400)
    try:
        age = float(body.get("age_seconds") or 0)
    except (TypeError, ValueError):
        return answer({"errcode": 40005, "errmsg": "invalid age_seconds"}, 400)
    media_id, pic_url = new_picture(data, str(body.get("content_type") or "image/jpeg"), age)
    return answer({"media_id": media_id, "pic_url": pic_url})
