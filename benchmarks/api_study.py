"""GET /api/v1/study for members of a county (100,000 members in 1,000 branches, study
items posted to the county and to every branch), 16 concurrent clients each with its own
mini-program token, against gunicorn (2 workers), on SQLite or PostgreSQL.

Each client asks for its first page again and again (a closed loop: a new request as soon
as the last answered) for `--seconds`; the latency p50 / p99 and the calls a second are
printed. Every call also checks and counts its token (the per-token rate limit, set high
here), so the numbers include that write.

    python benchmarks/api_study.py [--database-url URL] [--branches 1000] [--members 100]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import (  # noqa: E402
    add_county,
    analyze,
    free_port,
    fresh_database,
    gunicorn_argv,
    gunicorn_env,
)
from sqlalchemy import insert, select  # noqa: E402

from models.api.tables import MiniProgramUser  # noqa: E402
from models.api.tokens import issue_token  # noqa: E402
from models.db.engine import make_engine, make_session_factory  # noqa: E402
from models.members.tables import Member  # noqa: E402
from models.study.tables import StudyItem  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
CLIENTS = 16


def build(url: str, branches: int, per_branch: int, items_per_branch: int) -> list[str]:
    """The county, its members and study items; returns one token per client."""
    engine = make_engine(url)
    started = time.monotonic()
    with make_session_factory(engine)() as session:
        county, branch_ids = add_county(session, branches, NOW)
        session.execute(insert(Member), [
            {"name": f"党员{b}-{m}", "branch_id": branch, "phone": f"139{b:04d}{m:04d}",
             "subscribed": False, "is_admin": False, "is_helper": False, "created_at": NOW}
            for b, branch in enumerate(branch_ids) for m in range(per_branch)])
        items = [{"org_id": county.id, "title": f"全县学习{n}", "body": "正文" * 200,
                  "content_hash": f"c{n}".ljust(64, "0"),
                  "publish_at": NOW - timedelta(days=n), "push_at": NOW - timedelta(days=n),
                  "pushed_at": NOW - timedelta(days=n), "created_at": NOW}
                 for n in range(30)]
        items += [{"org_id": branch, "title": f"支部学习{b}-{n}", "body": "正文" * 100,
                   "content_hash": f"b{b}-{n}".ljust(64, "0"),
                   "publish_at": NOW - timedelta(days=n, hours=b % 24),
                   "push_at": NOW - timedelta(days=n), "pushed_at": NOW - timedelta(days=n),
                   "created_at": NOW}
                  for b, branch in enumerate(branch_ids) for n in range(items_per_branch)]
        session.execute(insert(StudyItem), items)
        chosen = list(session.scalars(select(Member.id).order_by(Member.id)
                                      .limit(CLIENTS * per_branch).offset(0)))[::per_branch]
        tokens = []
        for n, member_id in enumerate(chosen[:CLIENTS]):
            session.add(MiniProgramUser(openid=f"mp-bench-{n}", member_id=member_id,
                                        first_seen=NOW, bound_at=NOW))
            session.flush()
            # valid for the run: the benchmark's clock is the real one
            token, _ = issue_token(session, f"mp-bench-{n}", member_id, NOW)
            tokens.append(token)
        session.commit()
    analyze(engine)
    engine.dispose()
    print(f"built {branches * per_branch} members, {len(items)} items "
          f"in {time.monotonic() - started:.0f} s", flush=True)
    return tokens


def load(url: str, tokens: list[str], workdir: Path, seconds: float) -> dict[str, float]:
    """CLIENTS closed-loop clients for `seconds` against gunicorn with 2 workers."""
    port = free_port()
    env = {**os.environ, "PARTYBOT_DATABASE_URL": url, "WECHAT_TOKEN": "bench-token",
           "PARTYBOT_INSTANCE_PATH": str(workdir / "instance"), "PYTHONPATH": str(ROOT),
           "PARTYBOT_API_RATE_PER_MINUTE": "1000000000"}
    server = subprocess.Popen(gunicorn_argv("bot:create_app()", port, 2, "--threads", "4"),
                              cwd=workdir, env=gunicorn_env(env),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(f"{base}/healthz", timeout=2)
            break
        except requests.RequestException:  # not listening yet, or still starting
            time.sleep(0.1)
    for token in tokens:  # warm both workers' statement caches
        for _ in range(5):
            requests.get(f"{base}/api/v1/study", timeout=10,
                         headers={"Authorization": f"Bearer {token}"}).raise_for_status()
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(token: str) -> None:
        http = requests.Session()
        headers = {"Authorization": f"Bearer {token}"}
        mine, bad = [], []
        while time.monotonic() < stop:
            began = time.perf_counter()
            response = http.get(f"{base}/api/v1/study", headers=headers, timeout=30)
            mine.append(time.perf_counter() - began)
            if response.status_code != 200 or len(response.json()["items"]) != 20:
                bad.append(response.status_code)
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    server.terminate()
    server.wait(timeout=30)
    latencies.sort()
    return {"requests": len(latencies), "per_second": len(latencies) / wall,
            "p50": latencies[len(latencies) // 2] * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "max": latencies[-1] * 1000, "failed": len(failures)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--members", type=int, default=100, help="members per branch")
    parser.add_argument("--items", type=int, default=10, help="study items per branch")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        workdir = Path(temp)
        url = args.database_url or f"sqlite:///{workdir / 'county.db'}"
        fresh_database(url)
        tokens = build(url, args.branches, args.members, args.items)
        result = load(url, tokens, workdir, args.seconds)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"{url.split(':')[0]}")
    print(f"GET /api/v1/study, {CLIENTS} clients: {result['requests']} calls, "
          f"{result['per_second']:.0f}/s, p50 {result['p50']:.1f} ms, "
          f"p99 {result['p99']:.1f} ms, max {result['max']:.0f} ms, "
          f"failed {result['failed']}")


if __name__ == "__main__":
    main()
