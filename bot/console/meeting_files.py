"""A meeting's paper and pictures: the printable A4 sign-in sheet (签到码 and the
check-in QR code, large, with a caption), and its photos — uploaded by admins, checked
for type and size, stored under the instance folder (never executable, never served
from a static path) and served only to accounts that may see the meeting."""

from __future__ import annotations

import logging
from datetime import timedelta

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue

from bot.console.access import console_actor, login_required
from bot.console.meetings import meeting_in_scope, meeting_page
from bot.console.request_db import db, refusal_goes_to, save
from bot.console.uploads import (
    PHOTO_MAX_BYTES,
    STORED_NAME,
    keep_photos,
    photo_folder,
    read_photo,
    send_photo,
)
from bot.qrcodes import MAX_TEMPORARY_SECONDS, QR_FAILURES, create_scene_qr
from bot.request_guard import upload_limit
from bot.services import services_of
from core import texts, words
from models.db.stored_files import MEETING
from models.meetings.actions import add_photo
from models.meetings.listing import attendance_list
from models.meetings.rules import checkin_qr_to_reuse, keep_checkin_qr
from models.meetings.tables import Meeting, MeetingStatus

bp = Blueprint("meeting_files", __name__)  # registered under the console in bot/console/__init__.py

log = logging.getLogger(__name__)

UPLOAD_PHOTO_BODY_MAX = PHOTO_MAX_BYTES + 64 * 1024


@bp.get("/meeting/<int:meeting_id>/sheet")
@login_required
def sign_in_sheet(meeting_id: int) -> ResponseReturnValue:
    """The A4 sign-in sheet to print and put at the door."""
    services = services_of()
    tz = services.settings.tz
    session = db()
    meeting = meeting_in_scope(session, meeting_id)
    org = meeting.org
    names = sorted(line.name for line in attendance_list(session, meeting))
    qr_url = _checkin_qr_url(meeting) if meeting.status == MeetingStatus.PLANNED else None
    qr_svg = segno.make(qr_url, error="m").svg_inline(scale=8, border=2) if qr_url else None
    return render_template("console/sheet.html", meeting=meeting, org=org, names=names,
                           qr_svg=qr_svg, tz=tz, words=words)


def _checkin_qr_url(meeting: Meeting) -> str | None:
    """The meeting's check-in code, lasting a day past its end where WeChat allows:
    the stored one while it is good enough, else a new one, kept (None when WeChat
    cannot make one: the sheet still has the 签到码). The stored URL is a cache, not a
    change to the meeting: kept without an audit entry."""
    services = services_of()
    now = services.clock()
    wanted = meeting.ends_at + timedelta(days=1)
    seconds = max(60, min(int((wanted - now).total_seconds()), MAX_TEMPORARY_SECONDS))
    reused = checkin_qr_to_reuse(meeting, wanted, now + timedelta(seconds=seconds))
    if reused is not None:
        return reused
    # No transaction stays open across the WeChat call (SQLite: a stale read
    # snapshot could not write afterwards): end the read one first.
    save()
    try:
        code = create_scene_qr(services.wechat, meeting.qr_scene, expire_seconds=seconds)
    except QR_FAILURES as exc:
        log.warning("console: no check-in QR code for meeting %s: %s", meeting.id,
                    type(exc).__name__)
        return None
    keep_checkin_qr(db(), meeting, code.url,
                    now + timedelta(seconds=code.expire_seconds or seconds))
    save()
    return code.url


@bp.post("/meeting/<int:meeting_id>/photos")
@login_required
@upload_limit(UPLOAD_PHOTO_BODY_MAX)
def upload_photo(meeting_id: int) -> ResponseReturnValue:
    """Add one photo (JPEG or PNG by its content, ≤ 8 MB; downscaled; within the org's
    quotas). A cancelled meeting takes none: its photos are on their way out."""
    meeting = meeting_in_scope(db(), meeting_id)
    back = meeting_page(meeting_id) + "#record"
    refusal_goes_to(back)

    def store() -> tuple[str, int]:
        photo = read_photo(request.files.get("photo"))
        [name] = keep_photos(db(), meeting.org_id, MEETING, meeting.id, [photo])
        return name, len(photo.data)

    add_photo(db(), console_actor(), meeting, store, services_of().clock())
    save()
    flash(texts.CONSOLE_PHOTO_SAVED)
    return redirect(back)


@bp.get("/meeting/<int:meeting_id>/photos/<name>")
@login_required
def meeting_photo(meeting_id: int, name: str) -> ResponseReturnValue:
    """One photo, to accounts that may see the meeting only."""
    meeting = meeting_in_scope(db(), meeting_id)
    if not STORED_NAME.match(name) or name not in (meeting.photos or []):
        abort(404)
    return send_photo(photo_folder(MEETING, meeting_id), name, private=True)
