"""Photos uploaded in the console (meeting photos, study images): JPEG or PNG by their
content — whatever the file name or the browser says — at most 8 MB, stored with a
random name and mode 0640 under the instance folder, never in a static path."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import Response, abort, send_file
from werkzeug.datastructures import FileStorage

PHOTO_MAX_BYTES = 8 * 1024 * 1024
SIGNATURES = {b"\xff\xd8\xff": ".jpg", b"\x89PNG\r\n\x1a\n": ".png"}
STORED_NAME = re.compile(r"^[A-Za-z0-9_-]{16,40}\.(jpg|png)$")


def read_photo(upload: FileStorage | None) -> tuple[bytes, str] | None:
    """The photo's bytes and suffix, or None when it is not a JPEG/PNG within the limit."""
    data = upload.read(PHOTO_MAX_BYTES + 1) if upload is not None else b""
    suffix = next((ext for magic, ext in SIGNATURES.items() if data.startswith(magic)), None)
    if suffix is None or len(data) > PHOTO_MAX_BYTES:
        return None
    return data, suffix


def store_photo(folder: Path, data: bytes, suffix: str) -> str:
    """Write the photo under a random name; returns the name."""
    name = secrets.token_urlsafe(18) + suffix
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    (folder / name).chmod(0o640)
    return name


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
