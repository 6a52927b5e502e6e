"""The console at county scale: 100,000 members in 1,000 branches (10 townships of 100)
with two years of meetings, on SQLite and on PostgreSQL (the county of county.py).

Measures server time, through the Flask app with a logged-in password account:
1. the county overview (`GET /admin/`, every branch) and a township overview
   (`GET /admin/?org=<township>`), against the baseline of the compliance roll-up
   alone for the same branches (what the page adds: scope, names, the quarterly trend,
   study and reach columns, rendering); the county overview also with last week's study
   rates not yet cached (a county-wide item a day, studied by 60% of members: 420,000
   records), which happens once every 10 minutes;
2. the township workbook (`GET /admin/export/ledger?org=<township>`, 100 branches, this
   quarter), and the same workbook over the past year, against the baseline of exporting
   the 100 branches one at a time (bot.ledger, what the CLI offered before); the past
   year's workbook also in a fresh process for its peak memory (ru_maxrss), next to
   that of a process that only imports and connects.

    python benchmarks/console.py [--database-url URL] [--branches 1000] [--members 100]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import re
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import fresh_database  # noqa: E402
from county import NOW, TZ, build  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from bot import create_app  # noqa: E402
from bot.ledger.branch import export_ledger  # noqa: E402
from bot.ledger.orgs import export_org_ledger  # noqa: E402
from bot.services import services_of  # noqa: E402
from core.config import Settings  # noqa: E402
from core.localtime import last_week  # noqa: E402
from models.console.accounts import add_console_user  # noqa: E402
from models.db.engine import make_engine, make_session_factory  # noqa: E402
from models.meetings.compliance import compliance  # noqa: E402
from models.members.org_tables import Org, OrgKind  # noqa: E402
from models.members.orgs import branches_under  # noqa: E402
from models.members.tables import Member  # noqa: E402
from models.study.tables import StudyItem, StudyRecord  # noqa: E402

PASSWORD = "benchmark password"


def median_ms(run: Any, times: int) -> float:
    """Median wall time of `run()` in ms, the first (cold) run left out."""
    timings = []
    for _ in range(times + 1):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings[1:])


def logged_in(app: Any, login: str) -> Any:
    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    answer = client.post("/admin/login", data={"login": login, "password": PASSWORD,
                                               "csrf_token": token.group(1)})
    assert answer.status_code == 302, answer.status_code
    return client


def get_ok(client: Any, path: str) -> Any:
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer


def past_year() -> tuple[date, date]:
    return (NOW - timedelta(days=365)).astimezone(TZ).date(), NOW.astimezone(TZ).date()


def add_last_weeks_study(url: str, county_id: int, share: float = 0.6) -> int:
    """A county-wide item each day of last week, each studied by `share` of members."""
    week = last_week(NOW, TZ)
    engine = make_engine(url)
    rows = 0
    with make_session_factory(engine)() as session:
        members = list(session.scalars(select(Member.id).order_by(Member.id)))
        for day in range(7):
            at = week.start + timedelta(days=day, hours=1)
            item = StudyItem(org_id=county_id, title=f"第{day + 1}天的学习", body="",
                             content_hash=f"{day:064d}", publish_at=at, push_at=at,
                             pushed_at=at)
            session.add(item)
            session.flush()
            studied = [{"item_id": item.id, "member_id": m, "studied_at": at,
                        "via": "self"} for i, m in enumerate(members)
                       if (i * 7 + day) % 10 < share * 10]
            for start in range(0, len(studied), 20_000):
                session.execute(insert(StudyRecord), studied[start:start + 20_000])
            rows += len(studied)
        session.commit()
    engine.dispose()
    return rows


def workbook_in_child(url: str, township_id: int, queue: Any, only_import: bool) -> None:
    """Run in a fresh process: the past year's township workbook, then report peak RSS."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        org = session.get(Org, township_id)
        if not only_import and org is not None:
            start, end = past_year()
            export_org_ledger(session, org, branches_under(session, township_id), start, end,
                              TZ, BytesIO())
    queue.put(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # KiB on Linux


def peak_mb(url: str, township_id: int, only_import: bool) -> float:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=workbook_in_child, args=(url, township_id, queue,
                                                            only_import))
    child.start()
    value = float(queue.get(timeout=600))
    child.join()
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--members", type=int, default=100, help="members per branch")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="partybot-console-"))
    url = args.database_url or f"sqlite:///{workdir}/county.db"
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"building the county on {backend}…", flush=True)
    fresh_database(url)
    built = build(url, args.branches, args.members, burst_branches=0)
    county_id = int(built["county_id"])  # type: ignore[call-overload]
    records = add_last_weeks_study(url, county_id)
    print(f"  last week's study: {records} records", flush=True)

    settings = Settings(database_url=url, wechat_token="bench-token", secret_key="bench",
                        instance_path=workdir / "instance", seed_demo=False)
    app = create_app(settings)
    services = services_of(app)
    with services.sessions() as session:
        township = session.scalars(select(Org).where(Org.parent_id == county_id,
                                                     Org.kind == OrgKind.COMMITTEE)
                                   .order_by(Org.id)).first()
        assert township is not None
        township_id = township.id
        county = session.get(Org, county_id)
        add_console_user(session, "county", PASSWORD, county, None, NOW)  # type: ignore[arg-type]
        add_console_user(session, "township", PASSWORD, township, None, NOW)
        session.commit()
        county_branches = branches_under(session, county_id)
        township_branches = branches_under(session, township_id)
    county_client = logged_in(app, "county")
    township_client = logged_in(app, "township")

    def rollup(org_id: int) -> None:
        with services.sessions() as session:
            compliance(session, branches_under(session, org_id), NOW, TZ,
                       settings.cadence)

    runs = args.runs
    results: list[tuple[str, float, float, str]] = []
    county_page = median_ms(lambda: get_ok(county_client, "/admin/"), runs)
    results.append((f"county overview `GET /admin/` ({len(county_branches)} branches)",
                    county_page, median_ms(lambda: rollup(county_id), runs), "< 300 ms"))

    def cold_county_page() -> None:
        app.extensions.pop("partybot.study_rates", None)
        get_ok(county_client, "/admin/")

    results.append(("county overview, last week's study rates not cached (once per 10 min)",
                    median_ms(cold_county_page, max(1, runs // 2)),
                    median_ms(lambda: rollup(county_id), runs), "< 300 ms"))
    township_page = median_ms(lambda: get_ok(township_client, f"/admin/?org={township_id}"),
                              runs)
    results.append((f"township overview ({len(township_branches)} branches)", township_page,
                    median_ms(lambda: rollup(township_id), runs), "< 300 ms"))
    print(results, flush=True)

    quarter_workbook = median_ms(lambda: get_ok(
        township_client, f"/admin/export/ledger?org={township_id}"), max(1, runs // 2))
    start, end = past_year()

    def year_workbook() -> None:
        with services.sessions() as session:
            org = session.get(Org, township_id)
            export_org_ledger(session, org, branches_under(session, township_id),  # type: ignore[arg-type]
                              start, end, TZ, BytesIO())

    def one_at_a_time() -> None:
        with services.sessions() as session:
            for branch in branches_under(session, township_id):
                export_ledger(session, branch, start, end, TZ, workdir / "one.xlsx")

    year = median_ms(year_workbook, 2)
    separately = median_ms(one_at_a_time, 1)
    quarter_start = date(NOW.astimezone(TZ).year, (NOW.astimezone(TZ).month - 1) // 3 * 3 + 1, 1)

    def quarter_one_at_a_time() -> None:
        with services.sessions() as session:
            for branch in branches_under(session, township_id):
                export_ledger(session, branch, quarter_start, end, TZ, workdir / "one.xlsx")

    results.append((f"township workbook, this quarter, `GET /admin/export/ledger` "
                    f"({len(township_branches)} branches)", quarter_workbook,
                    median_ms(quarter_one_at_a_time, 1), "< 5 s"))
    results.append((f"township workbook, past year ({len(township_branches)} branches)", year,
                    separately,
                    "< 5 s"))
    peak = peak_mb(url, township_id, only_import=False)
    idle = peak_mb(url, township_id, only_import=True)
    services.dispose()

    print()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {date.today()}; {backend}; {args.branches} branches, "
          f"{args.branches * args.members} members, {built['attendance_rows']} attendance rows")
    print()
    print("| measurement (median) | time | baseline | ratio | goal |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, value, baseline, goal in results:
        print(f"| {name} | {value:.0f} ms | {baseline:.0f} ms | {value / baseline:.2f}x | "
              f"{goal} |")
    print(f"| peak memory of the past year's township workbook (fresh process) | "
          f"{peak:.0f} MB | {idle:.0f} MB (imports and a connection) | "
          f"{peak / idle:.2f}x | < 300 MB |")
    print()
    print("Baselines: the compliance roll-up alone for the overviews; the same 100 "
          "branches exported one workbook at a time (bot.ledger) for the workbooks.")


if __name__ == "__main__":
    main()
