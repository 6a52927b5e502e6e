"""`partybot db backup` and `db restore`: the database and the uploaded files in one
file, taken while partybot serves, and put back into an empty installation.

The database is copied first, at one instant (SQLite's backup API, or pg_dump of an
exported snapshot), then the uploads folder. A photo is written before its row commits
and deleted only after its row is gone, so every file a row of the snapshot names is
in the folder when it is copied, unless it was let go in between (a withdrawn item's,
counted in the manifest as `released_since`); a file without a row (an upload still
in flight) is copied too and becomes an orphan the upkeep sweep removes.

Restore checks everything it can before it touches anything: the archive against its
checksums, the kind of database, the target empty, the uploads folder empty; SQLite's
file is checked (quick_check, foreign keys, row counts) before it is moved into place.
"""

from __future__ import annotations

import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from models.db import backup_postgres, backup_sqlite
from models.db.backup_archive import (
    FORMAT,
    FORMAT_VERSION,
    Progress,
    extract_to,
    open_archive,
    read_manifest,
    restore_files,
    upload_files,
    verify_archive,
    write_archive,
)
from models.db.engine import make_engine
from models.errors import DomainError

SQLITE_MEMBER = "database/partybot.sqlite3"
PG_MEMBER = "database/partybot.pgdump"


def partybot_version() -> str:
    """The installed partybot's version."""
    try:
        return version("partybot")
    except PackageNotFoundError:
        return "unknown"


def database_kind(url: str) -> str:
    """"sqlite" or "postgresql"."""
    kind = make_url(url).get_backend_name()
    if kind not in ("sqlite", "postgresql"):
        raise DomainError("BACKUP_KIND_UNSUPPORTED", kind=kind)
    return kind


