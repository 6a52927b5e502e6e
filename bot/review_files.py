"""A 述职 report's files, from the console or the member page: a photo (JPEG/PNG by its
content, re-encoded as every photo is: core.photos) or a PDF (by its signature), at most
8 MB, counted against the reporter's org's upload quotas and stored under the instance
folder with a random name (models.db.stored_files, owner "review")."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

from flask import Response, abort, send_file
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from bot.services import services_of
from core.localtime import start_of_day
from core.photos import PhotoRefused, prepare_photo
from models.db.stored_files import REVIEW, check_quota, folder_of, store_files
from models.reviews.actions import ReviewError

log = logging.getLogger(__name__)

FILE_MAX_BYTES = 8 * 1024 * 1024
BODY_MAX = FILE_MAX_BYTES + 64 * 1024
PHOTO_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
PDF_SIGNATURE = b"%PDF-"
FILE_NAME = re.compile(r"^[A-Za-z0-9_-]{16,40}\.(jpg|png|pdf)$")
TYPES = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}


def read_report_file(upload: FileStorage | None) -> tuple[bytes, str]:
    """(bytes, suffix) of an uploaded file we keep; ReviewError otherwise."""
    data = upload.read(FILE_MAX_BYTES + 1) if upload is not None else b""
    refused = ReviewError("REVIEW_FILE_BAD", mb=FILE_MAX_BYTES // (1024 * 1024))
    if len(data) > FILE_MAX_BYTES:
        raise refused
    if data.startswith(PDF_SIGNATURE):
        return data, ".pdf"
    if not data.startswith(PHOTO_SIGNATURES):
        log.info("review file refused: neither a photo nor a PDF (%d bytes)", len(data))
        raise refused
    try:
        photo = prepare_photo(data)
    except PhotoRefused as why:
        log.info("review photo refused: %s", why.reason)
        raise refused from None
    return photo.data, photo.suffix


def storer(session: Session, org_id: int, reporter_id: int, upload: FileStorage | None,
           by: str) -> Callable[[], str]:
    """What models.reviews.actions.add_report_file calls to store the upload."""

    def store() -> str:
        services = services_of()
        settings, now = services.settings, services.clock()
        data, suffix = read_report_file(upload)
        check_quota(session, org_id, len(data), start_of_day(now, settings.tz),
                    settings.upload_daily_bytes, settings.upload_total_bytes)
        [name] = store_files(session, Path(settings.instance_path), org_id, REVIEW,
                             reporter_id, [(data, suffix)], by[:40], now)
        return name

    return store


def send_report_file(reporter_id: int, name: str, names: list[str]) -> Response:
    """One of the report's files (404 unless it is one), never sniffed, never cached
    by a proxy."""
    if not FILE_NAME.match(name) or name not in names:
        abort(404)
    path = folder_of(Path(services_of().settings.instance_path), REVIEW, reporter_id) / name
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=TYPES[name.rsplit(".", 1)[-1]], max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
