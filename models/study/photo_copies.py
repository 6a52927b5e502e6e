"""Study photos kept in partybot's storage, so that every photo of an item is served from
one place (the member pages, the mini-program API).

A photo posted from the console is a stored file already (models.db.stored_files): it is
linked when the item is published. A photo sent in chat arrives as WeChat's media id
(temporary media: gone after 3 days) and picture URL; it waits as `pending` until the
copy job (schedules.study_photos) fetches it, re-encodes it (core.photos) and stores it
as a file of the item's org — or, over the org's quota or past the 3-day window, keeps
it as WeChat's link with a note the console shows. The changes themselves are the
actions in models.study.actions (keep_photo_copy, photo_copy_failed); this module reads.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import texts
from models.db.stored_files import STUDY, StoredFile
from models.study.tables import StudyItem, StudyItemImage

PENDING = "pending"
STORED = "stored"
LINK = "link"  # kept as WeChat's (or an old) link only; `copy_note` says why
# WeChat keeps a received media id for 3 days; after that the copy is given up.
COPY_WINDOW = timedelta(days=3)
# Waits between tries: soon at first (a hiccup), then longer (WeChat down for hours).
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15),
                timedelta(hours=1), timedelta(hours=3))


@dataclass(frozen=True)
class CopyRoom:
    """Where a copy goes and how much room there is: the instance folder, the org's
    quotas (bytes a local day, bytes in all, from `day_start`) and the disk's reserve."""

    root: Path
    daily: int
    total: int
    min_free: int
    day_start: datetime


def free_disk(folder: Path) -> int:
    """Free bytes on the disk `folder` is (or will be, once made) on."""
    folder = folder.resolve()
    while not folder.exists():
        folder = folder.parent
    return shutil.disk_usage(folder).free


def retry_delay(tries: int) -> timedelta:
    """How long to wait after the `tries`-th failed try."""
    return RETRY_DELAYS[min(max(tries, 1), len(RETRY_DELAYS)) - 1]


@dataclass(frozen=True)
class PhotoToCopy:
    """A chat photo waiting to be copied, with what the job needs to fetch it."""

    image_id: int
    item_id: int
    org_id: int
    media_id: str | None
    pic_url: str | None
    tries: int
    posted_at: datetime  # the item's creation: the 3-day window counts from it


def photos_to_copy(session: Session, now: datetime, limit: int = 50) -> list[PhotoToCopy]:
    """Chat photos due for a (first or next) copy, oldest due first; a withdrawn item's
    are left alone (its files would go at once)."""
    rows = session.execute(
        select(StudyItemImage.id, StudyItem.id, StudyItem.org_id, StudyItemImage.media_id,
               StudyItemImage.pic_url, StudyItemImage.copy_tries, StudyItem.created_at)
        .join(StudyItem, StudyItem.id == StudyItemImage.item_id)
        .where(StudyItemImage.copy_state == PENDING, StudyItemImage.copy_next_at <= now,
               StudyItem.withdrawn_at.is_(None))
        .order_by(StudyItemImage.copy_next_at, StudyItemImage.id).limit(limit))
    return [PhotoToCopy(*row) for row in rows]


@dataclass(frozen=True)
class ItemPhoto:
    """One photo of an item as a page shows it: `url` where partybot serves it (None
    while it is not stored: `pending`, or kept as a `link` — then `note` says why, in
    the catalog's words, for the console)."""

    image_id: int
    number: int  # 1, 2 … in the item's order
    url: str | None
    state: str  # pending / stored / link
    name: str | None  # the stored file's name (the serving route checks it)
    link: str | None  # WeChat's picture URL (chat) or the console's old URL
    note: str | None


def photos_of_items(session: Session, item_ids: Iterable[int],
                    url_of: Callable[[int, str], str]) -> dict[int, list[ItemPhoto]]:
    """Each item's photos in order (one query); `url_of(item_id, name)` is the URL the
    serving route answers at. Items without photos are absent from the result."""
    ids = list(dict.fromkeys(item_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(StudyItemImage.item_id, StudyItemImage.id, StudyItemImage.copy_state,
               StudyItemImage.pic_url, StudyItemImage.copy_note, StoredFile.name)
        .outerjoin(StoredFile, StoredFile.id == StudyItemImage.stored_file_id)
        .where(StudyItemImage.item_id.in_(ids))
        .order_by(StudyItemImage.item_id, StudyItemImage.id))
    found: dict[int, list[ItemPhoto]] = {}
    for item_id, image_id, state, link, note, name in rows:
        photos = found.setdefault(item_id, [])
        number = len(photos) + 1
        if name is not None:
            state = STORED
        elif state in (STORED, None):  # its file was let go (or never kept: an old row)
            state, note = LINK, note or "gone"
        photos.append(ItemPhoto(image_id, number, url_of(item_id, name) if name else None,
                                state, name, link, _note(number, state, note)))
    return found


def item_photos(session: Session, item_id: int,
                url_of: Callable[[int, str], str]) -> list[ItemPhoto]:
    """One item's photos (see photos_of_items)."""
    return photos_of_items(session, [item_id], url_of).get(item_id, [])


def _note(number: int, state: str | None, why: str | None) -> str | None:
    if state == PENDING:
        return texts.STUDY_PHOTO_PENDING.format(number=number)
    if state == STORED:
        return None
    reason = texts.STUDY_PHOTO_WHY.get(why or "", texts.STUDY_PHOTO_WHY_OTHER)
    return texts.STUDY_PHOTO_KEPT_AS_LINK.format(number=number, why=reason)


def servable_photo(session: Session, item_id: int, name: str, now: datetime) -> StoredFile | None:
    """The stored file `name` of item `item_id` if a member may see it now: a kept photo
    of a published item that is not withdrawn (None otherwise: answer 404). The file is
    models.db.stored_files.folder_of(instance, STUDY, item_id) / name."""
    row: StoredFile | None = session.scalar(
        select(StoredFile)
        .join(StudyItemImage, StudyItemImage.stored_file_id == StoredFile.id)
        .join(StudyItem, StudyItem.id == StudyItemImage.item_id)
        .where(StoredFile.owner == STUDY, StoredFile.owner_id == item_id,
               StoredFile.name == name, StudyItem.id == item_id,
               StudyItem.withdrawn_at.is_(None), StudyItem.publish_at <= now))
    return row
