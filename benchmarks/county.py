"""A county at scale: 100,000 members in 1,000 branches with two years of meetings
(about a million attendance rows), on SQLite and on PostgreSQL.

Measures:
1. the compliance roll-up of the whole county (models.meetings.compliance.compliance over every
   branch below the county, models.members.orgs.branches_under);
2. one branch's yearly ledger export (bot.ledger.export_ledger);
3. a check-in burst: 5,000 members send `签到 <code>` through the webhook within one
   minute (gunicorn, 2 workers), latency p50 / p99, and whether every check-in was
   recorded.

    python benchmarks/county.py [--database-url URL] [--branches 1000] [--members 100]
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import free_port, fresh_database, gunicorn_argv, gunicorn_env  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from bot.ledger.branch import export_ledger  # noqa: E402
from bot.simulator import WeChatSide, text_xml  # noqa: E402
from models.db.engine import make_engine, make_session_factory  # noqa: E402
from models.meetings.compliance import compliance  # noqa: E402
from models.meetings.tables import Attendance, Meeting, MeetingStatus  # noqa: E402
from models.members.org_tables import Org, OrgKind  # noqa: E402
from models.members.orgs import branches_under  # noqa: E402
from models.members.tables import Member  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
TOKEN = "bench-token"
NOW = datetime.now(UTC).replace(microsecond=0)
FULL_MEETINGS = [("branch_assembly", q) for q in range(8)] + [("life_meeting", y)
                                                             for y in range(2)]


def build(url: str, branches: int, per_branch: int, burst_branches: int) -> dict[str, object]:
    """The county, its meetings and attendance; returns what the measurements need."""
    engine = make_engine(url)
    rng = random.Random(7)
    started = time.monotonic()
    with make_session_factory(engine)() as session:
        county = Org(name="嘉荫县委", kind=OrgKind.COMMITTEE)
        session.add(county)
        session.flush()
        townships = []
        for t in range(max(1, branches // 100)):
            township = Org(name=f"第{t + 1}乡党委", kind=OrgKind.COMMITTEE, parent_id=county.id)
            session.add(township)
            townships.append(township)
        session.flush()
        session.execute(insert(Org), [
            {"name": f"第{b + 1}村党支部", "kind": "branch",
             "parent_id": townships[b % len(townships)].id, "created_at": NOW}
            for b in range(branches)])
        branch_ids = session.scalars(select(Org.id).where(Org.kind == "branch")
                                     .order_by(Org.id)).all()
        for chunk in range(0, branches, 100):
            session.execute(insert(Member), [
                {"name": f"党员{b}-{m}", "branch_id": branch_id,
                 "phone": f"1{(b * per_branch + m):010d}", "openid": f"o-{b}-{m}",
                 "subscribed": True, "is_admin": m == 0, "is_helper": False,
                 "created_at": NOW}
                for b, branch_id in enumerate(branch_ids[chunk:chunk + 100], start=chunk)
                for m in range(per_branch)])
        session.commit()
        print(f"  members: {time.monotonic() - started:.0f} s", flush=True)
        members_of: dict[int, list[int]] = {}
        for member_id, branch_id in session.execute(select(Member.id, Member.branch_id)):
            members_of.setdefault(branch_id, []).append(member_id)

        two_years_ago = NOW - timedelta(days=730)
        attendance_rows = 0
        for index, branch_id in enumerate(branch_ids):
            people = members_of[branch_id]
            meetings = []
            for kind, n in FULL_MEETINGS:
                days = n * 91 + 20 if kind == "branch_assembly" else n * 365 + 200
                meetings.append((kind, two_years_ago + timedelta(days=days, hours=1), people))
            for month in range(24):  # committee meetings: the first five members
                meetings.append(("committee_meeting",
                                 two_years_ago + timedelta(days=month * 30 + 5), people[:5]))
            for n in range(8):  # party lectures, counted but without attendance rows
                meetings.append(("party_lecture", two_years_ago + timedelta(days=n * 91 + 40),
                                 []))
            rows = []
            for kind, start, invited in meetings:
                present = [p for p in invited if rng.random() < 0.85]
                leave = [p for p in invited if p not in present and rng.random() < 0.5]
                absent = len(invited) - len(present) - len(leave)
                rows.append(({"org_id": branch_id, "kind": kind, "topic": "学习",
                              "starts_at": start, "ends_at": start + timedelta(hours=2),
                              "place": "村委会", "status": "held", "code": "0",
                              "photos": [], "created_at": start - timedelta(days=3),
                              "closed_at": start + timedelta(hours=3),
                              "expected_count": len(invited), "present_count": len(present),
                              "leave_count": len(leave), "absent_count": absent},
                             present, leave, invited))
            meeting_ids = session.scalars(insert(Meeting).returning(Meeting.id),
                                          [r[0] for r in rows]).all()
            attendance = []
            for meeting_id, (values, present, leave, invited) in zip(meeting_ids, rows,
                                                                     strict=True):
                marks = dict.fromkeys(invited, "absent") | dict.fromkeys(leave, "leave") \
                    | dict.fromkeys(present, "present")
                attendance += [{"meeting_id": meeting_id, "member_id": member_id,
                                "status": status, "method": "code",
                                "recorded_at": values["starts_at"], "backfilled": False,
                                "reason": "外出" if status == "leave" else None}
                               for member_id, status in marks.items()]
            session.execute(insert(Attendance), attendance)
            attendance_rows += len(attendance)
            if index % 100 == 99:
                session.commit()
                print(f"  {index + 1} branches, {attendance_rows} attendance rows, "
                      f"{time.monotonic() - started:.0f} s", flush=True)
        # The burst: one open meeting, in its check-in window, in each of the first branches.
        burst = []
        for n, branch_id in enumerate(branch_ids[:burst_branches]):
            meeting = Meeting(org_id=branch_id, kind="branch_assembly", topic="现场签到",
                              starts_at=NOW + timedelta(minutes=10),
                              ends_at=NOW + timedelta(hours=2), place="村委会",
                              status=MeetingStatus.PLANNED, code=f"{1000 + n}", photos=[],
                              created_at=NOW)
            session.add(meeting)
            session.flush()
            burst += [(openid, meeting.code) for openid in session.scalars(
                select(Member.openid).where(Member.branch_id == branch_id))]
        session.commit()
        county_id = county.id
    # A live database has planner statistics and no backlog from a bulk load; give the
    # measurements the same (otherwise autovacuum and a checkpoint run mid-burst).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("VACUUM ANALYZE"))
            connection.execute(text("CHECKPOINT"))
        else:
            connection.execute(text("ANALYZE"))
    engine.dispose()
    return {"county_id": county_id, "branch_id": branch_ids[0], "burst": burst,
            "attendance_rows": attendance_rows, "build_seconds": time.monotonic() - started}


def time_rollup(url: str, county_id: int, runs: int = 7) -> tuple[float, int]:
    engine = make_engine(url)
    timings = []
    with make_session_factory(engine)() as session:
        for _ in range(runs):
            started = time.perf_counter()
            result = compliance(session, branches_under(session, county_id), NOW, TZ)
            timings.append(time.perf_counter() - started)
            session.rollback()
    engine.dispose()
    return statistics.median(timings[1:]), len(result)


def time_ledger(url: str, branch_id: int, workdir: Path, runs: int = 5) -> tuple[float, int]:
    engine = make_engine(url)
    timings = []
    start = (NOW - timedelta(days=365)).astimezone(TZ).date()
    end = NOW.astimezone(TZ).date()
    with make_session_factory(engine)() as session:
        branch = session.get(Org, branch_id)
        for n in range(runs):
            began = time.perf_counter()
            summary = export_ledger(session, branch, start, end, TZ, workdir / f"l{n}.xlsx")
            timings.append(time.perf_counter() - began)
    engine.dispose()
    return statistics.median(timings), summary.meetings


def burst(url: str, people: list[tuple[str, str]], workdir: Path,
          seconds: float = 50.0, threads: int = 16) -> dict[str, float]:
    """Everyone checks in, spread over `seconds`, from `threads` concurrent clients."""
    port = free_port()
    env = {**os.environ, "PARTYBOT_DATABASE_URL": url, "WECHAT_TOKEN": TOKEN,
           "PARTYBOT_INSTANCE_PATH": str(workdir / "instance"), "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(gunicorn_argv("bot:create_app()", port, 2), cwd=workdir,
                              env=gunicorn_env(env), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{base}/healthz", timeout=1)
            break
        except requests.RequestException:  # not listening yet, or workers still importing
            time.sleep(0.1)
    side = WeChatSide(TOKEN)
    signed = [side.sign_request(text_xml(openid, f"签到 {code}")) for openid, code in people]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    interval = seconds / len(signed)
    started = time.monotonic()

    def client(offset: int) -> None:
        http = requests.Session()
        for n in range(offset, len(signed), threads):
            due = started + n * interval
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            began = time.perf_counter()
            response = http.post(f"{base}/wechat?{signed[n].query}", data=signed[n].body,
                                 timeout=30)
            took = time.perf_counter() - began
            reply = side.open_reply(response.content).content if response.ok else ""
            with lock:
                latencies.append(took)
                if "签到成功" not in reply:
                    failures.append(f"{response.status_code} {reply[:40]}")

    workers = [threading.Thread(target=client, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.monotonic() - started
    server.terminate()
    server.wait(timeout=30)
    engine = make_engine(url)
    with engine.connect() as connection:
        recorded = connection.execute(select(func.count()).select_from(Attendance).join(
            Meeting, Attendance.meeting_id == Meeting.id).where(
            Meeting.status == MeetingStatus.PLANNED)).scalar_one()
    engine.dispose()
    latencies.sort()
    return {"requests": len(latencies), "wall": wall,
            "p50": latencies[len(latencies) // 2] * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "max": latencies[-1] * 1000, "failed_replies": len(failures),
            "recorded": recorded, "lost": len(people) - recorded,
            "sample_failure": failures[0] if failures else ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--members", type=int, default=100, help="members per branch")
    parser.add_argument("--burst", type=int, default=5000, help="members checking in")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="partybot-county-"))
    url = args.database_url or f"sqlite:///{workdir}/county.db"
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"building the county on {backend}…", flush=True)
    fresh_database(url)
    built = build(url, args.branches, args.members, max(1, args.burst // args.members))
    people = built["burst"][: args.burst]  # type: ignore[index]
    rollup_s, branch_count = time_rollup(url, built["county_id"])  # type: ignore[arg-type]
    ledger_s, ledger_meetings = time_ledger(url, built["branch_id"], workdir)  # type: ignore
    print(f"roll-up {rollup_s * 1000:.0f} ms over {branch_count} branches; ledger "
          f"{ledger_s * 1000:.0f} ms ({ledger_meetings} meetings)", flush=True)
    result = burst(url, people, workdir)
    print(f"burst: {result}", flush=True)
    print()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {date.today()}; {backend}; {args.branches} branches, "
          f"{args.branches * args.members} members, {built['attendance_rows']} attendance rows "
          f"(built in {built['build_seconds']:.0f} s)")
    print()
    print("| measurement | result | target |")
    print("| --- | ---: | ---: |")
    print(f"| compliance roll-up, whole county ({branch_count} branches), median of 6 | "
          f"{rollup_s * 1000:.0f} ms | < 200 ms |")
    print(f"| one branch's yearly ledger ({ledger_meetings} meetings) | "
          f"{ledger_s * 1000:.0f} ms | < 2 s |")
    print(f"| check-in burst: {result['requests']:.0f} members in {result['wall']:.0f} s, p50 | "
          f"{result['p50']:.0f} ms | |")
    print(f"| check-in burst p99 (max {result['max']:.0f} ms) | {result['p99']:.0f} ms | "
          f"< 100 ms |")
    print(f"| check-ins recorded / lost | {result['recorded']:.0f} / {result['lost']:.0f} | "
          f"0 lost |")
    if result["failed_replies"]:
        print(f"\n{result['failed_replies']:.0f} replies were not 签到成功, e.g. "
              f"{result['sample_failure']}")


if __name__ == "__main__":
    main()
