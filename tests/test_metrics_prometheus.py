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

import pytest
import requests
import yaml

from bot.simulator import WeChatSide
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
