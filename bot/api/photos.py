"""Photos through the mini-program API: an item's kept photos as signed links, and a
心得 photo uploaded with `wx.uploadFile`.

A mini-program's `<image>` cannot send the Bearer token, so a kept photo is served at a
link that carries its own short-lived proof instead: HMAC-SHA256 (the app's secret key)
over the item, the file's name and the link's end, valid PHOTO_LINK_SECONDS. The link
is handed only to a member whose branch sees the item (`GET /study/<id>`); the file is
served only while the item is published and not withdrawn (`servable_photo`), with the
same headers as the member pages' photos.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import abort, current_app, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from bot.api.problems import Problem
from bot.api.runner import Call
from bot.api.schemas import FeedbackSavedOut
from bot.console.uploads import (
    STORED_NAME,
    feedback_photo_url,
    feedback_room,
    photo_folder,
    read_photo,
    send_photo,
)
from bot.services import services_of
from core import texts
from models.db.stored_files import STUDY
from models.study.actions import give_feedback_on
from models.study.photo_copies import ItemPhoto, item_photos, servable_photo
from models.study.queries import visible_item

PHOTO_LINK_SECONDS = 2 * 3600  # as long as a token lives
UPLOAD_FIELD = "photo"  # wx.uploadFile's `name`


def _signature(item_id: int, name: str, ends: int) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{item_id}/{name}/{ends}".encode(), hashlib.sha256).hexdigest()


def photo_link(item_id: int, name: str) -> str:
    """A link to a kept photo of `item_id` that works for PHOTO_LINK_SECONDS."""
    ends = int(time.time()) + PHOTO_LINK_SECONDS
    return url_for("api.photo", item_id=item_id, name=name, e=ends,
                   s=_signature(item_id, name, ends), _external=True)


def image_urls(call: Call, item_id: int) -> list[str]:
    """Where the mini-program loads each photo of an item: the kept copy (a signed link),
    else WeChat's own picture link while the copy is pending or was not kept."""
    # (the caller has checked that the member sees the item)
    return [url for photo in item_photos(call.session, item_id, photo_link)
            if (url := _shown_at(photo)) is not None]


def _shown_at(photo: ItemPhoto) -> str | None:
    if photo.url:
        return photo.url
    if photo.link and photo.link.startswith(("https://", "http://")):
        return photo.link
    return None


def serve_photo(item_id: int, name: str) -> ResponseReturnValue:
    """GET /api/v1/photos/<item>/<name>?e=&s=: the photo while its link is valid (404
    for a wrong, expired or tampered link, and for a withdrawn item's photo)."""
    try:
        ends = int(request.args.get("e", ""))
    except ValueError:
        abort(404)
    sent = request.args.get("s", "")
    if not STORED_NAME.match(name) or ends < time.time() or not hmac.compare_digest(
            sent.encode(), _signature(item_id, name, ends).encode()):
        abort(404)
    services = services_of()
    with services.sessions() as session:
        if servable_photo(session, item_id, name, services.clock()) is None:
            abort(404)
    return send_photo(photo_folder(STUDY, item_id), name, private=True)


def study_feedback_photo(call: Call) -> FeedbackSavedOut:
    """心得 as a photo (multipart, field `photo`, what wx.uploadFile sends): re-encoded
    and within the branch's quotas, on an item I have marked 已学 — the pages' action."""
    assert call.member is not None
    member = call.member
    item = visible_item(call.session, member.branch_id, int(call.path["item_id"]), call.now)
    upload = request.files.get(UPLOAD_FIELD)
    if not isinstance(upload, FileStorage) or not upload.filename:
        raise Problem("bad-request", texts.API_PHOTO_MISSING.format(field=UPLOAD_FIELD))
    photo = read_photo(upload)  # not a photo: its sentence, 409
    _, pieces = give_feedback_on(call.session, call.actor, item, member.id, member.branch_id,
                                 call.now, photo=photo, room=feedback_room(call.now),
                                 url_of=feedback_photo_url)
    return FeedbackSavedOut(item_id=item.id, pieces=pieces)
