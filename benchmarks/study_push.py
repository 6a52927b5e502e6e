"""The daily study push for 100,000 members in 1,000 branches: time to enqueue every
notice into the outbox, and the peak RSS of the process doing it.

    python benchmarks/study_push.py [--database-url URL] [--branches 1000] [--members 100]

The sweep runs in a child process (so its peak RSS is its own) on a database with the
county, one county-wide study item due now, and 5% of members having already studied
it (they are skipped).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import add_county, analyze, fresh_database  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from models.db.engine import make_engine, make_session_factory  # noqa: E402
from models.delivery.outbox import Outbox  # noqa: E402
from models.members.tables import Member  # noqa: E402
from models.study.posting import Draft, publish  # noqa: E402
from models.study.tables import StudyRecord  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)


def build(url: str, branches: int, per_branch: int) -> None:
    fresh_database(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        county, branch_ids = add_county(session, branches, NOW)
        for start in range(0, branches, 100):
            session.execute(insert(Member), [
                {"name": f"党员{b}-{m}", "branch_id": branch_id, "phone": None,
                 "openid": f"o-{b}-{m}", "subscribed": True, "is_admin": False,
                 "is_helper": False, "created_at": NOW}
                for b, branch_id in enumerate(branch_ids[start:start + 100], start=start)
                for m in range(per_branch)])
        item = publish(session, county.id, Draft("学习贯彻全会精神", "正文" * 50), None, NOW,
                       NOW)
        member_ids = session.scalars(select(Member.id)).all()
        session.execute(insert(StudyRecord), [
            {"item_id": item.id, "member_id": member_id, "studied_at": NOW, "via": "self"}
            for member_id in member_ids[::20]])
        session.commit()
    analyze(engine)
    engine.dispose()


def sweep(url: str) -> None:
    """Child process: run the push once, print timing and peak RSS as JSON."""
    os.environ["PARTYBOT_DATABASE_URL"] = url
    from core.config import load_settings
    from schedules.runtime import build_runtime
    from schedules.study import push_due_items

    services = build_runtime(load_settings(dotenv_path=None))
    started = time.perf_counter()
    queued = push_due_items(services)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"queued": queued, "seconds": elapsed, "peak_mb": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sweep(args.child)
        return
    workdir = Path(tempfile.mkdtemp(prefix="partybot-push-"))
    url = args.database_url or f"sqlite:///{workdir}/push.db"
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    build(url, args.branches, args.members)
    env = {**os.environ, "PARTYBOT_INSTANCE_PATH": str(workdir / "instance"),
           "PYTHONPATH": str(ROOT)}
    result = json.loads(subprocess.run(
        [sys.executable, __file__, "--child", url], env=env, cwd=workdir, check=True,
        capture_output=True, text=True).stdout.strip().splitlines()[-1])
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(Outbox)).scalar_one()
    engine.dispose()
    members = args.branches * args.members
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {date.today()}; {backend}; {members} members in "
          f"{args.branches} branches, 5% already studied")
    print()
    print("| measurement | result | target |")
    print("| --- | ---: | ---: |")
    print(f"| push sweep: notices enqueued | {result['queued']} (outbox rows: {rows}) | "
          f"{members - members // 20} |")
    print(f"| push sweep: time | {result['seconds']:.1f} s | < 10 s |")
    print(f"| push sweep: peak RSS of the process | {result['peak_mb']:.0f} MB | < 200 MB |")


if __name__ == "__main__":
    main()
