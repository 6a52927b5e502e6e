"""Migrations and models agree; `partybot db upgrade` works on an empty database."""

from __future__ import annotations

import os
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import models
from bot.schema_upgrade import upgrade_database
from models.db.engine import make_engine
from tests.conftest import PG_URL


def test_models_match_migrations(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, models.Base.metadata)
    engine.dispose()
    assert diff == [], diff


def test_sqlite_pragmas(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/p.db")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_downgrade_and_upgrade_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/d.db")
    upgrade_database(engine)
    from alembic import command

    from bot.schema_upgrade import alembic_config

    config = alembic_config(str(engine.url))
    command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade_database(engine)
    assert "member" in inspect(engine).get_table_names()
    engine.dispose()


def test_cli_db_upgrade_on_empty_sqlite_file(tmp_path):
    env = {**os.environ, "PARTYBOT_DATABASE_URL": f"sqlite:///{tmp_path}/new/fresh.db",
           "PARTYBOT_INSTANCE_PATH": str(tmp_path / "instance")}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    engine = make_engine(f"sqlite:///{tmp_path}/new/fresh.db")
    assert {"member", "org", "inbound_message"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_cli_db_upgrade_is_repeatable_on_configured_database(tmp_path):
    url = PG_URL or f"sqlite:///{tmp_path}/again.db"
    env = {**os.environ, "PARTYBOT_DATABASE_URL": url,
           "PARTYBOT_INSTANCE_PATH": str(tmp_path / "instance")}
    for _ in range(2):
        result = subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env,
                                cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr


def test_this_issues_migrations_leave_the_big_tables_in_place(tmp_path):
    """Issue 26's migrations add to `member` and `study_record`'s neighbours without
    copying them: on SQLite a copied table drops the old one and checks every foreign
    key into it — a county's install stood still for a quarter of an hour. A table kept
    in place keeps its root page."""
    from alembic import command

    from bot.schema_upgrade import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path}/big.db")
    config = alembic_config(str(engine.url))
    command.upgrade(config, "0029")

    def root_pages() -> dict[str, int]:
        with engine.connect() as connection:
            return dict(connection.exec_driver_sql(
                "SELECT name, rootpage FROM sqlite_master WHERE type = 'table' AND name IN "
                "('member', 'attendance', 'study_record', 'study_item', 'meeting')").all())

    before = root_pages()
    upgrade_database(engine)
    assert root_pages() == before
    engine.dispose()
