"""Webhook latency while a 100,000-row roster imports (issue 10, item 2).

partybot runs under gunicorn (2 sync workers); four client threads each send `帮助` as
a bound member, one request every 50 ms (about 80 requests/s), and record each
request's latency. First an idle phase (no import: the baseline), then the same load
while `partybot import-roster` imports a generated 100,000-row CSV into the same
database. The import runs as its own process, as an admin would run it; its peak
memory is its VmHWM.

    python benchmarks/import_under_load.py [--rows 100000] [--database-url URL]

Before (issue 10): the import held SQLite's write lock for its whole transaction
(19.8 s, 543 MB) and every webhook request waited for it.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
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

from common import free_port  # noqa: E402
from webhook_rps import OPENID, TOKEN, Target, prepare_partybot_db, start  # noqa: E402

from bot.simulator import WeChatSide, text_xml  # noqa: E402

SENDERS = 4
PAUSE = 0.05

IMPORT = """
import atexit, sys
from pathlib import Path

def peak():
    status = Path("/proc/self/status").read_text()
    hwm = next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1]
    print(f"PEAK_MB {int(hwm) // 1024}", file=sys.stderr)

atexit.register(peak)
from bot.cli import main
main(["import-roster", sys.argv[1]])
"""


def write_roster(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["姓名", "支部", "党小组", "手机", "角色", "需帮扶", "住址"])
        for n in range(rows):
            writer.writerow([f"导入党员{n}", f"第{n % 200}村党支部", f"第{n % 3 + 1}党小组",
                             f"137{n:08d}", "帮扶人" if n % 50 == 0 else "",
                             "老式手机" if n % 40 == 0 else "", f"某乡第{n % 200}村{n % 7}组"])


class Load:
    """Client threads sending 帮助 until stopped; latencies with their start times."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.side = WeChatSide(TOKEN)
        self.samples: list[tuple[float, float]] = []
        self.errors = 0
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._send, daemon=True)
                        for _ in range(SENDERS)]

    def _send(self) -> None:
        http = requests.Session()
        while not self.stopping.is_set():
            signed = self.side.sign_request(text_xml(OPENID, "帮助"))
            started = time.monotonic()
            try:
                response = http.post(f"http://127.0.0.1:{self.port}/wechat?{signed.query}",
                                     data=signed.body, timeout=30)
                ok = response.status_code == 200
            except requests.RequestException:
                ok = False
            took = time.monotonic() - started
            self.samples.append((started, took))
            self.errors += not ok
            time.sleep(PAUSE)

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def between(self, start: float, end: float) -> list[float]:
        return [took for began, took in self.samples if start <= began < end]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--idle-seconds", type=float, default=10)
    parser.add_argument("--database-url", default=None,
                        help="partybot's database (default: a fresh SQLite file)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="partybot-import-"))
    env = {"WECHAT_TOKEN": TOKEN, "PARTYBOT_INSTANCE_PATH": str(workdir / "instance"),
           "PARTYBOT_DATABASE_URL": args.database_url or f"sqlite:///{workdir}/bench.db"}
    prepare_partybot_db(workdir, env)
    roster = workdir / "roster.csv"
    write_roster(roster, args.rows)
    port = free_port()
    server = start(Target("partybot", "bot:create_app()", False, env), port, workdir, 2)
    load = Load(port)
    try:
        load.start()
        idle_start = time.monotonic()
        time.sleep(args.idle_seconds)
        import_start = time.monotonic()
        done = subprocess.run([sys.executable, "-c", IMPORT, str(roster)], cwd=workdir,
                              env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
                              capture_output=True, text=True)
        import_end = time.monotonic()
        time.sleep(1)
    finally:
        load.stop()
        server.terminate()
        server.wait()
    if done.returncode != 0:
        sys.exit(f"import failed:\n{done.stdout}\n{done.stderr}")
    peak = next(int(line.split()[1]) for line in done.stderr.splitlines()
                if line.startswith("PEAK_MB"))
    idle = load.between(idle_start, import_start)
    busy = load.between(import_start, import_end)
    database = "PostgreSQL" if env["PARTYBOT_DATABASE_URL"].startswith("postgresql") \
        else "SQLite"
    print(f"\n{args.rows:,}-row import on {database}: {import_end - import_start:.1f} s, "
          f"peak {peak} MB; {load.errors} failed requests")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {date.today()}\n")
    print("| webhook `帮助`, 4 clients | requests | p50 | p99 | max | p99 vs idle |")
    print("|---|---|---|---|---|---|")
    base = percentile(idle, 0.99)
    for name, values in (("idle (baseline)", idle), ("during the import", busy)):
        p99 = percentile(values, 0.99)
        print(f"| {name} | {len(values)} | {statistics.median(values) * 1000:.0f} ms | "
              f"{p99 * 1000:.0f} ms | {max(values) * 1000:.0f} ms | {p99 / base:.1f}x |")
    print(f"\nimport output: {done.stdout.strip().splitlines()[0] if done.stdout else ''}")


if __name__ == "__main__":
    main()
