"""`partybot db restore` refuses what it must before it touches anything: a damaged,
truncated or missing file, a database with rows, an uploads folder with files, a SQLite
database in use, a newer revision, a backup of the other kind; PostgreSQL without
pg_dump makes no backup. An older backup restores and `db upgrade` brings it to the head.
The manifest's counts are the snapshot's."""

from __future__ import annotations

import json
import tarfile
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bot.cli.backup import known_revisions
from bot.schema_upgrade import upgrade_database
from models.db.engine import make_engine
from models.meetings.tables import Meeting
from tests.backup_support import cli, every_row, fresh_target, nothing_restored, small_backup
from tests.conftest import PG_URL


@pytest.fixture
def elsewhere(tmp_path: Path) -> Any:
    """Makes fresh, empty databases to restore into (tests.backup_support.fresh_target)."""
    return partial(fresh_target, tmp_path)


def test_a_damaged_or_truncated_backup_is_refused_before_anything_is_touched(
        session, clock, settings, tmp_path, elsewhere):
    out = tmp_path / "good.tar"
    small_backup(session, clock, settings, out)
    with tarfile.open(out) as tar:
        where = next(m for m in tar if m.name.startswith("database/")).offset_data
    flipped = tmp_path / "flipped.tar"
    data = bytearray(out.read_bytes())
    data[where + 700] ^= 0x01
    flipped.write_bytes(bytes(data))
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(out.read_bytes()[: len(data) // 2])
    target, target_instance = elsewhere("damaged")
    for bad, why in [(flipped, "does not match its checksum"), (truncated, "manifest"),
                     (tmp_path / "missing.tar", "找不到备份文件")]:
        result = cli(["db", "restore", str(bad)], target, target_instance)
        assert result.exit_code == 1 and why in result.output, result.output
        if bad.exists():
            assert "已损坏" in result.output and "nothing was changed" in result.output
        assert nothing_restored(target, target_instance)
    assert cli(["db", "restore", str(out)], target, target_instance).exit_code == 0


def test_restore_refuses_a_database_with_rows_and_a_folder_with_files(
        session, clock, settings, tmp_path, elsewhere):
    out = tmp_path / "b.tar"
    small_backup(session, clock, settings, out)
    before = every_row(settings.database_url)
    other = tmp_path / "other-instance"
    result = cli(["db", "restore", str(out)], settings.database_url, other)
    assert result.exit_code == 1 and "不是空的" in result.output, result.output
    assert "member" in result.output and "not empty" in result.output
    assert every_row(settings.database_url) == before and not (other / "uploads").exists()
    target, _ = elsewhere("folder")
    result = cli(["db", "restore", str(out)], target, Path(settings.instance_path))
    assert result.exit_code == 1 and "already holds files" in result.output, result.output
    if not PG_URL:  # SQLite: an empty database some process has open is in use
        engine = make_engine(target)
        upgrade_database(engine)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            result = cli(["db", "restore", str(out)], target, other)
        engine.dispose()
        assert result.exit_code == 1 and "stop partybot" in result.output, result.output


def test_an_older_backup_restores_then_upgrades_and_a_newer_one_is_refused(
        tmp_path, elsewhere):
    source, source_instance = elsewhere("older")
    engine = make_engine(source)
    upgrade_database(engine, "0033")
    engine.dispose()
    out = tmp_path / "older.tar"
    assert cli(["db", "backup", str(out)], source, source_instance).exit_code == 0
    target, target_instance = elsewhere("older_target")
    restored = cli(["db", "restore", str(out)], target, target_instance)
    assert restored.exit_code == 0 and "0033" in restored.output, restored.output
    assert "db upgrade" in restored.output
    assert cli(["db", "upgrade"], target, target_instance).exit_code == 0
    assert {key[0] for key in every_row(target)["alembic_version"]} == known_revisions()[1]
    engine = make_engine(target)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    newer = tmp_path / "newer.tar"
    assert cli(["db", "backup", str(newer)], target, target_instance).exit_code == 0
    third, third_instance = elsewhere("newer_target")
    refused = cli(["db", "restore", str(newer)], third, third_instance)
    assert refused.exit_code == 1 and "9999" in refused.output, refused.output
    assert "newer partybot" in refused.output and nothing_restored(third, third_instance)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: pg_dump, and a SQLite backup "
                    "offered to PostgreSQL")
def test_without_pg_dump_no_backup_and_a_sqlite_backup_is_not_for_postgresql(
        settings, tmp_path):
    out = tmp_path / "none.tar"
    result = cli(["db", "backup", str(out)], settings.database_url,
                 Path(settings.instance_path), PATH=str(tmp_path))
    assert result.exit_code == 1, result.output
    assert "找不到 pg_dump" in result.output and "postgresql-client" in result.output
    assert not out.exists() and list(tmp_path.glob("*.tmp")) == []
    lite = f"sqlite:///{tmp_path}/lite.db"
    engine = make_engine(lite)
    upgrade_database(engine)
    engine.dispose()
    lite_out = tmp_path / "lite.tar"
    assert cli(["db", "backup", str(lite_out)], lite, tmp_path / "lite").exit_code == 0
    refused = cli(["db", "restore", str(lite_out)], settings.database_url, tmp_path / "x")
    assert refused.exit_code == 1 and "same kind only" in refused.output, refused.output


def test_the_row_counts_in_the_manifest_are_the_snapshot_s(session, clock, settings,
                                                           tmp_path):
    out = tmp_path / "b.tar"
    small_backup(session, clock, settings, out)
    with tarfile.open(out) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore
        names = tar.getnames()
    assert manifest["database"]["tables"]["member"] == 1
    assert manifest["database"]["revision"] == session.scalar(
        text("SELECT version_num FROM alembic_version"))
    assert [f["path"].split("/")[1] for f in manifest["files"]] == ["meetings"]
    assert names[-2:] == ["manifest.json", "manifest.json.sha256"]
    nowhere = cli(["db", "backup", str(tmp_path / "no" / "b.tar")], settings.database_url,
                  Path(settings.instance_path))
    assert nowhere.exit_code == 1 and "No folder" in nowhere.output, nowhere.output
    assert session.scalar(select(func.count()).select_from(Meeting)) == 1
