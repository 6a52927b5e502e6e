"""The alert rules checked by Debian's promtool, and Debian's Prometheus scraping a
running partybot and answering a query about it through its HTTP API.

Without the binaries (apt-get install prometheus) these tests skip, except in CI
(CI=1, set by .ci/run, which installs the package), where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from bot.simulator import WeChatSide, text_xml
from tests.conftest import TOKEN, Chat
from tests.live import serving
from tests.procs import free_port

RULES = Path(__file__).resolve().parent.parent / "deploy" / "prometheus"


def _binary(name: str) -> str:
    found = shutil.which(name) or (f"/usr/bin/{name}" if os.access(f"/usr/bin/{name}",
                                                                   os.X_OK) else None)
    if found is None:
        message = f"Debian's {name} is missing (apt-get install prometheus)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_promtool_checks_the_alert_rules():
    done = subprocess.run([_binary("promtool"), "check", "rules",
                           str(RULES / "partybot-alerts.yml")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_the_alerts_fire_on_the_series_they_are_meant_for(tmp_path):
    """partybot-alerts.test.yml feeds series to the rules and expects alerts (promtool
    test rules). promtool compares annotations word for word, so the test runs on a
    copy of the rules without them: the expressions and labels are what it checks."""
    rules = yaml.safe_load((RULES / "partybot-alerts.yml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert {"summary", "description"} <= set(rule["annotations"]), rule["alert"]
            del rule["annotations"]
    (tmp_path / "partybot-alerts.yml").write_text(yaml.safe_dump(rules))
    shutil.copy(RULES / "partybot-alerts.test.yml", tmp_path)
    done = subprocess.run([_binary("promtool"), "test", "rules", "partybot-alerts.test.yml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_prometheus_scrapes_a_running_partybot(app, clock, tmp_path):
    """A real Prometheus (Debian's binary, not its service) scrapes partybot served over
    HTTP every second; its query API then answers with partybot's numbers."""
    prometheus = _binary("prometheus")
    Chat(app.test_client(), WeChatSide(TOKEN), clock).say("o-prom", "帮助")
    with serving(app) as base:
        target = base.removeprefix("http://")
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(RULES / "partybot-alerts.yml")],
            "scrape_configs": [{"job_name": "partybot", "metrics_path": "/metrics",
                                "static_configs": [{"targets": [target]}]}],
        }))
        port = free_port()
        log = (tmp_path / "prometheus.log").open("w")  # a file: a full pipe would stall it
        process = subprocess.Popen(
            [prometheus, f"--config.file={tmp_path / 'prometheus.yml'}",
             f"--storage.tsdb.path={tmp_path / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=log)
        try:
            handled = _query_until(
                f"http://127.0.0.1:{port}", process, tmp_path / "prometheus.log",
                'sum(partybot_webhook_requests_total{kind="text",outcome="handled"})')
            assert float(handled) >= 1
            assert _query_until(f"http://127.0.0.1:{port}", process,
                                tmp_path / "prometheus.log", "partybot_database_up") == "1"
            rules = requests.get(f"http://127.0.0.1:{port}/api/v1/rules", timeout=5).json()
            names = {rule["name"] for group in rules["data"]["groups"]
                     for rule in group["rules"]}
            assert {"PartybotOutboxNotDraining", "PartybotNoSchedulerLeader"} <= names
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def _query_until(base: str, process: subprocess.Popen, log: Path,  # type: ignore[type-arg]
                 query: str, seconds: float = 20) -> str:
    """The query's first value once Prometheus has one (it scrapes every second)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"prometheus exited: {log.read_text()[-2000:]}")
        try:
            answer = requests.get(f"{base}/api/v1/query", params={"query": query},
                                  timeout=2).json()
        except (requests.ConnectionError, ValueError):
            answer = {}
        result = answer.get("data", {}).get("result") or []
        if result:
            return str(result[0]["value"][1])
        time.sleep(0.2)
    raise AssertionError(f"no value for {query} within {seconds}s")


GUNICORN_HOOKS = '''
# What deploy/gunicorn.conf.py needs for the metrics (README "Metrics and alerts").
def on_starting(server):
    from core.metrics import clean_multiprocess_dir
    clean_multiprocess_dir()

def child_exit(server, worker):
    from core.metrics import process_exited
    process_exited(worker.pid)
'''


def test_gunicorn_workers_count_into_one_page(database_url, tmp_path):
    """Under gunicorn with two workers and PROMETHEUS_MULTIPROC_DIR, /metrics (answered
    by either worker) counts every message; a stale file of a gone process is removed at
    start, and a worker that is replaced keeps its counts."""
    import signal
    import sys

    from tests.procs import Proc, command_env

    shared = tmp_path / "prometheus"
    shared.mkdir()
    (shared / f"counter_{2**22 + 777}.db").write_bytes(b"left by a process long gone")
    (tmp_path / "gunicorn.conf.py").write_text(GUNICORN_HOOKS)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Proc([sys.executable, "-m", "gunicorn", "-c", str(tmp_path / "gunicorn.conf.py"),
                   "-w", "2", "-b", f"127.0.0.1:{port}", "bot:create_app()"],
                  command_env(database_url, tmp_path, WECHAT_TOKEN=TOKEN,
                              PROMETHEUS_MULTIPROC_DIR=str(shared)),
                  Path(__file__).resolve().parent.parent)
    try:
        _wait_answering(f"{base}/healthz", server)
        side = WeChatSide(TOKEN)
        for number in range(12):
            signed = side.sign_request(text_xml(f"o-g{number}", "帮助"))
            assert requests.post(f"{base}/wechat?{signed.query}", data=signed.body,
                                 timeout=10).status_code == 200

        def handled() -> float:
            page = requests.get(f"{base}/metrics", timeout=10)
            assert page.status_code == 200
            return sum(sample.value for family in text_string_to_metric_families(page.text)
                       for sample in family.samples
                       if sample.name == "partybot_webhook_requests_total"
                       and sample.labels["outcome"] == "handled")

        assert handled() == 12
        assert not (shared / f"counter_{2**22 + 777}.db").exists()
        workers = {int(p.stem.rsplit("_", 1)[1]) for p in shared.glob("counter_*.db")}
        assert workers and server.process.pid not in workers
        gone = min(workers)
        os.kill(gone, signal.SIGTERM)  # gunicorn replaces it; its counts stay on the page
        while gone in _worker_pids(server.process.pid):
            time.sleep(0.1)
        assert handled() == 12
    finally:
        assert server.stop() == 0, server.output


def _worker_pids(master: int) -> set[int]:
    """gunicorn's workers: the master's children."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def _wait_answering(url: str, server: Any, seconds: float = 60) -> None:
    """Until `url` answers 200 (a gunicorn worker loads the app before its first answer,
    which on a busy machine takes more than procs.wait_healthy's 1 s read timeout)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.output
        try:
            if requests.get(url, timeout=30).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered:\n{server.output}")
