"""The county's 党建考核 score sheets: 1,000 village branches under 20 townships, 100,000
members, and a year of records — 三会一课 held and missed, study items and ~1.1 million
study records, ~600,000 notices, 一帮一 relays, self-check marks — then every
township's and branch's sheet computed at once (models.assessment.sheets.compute_sheets,
the scheme of tests/data/assessment_scheme.toml: the five measures and both kinds of
marks), against a baseline of the same sheets computed one org at a time.

    python benchmarks/assessment_sheets.py [--db URL] [--branches 1000] [--members 100]

Without --db: a fresh SQLite file in a temporary folder. With a PostgreSQL URL its
public schema is dropped and migrated again.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import analyze, fresh_database  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from models.actors import Actor  # noqa: E402
from models.assessment.actions import load_scheme  # noqa: E402
from models.assessment.marks import AssessmentMark  # noqa: E402
from models.assessment.sheets import compute_sheets  # noqa: E402
from models.db.engine import make_engine, make_session_factory  # noqa: E402
from models.delivery.outbox import Outbox  # noqa: E402
from models.meetings.tables import Meeting  # noqa: E402
from models.members.org_levels import OrgLevel, levels_of  # noqa: E402
from models.members.org_tables import Org, OrgKind  # noqa: E402
from models.members.tables import Member  # noqa: E402
from models.pairing.relays import Relay  # noqa: E402
from models.study.tables import StudyItem, StudyRecord  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2025
SCHEME = ROOT / "tests" / "data" / "assessment_scheme.toml"
NOW = datetime(YEAR + 1, 1, 10, tzinfo=UTC)
STATUSES = ["sent"] * 8 + ["relayed", "failed", "held", "undeliverable"]


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(YEAR, month, day, hour, tzinfo=TZ).astimezone(UTC)


def chunks(rows: list[dict[str, object]], size: int = 20_000):  # type: ignore[no-untyped-def]
    for index in range(0, len(rows), size):
        yield rows[index:index + size]


def build(url: str, branches: int, per_branch: int) -> dict[str, object]:
    """The county and its year; returns the ids to measure."""
    fresh_database(url)
    engine = make_engine(url)
    rng = random.Random(28)
    started = time.monotonic()
    counts: dict[str, int] = {}
    with make_session_factory(engine)() as session:
        county = Org(name="嘉荫县委", kind=OrgKind.COMMITTEE)
        session.add(county)
        session.flush()
        townships = max(1, branches // 50)
        session.execute(insert(Org), [{"name": f"第{t + 1}乡党委", "kind": "committee",
                                       "parent_id": county.id, "created_at": NOW}
                                      for t in range(townships)])
        township_ids = list(session.scalars(select(Org.id).where(Org.parent_id == county.id)
                                            .order_by(Org.id)))
        session.execute(insert(Org), [{"name": f"第{b + 1}村党支部", "kind": "branch",
                                       "parent_id": township_ids[b % townships],
                                       "created_at": NOW} for b in range(branches)])
        branch_ids = list(session.scalars(select(Org.id).where(Org.kind == "branch")
                                          .order_by(Org.id)))
        for part in range(0, branches, 100):
            session.execute(insert(Member), [
                {"name": f"党员{b}-{m}", "branch_id": branch_id,
                 "phone": f"1{(b * per_branch + m):010d}", "openid": f"o-{b}-{m}",
                 "subscribed": True, "is_admin": m == 0, "is_helper": m < 10,
                 "created_at": NOW}
                for b, branch_id in enumerate(branch_ids[part:part + 100], start=part)
                for m in range(per_branch)])
        members_of: dict[int, list[int]] = {}
        for member_id, branch_id in session.execute(select(Member.id, Member.branch_id)):
            members_of.setdefault(branch_id, []).append(member_id)
        counts["members"] = sum(map(len, members_of.values()))
        # 三会一课: most months' 支委会, most quarters' assemblies and lectures, a 组织生活会
        meetings = []
        for branch_id in branch_ids:
            plan = [("committee_meeting", at(m, 5)) for m in range(1, 13) if rng.random() < 0.85]
            plan += [("branch_assembly", at(q * 3 + 1, 15)) for q in range(4)
                     if rng.random() < 0.8]
            plan += [("party_lecture", at(q * 3 + 2, 20)) for q in range(4)
                     if rng.random() < 0.75]
            plan += [("life_meeting", at(12, 20))] if rng.random() < 0.9 else []
            plan += [("theme_day", at(m, 1)) for m in range(1, 13)]
            for kind, start in plan:
                expected = per_branch if kind != "committee_meeting" else 5
                present = sum(rng.random() < 0.85 for _ in range(expected))
                meetings.append({"org_id": branch_id, "kind": kind, "topic": "学习",
                                 "starts_at": start, "ends_at": start + timedelta(hours=2),
                                 "place": "村委会", "status": "held", "code": "0",
                                 "photos": [], "created_at": start - timedelta(days=3),
                                 "closed_at": start + timedelta(hours=3),
                                 "expected_count": expected, "present_count": present,
                                 "leave_count": 0, "absent_count": expected - present})
        for part in chunks(meetings):
            session.execute(insert(Meeting), part)
        counts["meetings"] = len(meetings)
        # Study: a county item each month, a branch item each quarter; most members study.
        items = [{"org_id": county.id, "title": f"县委学习{m}", "body": "", "content_hash": f"c{m}",
                  "publish_at": at(m, 3), "push_at": at(m, 3), "pushed_at": at(m, 3),
                  "created_at": at(m, 3)} for m in range(1, 13)]
        items += [{"org_id": branch_id, "title": f"支部学习{q}", "body": "",
                   "content_hash": f"b{branch_id}-{q}", "publish_at": at(q * 3 + 2, 8),
                   "push_at": at(q * 3 + 2, 8), "pushed_at": at(q * 3 + 2, 8),
                   "created_at": at(q * 3 + 2, 8)} for branch_id in branch_ids for q in range(4)]
        session.execute(insert(StudyItem), items)
        item_rows = session.execute(select(StudyItem.id, StudyItem.org_id,
                                           StudyItem.publish_at)).all()
        county_items = [(i, when) for i, org, when in item_rows if org == county.id]
        own_items: dict[int, list[tuple[int, datetime]]] = {}
        for i, org, when in item_rows:
            if org != county.id:
                own_items.setdefault(org, []).append((i, when))
        records = 0
        for branch_id in branch_ids:
            rows = [{"item_id": item_id, "member_id": member_id,
                     "studied_at": when + timedelta(hours=5), "via": "self"}
                    for item_id, when in county_items + own_items[branch_id]
                    for member_id in members_of[branch_id] if rng.random() < 0.7]
            session.execute(insert(StudyRecord), rows)
            records += len(rows)
        counts["study_records"] = records
        # Notices: six a member over the year, in every state.
        notices = 0
        batch: list[dict[str, object]] = []
        for branch_id in branch_ids:
            for member_id in members_of[branch_id]:
                for n in range(6):
                    when = at(n * 2 + 1, 10)
                    status = rng.choice(STATUSES)
                    batch.append({"dedupe_key": f"n:{member_id}:{n}", "kind": "meeting_notice",
                                  "member_id": member_id, "channel": "template",
                                  "payload": {}, "status": status, "send_after": when,
                                  "created_at": when, "attempts": 1,
                                  "unknown_retried": False})
            if len(batch) >= 20_000:
                session.execute(insert(Outbox), batch)
                notices += len(batch)
                batch = []
        session.execute(insert(Outbox), batch)
        counts["notices"] = notices + len(batch)
        # 一帮一: ten helpers a branch, each passing on a dozen notices to one member.
        relays = []
        for branch_id in branch_ids:
            people = members_of[branch_id]
            for helper in range(min(10, len(people) // 2)):
                for n in range(12):
                    relays.append({"dedupe_key": f"r:{people[helper]}:{n}",
                                   "helper_id": people[helper],
                                   "member_id": people[len(people) // 2 + helper],
                                   "kind": "study_push", "text": "学习",
                                   "created_at": at(n + 1, 4),
                                   "confirmed_at": at(n + 1, 6) if rng.random() < 0.8 else None})
        for part in chunks(relays):
            session.execute(insert(Relay), part)
        counts["relays"] = len(relays)
        scheme_text = SCHEME.read_text("utf-8")
        load_scheme(session, Actor.cli("bench"), scheme_text, NOW)
        session.execute(insert(AssessmentMark), [
            {"year": YEAR, "clause_key": "base.self", "org_id": branch_id,
             "source": "self_check", "score": 3.0, "note": "自查", "given_by": "书记",
             "given_at": NOW} for branch_id in branch_ids])
        session.commit()
    analyze(engine)
    engine.dispose()
    counts["build_seconds"] = round(time.monotonic() - started)
    return counts


def assessed(session) -> list[int]:  # type: ignore[no-untyped-def]
    return sorted(org_id for org_id, level in levels_of(session).items()
                  if level in (OrgLevel.TOWNSHIP, OrgLevel.BRANCH, OrgLevel.OFFICE))


def time_all(url: str, runs: int = 5) -> tuple[float, int]:
    """Median seconds for every sheet at once (first run, a warm-up, not counted)."""
    engine = make_engine(url)
    timings = []
    with make_session_factory(engine)() as session:
        ids = assessed(session)
        for _ in range(runs + 1):
            started = time.perf_counter()
            sheets = compute_sheets(session, YEAR, ids)
            timings.append(time.perf_counter() - started)
            session.rollback()
    engine.dispose()
    assert len(sheets) == len(ids)
    return statistics.median(timings[1:]), len(sheets)


def time_one_by_one(url: str, sample: int) -> tuple[float, int]:
    """Seconds for the same sheets one org at a time (over `sample` orgs, scaled up)."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        ids = assessed(session)
        chosen = ids if sample >= len(ids) else random.Random(1).sample(ids, sample)
        compute_sheets(session, YEAR, chosen[:1])
        started = time.perf_counter()
        for org_id in chosen:
            compute_sheets(session, YEAR, [org_id])
        spent = time.perf_counter() - started
    engine.dispose()
    return spent * len(ids) / len(chosen), len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="a database URL (default: SQLite)")
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--members", type=int, default=100, help="members per branch")
    parser.add_argument("--baseline-sample", type=int, default=100,
                        help="time the one-at-a-time baseline over this many orgs (a random "
                             "sample, scaled up to all of them)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        print(f"building on {make_engine(url).dialect.name} …", flush=True)
        counts = build(url, args.branches, args.members)
        print(f"  built: {counts}", flush=True)
        at_once, orgs = time_all(url)
        print(f"  every sheet at once: {at_once:.2f} s", flush=True)
        one_by_one, _ = time_one_by_one(url, args.baseline_sample)
    print(f"\n{platform.python_implementation()} {platform.python_version()}, "
          f"{make_engine(url).dialect.name}, {orgs} orgs")
    print(f"| every sheet at once (median of 5) | {at_once:.2f} s |")
    print(f"| one org at a time (baseline) | {one_by_one:.1f} s |")
    print(f"| ratio | {one_by_one / at_once:.0f}× |")


if __name__ == "__main__":
    main()
