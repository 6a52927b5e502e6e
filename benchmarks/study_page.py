"""The member pages' 学习 (/m/study, a later page of it, and /m/study/<id>) for members
of a county of 100,000 (1,000 branches of 100): two years of county items (one a day)
and of branch items (one a week per branch: about 100,000 items in all), each measured
member having studied most of what they see. gunicorn with 2 workers; 16 concurrent
clients, each a logged-in member (a signed page cookie), together at --rate requests a
second (0: each as fast as it can); latency p50 / p99 per page and the page's weight.

    python benchmarks/study_page.py [--database-url URL] [--branches 1000] [--members 100]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
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
from sqlalchemy import insert, select, text  # noqa: E402

from bot import create_app  # noqa: E402
from core.config import Settings  # noqa: E402
from models.db.engine import make_engine, make_session_factory  # noqa: E402
from models.members.tables import Member  # noqa: E402
from models.study.tables import StudyItem, StudyRecord  # noqa: E402

TOKEN = "bench-token"
SECRET = "bench-secret"
NOW = datetime.now(UTC).replace(microsecond=0)
DAYS = 730
CLIENTS = 16


def build(url: str, branches: int, per_branch: int, readers: int) -> list[tuple[str, int]]:
    """The county, its items and the measured members' records; returns (openid, an
    item id it sees) for each measured member."""
    engine = make_engine(url)
    rng = random.Random(7)
    started = time.monotonic()
    with make_session_factory(engine)() as session:
        county, branch_ids = add_county(session, branches, NOW)
        members = [{"name": f"党员{b}-{m}", "branch_id": branch, "phone": None,
                    "openid": f"o-{b}-{m}" if m < 3 else None, "subscribed": m < 3,
                    "created_at": NOW}
                   for b, branch in enumerate(branch_ids) for m in range(per_branch)]
        for start in range(0, len(members), 20_000):
            session.execute(insert(Member), members[start:start + 20_000])
        body = "\n".join(["认真学习党章，牢记党的宗旨，做合格党员。" * 4] * 6)

        def item(org_id: int, day: int, n: int) -> dict[str, object]:
            moment = NOW - timedelta(days=day, hours=1)
            return {"org_id": org_id, "title": f"第{n}期学习内容", "body": body,
                    "content_hash": f"{org_id}-{n}", "publish_at": moment, "push_at": moment,
                    "pushed_at": moment, "created_at": moment}

        rows = [item(county.id, day, n) for n, day in enumerate(range(DAYS))]
        rows += [item(branch, day, n) for branch in branch_ids
                 for n, day in enumerate(range(0, DAYS, 7))]
        for start in range(0, len(rows), 20_000):
            session.execute(insert(StudyItem), rows[start:start + 20_000])
        measured = rng.sample(branch_ids, readers)
        people = []
        for branch in measured:
            seen = list(session.scalars(select(StudyItem.id).where(
                StudyItem.org_id.in_([branch, county.id]))))
            for member_id, openid in session.execute(select(Member.id, Member.openid).where(
                    Member.branch_id == branch, Member.openid.is_not(None))):
                studied = rng.sample(seen, int(len(seen) * 0.8))
                session.execute(insert(StudyRecord), [
                    {"item_id": item_id, "member_id": member_id, "studied_at": NOW,
                     "via": "self"} for item_id in studied])
                people.append((openid, rng.choice(seen)))
        session.commit()
        print(f"built: {len(members)} members, {len(rows)} items, {len(people)} readers "
              f"in {time.monotonic() - started:.0f} s")
    analyze(engine)
    if engine.dialect.name == "sqlite":  # the bulk load's WAL, folded in before measuring
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    return people


def cookies(url: str, workdir: Path, openids: list[str]) -> dict[str, tuple[str, str]]:
    """A signed page login per member, as the web authorization's callback leaves it."""
    app = create_app(Settings(database_url=url, wechat_token=TOKEN, secret_key=SECRET,
                              instance_path=workdir / "instance"))
    signer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    name = app.config["SESSION_COOKIE_NAME"]
    return {openid: (name, signer.dumps({"m_openid": openid, "m_since": int(time.time()),
                                         "csrf": "bench"})) for openid in openids}


def measure(url: str, people: list[tuple[str, str]], workdir: Path, rounds: int,
            rate: float) -> dict[str, list[float]]:
    """Every client opens the three pages `rounds` times, the clients together at most
    `rate` requests a second (0: each as fast as it can); the latencies per page."""
    port = free_port()
    env = {**os.environ, "PARTYBOT_DATABASE_URL": url, "WECHAT_TOKEN": TOKEN,
           "PARTYBOT_SECRET_KEY": SECRET, "PARTYBOT_INSTANCE_PATH": str(workdir / "instance"),
           "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(gunicorn_argv("bot:create_app()", port, 2), cwd=workdir,
                              env=gunicorn_env(env), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{base}/healthz", timeout=2)
            break
        except requests.RequestException:
            time.sleep(0.1)
    signed = cookies(url, workdir, [openid for openid, _ in people])
    pages = {"/m/study": lambda item: "/m/study",
             "/m/study?page=10": lambda item: "/m/study?page=10",
             "/m/study/<id>": lambda item: f"/m/study/{item}"}
    latencies: dict[str, list[float]] = {page: [] for page in pages}
    weights: dict[str, int] = {}
    failures: list[str] = []
    lock = threading.Lock()

    gap = CLIENTS / rate if rate else 0.0  # seconds between one client's requests

    def client(n: int) -> None:
        openid, item = people[n % len(people)]
        http = requests.Session()
        http.cookies.set(*signed[openid])
        due = time.monotonic() + gap * n / CLIENTS
        for _ in range(rounds):
            for page, path in pages.items():
                due += gap
                if due > time.monotonic():
                    time.sleep(due - time.monotonic())
                began = time.perf_counter()
                response = http.get(base + path(item), timeout=30, allow_redirects=False)
                took = time.perf_counter() - began
                with lock:
                    latencies[page].append(took)
                    weights[page] = len(response.content)
                    if response.status_code != 200:
                        failures.append(f"{page} {response.status_code}")

    for warm in range(2):  # each worker's first requests build caches
        client(warm)
    for page in latencies:
        latencies[page].clear()
    workers = [threading.Thread(target=client, args=(t,)) for t in range(CLIENTS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    server.terminate()
    _, errors = server.communicate(timeout=30)
    css = (ROOT / "bot/pages/static/pages.css").stat().st_size
    for page, took in latencies.items():
        took.sort()
        p99 = took[int(len(took) * 0.99) - 1]
        print(f"{page:20} n={len(took)} p50 {statistics.median(took) * 1000:.1f} ms  "
              f"p99 {p99 * 1000:.1f} ms  weight {weights[page]} B + css {css} B")
    if failures:
        print(f"FAILED: {len(failures)} ({failures[:3]})")
        print(errors.decode(errors="replace")[-3000:])
    return latencies


def main() -> None:
    """Build the county, then measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--readers", type=int, default=4, help="branches whose members read")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--rate", type=float, default=50.0,
                        help="requests a second from all clients together (0: no pause)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="study-page-"))
    url = args.database_url or f"sqlite:///{workdir / 'county.db'}"
    print(f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
          f"{url.split('@')[-1]}")
    fresh_database(url)
    people = build(url, args.branches, args.members, args.readers)
    measure(url, people, workdir, args.rounds, args.rate)


if __name__ == "__main__":
    main()
