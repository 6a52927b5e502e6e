"""`partybot doctor`, as an operator runs it: the real command on a real database, the
fake WeChat API over real HTTP. A healthy setup passes (exit 0); each broken thing is
the line that says so, with what to do, and exit status 1."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text
from werkzeug.serving import make_server

from bot.cli.main import main
from bot.menu import publish_menus
from bot.sandbox.fake_api import make_fake_app
from bot.schema_upgrade import revisions
from core.config_values import instance_secret
from models.db.locks import try_lock
from models.delivery.outbox import Outbox
from models.delivery.outbox import Status as RowStatus
from schedules.scheduler import LEADER_LOCK
from tests.conftest import AES_KEY, PG_URL, FakeAPI
from tests.live import QuietHandler, serving
from tests.procs import free_port

APP_ID = "wx0123456789abcdef"
SECRET = "the-right-secret"
TOKEN = "doctorToken42"


class DatedHandler(QuietHandler):
    """Answers with a Date header `offset` seconds off: WeChat's clock, as the doctor
    sees it."""

    offset = 0.0

    def date_time_string(self, timestamp: float | None = None) -> str:
        return super().date_time_string((timestamp or time.time()) + self.offset)


@pytest.fixture
def wechat_clock() -> type[DatedHandler]:
    """Set `.offset` to move the fake WeChat's clock."""
    return type("Handler", (DatedHandler,), {"offset": 0.0})


@pytest.fixture
def fake(wechat_clock: type[DatedHandler]) -> Iterator[FakeAPI]:
    """The fake WeChat API (conftest's, with a clock tests can move)."""
    app = make_fake_app()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=wechat_clock)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield FakeAPI(f"http://127.0.0.1:{server.port}", app.extensions["fake_wechat"])
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    """The instance folder as partybot leaves it: 0700, with its secret key (0600)."""
    folder = tmp_path / "inst"
    instance_secret(folder)
    return folder


@pytest.fixture
def session(services):  # type: ignore[no-untyped-def]
    """A session on the test's database (without building the web app: faster)."""
    with services.sessions() as session:
        yield session


@pytest.fixture
def healthy(services, session, instance, fake) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Migrated, menus published, a scheduler leading (this test holds its lock)."""
    publish_menus(services.wechat, session, None)
    session.commit()
    lock = try_lock(services.engine, LEADER_LOCK)
    assert lock is not None
    try:
        yield
    finally:
        lock.release()


@pytest.fixture
def run_doctor(database_url, instance, fake, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    """Run `partybot doctor ARGS` with the environment of a sandbox on the test's
    database and the fake; keyword arguments add or override variables."""
    monkeypatch.chdir(tmp_path)  # no .env of the developer's

    def run(*args: str, **variables: str) -> Result:
        env: dict[str, str | None] = {name: None for name in os.environ
                                      if name.startswith(("WECHAT_", "PARTYBOT_"))}
        env.update({"PARTYBOT_DATABASE_URL": database_url,
                    "PARTYBOT_INSTANCE_PATH": str(instance),
                    "WECHAT_API_BASE_URL": fake.base_url, **variables})
        return CliRunner().invoke(main, ["doctor", *args], env=env)

    return run


def real_account(**more: str) -> dict[str, str]:
    """The variables of a real account in safe mode (its API: the fake)."""
    return {"WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": SECRET, "WECHAT_TOKEN": TOKEN,
            "WECHAT_ENCODING_AES_KEY": AES_KEY, **more}


def line(result: Result, name: str) -> str:
    """The report's line for the check called `name` (in English)."""
    found = [each for each in result.output.splitlines() if each[2:].startswith(f"{name}:")]
    assert len(found) == 1, result.output
    return found[0]


def fixes(result: Result, name: str) -> list[str]:
    """The "→ what to do" lines under that check's line."""
    lines = result.output.splitlines()
    at = lines.index(line(result, name))
    following = []
    for each in lines[at + 1:]:
        if not each.startswith("  → "):
            break
        following.append(each[4:])
    return following


def test_a_healthy_sandbox_passes(healthy, run_doctor):
    result = run_doctor("--lang", "en")
    assert result.exit_code == 0, result.output
    for name in ("configuration", "message signing", "file modes", "database", "migrations",
                 "database writes", "scheduler", "outbox", "access token", "clock",
                 "templates", "menus"):
        assert line(result, name).startswith("✓"), result.output
    assert line(result, "public URL") == "- public URL: sandbox: not needed"
    assert line(result, "menus").endswith("the default menu and 3 role menus match the code")
    assert result.output.splitlines()[-1].endswith("0 failed, 1 skipped. Healthy.")


