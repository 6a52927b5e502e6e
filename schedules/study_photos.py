"""Chat photos of study items copied into partybot's storage, soon after posting.

WeChat keeps a received picture's media id for 3 days; the member pages and the API
serve every photo of an item from partybot (models.study.photo_copies). Each minute this
job fetches the photos waiting: by media id (`media/get`, through the wrapped client),
else by the picture URL; re-encodes them (core.photos: upright, ≤ 2048 px, no EXIF);
and stores them as files of the item's org (models.study.actions.keep_photo_copy: the
quotas apply). A failed try is tried again later, and given up when the 3-day window
has closed (photo_copy_failed). Fetching happens outside any transaction; each photo's
outcome is committed on its own, so a run cut short loses nothing, and a second run
copies nothing twice.
"""

from __future__ import annotations

import logging
from pathlib import Path

import requests

from core.localtime import start_of_day
from core.photos import PhotoRefused, prepare_photo
from core.wechat import use_proxies_from_environment_once
from core.wechat_media import FetchFailed, media_bytes, picture_bytes
from models.actors import Actor
from models.db.write_gate import write_session
from models.study.actions import keep_photo_copy, photo_copy_failed
from models.study.photo_copies import CopyRoom, PhotoToCopy, photos_to_copy
from schedules.job_spec import JobSpec
from schedules.runtime import Runtime

log = logging.getLogger(__name__)

JOB_ID = "study.copy_photos"
BATCH = 50  # photos per run: a minute's work even when WeChat is slow


def copy_study_photos(runtime: Runtime) -> int:
    """Copy the chat photos due now; returns how many were stored."""
    now = runtime.clock()
    with runtime.sessions() as session:
        due = photos_to_copy(session, now, BATCH)
    stored = 0
    for photo in due:
        stored += _copy_one(runtime, photo) == "stored"
    if due:
        log.info("study photos: %d of %d waiting photos stored", stored, len(due))
    return stored


def _copy_one(runtime: Runtime, photo: PhotoToCopy) -> str:
    """Fetch, re-encode and keep one photo; the outcome ("stored", "link", "retry",
    "gave_up", "skipped")."""
    actor = Actor.job(JOB_ID)
    settings = runtime.settings
    try:
        prepared = prepare_photo(fetch(runtime, photo))
    except FetchFailed as failed:
        return _failed(runtime, actor, photo, failed.reason,
                       None if failed.transient else "gone")
    except PhotoRefused as refused:
        # A picture too large or not one at all will not change; a broken one may have
        # been cut short on the way.
        return _failed(runtime, actor, photo, f"photo refused: {refused}",
                       None if refused.reason == "broken" else "refused")
    now = runtime.clock()
    room = CopyRoom(Path(settings.instance_path), settings.upload_daily_bytes,
                    settings.upload_total_bytes, settings.upload_min_free_bytes,
                    start_of_day(now, settings.tz))
    with write_session(runtime.engine) as session:
        outcome = keep_photo_copy(session, actor, photo.image_id, prepared.data,
                                  prepared.suffix, room, now)
        session.commit()
    return outcome


def _failed(runtime: Runtime, actor: Actor, photo: PhotoToCopy, reason: str,
            give_up_as: str | None) -> str:
    with write_session(runtime.engine) as session:
        gave_up = photo_copy_failed(session, actor, photo.image_id, reason, runtime.clock(),
                                    give_up_as=give_up_as)
        session.commit()
    return "gave_up" if gave_up else "retry"


def fetch(runtime: Runtime, photo: PhotoToCopy) -> bytes:
    """The photo's bytes: by media id first (the original WeChat received), else by the
    picture URL. FetchFailed (transient if either failure was) when neither answers."""
    failures: list[FetchFailed] = []
    if photo.media_id:
        try:
            return media_bytes(runtime.wechat, photo.media_id)
        except FetchFailed as failed:
            log.info("study photos: media/get of image %s failed (%s); trying its PicUrl",
                     photo.image_id, failed.reason)
            failures.append(failed)
    if photo.pic_url:
        try:
            return picture_bytes(_http(runtime), photo.pic_url, runtime.settings.api_timeout)
        except FetchFailed as failed:
            failures.append(failed)
    if not failures:
        raise FetchFailed("neither a media id nor a picture URL", transient=False)
    raise FetchFailed("; ".join(f.reason for f in failures),
                      transient=any(f.transient for f in failures))


def _http(runtime: Runtime) -> requests.Session:
    """One HTTP session per process for picture URLs (no token goes with them)."""

    def make() -> requests.Session:
        http = requests.Session()
        use_proxies_from_environment_once(http, "https://mmbiz.qpic.cn")
        return http

    session: requests.Session = runtime.cached("picture_http", make)
    return session


JOBS = [
    JobSpec(JOB_ID, copy_study_photos, "interval", {"minutes": 1}),
]
