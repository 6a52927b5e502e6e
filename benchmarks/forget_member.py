"""`forget_member` and the nightly retention on a county-sized database (issue 27).

Forgetting scans the logs that may repeat a name (the whole outbox, inbound messages and
stored replies; the audit entries of the member's orgs), so its cost grows with those
tables. This loads a county (`--branches` x `--members`), `--outbox` finished outbox rows
(every notice names a member), `--audit` audit entries, then times, for `--repeat`
members each: exporting their data (the baseline: a read of the same member's rows) and
forgetting them (committed). Then the retention job deletes the older half of the outbox
in batches, and runs again (the second run should find nothing).

    python benchmarks/forget_member.py [--database-url URL] [--branches 500] [--members 20]
        [--outbox 200000] [--audit 100000]

The machine is shared and noisy: compare the ratio, not the seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import add_county, analyze, fresh_database  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from core.config import Settings  # noqa: E402
from models.actors import Actor  # noqa: E402
from models.console.audit import AuditEntry  # noqa: E402
from models.db.engine import make_engine, make_session_factory  # noqa: E402
from models.delivery.outbox import Outbox  # noqa: E402
from models.members.actions import export_member_data, forget_member  # noqa: E402
from models.members.tables import Member  # noqa: E402
from schedules.retention import apply_retention  # noqa: E402
from schedules.runtime import build_runtime  # noqa: E402


def load(url: str, branches: int, members: int, outbox: int, audit: int,
         now: datetime) -> list[int]:
    """The county and its rows; returns the member ids."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        _county, branch_ids = add_county(session, branches, now)
        session.execute(insert(Member), [
            {"name": f"党员{b}-{m}", "branch_id": branch, "phone": f"139{b:04d}{m:04d}",
             "openid": f"o-{b}-{m}", "created_at": now}
            for b, branch in enumerate(branch_ids) for m in range(members)])
        ids = list(session.scalars(select(Member.id).order_by(Member.id)))
        for start in range(0, outbox, 20000):
            session.execute(insert(Outbox), [
                {"dedupe_key": f"k{i}", "kind": "study", "member_id": ids[i % len(ids)],
                 "openid": f"o-x{i}", "channel": "custom", "status": "sent",
                 "payload": {"text": f"请提醒党员{i % branches}-{i % members}学习"},
                 "send_after": now, "created_at": now - timedelta(days=(i % 360))}
                for i in range(start, min(outbox, start + 20000))])
        for start in range(0, audit, 20000):
            session.execute(insert(AuditEntry), [
                {"at": now, "actor_key": "cli:x", "actor_name": "x", "surface": "cli",
                 "org_id": branch_ids[i % branches], "action": "member.unbind",
                 "target": f"党员{i % branches}-{i % members}", "before": None, "after": None}
                for i in range(start, min(audit, start + 20000))])
        session.commit()
    analyze(engine)
    engine.dispose()
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--branches", type=int, default=500)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--outbox", type=int, default=200000)
    parser.add_argument("--audit", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="forget-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    fresh_database(url)
    now = datetime.now(UTC)
    started = time.perf_counter()
    ids = load(url, args.branches, args.members, args.outbox, args.audit, now)
    print(f"loaded {len(ids)} members, {args.outbox} outbox rows, {args.audit} audit "
          f"entries in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    exports, forgets = [], []
    for member_id in ids[7::max(1, len(ids) // args.repeat)][:args.repeat]:
        with sessions() as session:
            member = session.get(Member, member_id)
            assert member is not None
            started = time.perf_counter()
            export_member_data(session, Actor.cli("bench"), member, now)
            session.commit()
            exports.append(time.perf_counter() - started)
            started = time.perf_counter()
            forget_member(session, Actor.cli("bench"), member, now)
            session.commit()
            forgets.append(time.perf_counter() - started)
    export_s, forget_s = sorted(exports)[len(exports) // 2], sorted(forgets)[len(forgets) // 2]
    print(f"median of {len(forgets)}: export {export_s * 1000:.0f} ms, forget "
          f"{forget_s * 1000:.0f} ms (forget / export = {forget_s / export_s:.1f})")
    settings = Settings(database_url=url, instance_path=folder / "instance")
    runtime = build_runtime(settings)
    for attempt in (1, 2):
        started = time.perf_counter()
        done = apply_retention(runtime)
        print(f"retention run {attempt}: {done} in {time.perf_counter() - started:.1f} s")
    runtime.engine.dispose()
    with sessions() as session:
        left = session.scalar(select(func.count()).select_from(Outbox))
    print(f"outbox rows left: {left}")
    engine.dispose()


if __name__ == "__main__":
    main()