def test_a_healthy_account_passes_with_warnings(healthy, run_doctor, fake):
    fake.state.app_secret = SECRET
    result = run_doctor("--lang", "en", **real_account())
    assert result.exit_code == 0, result.output
    assert line(result, "configuration") == \
        f"✓ configuration: account {APP_ID}, safe mode"
    assert line(result, "message signing").startswith("✓ message signing: a sample message "
                                                      "signed and encrypted")
    assert line(result, "access token").startswith("✓ access token: app id and secret accepted")
    # nothing configured yet that only an operator can: said, but not a failure
    assert line(result, "public URL").startswith("! public URL: PARTYBOT_PUBLIC_URL is not set")
    assert line(result, "templates").startswith("! templates: no templates configured")
    assert "0 failed" in result.output


def test_a_wrong_secret_fails_the_token_in_both_languages(healthy, run_doctor, fake):
    fake.state.app_secret = SECRET
    result = run_doctor("--lang", "en", **real_account(WECHAT_APP_SECRET="wrong-secret"))
    assert result.exit_code == 1, result.output
    assert line(result, "access token") == \
        "✗ access token: WeChat refused a token: errcode 40125 invalid appsecret"
    assert fixes(result, "access token")[0].startswith("wrong AppSecret: reset it")
    # what needs a working token is not checked (it would repeat the failure)
    assert line(result, "menus") == "- menus: skipped: fix 'access token' first"
    both = run_doctor(**real_account(WECHAT_APP_SECRET="wrong-secret"))  # the default
    assert both.exit_code == 1
    assert "✗ 接口令牌 / access token: 微信拒绝取令牌：errcode 40125 invalid appsecret / " \
           "WeChat refused a token: errcode 40125 invalid appsecret" in both.output
    assert "  → AppSecret 不对：在公众平台「设置与开发 → 基本配置」重置 AppSecret" in both.output
    assert "  → wrong AppSecret: reset it" in both.output
    assert "有问题需要处理（退出码 1）。" in both.output


def test_a_short_aes_key_fails_and_the_rest_is_still_checked(healthy, run_doctor):
    result = run_doctor("--lang", "en", **real_account(WECHAT_ENCODING_AES_KEY=AES_KEY[:42]))
    assert result.exit_code == 1, result.output
    assert line(result, "message signing") == \
        "✗ message signing: EncodingAESKey has 42 characters; it must have 43"
    assert "WECHAT_ENCODING_AES_KEY" in fixes(result, "message signing")[0]
    assert line(result, "configuration").startswith("✓")
    assert line(result, "database").startswith("✓")
    dashed = run_doctor("--lang", "en", **real_account(
        WECHAT_ENCODING_AES_KEY=AES_KEY[:20] + "-" + AES_KEY[21:]))
    assert dashed.exit_code == 1
    assert line(dashed, "message signing") == "✗ message signing: EncodingAESKey holds " \
        "characters other than letters and digits"


def test_the_public_url_must_be_https_and_answer(healthy, run_doctor, fake, app):
    fake.state.app_secret = SECRET
    plain = run_doctor("--lang", "en", **real_account(
        PARTYBOT_PUBLIC_URL="http://dangjian.example.cn"))
    assert plain.exit_code == 1, plain.output
    assert line(plain, "public URL").startswith(
        "✗ public URL: http://dangjian.example.cn is not https")
    assert "TLS" in fixes(plain, "public URL")[0]
    address = f"https://127.0.0.1:{free_port()}"
    down = run_doctor("--lang", "en", **real_account(PARTYBOT_PUBLIC_URL=address))
    assert down.exit_code == 1, down.output
    assert line(down, "public URL").startswith(
        f"✗ public URL: {address}/healthz does not answer: ConnectionError")
    assert "nginx" in fixes(down, "public URL")[0]
    # (the sandbox takes http: its address is this machine's)
    fake.state.app_secret = None
    with serving(app) as served:
        result = run_doctor("--lang", "en", PARTYBOT_PUBLIC_URL=served)
    assert result.exit_code == 0, result.output
    assert line(result, "public URL").startswith(f"✓ public URL: {served}/healthz answers (")


def test_a_database_behind_the_code_fails(healthy, run_doctor, services):
    _, heads, _ = revisions(services.engine)
    (head,) = heads
    older = f"{int(head) - 1:04d}"
    with services.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": older})
    try:
        result = run_doctor("--lang", "en")
    finally:
        with services.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    assert result.exit_code == 1, result.output
    assert line(result, "migrations") == \
        f"✗ migrations: the database is at {older}; this version of partybot needs {head}"
    assert fixes(result, "migrations")[0].endswith("db upgrade")
    assert line(result, "outbox") == "- outbox: skipped: fix 'migrations' first"


def test_no_scheduler_fails(services, session, instance, run_doctor):
    publish_menus(services.wechat, session, None)
    session.commit()
    result = run_doctor("--lang", "en")
    assert result.exit_code == 1, result.output
    assert line(result, "scheduler") == \
        "✗ scheduler: no scheduler runs: no reminders, pushes or messages go out"
    assert " scheduler (on one machine, " in fixes(result, "scheduler")[0]
    assert "1 failed" in result.output


