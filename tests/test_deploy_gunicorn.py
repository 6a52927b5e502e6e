"""deploy/gunicorn.conf.py as production runs it: gunicorn with the file, two workers,
a signed message and a console page, an access log without query strings, and the
prometheus_client multiprocess hooks."""

from __future__ import annotations

import io
import os
import runpy
import signal
import sys
import threading
import time
from pathlib import Path

import requests
from gunicorn.config import Config

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide, text_xml
from tests.conftest import TOKEN
from tests.procs import Proc, command_env, free_port

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "deploy" / "gunicorn.conf.py"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
# Run ARGV with no writable-and-executable memory allowed, as the units'
# MemoryDenyWriteExecute=yes does (the kernel's PR_SET_MDWE, Linux 6.3+, inherited by
# the workers): a library that needs such memory would fail this test, not production.
UNDER_MDWE = """
import ctypes, os, sys
refused = ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0)  # PR_SET_MDWE
print("memory-deny-write-execute:", "off (kernel too old)" if refused else "on", flush=True)
os.execv(sys.argv[1], sys.argv[1:])
"""


def _conf(**env: str) -> dict[str, object]:
    """The file's settings as gunicorn reads them, under this environment."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        return runpy.run_path(str(CONF))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_workers_are_two_per_core_within_bounds_and_the_environment_wins():
    conf = _conf()
    default_workers = conf["default_workers"]
    assert [default_workers(n) for n in (1, 2, 3, 4, 16)] == [2, 4, 6, 8, 8]  # type: ignore[operator]
    assert conf["worker_class"] == "sync" and conf["preload_app"] is False
    assert conf["bind"] == "127.0.0.1:8000" and conf["timeout"] == 120
    assert conf["graceful_timeout"] == 10 and conf["max_requests_jitter"] == 1000
    changed = _conf(PARTYBOT_WEB_WORKERS="3", PARTYBOT_WEB_BIND="127.0.0.1:8001",
                    PARTYBOT_WEB_TIMEOUT="10", PARTYBOT_WEB_ACCESS_LOG="")
    assert (changed["workers"], changed["bind"], changed["timeout"]) == (3, "127.0.0.1:8001", 10)
    assert changed["accesslog"] is None


def test_a_wrong_number_stops_gunicorn_with_the_variable_named():
    try:
        _conf(PARTYBOT_WEB_WORKERS="four")
    except SystemExit as exc:
        assert "PARTYBOT_WEB_WORKERS" in str(exc)
    else:
        raise AssertionError("no error for PARTYBOT_WEB_WORKERS=four")


def test_the_access_log_format_never_carries_a_query_string():
    fmt = str(_conf()["access_log_format"])
    assert "%(U)s" in fmt
    for query_bearing in ("%(r)s", "%(q)s", "%(f)s", "{raw_uri}e", "{query_string}e"):
        assert query_bearing not in fmt


def test_gunicorns_own_error_lines_have_signatures_redacted():
    cfg = Config()
    cfg.set("logger_class", _conf()["logger_class"])
    cfg.set("errorlog", "-")
    logger = cfg.logger_class(cfg)
    caught = io.StringIO()
    for handler in logger.error_log.handlers:
        handler.stream = caught  # type: ignore[attr-defined]
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("Error handling request %s %s", "POST",
                         "/wechat?signature=abc123&timestamp=1&nonce=2&openid=o-x")
    written = caught.getvalue()
    assert "Error handling request POST /wechat?signature=***" in written
    assert "abc123" not in written


def test_building_the_app_opens_no_connection_and_starts_no_thread(settings):
    """What makes `--preload` safe: nothing to share across the fork but an idle pool."""
    before = threading.active_count()
    app = create_app(settings)
    try:
        pool = services_of(app).engine.pool
        assert pool.checkedin() == 0 and pool.checkedout() == 0  # type: ignore[attr-defined]
        assert threading.active_count() == before
    finally:
        services_of(app).dispose()


def wait_up(url: str, server: Proc, seconds: float = 60) -> None:
    """Until `url` answers 200. gunicorn listens before its workers have imported the
    app, so a request may wait: a timeout here is "not yet", as a refused connection."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.output
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered:\n{server.output}")


def _access_line(path: Path, containing: str, seconds: float = 10) -> str:
    """The access log's line for a request (gunicorn writes it after the response)."""
    deadline = time.monotonic() + seconds
    lines: list[str] = []
    while time.monotonic() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        for line in lines:
            if containing in line:
                return line
        time.sleep(0.1)
    raise AssertionError(f"no access line with {containing!r}: {lines}")


def test_gunicorn_with_the_file_serves_the_webhook_and_the_console(database_url, tmp_path):
    port = free_port()
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (metrics / "counter_999999.db").write_bytes(b"from a run before")
    access = tmp_path / "access.log"
    env = command_env(database_url, tmp_path, WECHAT_TOKEN=TOKEN,
                      PARTYBOT_SECRET_KEY="deploy-test", PARTYBOT_WEB_BIND=f"127.0.0.1:{port}",
                      PARTYBOT_WEB_WORKERS="2", PARTYBOT_WEB_ACCESS_LOG=str(access),
                      PROMETHEUS_MULTIPROC_DIR=str(metrics))
    server = Proc([sys.executable, "-c", UNDER_MDWE, GUNICORN, "-c", str(CONF),
                   "bot:create_app()"], env, tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(f"{base}/healthz", server)
        assert "memory-deny-write-execute:" in server.output, server.output
        server.wait_for("partybot-web ready: 2 workers (sync), timeout 120s")
        workers = [line.rsplit(" ", 1)[-1].strip() for line in server.lines
                   if "Booting worker with pid" in line]
        assert len(workers) == 2, server.output
        # the last run's counts cleared
        assert not (metrics / "counter_999999.db").exists(), server.output

        side = WeChatSide(TOKEN)
        signed = side.sign_request(text_xml("o-deploy-test", "帮助"))
        answer = requests.post(f"{base}/wechat?{signed.query}", data=signed.body, timeout=10)
        assert answer.status_code == 200
        reply = side.open_reply(answer.content)
        assert reply.msg_type == "text" and "绑定" in reply.content
        page = requests.get(f"{base}/admin/login?next=/admin/", timeout=10)
        assert page.status_code == 200 and 'name="password"' in page.text

        webhook = _access_line(access, "POST /wechat")
        assert '"POST /wechat HTTP/1.1" 200' in webhook
        for secret in ("signature", "nonce", "timestamp", "o-deploy-test", "?"):
            assert secret not in webhook, webhook
        # one line per message, carrying the id that its outbox rows and log lines carry
        assert f"request_id={answer.headers['X-Request-Id']}" in webhook, webhook
        console = _access_line(access, "/admin/login")
        assert '"GET /admin/login HTTP/1.1" 200' in console and "next=" not in console

        # a worker that ends has its live gauges dropped by child_exit (TTOU: one worker
        # fewer, so that no new one has to boot before the server can stop)
        live = [metrics / f"gauge_livesum_{pid}.db" for pid in workers]
        for path in live:
            path.write_bytes(b"")
        os.kill(server.process.pid, signal.SIGTTOU)
        deadline = time.monotonic() + 10
        while all(path.exists() for path in live) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [path.exists() for path in live].count(False) == 1, server.output
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
    finally:
        code = server.stop()
    assert code == 0, server.output
    assert "Traceback" not in server.output, server.output
