"""`partybot db backup` / `db restore`: a backup taken while check-ins keep arriving
through the webhook restores elsewhere into a database that is one consistent instant of
the source — every row as the source has it, no check-in without its message record,
nothing committed after the snapshot — with the photos' bytes; a quiet backup restores
equal to the source in every table; damaged, foreign and non-empty cases are refused
before anything is touched. On SQLite and on PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

import os
import tarfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

import models
from bot import create_app
from bot.cli.backup import known_revisions
from bot.cli.main import main
from bot.schema_upgrade import upgrade_database
from bot.services import services_of
from bot.simulator import WeChatSide, next_msg_id, text_xml
from models.db.backup import make_backup
from models.db.engine import make_engine
from models.db.stored_files import MEETING, StoredFile, store_files
from models.db.write_gate import write_session
from models.meetings.tables import Attendance, Meeting
from models.members.tables import Member
from tests.conftest import PG_URL, TOKEN
from tests.factories import make_branch, make_meeting, make_member, make_township
from tests.live import serving

BRANCHES, PER_BRANCH = 4, 40


@pytest.fixture
def elsewhere(tmp_path: Path) -> Any:
    """Makes fresh, empty (never migrated) databases to restore into: a new SQLite file,
    or a database of its own on the PostgreSQL server of the test database (created
    once, then emptied: DROP DATABASE waits for a checkpoint of the whole server)."""

    def fresh(name: str) -> tuple[str, Path]:
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

    return fresh


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


def seed(session: Any, clock: Any, instance: Path) -> list[tuple[str, str]]:
    """Branches with bound members, one meeting open for check-in in each, three photos
    on the first; returns every (openid, code) that can check in."""
    township = make_township(session)
    pairs = []
    for b in range(BRANCHES):
        branch = make_branch(session, f"第{b}村党支部", township)
        for m in range(PER_BRANCH):
            make_member(session, branch, f"党员{b}-{m}", f"1380000{b:02d}{m:02d}",
                        openid=f"o-{b}-{m}")
        meeting = make_meeting(session, branch, clock() + timedelta(minutes=30),
                               created=clock() - timedelta(hours=1))
        if b == 0:
            meeting.photos = store_files(session, instance, branch.id, MEETING, meeting.id,
                                         [(os.urandom(3000 + n), ".jpg") for n in range(3)],
                                         None, clock())
        pairs += [(f"o-{b}-{m}", meeting.code) for m in range(PER_BRANCH)]
    session.commit()
    return pairs


class CheckIns(threading.Thread):
    """Posts `签到 <code>` for every pair, one after another, through the real webhook;
    remembers when each was sent and answered."""

    def __init__(self, base: str, pairs: list[tuple[str, str]]) -> None:
        super().__init__(daemon=True)
        self.base, self.pairs = base, pairs
        self.side = WeChatSide(TOKEN)
        self.sent: list[tuple[str, str, str, float, float]] = []  # msg id, openid, code, times
        self.halt = threading.Event()

    def run(self) -> None:
        http = requests.Session()
        for openid, code in self.pairs:
            if self.halt.is_set():
                return
            msg_id = next_msg_id()
            signed = self.side.sign_request(text_xml(openid, f"签到 {code}", msg_id=msg_id))
            began = time.monotonic()
            response = http.post(f"{self.base}/wechat?{signed.query}", data=signed.body,
                                 timeout=30)
            reply = self.side.open_reply(response.content).content
            assert "签到成功" in reply, reply
            self.sent.append((msg_id, openid, code, began, time.monotonic()))

    def answered(self) -> int:
        """How many check-ins have been answered."""
        return len(self.sent)


class PhotoUploads(threading.Thread):
    """Stores a photo on the first branch's meeting every few milliseconds, each in its
    own committed transaction, as the console's upload does."""

    def __init__(self, app: Any, instance: Path, meeting_id: int, org_id: int) -> None:
        super().__init__(daemon=True)
        self.services = services_of(app)
        self.instance, self.meeting_id, self.org_id = instance, meeting_id, org_id
        self.committed: list[tuple[str, float]] = []  # name, when
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            with write_session(self.services.engine) as session:
                [name] = store_files(session, self.instance, self.org_id, MEETING,
                                     self.meeting_id, [(os.urandom(2000), ".jpg")], None,
                                     self.services.clock())
                meeting = session.get(Meeting, self.meeting_id)
                meeting.photos = [*meeting.photos, name]
                session.commit()
            self.committed.append((name, time.monotonic()))
            time.sleep(0.005)


