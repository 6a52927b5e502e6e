"""`partybot pairs suggest` for a county: 100,000 members in 1,000 branches, 5% needing
help, 10% willing helpers, everyone with coordinates. Wall time and peak RSS of the
command (a real `partybot` process, database loading and saving included).

    python benchmarks/pairs_suggest.py [--database-url URL] [--branches 1000] [--members 100]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
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

from common import add_county, fresh_database  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from models.db.engine import make_engine, make_session_factory  # noqa: E402
from models.members.tables import Member  # noqa: E402
from models.pairing.matching import PairSuggestion  # noqa: E402

NOW = datetime.now(UTC)
REASONS = ["老式手机", "行动不便", "不会用微信", "无手机"]


def build(url: str, branches: int, per_branch: int) -> None:
    rng = random.Random(11)
    fresh_database(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        _county, branch_ids = add_county(session, branches, NOW)
        for start in range(0, branches, 100):
            rows = []
            for b, branch_id in enumerate(branch_ids[start:start + 100], start=start):
                lat, lng = 48.0 + rng.random(), 129.0 + rng.random()  # the village
                for m in range(per_branch):
                    role = rng.random()
                    rows.append({
                        "name": f"党员{b}-{m}", "branch_id": branch_id, "phone": None,
                        "openid": None, "subscribed": False, "is_admin": False,
                        "is_helper": 0.05 <= role < 0.15,
                        "needs_help": rng.choice(REASONS) if role < 0.05 else None,
                        "address": f"{rng.randrange(1, 6)}组",
                        "latitude": lat + rng.gauss(0, 0.01),
                        "longitude": lng + rng.gauss(0, 0.01), "created_at": NOW})
            session.execute(insert(Member), rows)
        session.commit()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--members", type=int, default=100)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="partybot-pairs-"))
    url = args.database_url or f"sqlite:///{workdir}/pairs.db"
    build(url, args.branches, args.members)
    env = {**os.environ, "PARTYBOT_DATABASE_URL": url,
           "PARTYBOT_INSTANCE_PATH": str(workdir / "instance"), "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "bot.cli", "pairs", "suggest"], env=env,
                            cwd=workdir, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    engine = make_engine(url)
    with engine.connect() as connection:
        saved = connection.execute(select(func.count()).select_from(PairSuggestion)).scalar_one()
        needing = connection.execute(select(func.count()).select_from(Member).where(
            Member.needs_help.is_not(None))).scalar_one()
    engine.dispose()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(result.stdout.strip().splitlines()[0])
    print()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {date.today()}; {backend}; "
          f"{args.branches * args.members} members, {needing} needing help")
    print()
    print("| measurement | result | target |")
    print("| --- | ---: | ---: |")
    print(f"| `partybot pairs suggest`, whole county: wall time (process start to exit) | "
          f"{wall:.1f} s | < 5 s |")
    print(f"| peak RSS of the process | {peak:.0f} MB | < 300 MB |")
    print(f"| suggestions saved / members needing help | {saved} / {needing} | |")


if __name__ == "__main__":
    main()
