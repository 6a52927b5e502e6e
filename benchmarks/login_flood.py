"""Webhook latency while 16 clients flood POST /admin/login with wrong passwords (issue
23, item 12).

partybot runs under gunicorn (sync workers, as the README deploys it); one client sends
`帮助` as a bound member every 50 ms and records each request's latency. First the
webhook alone (the baseline), then the same while 16 client threads each fetch the login
page once (cookie + CSRF token) and post wrong passwords as fast as they are answered —
by default each for a login name of its own every time (no lockout ever stops the
scrypt hash: the worst case), with --same-login all for one login (locked after 10).
--healthz floods GET /healthz instead: what any 16-client flood costs the webhook, the
floor for the login flood (the workers are shared; only a separate pool avoids it).

    python benchmarks/login_flood.py [--seconds 10] [--workers 4] [--database-url URL]
"""

from __future__ import annotations

import argparse
import collections
import itertools
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import free_port, gunicorn_argv, gunicorn_env  # noqa: E402
from webhook_rps import OPENID, TOKEN, prepare_partybot_db  # noqa: E402

from bot.simulator import WeChatSide, text_xml  # noqa: E402

FLOODERS = 16
PAUSE = 0.05  # between two webhook requests


class Probe(threading.Thread):
    """Sends 帮助 every PAUSE seconds; keeps (start time, latency) of each request."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.samples: list[tuple[float, float]] = []
        self.errors = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        http, side = requests.Session(), WeChatSide(TOKEN)
        while not self.stopping.is_set():
            signed = side.sign_request(text_xml(OPENID, "帮助"))
            started = time.monotonic()
            try:
                ok = http.post(f"http://127.0.0.1:{self.port}/wechat?{signed.query}",
                               data=signed.body, timeout=30).status_code == 200
            except requests.RequestException:
                ok = False
            self.samples.append((started, time.monotonic() - started))
            self.errors += not ok
            time.sleep(PAUSE)

    def between(self, start: float, end: float) -> list[float]:
        return [took for began, took in self.samples if start <= began < end]


class Flood:
    """FLOODERS threads posting wrong passwords until stopped; counts answers by status."""

    def __init__(self, port: int, same_login: bool, healthz: bool) -> None:
        self.port = port
        self.same_login = same_login
        self.healthz = healthz
        self.statuses: collections.Counter[int] = collections.Counter()
        self.numbers = itertools.count()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._post, daemon=True)
                        for _ in range(FLOODERS)]

    def _post(self) -> None:
        base = f"http://127.0.0.1:{self.port}/admin/login"
        http = requests.Session()
        page = http.get(base, timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, page[:300]
        while not self.stopping.is_set():
            login = "demo-township" if self.same_login else f"guess-{next(self.numbers)}"
            try:
                if self.healthz:
                    status = http.get(f"http://127.0.0.1:{self.port}/healthz",
                                      timeout=30).status_code
                else:
                    status = http.post(base, data={"login": login, "password": "wrong",
                                                    "csrf_token": token[1]},
                                       timeout=30).status_code
            except requests.RequestException:
                status = 0
            self.statuses[status] += 1

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()


def serve(port: int, workdir: Path, env: dict[str, str], workers: int,
          name: str = "gunicorn") -> subprocess.Popen:
    """partybot under gunicorn; its log goes to a file (webhook_rps.start pipes it, and
    the pipe, unread, fills with a flood's log lines and stalls every worker)."""
    log = (workdir / f"{name}.log").open("w")
    process = subprocess.Popen(
        gunicorn_argv("bot:create_app()", port, workers), cwd=workdir, stdout=log, stderr=log,
        env=gunicorn_env({**os.environ, **env, "PYTHONPATH": str(ROOT)}))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((workdir / f"{name}.log").read_text())
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return process
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError("partybot did not start in time")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each phase")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--same-login", action="store_true",
                        help="every wrong password for one login (locked after 10)")
    parser.add_argument("--healthz", action="store_true",
                        help="flood GET /healthz instead: the floor any 16-client flood sets")
    parser.add_argument("--separate", action="store_true",
                        help="the console on a gunicorn of its own (same workers each), as "
                             "nginx would route /admin and /wechat: no shared queue")
    parser.add_argument("--database-url", default=None,
                        help="partybot's database (default: a fresh SQLite file)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="partybot-login-flood-"))
    env = {"WECHAT_TOKEN": TOKEN, "PARTYBOT_INSTANCE_PATH": str(workdir / "instance"),
           "PARTYBOT_DATABASE_URL": args.database_url or f"sqlite:///{workdir}/bench.db"}
    prepare_partybot_db(workdir, env)
    port = free_port()
    server = serve(port, workdir, env, args.workers)
    console_port = free_port() if args.separate else port
    console = serve(console_port, workdir, env, args.workers, "console") \
        if args.separate else None
    probe, flood = Probe(port), Flood(console_port, args.same_login, args.healthz)
    try:
        probe.start()
        time.sleep(1)  # warm up: first requests of each worker
        alone_start = time.monotonic()
        time.sleep(args.seconds)
        flood_start = time.monotonic()
        flood.start()
        time.sleep(args.seconds)
        flood_end = time.monotonic()
        flood.stop()
    finally:
        probe.stopping.set()
        probe.join()
        for process in (server, console):
            if process is not None:
                process.terminate()
                process.wait()
    errors = sum(log.read_text().count("unhandled error") for log in workdir.glob("*.log"))
    alone = probe.between(alone_start, flood_start)
    flooded = probe.between(flood_start, flood_end)
    database = "PostgreSQL" if env["PARTYBOT_DATABASE_URL"].startswith("postgresql") \
        else "SQLite"
    attempts = sum(flood.statuses.values())
    kind = "GET /healthz" if args.healthz else "wrong passwords, " + (
        "one login" if args.same_login else "a new login each time")
    pools = " (webhook) + the same for the console" if args.separate else ""
    print(f"\n{database}; gunicorn {args.workers} sync workers{pools}; machine: "
          f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{date.today()}; flood: {kind}")
    print(f"login flood: {attempts} attempts in {flood_end - flood_start:.1f} s "
          f"({attempts / (flood_end - flood_start):.0f}/s), answers "
          f"{dict(sorted(flood.statuses.items()))}; webhook errors: {probe.errors}; "
          f"unhandled errors logged: {errors}\n")
    print("| webhook `帮助`, 1 client every 50 ms | requests | median | p95 | median vs alone |")
    print("|---|---:|---:|---:|---:|")
    base = statistics.median(alone)
    flooded_name = f"{FLOODERS} clients flooding {'/healthz' if args.healthz else '/admin/login'}"
    for name, values in (("alone", alone), (flooded_name, flooded)):
        median = statistics.median(values)
        print(f"| {name} | {len(values)} | {median * 1000:.1f} ms | "
              f"{percentile(values, 0.95) * 1000:.1f} ms | {median / base:.1f}x |")


if __name__ == "__main__":
    main()
