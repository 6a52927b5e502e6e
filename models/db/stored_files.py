"""Photos kept on disk (meeting photos, study items' images): one row per file, with the
org whose quota it counts against, its size and who stored it.

The rows are what the quotas count — a day's uploads and the total per org — so no
upload walks the disk. A file goes with what it belongs to: a withdrawn study item's at
once, a cancelled meeting's after the retention. Photos chosen in the console's
study form are stored when it is previewed (owner "preview", under the org, in the
name of the account): 发布 moves them to the item, 放弃 or a day without 发布 lets them
go. Rows are deleted in the caller's
transaction and the files only after it commits (`remove_files`): a rolled-back change
never loses a file. The upkeep sweep deletes what no row and no owner names (orphans of
a failed request), and adopts photos stored before the rows existed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import (
    ForeignKey,
    Index,
    Select,
    String,
    UniqueConstraint,
    delete,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime
from models.errors import DomainError
from models.meetings.tables import Meeting, MeetingStatus
from models.members.org_tables import Org
from models.study.tables import StudyItem, StudyItemImage

log = logging.getLogger(__name__)

MEETING = "meeting"
STUDY = "study"
PREVIEW = "preview"  # owner_id: the org the form posts to
FEEDBACK = "feedback"  # a 心得 photo sent from the member pages; owner_id: the study record
FOLDERS = {MEETING: "meetings", STUDY: "study", PREVIEW: "previews", FEEDBACK: "feedback"}
RECTIFY = "rectify"  # evidence of a closed rectification problem; owner_id: the problem
FOLDERS[RECTIFY] = "rectify"
REVIEW = "review"  # a 述职 report's file (photo or PDF); owner_id: the review_reporter
FOLDERS[REVIEW] = "reviews"
ASSESSMENT = "assessment"  # evidence of a self-check or inspection mark; owner_id: the mark
FOLDERS[ASSESSMENT] = "assessment"
# A previewed photo nobody published within this long is let go by the upkeep sweep.
PREVIEW_KEEP = timedelta(days=1)
UPLOADS = "uploads"
# A file younger than this may belong to a request still running: never an orphan yet.
ORPHAN_GRACE = timedelta(hours=1)
MB = 1024 * 1024


class StoredFile(Base):
    """One uploaded file under the instance folder's uploads/<folder>/<owner id>/."""

    __tablename__ = "stored_file"
    __table_args__ = (UniqueConstraint("owner", "owner_id", "name"),
                      Index("ix_stored_file_org_id_stored_at", "org_id", "stored_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    owner: Mapped[str] = mapped_column(String(10))  # meeting / study
    owner_id: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column()
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stored_by: Mapped[str | None] = mapped_column(String(40))  # a console account's key

    @property
    def path(self) -> str:
        """Where the file is, relative to the uploads folder."""
        return f"{FOLDERS[self.owner]}/{self.owner_id}/{self.name}"


def folder_of(root: Path, owner: str, owner_id: int) -> Path:
    """The folder of one meeting's or one item's photos under the instance folder."""
    return (root / UPLOADS / FOLDERS[owner] / str(owner_id)).resolve()


def megabytes(size: int) -> str:
    """A size for people: "0.3", "12", "2048" (MB)."""
    value = size / MB
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


@dataclass(frozen=True)
class Usage:
    """Bytes stored by some orgs: today (local day) and in all."""

    today: int
    total: int


def usage(session: Session, org_ids: Iterable[int] | Select[tuple[int]],
          day_start: datetime) -> Usage:
    """What the orgs store: since `day_start` and in all (one query)."""
    ids = org_ids if isinstance(org_ids, Select) else list(org_ids)
    today, total = session.execute(
        select(func.coalesce(func.sum(StoredFile.size).filter(
            StoredFile.stored_at >= day_start), 0), func.coalesce(func.sum(StoredFile.size), 0))
        .where(StoredFile.org_id.in_(ids))).one()
    return Usage(int(today), int(total))


def check_quota(session: Session, org_id: int, adding: int, day_start: datetime,
                daily: int, total: int) -> None:
    """DomainError when `adding` more bytes would pass the org's daily or total quota.
    Locks the org's row first (PostgreSQL) so that two uploads at once cannot both
    pass on the same remaining room."""
    session.execute(select(Org.id).where(Org.id == org_id).with_for_update())
    used = usage(session, [org_id], day_start)
    if used.today + adding > daily:
        log.warning("upload quota: org %s stored %d bytes today; %d more refused (limit %d)",
                    org_id, used.today, adding, daily)
        raise DomainError("UPLOAD_DAILY_FULL", used=megabytes(used.today),
                          limit=megabytes(daily), adding=megabytes(adding))
    if used.total + adding > total:
        log.warning("upload quota: org %s stores %d bytes; %d more refused (limit %d)",
                    org_id, used.total, adding, total)
        raise DomainError("UPLOAD_TOTAL_FULL", used=megabytes(used.total),
                          limit=megabytes(total), adding=megabytes(adding))


def store_files(session: Session, root: Path, org_id: int, owner: str, owner_id: int,
                files: Sequence[tuple[bytes, str]], by: str | None, now: datetime) -> list[str]:
    """Write each (bytes, suffix) under a random name (mode 0640) and add its row;
    returns the names (flushes). Check the quota first. Should the caller's
    transaction roll back, the files are orphans the sweep removes."""
    folder = folder_of(root, owner, owner_id)
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for data, suffix in files:
        name = secrets.token_urlsafe(18) + suffix
        (folder / name).write_bytes(data)
        (folder / name).chmod(0o640)
        session.add(StoredFile(org_id=org_id, owner=owner, owner_id=owner_id, name=name,
                               size=len(data), stored_at=now, stored_by=by))
        names.append(name)
    session.flush()
    return names


def release_due(session: Session, now: datetime, cancelled_keep: timedelta,
                only: tuple[str, int] | None = None) -> list[str]:
    """Delete the rows of files whose owner let them go — a withdrawn study item, a
    meeting cancelled more than `cancelled_keep` ago, a preview left for PREVIEW_KEEP —
    and take them off the meeting's
    photo list; returns their paths for `remove_files` after the commit (flushes).
    `only` = (owner, id) limits it to one owner (right after a withdrawal)."""
    withdrawn = select(StudyItem.id).where(StudyItem.withdrawn_at.is_not(None))
    cancelled = select(Meeting.id).where(Meeting.status == MeetingStatus.CANCELLED,
                                         Meeting.closed_at <= now - cancelled_keep)
    query = select(StoredFile).where(or_(
        (StoredFile.owner == STUDY) & StoredFile.owner_id.in_(withdrawn),
        (StoredFile.owner == MEETING) & StoredFile.owner_id.in_(cancelled),
        (StoredFile.owner == PREVIEW) & (StoredFile.stored_at <= now - PREVIEW_KEEP)))
    if only is not None:
        query = query.where(StoredFile.owner == only[0], StoredFile.owner_id == only[1])
    rows = list(session.scalars(query))
    gone: dict[int, set[str]] = {}
    for row in rows:
        if row.owner == MEETING:
            gone.setdefault(row.owner_id, set()).add(row.name)
    # One DELETE by id (not the ORM's per-row delete): a sweep and a withdrawal that
    # release the same rows at once both succeed; the later one deletes nothing.
    session.execute(delete(StoredFile).where(StoredFile.id.in_([row.id for row in rows]))
                    .execution_options(synchronize_session=False))
    for meeting_id, names in gone.items():
        meeting = session.get(Meeting, meeting_id)
        if meeting is not None:
            meeting.photos = [n for n in meeting.photos or [] if n not in names]
    session.flush()
    return [row.path for row in rows]


def remove_files(root: Path, paths: Iterable[str]) -> int:
    """Delete these files (paths from release_due or find_orphans) and any folder left
    empty; returns how many were there. Call it after the commit."""
    removed = 0
    base = (root / UPLOADS).resolve()
    for relative in paths:
        path = (base / relative).resolve()
        if base not in path.parents:  # never outside the uploads folder
            continue
        if path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
        with contextlib.suppress(OSError):  # the folder is not empty, or gone
            path.parent.rmdir()
    return removed


def _owner_names(session: Session, owner: str, owner_id: int) -> set[str]:
    """The names the owner still refers to (a live meeting's photo list, a live item's
    images); nothing for a withdrawn item or a meeting whose photos are due to go."""
    if owner == MEETING:
        meeting = session.get(Meeting, owner_id)
        return set(meeting.photos or []) if meeting is not None else set()
    if owner in (PREVIEW, FEEDBACK, RECTIFY, REVIEW, ASSESSMENT):  # known by its row alone
        return set()
    item = session.get(StudyItem, owner_id)
    if item is None or item.withdrawn_at is not None:
        return set()
    urls = session.scalars(select(StudyItemImage.pic_url).where(
        StudyItemImage.item_id == owner_id))
    return {url.rsplit("/", 1)[-1] for url in urls if url}


def find_orphans(session: Session, root: Path, now: datetime) -> list[str]:
    """Walk the uploads folders: a file with no row that its owner still names is
    adopted (a row with its size: photos stored before the quotas); one nobody names,
    older than ORPHAN_GRACE, is returned for `remove_files` after the commit (flushes)."""
    known = {(owner, owner_id, name) for owner, owner_id, name in session.execute(
        select(StoredFile.owner, StoredFile.owner_id, StoredFile.name))}
    orphans = []
    for owner, folder in FOLDERS.items():
        for directory in sorted((root / UPLOADS / folder).glob("*")):
            if not directory.is_dir() or not directory.name.isdigit():
                continue
            owner_id = int(directory.name)
            names: set[str] | None = None
            for path in sorted(directory.iterdir()):
                if not path.is_file() or (owner, owner_id, path.name) in known:
                    continue
                names = _owner_names(session, owner, owner_id) if names is None else names
                stat = path.stat()
                if path.name in names:
                    org_id = _org_of(session, owner, owner_id)
                    if org_id is not None:
                        session.add(StoredFile(
                            org_id=org_id, owner=owner, owner_id=owner_id, name=path.name,
                            size=stat.st_size, stored_by=None,
                            stored_at=datetime.fromtimestamp(stat.st_mtime, UTC)))
                        continue
                if now - datetime.fromtimestamp(stat.st_mtime, UTC) > ORPHAN_GRACE:
                    orphans.append(os.path.relpath(path, root / UPLOADS))
    session.flush()
    return orphans


def _org_of(session: Session, owner: str, owner_id: int) -> int | None:
    found: Meeting | StudyItem | None = session.get(Meeting, owner_id) \
        if owner == MEETING else session.get(StudyItem, owner_id)
    return found.org_id if found is not None else None


def held_previews(session: Session, org_id: int, by: str | None,
                  names: Iterable[str]) -> list[StoredFile]:
    """The photos of a preview the form refers to (`names`, in that order): only those
    this account stored for this org and not yet let go; other names are ignored."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return []
    rows = {row.name: row for row in session.scalars(select(StoredFile).where(
        StoredFile.owner == PREVIEW, StoredFile.owner_id == org_id,
        StoredFile.stored_by == by, StoredFile.name.in_(wanted)))}
    return [rows[name] for name in wanted if name in rows]


def adopt_previews(session: Session, root: Path, rows: Sequence[StoredFile], owner: str,
                   owner_id: int) -> tuple[list[str], list[str]]:
    """Give previewed photos to their owner (a published item): each file is linked
    (or copied) into the owner's folder under the same name and its row moves with it
    (flushes). Returns (the names, the preview paths to remove once committed): a
    rolled-back publish leaves the preview whole, the copies being orphans."""
    folder = folder_of(root, owner, owner_id)
    folder.mkdir(parents=True, exist_ok=True)
    names, old_paths = [], []
    for row in rows:
        source = (root / UPLOADS / row.path).resolve()
        target = folder / row.name
        if not target.exists():
            try:
                os.link(source, target)
            except OSError:  # another file system, or no hard links: a copy
                shutil.copyfile(source, target)
                target.chmod(0o640)
        old_paths.append(row.path)
        row.owner, row.owner_id = owner, owner_id
        names.append(row.name)
    session.flush()
    return names, old_paths


def release_previews(session: Session, rows: Sequence[StoredFile]) -> list[str]:
    """Let previewed photos go (the form dropped them, or 放弃): their rows are deleted
    (flushes); their paths are returned for `remove_files` after the commit."""
    paths = [row.path for row in rows if row.owner == PREVIEW]
    session.execute(delete(StoredFile).where(StoredFile.id.in_(
        [row.id for row in rows if row.owner == PREVIEW]))
        .execution_options(synchronize_session=False))
    session.flush()
    return paths