def sqlite_path(url: str) -> Path:
    """The SQLite file behind a URL (an in-memory database has none to back up)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise DomainError("BACKUP_KIND_UNSUPPORTED", kind=f"sqlite {database or ':memory:'}")
    return Path(database)


@contextmanager
def _scratch(folder: Path) -> Iterator[Path]:
    """A private temporary file in `folder` (beside the backup or the database: /tmp
    may be a small RAM disk)."""
    descriptor, name = tempfile.mkstemp(prefix=".partybot-backup-", dir=folder)
    os.close(descriptor)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


@dataclass(frozen=True)
class BackupDone:
    """What went into the file."""

    manifest: dict[str, Any]
    rows: int
    files: int
    released_since: int


def make_backup(url: str, instance: Path, out: Path, progress: Progress,
                pg_path: str | None = None) -> BackupDone:
    """Write the backup of the database at `url` and the uploads under `instance`."""
    kind = database_kind(url)
    out = out.absolute()
    if not out.parent.is_dir():
        raise DomainError("BACKUP_NO_FOLDER", folder=str(out.parent))
    manifest: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "partybot_version": partybot_version(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"kind": kind}}
    with _scratch(out.parent) as dump_file:
        progress(f"database ({kind}): taking a consistent snapshot")
        if kind == "sqlite":
            backup_sqlite.snapshot(sqlite_path(url), dump_file)
            counts = backup_sqlite.tables_and_counts(dump_file)
            revision = backup_sqlite.revision(dump_file)
            stored = backup_sqlite.stored_paths(dump_file)
            member = SQLITE_MEMBER
        else:
            engine = make_engine(url)
            try:
                dumped = backup_postgres.dump(engine, dump_file, pg_path)
            finally:
                engine.dispose()
            counts, revision, stored = dumped.counts, dumped.revision, dumped.stored
            manifest["database"]["server_version"] = dumped.server_version
            member = PG_MEMBER
        manifest["database"].update(revision=revision, tables=counts)
        progress(f"database: {len(counts)} tables, {sum(counts.values())} rows, "
                 f"{dump_file.stat().st_size / 1e6:.1f} MB")
        listed = set(upload_files(instance))
        released = sorted(stored - listed)
        manifest["released_since"] = released
        written = write_archive(out, manifest, dump_file, member, instance, progress)
    return BackupDone(written, sum(counts.values()), len(written["files"]), len(released))


def read_backup(path: Path, progress: Progress) -> dict[str, Any]:
    """The manifest of a backup whose every member matches its checksum."""
    with open_archive(path) as tar:
        manifest = read_manifest(tar, path)
        verify_archive(tar, path, manifest, progress)
    return manifest


@dataclass(frozen=True)
class RestoreDone:
    """What was put back."""

    rows: int
    files: int
    revision: str | None


def restore_backup(path: Path, manifest: dict[str, Any], url: str, instance: Path,
                   progress: Progress, pg_path: str | None = None) -> RestoreDone:
    """Put a verified backup (`read_backup`) into the empty database at `url` and the
    empty uploads folder under `instance`."""
    kind = database_kind(url)
    database = manifest["database"]
    if database["kind"] != kind:
        raise DomainError("BACKUP_KIND_MISMATCH", backup=database["kind"], target=kind)
    if upload_files(instance):
        raise DomainError("BACKUP_UPLOADS_NOT_EMPTY", folder=str(instance / "uploads"))
    expected: dict[str, int] = database["tables"]
    with open_archive(path) as tar:
        if kind == "sqlite":
            _restore_sqlite(tar, database, sqlite_path(url).absolute(), expected, progress)
        else:
            _restore_postgres(tar, database, url, expected, progress, pg_path)
        files = restore_files(tar, manifest, instance, progress)
    return RestoreDone(sum(expected.values()), files, database.get("revision"))


def _refuse_rows(with_rows: list[str]) -> None:
    if with_rows:
        raise DomainError("BACKUP_TARGET_NOT_EMPTY", count=len(with_rows),
                          tables=", ".join(with_rows[:5]))


def _restore_sqlite(tar: tarfile.TarFile, database: dict[str, Any], target: Path,
                    expected: dict[str, int], progress: Progress) -> None:
    _refuse_rows(backup_sqlite.tables_with_rows(target))
    if backup_sqlite.in_use(target):
        raise DomainError("BACKUP_TARGET_IN_USE", path=str(target))
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _scratch(target.parent) as copy:
        progress("database: copying the snapshot out of the backup")
        extract_to(tar, database["member"], copy, 0o600)
        problem = backup_sqlite.check_consistent(copy)
        found = backup_sqlite.tables_and_counts(copy)
        if problem or found != expected:
            raise DomainError("BACKUP_RESTORED_DIFFERS", why=problem or "row counts differ")
        if backup_sqlite.in_use(target):  # opened while we checked
            raise DomainError("BACKUP_TARGET_IN_USE", path=str(target))
        backup_sqlite.put_in_place(copy, target)
    progress(f"database: {target} restored")


def _restore_postgres(tar: tarfile.TarFile, database: dict[str, Any], url: str,
                      expected: dict[str, int], progress: Progress,
                      pg_path: str | None) -> None:
    engine = make_engine(url)
    try:
        with_rows, tables = backup_postgres.tables_with_rows(engine)
        _refuse_rows(with_rows)
        foreign = sorted(set(tables) - set(expected) - backup_sqlite.KEPT_WITH_NO_DATA)
        if foreign and not set(tables) & set(expected):
            raise DomainError("BACKUP_TARGET_NOT_PARTYBOT", tables=", ".join(foreign[:5]))
        with _scratch(Path(tempfile.gettempdir())) as dump_file:
            extract_to(tar, database["member"], dump_file, 0o600)
            progress("database: pg_restore into the configured database")
            backup_postgres.restore(engine, dump_file, tables, pg_path)
        with engine.connect() as connection:
            found = backup_postgres.counts(connection)
        problem = backup_postgres.foreign_keys_hold(engine)
        if problem or found != expected:
            raise DomainError("BACKUP_RESTORED_DIFFERS", why=problem or "row counts differ")
    finally:
        engine.dispose()
    progress("database: restored")
