"""双联双促 at county scale (issue 28, section 5): 10 townships of 100 village branches with
100 members each (100,000), 80 county offices with 743 members, 77 pairs, 400 joint sessions
with attendance, and 8 ordinary meetings a branch. Times, median of 5: the measure
`joint_sessions` for all 1,080 orgs over the year, the county's pair list
(`/admin/joint`'s query), one pair's page, and this quarter's compliance for every branch
and office (with its extra joint query).

    python benchmarks/joint_pairs.py [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
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

from models.assessment.ratios import Span  # noqa: E402
from models.db.engine import make_engine, make_session_factory  # noqa: E402
from models.joint.measure import joint_sessions  # noqa: E402
from models.joint.queries import pair_list, pair_year  # noqa: E402
from models.joint.tables import JointPair  # noqa: E402
from models.meetings.compliance import compliance  # noqa: E402
from models.meetings.tables import Attendance, Meeting  # noqa: E402
from models.members.org_tables import Org, OrgKind  # noqa: E402
from models.members.tables import Member  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
YEAR = 2026


def build(url: str) -> int:
    """The county; returns its id."""
    rng = random.Random(28)
    fresh_database(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        county = Org(name="嘉荫县委", kind=OrgKind.COMMITTEE)
        session.add(county)
        session.flush()
        session.execute(insert(Org), [{"name": f"第{t}乡党委", "kind": "committee",
                                       "parent_id": county.id, "created_at": NOW}
                                      for t in range(10)])
        townships = list(session.scalars(select(Org.id).where(Org.parent_id == county.id)))
        session.execute(insert(Org), [{"name": f"第{b}村党支部", "kind": "branch",
                                       "parent_id": townships[b % 10], "created_at": NOW}
                                      for b in range(1000)])
        session.execute(insert(Org), [{"name": f"第{o}局机关党支部", "kind": "branch",
                                       "parent_id": county.id, "created_at": NOW}
                                      for o in range(80)])
        villages = list(session.scalars(select(Org.id).where(
            Org.kind == "branch", Org.parent_id.in_(townships)).order_by(Org.id)))
        offices = list(session.scalars(select(Org.id).where(
            Org.kind == "branch", Org.parent_id == county.id).order_by(Org.id)))
        for start in range(0, 1000, 100):
            session.execute(insert(Member), [
                {"name": f"党员{b}-{m}", "branch_id": villages[b], "subscribed": False,
                 "is_admin": False, "is_helper": False, "created_at": NOW}
                for b in range(start, start + 100) for m in range(100)])
        session.execute(insert(Member), [
            {"name": f"干部{i}", "branch_id": offices[i % 80], "subscribed": False,
             "is_admin": False, "is_helper": False, "created_at": NOW} for i in range(743)])
        pairs = [(offices[i % 80], villages[i * 13]) for i in range(77)]
        session.execute(insert(JointPair), [
            {"office_id": o, "branch_id": b, "started_at": NOW - timedelta(days=400),
             "created_by": "bench"} for o, b in pairs])
        start_of_year = datetime(YEAR, 1, 1, tzinfo=TZ).astimezone(UTC)
        rows = []
        for b in villages:  # ordinary meetings
            for k in range(8):
                at = start_of_year + timedelta(days=rng.randrange(320), hours=2)
                rows.append(_meeting(b, None, at, rng.choice(["branch_assembly",
                                                             "committee_meeting"]), k))
        for s in range(400):  # joint sessions
            office, village = pairs[s % 77]
            at = start_of_year + timedelta(days=rng.randrange(320), hours=3)
            host, partner = (village, office) if s % 2 else (office, village)
            rows.append(_meeting(host, partner, at, rng.choice(["theme_day", "party_lecture"]),
                                 s))
        session.execute(insert(Meeting), rows)
        joint = session.execute(select(Meeting.id, Meeting.org_id, Meeting.joint_org_id,
                                       Meeting.starts_at)
                                .where(Meeting.joint_org_id.is_not(None))).all()
        people: dict[int, list[int]] = {}
        for member_id, branch_id in session.execute(select(Member.id, Member.branch_id)):
            people.setdefault(branch_id, []).append(member_id)
        attendance = []
        for meeting_id, host, partner, at in joint:
            for org_id, count in ((host, 10), (partner, 10)):
                for member_id in rng.sample(people[org_id], min(count, len(people[org_id]))):
                    attendance.append({"meeting_id": meeting_id, "member_id": member_id,
                                       "status": "present", "method": "code",
                                       "recorded_at": at, "backfilled": False})
        session.execute(insert(Attendance), attendance)
        session.commit()
        county_id = county.id
    analyze(engine)
    engine.dispose()
    return county_id


def _meeting(org_id: int, joint: int | None, at: datetime, kind: str, k: int) -> dict:
    return {"org_id": org_id, "joint_org_id": joint, "kind": kind, "topic": "", "starts_at": at,
            "ends_at": at + timedelta(hours=2), "place": "村委会", "audience": "all",
            "status": "held", "code": f"{k:04d}", "photos": [], "created_at": at,
            "expected_count": 20, "present_count": 15, "leave_count": 2, "absent_count": 3}


def timed(work, runs: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{os.path.join(tmp, 'joint.db')}"
        county_id = build(url)
        engine = make_engine(url)
        with make_session_factory(engine)() as session:
            orgs = list(session.scalars(select(Org).where(Org.kind == "branch")))
            ids = [o.id for o in orgs]
            everyone = set(session.scalars(select(Org.id)))
            start = datetime(YEAR, 1, 1, tzinfo=TZ)
            end = datetime(YEAR + 1, 1, 1, tzinfo=TZ)
            pair = session.scalars(select(JointPair)).first()
            assert pair is not None and county_id
            results = {
                "joint_sessions, 1,080 orgs, a year": timed(
                    lambda: joint_sessions(session, ids, Span.year(YEAR))),
                "pair list, 77 pairs (the county's page)": timed(
                    lambda: pair_list(session, everyone, start, end)),
                "one pair's page": timed(lambda: pair_year(session, pair, start, end)),
                "compliance, 1,080 orgs, this quarter": timed(
                    lambda: compliance(session, orgs, NOW, TZ)),
            }
        engine.dispose()
    print(f"{engine.dialect.name}:")
    for name, ms in results.items():
        print(f"  {name}: {ms:.1f} ms")


if __name__ == "__main__":
    main()
