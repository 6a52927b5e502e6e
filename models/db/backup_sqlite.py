"""SQLite's side of a backup: a snapshot through the online backup API while partybot
keeps serving, and putting a snapshot in place of an empty database.

The backup API copies the pages in one step (pages=-1) inside one read transaction:
in WAL mode writers go on committing meanwhile (they append to the WAL, which the
reader does not see), and the copy is the database as of the step's start. A stepped
copy would restart at every write from another connection and, on a busy database,
might never finish.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from models.db.stored_files import FOLDERS, UPLOADS
from models.errors import DomainError

BUSY_MS = 15000
KEPT_WITH_NO_DATA = {"alembic_version"}  # a migrated, never used database has a row here


@contextlib.contextmanager
def _connected(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(str(path), timeout=BUSY_MS / 1000, isolation_level=None)
    try:
        connection.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        yield connection
    finally:
        connection.close()


def snapshot(source: Path, dest: Path) -> None:
    """Copy the live database at `source` into `dest` (a new, private file) in one
    consistent step; `dest` is left in rollback-journal mode, one self-contained file."""
    if not source.is_file():
        raise DomainError("BACKUP_NO_DATABASE", path=str(source))
    with _connected(source) as live, _connected(dest) as copy:
        live.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode=DELETE")


def tables_and_counts(path: Path) -> dict[str, int]:
    """Every table of the file and its number of rows."""
    with _connected(path) as connection:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                for name in names}


def revision(path: Path) -> str | None:
    """The Alembic revision the file is at (None: not migrated)."""
    with _connected(path) as connection:
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            return None
    return row[0] if row else None


def stored_paths(path: Path) -> set[str]:
    """The files the snapshot's stored_file rows name, relative to the instance folder."""
    with _connected(path) as connection:
        try:
            rows = connection.execute("SELECT owner, owner_id, name FROM stored_file").fetchall()
        except sqlite3.OperationalError:
            return set()
    return {f"{UPLOADS}/{FOLDERS.get(owner, owner)}/{owner_id}/{name}"
            for owner, owner_id, name in rows}


def tables_with_rows(path: Path) -> list[str]:
    """The target's tables that hold rows (a file that does not exist holds none)."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    return sorted(name for name, count in tables_and_counts(path).items()
                  if count and name not in KEPT_WITH_NO_DATA)


def check_consistent(path: Path) -> str:
    """SQLite's own check of the restored file, and its foreign keys: '' when sound."""
    with _connected(path) as connection:
        result = connection.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            return str(result)
        broken = connection.execute("PRAGMA foreign_key_check").fetchall()
    return f"{len(broken)} rows break a foreign key, e.g. {broken[0]}" if broken else ""


def put_in_place(snapshot_file: Path, target: Path) -> None:
    """Replace the (empty) database at `target` with the snapshot: the caller made sure
    it holds no rows; no process may have it open (then its -wal file exists)."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.chmod(snapshot_file, 0o600)
    os.replace(snapshot_file, target)
    descriptor = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def in_use(target: Path) -> bool:
    """Whether some process has the database open: SQLite removes the -wal file when
    the last connection closes, and every partybot connection is in WAL mode."""
    return Path(f"{target}-wal").exists()
