"""我的 and 帮扶 for a member of a county of 100,000 (models.members.my_year,
models.pairing.helper_view): the county of benchmarks/county.py (1,000 branches of 100
members, two years of meetings, about a million attendance rows) plus a year of study
(each branch 30 items of its own and 100 from the county, 30 % of them studied by each
member) and a helper with five members in every branch; then the time of one member's
year and one helper's page over a sample of members, and each query's plan (PostgreSQL:
EXPLAIN ANALYZE, which indexes it uses).

    python benchmarks/my_year.py --database-url postgresql+psycopg://… [--branches 1000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import fresh_database  # noqa: E402
from county import NOW, build  # noqa: E402
from sqlalchemy import event, insert, select, text  # noqa: E402

from models.db.engine import make_engine, make_session_factory  # noqa: E402
from models.members.my_year import my_year  # noqa: E402
from models.members.org_tables import Org  # noqa: E402
from models.members.tables import Member  # noqa: E402
from models.pairing.helper_view import helper_view  # noqa: E402
from models.pairing.relays import Relay  # noqa: E402
from models.pairing.tables import HelpPair  # noqa: E402
from models.study.tables import StudyItem, StudyRecord  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")


def add_study(url: str, county_id: int) -> tuple[int, int]:
    """A year of items and records, and a helper with five members per branch."""
    engine = make_engine(url)
    rng = random.Random(11)
    year_ago = NOW - timedelta(days=360)
    records = 0
    with make_session_factory(engine)() as session:
        branch_ids = session.scalars(select(Org.id).where(Org.kind == "branch")
                                     .order_by(Org.id)).all()

        def item(org_id: int, n: int, days: int) -> dict[str, object]:
            at = year_ago + timedelta(days=days)
            return {"org_id": org_id, "title": f"学习{n}", "body": "内容", "content_hash": "h",
                    "publish_at": at, "push_at": at, "pushed_at": at, "created_at": at}

        county_items = session.scalars(insert(StudyItem).returning(StudyItem.id), [
            item(county_id, n, n * 3) for n in range(100)]).all()
        members_of: dict[int, list[int]] = {}
        for member_id, branch_id in session.execute(select(Member.id, Member.branch_id)):
            members_of.setdefault(branch_id, []).append(member_id)
        for index, branch_id in enumerate(branch_ids):
            own = session.scalars(insert(StudyItem).returning(StudyItem.id), [
                item(branch_id, n, n * 12) for n in range(30)]).all()
            people = members_of[branch_id]
            rows = [{"item_id": item_id, "member_id": member_id,
                     "studied_at": NOW - timedelta(days=rng.randrange(300)), "via": "self"}
                    for member_id in people for item_id in [*county_items, *own]
                    if rng.random() < 0.3]
            session.execute(insert(StudyRecord), rows)
            records += len(rows)
            helper, helped = people[1], people[2:7]
            session.execute(insert(HelpPair), [
                {"helper_id": helper, "member_id": member_id, "created_at": year_ago}
                for member_id in helped])
            session.execute(insert(Relay), [
                {"dedupe_key": f"study:{own[-1]}:member:{member_id}", "helper_id": helper,
                 "member_id": member_id, "kind": "study_push", "subject": f"study:{own[-1]}",
                 "text": "【今日学习】学习29", "created_at": NOW - timedelta(days=1)}
                for member_id in helped])
            if index % 100 == 99:
                session.commit()
                print(f"  study: {index + 1} branches, {records} records", flush=True)
        session.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql"
                                else "ANALYZE"))
    engine.dispose()
    return len(branch_ids), records


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def measure(url: str, samples: int) -> None:
    """Time my_year and helper_view for sampled members; print each query's plan."""
    engine = make_engine(url)
    rng = random.Random(3)
    sessions = make_session_factory(engine)
    with sessions() as session:
        ids = session.scalars(select(Member.id)).all()
        helpers = session.scalars(select(HelpPair.helper_id).distinct()).all()
    chosen, helper_ids = rng.sample(list(ids), samples), rng.sample(list(helpers), samples)
    year = NOW.astimezone(TZ).year
    for label, run in (("my_year", lambda s, m: my_year(s, m, year, TZ, NOW)),
                       ("helper_view", lambda s, m: helper_view(s, m, NOW))):
        times = []
        for member_id in (chosen if label == "my_year" else helper_ids):
            with sessions() as session:
                member = session.get_one(Member, member_id)
                started = time.perf_counter()
                run(session, member)
                times.append((time.perf_counter() - started) * 1000)
                session.rollback()
        print(f"{label}: {samples} members, p50 {statistics.median(times):.1f} ms, "
              f"p99 {percentile(times, 0.99):.1f} ms, max {max(times):.1f} ms")
    if engine.dialect.name != "postgresql":
        return
    captured: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((statement, parameters))

    with sessions() as session:
        member = session.get_one(Member, chosen[0])
        event.listen(engine, "before_cursor_execute", keep)
        my_year(session, member, year, TZ, NOW)
        event.remove(engine, "before_cursor_execute", keep)
        for statement, parameters in captured:
            plan = session.connection().exec_driver_sql(
                "EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters).scalars().all()
            print("\n" + statement.split("\n")[0][:100])
            print("\n".join("    " + line for line in plan))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description="my_year / helper_view at county scale")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="measure an existing build")
    args = parser.parse_args()
    if not args.reuse:
        fresh_database(args.database_url)
        built = build(args.database_url, args.branches, args.members, 0)
        print(f"county built: {built['attendance_rows']} attendance rows", flush=True)
        branches, records = add_study(args.database_url, int(str(built["county_id"])))
        print(f"study: {branches} branches, {records} records", flush=True)
    measure(args.database_url, args.samples)


if __name__ == "__main__":
    main()