def wait_for(condition: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_backup_taken_under_check_ins_restores_one_consistent_instant(
        app, session, clock, settings, tmp_path, elsewhere):
    instance = Path(settings.instance_path)
    pairs = seed(session, clock, instance)
    out = tmp_path / "busy.tar"
    moments: dict[str, float] = {}
    with serving(app) as base:
        writer = CheckIns(base, pairs)
        writer.start()
        first = session.scalars(select(Meeting).order_by(Meeting.id)).first()
        uploads = PhotoUploads(app, instance, first.id, first.org_id)
        uploads.start()
        wait_for(lambda: writer.answered() >= 20 and len(uploads.committed) >= 5)

        def progress(line: str) -> None:
            if line.startswith("database ("):
                moments["began"] = time.monotonic()
            elif line.startswith("database: ") and "snapshot" not in moments:
                # The snapshot is taken; the backup is not done: check-ins go on.
                moments["snapshot"] = time.monotonic()
                answered = writer.answered()
                wait_for(lambda: writer.answered() >= answered + 15)

        done = make_backup(settings.database_url, instance, out, progress)
        writer.halt.set()
        uploads.halt.set()
        writer.join(timeout=30)
        uploads.join(timeout=30)
    assert writer.answered() < len(pairs), "the writer ran out: the test proves nothing"
    assert out.stat().st_mode & 0o777 == 0o600 and not Path(f"{out}.tmp").exists()

    target, target_instance = elsewhere("busy")
    result = cli(["db", "restore", str(out)], target, target_instance)
    assert result.exit_code == 0, result.output
    assert "恢复完成" in result.output and "Restored" in result.output

    source, restored = every_row(settings.database_url), every_row(target)
    checked_in = {_attendance_key(row) for row in restored["attendance"].values()}
    openids = {row.id: row.openid for row in session.scalars(select(Member))}
    codes = {row.id: row.code for row in session.scalars(select(Meeting))}
    restored_pairs = {(openids[m], codes[g]) for m, g in checked_in}
    before = {(o, c) for _, o, c, _, answered in writer.sent if answered < moments["began"]}
    after = {(o, c) for _, o, c, began, _ in writer.sent if began > moments["snapshot"]}
    assert len(before) >= 20 and len(after) >= 15
    assert before <= restored_pairs  # everything committed before the backup began
    assert not after & restored_pairs  # nothing sent after the snapshot was taken
    # No torn check-in: its attendance row and its message record, both or neither.
    messages = {key[0] for key in restored["inbound_message"]}
    for msg_id, openid, code, _, _ in writer.sent:
        assert (msg_id in messages) == ((openid, code) in restored_pairs), msg_id
    # Every restored row is the source's row, unchanged (but for the photo list the
    # uploads kept growing, of which the restored one is a beginning); counts as the
    # manifest says.
    photos = [c.name for c in Meeting.__table__.columns].index("photos")
    for key, row in restored["meeting"].items():
        later = source["meeting"][key]
        assert later[photos][:len(row[photos])] == row[photos]
        restored["meeting"][key] = row[:photos] + row[photos + 1:]
        source["meeting"][key] = later[:photos] + later[photos + 1:]
    for table, rows in restored.items():
        assert len(rows) == done.manifest["database"]["tables"][table], table
        changed = [key for key, row in rows.items() if source[table].get(key) != row]
        assert changed == [], (table, changed[:3])
    # The photos the restored rows name, byte for byte: every one stored before the
    # backup began, none stored after the snapshot.
    paths = _stored_paths(target)
    names = {path.rsplit("/", 1)[-1] for path in paths}
    assert {n for n, when in uploads.committed if when < moments["began"]} <= names
    assert not {n for n, when in uploads.committed if when > moments["snapshot"]} & names
    assert len(paths) >= 3 + 5
    for path in paths:
        assert (target_instance / path).read_bytes() == (instance / path).read_bytes()


def _attendance_key(row: tuple) -> tuple[int, int]:
    columns = [c.name for c in Attendance.__table__.columns]
    values = dict(zip(columns, row, strict=True))
    return values["member_id"], values["meeting_id"]


def _stored_paths(url: str) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(StoredFile)).all()
    engine.dispose()
    return [f"uploads/meetings/{row.owner_id}/{row.name}" for row in rows]


