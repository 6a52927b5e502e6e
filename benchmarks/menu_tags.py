"""Menu tags for a county: 20,000 bound members in 200 branches (one admin and two
helpers per branch), the fake WeChat API over real HTTP.

Measures:
1. the first `partybot menu publish` tagging everyone (sync rounds of 2,000 rows,
   batches of 50 openids per call): seconds, API calls;
2. the minute job when nothing changed (the cost every minute forever), against the
   baseline of reading the members' roles alone — the query it cannot avoid;
3. the job after 100 role changes.

    python benchmarks/menu_tags.py [--database-url URL] [--branches 200] [--members 100]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import add_county, analyze, fresh_database  # noqa: E402
from sqlalchemy import insert, select, update  # noqa: E402

from bot.menu import publish_menus  # noqa: E402
from bot.sandbox.fake_api import make_fake_app  # noqa: E402
from core.config import Settings  # noqa: E402
from models.db.engine import make_engine, make_session_factory  # noqa: E402
from models.members.tables import Member  # noqa: E402
from schedules.menu_tags import sync_menu_tags  # noqa: E402
from schedules.runtime import build_runtime  # noqa: E402
from tests.live import serving  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)


def build(url: str, branches: int, per_branch: int) -> None:
    fresh_database(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        _county, branch_ids = add_county(session, branches, NOW)
        session.execute(insert(Member), [
            {"name": f"党员{b}-{m}", "branch_id": branch_id, "phone": None,
             "openid": f"o-{b}-{m}", "subscribed": True, "is_admin": m == 0,
             "is_helper": m in (1, 2), "created_at": NOW}
            for b, branch_id in enumerate(branch_ids) for m in range(per_branch)])
        session.commit()
    analyze(engine)
    engine.dispose()


def median_seconds(action, runs: int = 7) -> float:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--branches", type=int, default=200)
    parser.add_argument("--members", type=int, default=100)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="menu-tags-")
    url = args.database_url or f"sqlite:///{workdir}/county.db"
    build(url, args.branches, args.members)
    fake_app = make_fake_app()
    fake = fake_app.extensions["fake_wechat"]
    with serving(fake_app) as base_url:
        settings = Settings(database_url=url, wechat_token="t", secret_key="s",
                            app_id="wxbench", app_secret="secret", api_base_url=base_url,
                            instance_path=Path(workdir))
        runtime = build_runtime(settings)
        with runtime.sessions() as session:
            publish_menus(runtime.wechat, session)
            session.commit()
        started = time.perf_counter()
        rounds = tagged = 0
        while True:
            run = sync_menu_tags(runtime)
            rounds, tagged = rounds + 1, tagged + run.tagged
            if run.tagged + run.failed == 0:
                break
        first = time.perf_counter() - started
        calls = fake.calls["tags/members/batchtagging"]

        def roles_only() -> None:
            with runtime.sessions() as session:
                list(session.execute(select(Member.openid, Member.id, Member.is_admin,
                                            Member.is_helper)
                                     .where(Member.openid.is_not(None),
                                            Member.subscribed.is_(True))))

        idle = median_seconds(lambda: sync_menu_tags(runtime))
        baseline = median_seconds(roles_only)
        with runtime.sessions() as session:
            session.execute(update(Member).where(Member.name.like("党员%-3"))
                            .values(is_helper=True))
            session.commit()
        started = time.perf_counter()
        changed = sync_menu_tags(runtime)
        after_changes = time.perf_counter() - started
        runtime.dispose()
    members = args.branches * args.members
    print(f"Menu tags, {members:,} members in {args.branches} branches, "
          f"{runtime.engine.dialect.name}, {platform.machine()} {os.cpu_count()} cores, "
          f"{date.today()}")
    print("| step | result |")
    print("| --- | --- |")
    print(f"| first publish: tag everyone | {tagged:,} tagged in {first:.1f} s "
          f"({tagged / first:,.0f}/s), {rounds - 1} rounds, {calls} batchtagging calls |")
    print(f"| minute job, nothing changed | {idle * 1000:.0f} ms |")
    print(f"| baseline: read the members' roles | {baseline * 1000:.0f} ms |")
    print(f"| ratio idle job / baseline | {idle / baseline:.1f}x |")
    print(f"| minute job after {changed.queued} role changes | {after_changes * 1000:.0f} ms, "
          f"{changed.tagged} tagged |")


if __name__ == "__main__":
    main()