def _row(key: str, **fields: object) -> Outbox:
    return Outbox(dedupe_key=key, kind="meeting_reminder", openid="o-zm", channel="template",
                  payload={"text": "x"}, attempts=0, unknown_retried=False, **fields)


def test_a_stuck_outbox_fails(healthy, run_doctor, session, clock):
    now = clock()
    session.add(_row("fresh", status=RowStatus.PENDING, send_after=now - timedelta(seconds=20)))
    session.commit()
    assert re.fullmatch(r"✓ outbox: 1 due, the oldest waiting 2\d s",
                        line(run_doctor("--lang", "en"), "outbox"))
    session.add(_row("old", status=RowStatus.PENDING, send_after=now - timedelta(minutes=40)))
    session.commit()
    result = run_doctor("--lang", "en")
    assert result.exit_code == 1, result.output
    assert line(result, "outbox") == "✗ outbox: 2 due, the oldest has waited 40 min"
    session.execute(text("DELETE FROM outbox"))
    session.add(_row("lost", status=RowStatus.SENDING, send_after=now - timedelta(minutes=30),
                     lease_owner="gone", lease_until=now - timedelta(minutes=20)))
    session.commit()
    stuck = run_doctor("--lang", "en")
    assert stuck.exit_code == 1
    assert line(stuck, "outbox") == "✗ outbox: 1 rows stuck in 'sending' for over 20 min"


def test_a_world_readable_secret_key_fails(healthy, run_doctor, instance):
    secret = instance / "secret_key"
    secret.chmod(0o644)
    result = run_doctor("--lang", "en")
    assert result.exit_code == 1, result.output
    assert line(result, "file modes") == \
        f"✗ file modes: {secret} is mode 0644: other users can read it"
    assert fixes(result, "file modes") == [f"run chmod 600 {secret}"]


def test_world_readable_photos_fail(healthy, run_doctor, instance):
    folder = instance / "uploads" / "meetings" / "7"
    folder.mkdir(parents=True)
    for name in ("a.jpg", "b.jpg"):
        (folder / name).write_bytes(b"x")
        (folder / name).chmod(0o644)
    result = run_doctor("--lang", "en")
    assert result.exit_code == 1, result.output
    assert " is mode 0644: other users can read it (1 more)" in line(result, "file modes")
    assert fixes(result, "file modes") == [f"run chmod -R o-rwx {instance / 'uploads'}"]


def test_a_clock_off_wechats_warns_then_fails(healthy, run_doctor, wechat_clock):
    wechat_clock.offset = 120
    warned = run_doctor("--lang", "en")
    assert warned.exit_code == 0, warned.output
    assert line(warned, "clock").startswith("! clock: -12")  # -120 s, give or take one
    wechat_clock.offset = 3600
    result = run_doctor("--lang", "en")
    assert result.exit_code == 1, result.output
    assert line(result, "clock").startswith("✗ clock: -3600 s from WeChat's clock") or \
        line(result, "clock").startswith("✗ clock: -3599 s from WeChat's clock"), result.output
    assert "(messages more than 300 s off are refused)" in line(result, "clock")
    assert "timedatectl set-ntp true" in fixes(result, "clock")[0]


def test_a_sandbox_without_its_server_skips_what_needs_wechat(healthy, run_doctor):
    nowhere = f"http://127.0.0.1:{free_port()}/sandbox"
    result = run_doctor("--lang", "en", WECHAT_API_BASE_URL=nowhere)
    assert result.exit_code == 0, result.output
    for name in ("access token", "clock", "menus"):
        assert line(result, name).startswith(f"- {name}: sandbox: the fake WeChat API is "
                                             "served by"), result.output
        assert nowhere in line(result, name)


def test_json_for_machines(healthy, run_doctor):
    result = run_doctor("--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] is True
    assert [c["id"] for c in report["checks"]][:3] == ["config", "message", "files"]
    token = next(c for c in report["checks"] if c["id"] == "token")
    assert token["status"] == "ok" and token["name"] == {"zh": "接口令牌", "en": "access token"}


@pytest.mark.skipif(os.geteuid() != 0 or PG_URL is not None,
                    reason="a SQLite file of another user can be made by root only")
def test_a_sqlite_file_of_another_user_is_not_written_to(healthy, run_doctor, database_url):
    """`sudo partybot doctor` must not leave root's -wal, -shm and lock files beside the
    service's database."""
    path = Path(database_url.removeprefix("sqlite:///"))
    os.chown(path, 65534, 65534)
    before = sorted(p.name for p in path.parent.iterdir())
    result = run_doctor("--lang", "en")
    assert result.exit_code == 1, result.output
    assert line(result, "database").startswith(f"✗ database: the database file {path} "
                                               "belongs to ")
    assert fixes(result, "database")[0].startswith("run it as ")
    assert line(result, "database writes") == \
        "- database writes: skipped: fix 'database' first"
    assert sorted(p.name for p in path.parent.iterdir()) == before