def test_a_quiet_backup_restores_equal_to_the_source_in_every_table(
        app, session, clock, settings, tmp_path, elsewhere):
    instance = Path(settings.instance_path)
    pairs = seed(session, clock, instance)
    with serving(app) as base:
        writer = CheckIns(base, pairs[:30])
        writer.run()
    out = tmp_path / "quiet.tar"
    backup = cli(["db", "backup", str(out)], settings.database_url, instance)
    assert backup.exit_code == 0, backup.output
    assert "备份完成" in backup.output and "3 uploaded files" in backup.output
    target, target_instance = elsewhere("quiet")
    restore = cli(["db", "restore", str(out)], target, target_instance)
    assert restore.exit_code == 0, restore.output
    source, restored = every_row(settings.database_url), every_row(target)
    assert restored == source
    assert len(restored["attendance"]) == 30 and len(restored["member"]) == BRANCHES * 40
    uploaded = sorted(p.relative_to(instance) for p in (instance / "uploads").rglob("*")
                      if p.is_file())
    assert len(uploaded) == 3
    for relative in uploaded:
        copy = target_instance / relative
        assert copy.read_bytes() == (instance / relative).read_bytes()
        assert copy.stat().st_mode & 0o777 == 0o640
    # The restored installation serves: the app starts on it and answers a member.
    upgraded = cli(["db", "upgrade"], target, target_instance)
    assert upgraded.exit_code == 0, upgraded.output
    restored_app = create_app(settings.with_overrides(database_url=target,
                                                      instance_path=target_instance))
    try:
        client = restored_app.test_client()
        assert client.get("/healthz").status_code == 200
    finally:
        services_of(restored_app).dispose()


def _small_backup(session: Any, clock: Any, settings: Any, out: Path) -> None:
    branch = make_branch(session, "辽原村党支部")
    make_member(session, branch, "张明", "13800000002", openid="o-zm")
    meeting = make_meeting(session, branch, clock() + timedelta(days=1))
    meeting.photos = store_files(session, Path(settings.instance_path), branch.id, MEETING,
                                 meeting.id, [(b"photo-bytes", ".jpg")], None, clock())
    session.commit()
    result = cli(["db", "backup", str(out)], settings.database_url,
                 Path(settings.instance_path))
    assert result.exit_code == 0, result.output


def _nothing_restored(url: str, instance: Path) -> bool:
    engine = make_engine(url)
    with engine.connect() as connection:
        tables = connection.execute(text(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'" if url.startswith(
                "sqlite") else "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'public'")).scalar_one()
    engine.dispose()
    return tables == 0 and not (instance / "uploads").exists()


def test_a_damaged_or_truncated_backup_is_refused_before_anything_is_touched(
        session, clock, settings, tmp_path, elsewhere):
    out = tmp_path / "good.tar"
    _small_backup(session, clock, settings, out)
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
        assert _nothing_restored(target, target_instance)
    assert cli(["db", "restore", str(out)], target, target_instance).exit_code == 0


def test_restore_refuses_a_database_with_rows_and_a_folder_with_files(
        session, clock, settings, tmp_path, elsewhere):
    out = tmp_path / "b.tar"
    _small_backup(session, clock, settings, out)
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
    assert "newer partybot" in refused.output and _nothing_restored(third, third_instance)


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
    _small_backup(session, clock, settings, out)
    import json

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
