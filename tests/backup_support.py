"""What the backup tests share: a fresh database to restore into, the CLI, every row of
a database, a small backup."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

import models
from bot.cli.main import main
from models.db.engine import make_engine
from models.db.stored_files import MEETING, store_files
from tests.conftest import PG_URL
from tests.factories import make_branch, make_meeting, make_member


def fresh_target(tmp_path: Path, name: str) -> tuple[str, Path]:
    """A fresh, empty (never migrated) database to restore into and its instance folder:
    a new SQLite file, or a database of its own on the PostgreSQL server of the test
    database (created once, then emptied: DROP DATABASE waits for a checkpoint of the
    whole server)."""
    instance = tmp_path / f"restored-{name}"
    if not PG_URL:
        return f"sqlite:///{instance}/partybot.db", instance
    url = make_url(PG_URL)
    database = f"{url.database}_{name}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"),
                                  {"d": database}).first():
            connection.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    own = url.set(database=database).render_as_string(hide_password=False)
    engine = make_engine(own)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return own, instance


def cli(args: list[str], url: str, instance: Path, **env: str) -> Any:
    """Run `partybot ARGS` against this database and instance folder."""
    result = CliRunner().invoke(main, args, env={
        "PARTYBOT_DATABASE_URL": url, "PARTYBOT_INSTANCE_PATH": str(instance), **env})
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.output
    return result


def every_row(url: str) -> dict[str, dict[tuple, tuple]]:
    """Every table's rows by primary key (the models' tables and alembic_version)."""
    engine = make_engine(url)
    found: dict[str, dict[tuple, tuple]] = {}
    with engine.connect() as connection:
        for table in models.Base.metadata.sorted_tables:
            keys = list(table.primary_key.columns)
            found[table.name] = {
                tuple(row._mapping[key.name] for key in keys): tuple(row)
                for row in connection.execute(select(table))}
        found["alembic_version"] = {
            (version,): (version,) for version in connection.execute(
                text("SELECT version_num FROM alembic_version")).scalars()}
    engine.dispose()
    return found


def small_backup(session: Any, clock: Any, settings: Any, out: Path) -> None:
    branch = make_branch(session, "辽原村党支部")
    make_member(session, branch, "张明", "13800000002", openid="o-zm")
    meeting = make_meeting(session, branch, clock() + timedelta(days=1))
    meeting.photos = store_files(session, Path(settings.instance_path), branch.id, MEETING,
                                 meeting.id, [(b"photo-bytes", ".jpg")], None, clock())
    session.commit()
    result = cli(["db", "backup", str(out)], settings.database_url,
                 Path(settings.instance_path))
    assert result.exit_code == 0, result.output


def nothing_restored(url: str, instance: Path) -> bool:
    engine = make_engine(url)
    with engine.connect() as connection:
        tables = connection.execute(text(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'" if url.startswith(
                "sqlite") else "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'public'")).scalar_one()
    engine.dispose()
    return tables == 0 and not (instance / "uploads").exists()
