"""`partybot db backup` / `db restore`: a backup taken while check-ins keep arriving
through the webhook restores elsewhere into a database that is one consistent instant of
the source — every row as the source has it, no check-in without its message record,
nothing committed after the snapshot — with the photos' bytes; a quiet backup restores
equal to the source in every table, and serves (refusals: test_backup_refusals.py).
On SQLite and on PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide, next_msg_id, text_xml
from models.db.backup import make_backup
from models.db.engine import make_engine
from models.db.stored_files import MEETING, StoredFile, store_files
from models.db.write_gate import write_session
from models.meetings.tables import Attendance, Meeting
from models.members.tables import Member
from tests.backup_support import cli, every_row, fresh_target
from tests.conftest import TOKEN
from tests.factories import make_branch, make_meeting, make_member, make_township
from tests.live import serving

BRANCHES, PER_BRANCH = 4, 40


@pytest.fixture
def elsewhere(tmp_path: Path) -> Any:
    """Makes fresh, empty databases to restore into (tests.backup_support.fresh_target)."""
    return partial(fresh_target, tmp_path)


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
