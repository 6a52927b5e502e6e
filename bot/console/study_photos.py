"""The photos of the console's study form, from 预览 to 发布.

A photo chosen in the form is stored when the form is previewed (or published), as a
preview photo of the org in the account's name (models.db.stored_files, owner
"preview"); the form carries the stored names (`kept`), so a 发布 after the 预览
publishes them without choosing them again. A photo ticked off (`drop`) or the whole
preview given up (放弃) is deleted; one nobody publishes goes with the upkeep sweep
after a day. The files are deleted only once the request's change is committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flask import Request
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from bot.console.access import current_account
from bot.console.uploads import keep_photos, read_photo
from bot.services import services_of
from models.db.stored_files import (
    PREVIEW,
    StoredFile,
    adopt_previews,
    held_previews,
    release_previews,
    remove_files,
)
from models.errors import DomainError


@dataclass
class FormPhotos:
    """The form's photos: those held for it (in order), and the files to delete once
    the request is committed (photos dropped, previews moved to the item)."""

    held: list[StoredFile]
    missing: int = 0  # names the form carried that are no longer held
    to_remove: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """The stored names, as the form carries them."""
        return [row.name for row in self.held]


def held_in_form(session: Session, org_id: int, form: Request) -> FormPhotos:
    """The photos the form says it holds (`missing`: how many of them are gone —
    expired, given up, or never this account's)."""
    kept = list(dict.fromkeys(form.form.getlist("kept")))
    held = held_previews(session, org_id, current_account().key, kept)
    return FormPhotos(held, missing=len(kept) - len(held))


def refuse_if_missing(photos: FormPhotos) -> None:
    """DomainError when a photo the preview showed is gone: publishing without it would
    break the preview's promise."""
    if photos.missing:
        raise DomainError("CONSOLE_STUDY_PREVIEW_GONE")


def drop_ticked(session: Session, photos: FormPhotos, dropped: Sequence[str]) -> None:
    """Let go of the photos ticked off in the form (flushes)."""
    gone = [row for row in photos.held if row.name in set(dropped)]
    photos.held = [row for row in photos.held if row not in gone]
    photos.to_remove += release_previews(session, gone)


def drop_all(session: Session, photos: FormPhotos) -> int:
    """放弃: every photo of the preview goes; how many (flushes)."""
    count = len(photos.held)
    photos.to_remove += release_previews(session, photos.held)
    photos.held = []
    return count


def add_chosen(session: Session, org_id: int, photos: FormPhotos,
               uploads: Sequence[FileStorage], limit: int, mb: int) -> None:
    """Store the photos chosen this time as preview photos, after those held;
    DomainError past `limit` photos in all, or for a photo that is not one."""
    if len(photos.held) + len(uploads) > limit:
        raise DomainError("CONSOLE_STUDY_IMAGES", limit=limit, mb=mb)
    chosen = [read_photo(upload) for upload in uploads]
    if not chosen:
        return
    names = keep_photos(session, org_id, PREVIEW, org_id, chosen)
    photos.held += held_previews(session, org_id, current_account().key, names)


def give_to_item(session: Session, photos: FormPhotos, owner: str, item_id: int) -> list[str]:
    """The held photos become the item's; their names (flushes)."""
    names, moved_from = adopt_previews(session, _root(), photos.held, owner, item_id)
    photos.to_remove += moved_from
    return names


def remove_after_commit(photos: FormPhotos) -> None:
    """Delete the files let go or moved (call it after save())."""
    remove_files(_root(), photos.to_remove)
    photos.to_remove = []


def _root() -> Path:
    return Path(services_of().settings.instance_path)
