"""Photos uploaded in the console (meeting photos, study images): JPEG or PNG by their
content — whatever the file name or the browser says — at most 8 MB, decoded and
encoded again (upright, ≤ 2048 px, no EXIF: core.photos), counted against the org's
quotas and stored with a random name and mode 0640 under the instance folder, never in
a static path (models.db.stored_files)."""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from flask import Response, abort, send_file, url_for
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from bot.console.access import current_account
from bot.services import services_of
from core.localtime import start_of_day
from core.photos import MAX_PIXELS, Photo, PhotoRefused, prepare_photo
from models.db.stored_files import check_quota, folder_of, store_files
from models.errors import DomainError
from models.study.photo_copies import CopyRoom

log = logging.getLogger(__name__)

PHOTO_MAX_BYTES = 8 * 1024 * 1024
SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
STORED_NAME = re.compile(r"^[A-Za-z0-9_-]{16,40}\.(jpg|png)$")


def read_photo(upload: FileStorage | None) -> Photo:
    """The upload as a photo ready to store; DomainError (logged with the reason) when
    it is not a JPEG/PNG within the limit, has too many pixels or cannot be read."""
    data = upload.read(PHOTO_MAX_BYTES + 1) if upload is not None else b""
    if not data.startswith(SIGNATURES) or len(data) > PHOTO_MAX_BYTES:
        log.warning("console: photo refused: not JPEG/PNG or over %d bytes (%d)",
                    PHOTO_MAX_BYTES, len(data))
        raise DomainError("CONSOLE_PHOTO_BAD", mb=PHOTO_MAX_BYTES // (1024 * 1024))
    try:
        return prepare_photo(data)
    except PhotoRefused as refused:
        log.warning("console: photo of %d bytes refused: %s", len(data), refused)
        if refused.reason == "pixels":
            raise DomainError("CONSOLE_PHOTO_PIXELS", mp=MAX_PIXELS // 1_000_000) from None
        if refused.reason == "broken":
            raise DomainError("CONSOLE_PHOTO_BROKEN") from None
        raise DomainError("CONSOLE_PHOTO_BAD", mb=PHOTO_MAX_BYTES // (1024 * 1024)) from None


def keep_photos(session: Session, org_id: int, owner: str, owner_id: int,
                photos: Sequence[Photo]) -> list[str]:
    """Store the photos for the owner if the org's quotas and the disk have room
    (DomainError if not: nothing written); returns their names. The caller commits."""
    services = services_of()
    settings = services.settings
    now = services.clock()
    adding = sum(len(p.data) for p in photos)
    free = free_disk(Path(settings.instance_path))
    if free - adding < settings.upload_min_free_bytes:
        log.error("console: photos refused: %d bytes free on the instance folder's disk, "
                  "%d must stay free", free, settings.upload_min_free_bytes)
        raise DomainError("UPLOAD_DISK_FULL")
    check_quota(session, org_id, adding, start_of_day(now, settings.tz),
                settings.upload_daily_bytes, settings.upload_total_bytes)
    return store_files(session, Path(settings.instance_path), org_id, owner, owner_id,
                       [(p.data, p.suffix) for p in photos], current_account().key, now)


def free_disk(folder: Path) -> int:
    """Free bytes on the disk `folder` is (or will be, once made) on."""
    folder = folder.resolve()
    while not folder.exists():
        folder = folder.parent
    return shutil.disk_usage(folder).free


def photo_folder(owner: str, owner_id: int) -> Path:
    """Where the owner's photos live (under the instance folder)."""
    return folder_of(Path(services_of().settings.instance_path), owner, owner_id)


def mimetype_of(name: str) -> str:
    """The content type a stored photo is served with."""
    return "image/png" if name.endswith(".png") else "image/jpeg"


def send_photo(folder: Path, name: str, private: bool) -> Response:
    """A stored photo (404 when the file is gone), never sniffed as anything else; cached
    an hour, by the browser alone when `private` (photos behind a login)."""
    path = folder / name
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=mimetype_of(name), max_age=0 if private else 3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if private:
        response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def feedback_room(now: datetime) -> CopyRoom:
    """Where a member's 心得 photo goes and how much room there is (the branch's upload
    quotas and the disk's reserve): the same for the member pages and the API."""
    settings = services_of().settings
    return CopyRoom(Path(settings.instance_path), settings.upload_daily_bytes,
                    settings.upload_total_bytes, settings.upload_min_free_bytes,
                    start_of_day(now, settings.tz))


def feedback_photo_url(record_id: int, name: str) -> str:
    """Where the branch's console shows a member's 心得 photo (in scope only)."""
    return url_for("console.study.feedback_photo", record_id=record_id, name=name)
