"""PostgreSQL's side of a backup: `pg_dump -Fc` of one exported snapshot, with the row
counts read in that very snapshot, and `pg_restore` into an empty database.

The dump runs while partybot serves: our REPEATABLE READ transaction exports its
snapshot (`pg_export_snapshot()`), pg_dump reads exactly that (`--snapshot`), and the
manifest's row counts come from the same transaction, so they describe the dump and
not the database a moment later. The password goes to pg_dump in PGPASSWORD, never on
its command line (the process list shows that to every user).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL

from models.db.backup_sqlite import KEPT_WITH_NO_DATA
from models.db.stored_files import FOLDERS, UPLOADS
from models.errors import DomainError


@dataclass(frozen=True)
class Dumped:
    """What the snapshot held: per-table counts, the revision, the stored files."""

    counts: dict[str, int]
    revision: str | None
    stored: set[str]
    server_version: str


def libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string for the client tools, and the environment to run
    them in (the password, a connect timeout)."""

    def quoted(value: object) -> str:
        return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"

    parts = {"host": url.host, "port": url.port, "dbname": url.database,
             "user": url.username}
    parts.update({key: value if isinstance(value, str) else value[-1]
                  for key, value in url.query.items()})
    conninfo = " ".join(f"{key}={quoted(value)}" for key, value in parts.items()
                        if value is not None)
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return conninfo, env


def server_major(connection: Connection) -> int:
    """The server's major version (15 for 15.4)."""
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def client_tool(name: str, major: int, path: str | None = None) -> str:
    """pg_dump or pg_restore from PATH, of the server's major version or newer (an
    older pg_dump refuses a newer server); a refusal that says what to install."""
    found = shutil.which(name, path=path)
    if found is None:
        raise DomainError("BACKUP_PG_TOOL_MISSING", tool=name, major=major)
    answer = subprocess.run([found, "--version"], capture_output=True, text=True,
                            timeout=30, check=False).stdout
    version = re.search(r"(\d+)(?:\.\d+)?", answer)
    if version is None or int(version.group(1)) < major:
        raise DomainError("BACKUP_PG_TOOL_OLD", tool=name, major=major,
                          found=answer.strip() or found)
    return found


def _tables(connection: Connection) -> list[str]:
    return list(connection.execute(text(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
        "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")).scalars())


def counts(connection: Connection) -> dict[str, int]:
    """Every table of the current schema and its number of rows."""
    return {name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in _tables(connection)}


def dump(engine: Engine, out: Path, path: str | None = None) -> Dumped:
    """`pg_dump -Fc` of the configured database into `out`, as of one snapshot."""
    with engine.connect() as connection:
        major = server_major(connection)
        connection.rollback()
        pg_dump = client_tool("pg_dump", major, path)
        conninfo, env = libpq_target(engine.url)
        readonly = connection.execution_options(isolation_level="REPEATABLE READ",
                                                postgresql_readonly=True)
        with readonly.begin():
            snapshot_id = readonly.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            running = subprocess.Popen(
                [pg_dump, "-Fc", "--snapshot", snapshot_id, "-f", str(out), "-d", conninfo],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                found = counts(readonly)
                revision = readonly.execute(text("SELECT version_num FROM alembic_version")
                                            ).scalar() if "alembic_version" in found else None
                stored = {f"{UPLOADS}/{FOLDERS.get(owner, owner)}/{owner_id}/{name}"
                          for owner, owner_id, name in readonly.execute(text(
                              "SELECT owner, owner_id, name FROM stored_file"))} \
                    if "stored_file" in found else set()
                version = str(readonly.execute(text("SHOW server_version")).scalar_one())
            finally:  # the snapshot must stay open until pg_dump has taken it
                _, errors = running.communicate()
        if running.returncode != 0:
            raise DomainError("BACKUP_PG_FAILED", tool="pg_dump",
                              error=errors.decode(errors="replace").strip()[-500:])
    return Dumped(found, revision, stored, version)


def tables_with_rows(engine: Engine) -> tuple[list[str], list[str]]:
    """The target's tables that hold rows, and all its tables."""
    with engine.connect() as connection:
        found = counts(connection)
    return (sorted(name for name, count in found.items()
                   if count and name not in KEPT_WITH_NO_DATA), sorted(found))


def restore(engine: Engine, dump_file: Path, empty_tables: list[str],
            path: str | None = None) -> None:
    """Drop the target's empty partybot tables (a migrated, unused database), then
    `pg_restore --no-owner --no-acl --single-transaction` the dump into it."""
    with engine.connect() as connection:
        major = server_major(connection)
    pg_restore = client_tool("pg_restore", major, path)
    if empty_tables:
        with engine.begin() as connection:
            names = ", ".join(f'"{name}"' for name in empty_tables)
            connection.execute(text(f"DROP TABLE IF EXISTS {names} CASCADE"))
    conninfo, env = libpq_target(engine.url)
    done = subprocess.run([pg_restore, "--no-owner", "--no-acl", "--single-transaction",
                           "--exit-on-error", "-d", conninfo, str(dump_file)],
                          env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise DomainError("BACKUP_PG_FAILED", tool="pg_restore",
                          error=done.stderr.decode(errors="replace").strip()[-500:])


def foreign_keys_hold(engine: Engine) -> str:
    """'' when every foreign key of the restored tables holds (pg_restore adds them
    after the data, checking every row); else the first that does not."""
    with engine.connect() as connection:
        invalid = connection.execute(text(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND NOT convalidated "
            "AND connamespace = current_schema()::regnamespace")).scalars().first()
    return f"foreign key {invalid} not validated" if invalid else ""
