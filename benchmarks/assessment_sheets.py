"""The county's 党建考核 score sheets: 1,000 village branches under 20 townships and 80
county offices, ~101,000 members, and a year of records — 三会一课 held and missed, study
items and ~1.1 million study records, ~600,000 notices, 一帮一 relays, 77 双联双促 pairs
and ~400 joint meetings, a closed 民主评议 round in ~90% of branches, 29 rectification
problems of 11 weak branches, a satisfaction survey over every branch, a 述职评议 round,
self-check and inspection marks — then every township's, branch's and office's sheet
computed at once (models.assessment.sheets.compute_sheets), against a baseline of the
same sheets computed one org at a time.

The scheme (--scheme): `readme` (default), the README's example scheme — nine measures,
31 clauses, every source — with its year set to the benchmark's; `test`,
tests/data/assessment_scheme.toml (five measures and both kinds of marks).

    python benchmarks/assessment_sheets.py [--db URL] [--branches 1000] [--members 100]
        [--scheme readme|test] [--baseline-sample 100]

Without --db: a fresh SQLite file in a temporary folder. With a PostgreSQL URL its
public schema is dropped and migrated again.
"""

from __future__ import annotations

import argparse
import platform
import random
import re
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
from models.assessment.actions import check_scheme, load_scheme  # noqa: E402
from models.assessment.marks import AssessmentMark  # noqa: E402
from models.assessment.sheets import compute_sheets  # noqa: E402
from models.db.engine import make_engine, make_session_factory  # noqa: E402
from models.delivery.outbox import Outbox  # noqa: E402
from models.evaluation.tables import EvaluationRound, EvaluationSubject  # noqa: E402
from models.joint.tables import JointPair  # noqa: E402
from models.meetings.tables import Meeting  # noqa: E402
from models.members.org_levels import OrgLevel, levels_of  # noqa: E402
from models.members.org_tables import Org, OrgKind  # noqa: E402
from models.members.tables import Member  # noqa: E402
from models.pairing.relays import Relay  # noqa: E402
from models.rectification.tables import Milestone, Problem, WeakBranch  # noqa: E402
from models.reviews.tables import (  # noqa: E402
    ReviewItem,
    ReviewReporter,
    ReviewRound,
    ReviewTally,
)
from models.study.tables import StudyItem, StudyRecord  # noqa: E402
from models.survey.tables import (  # noqa: E402
    Survey,
    SurveyQuestion,
    SurveyRespondent,
    SurveyTally,
    SurveyTarget,
)

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2025
SCHEMES = ("readme", "test")
TEST_SCHEME = ROOT / "tests" / "data" / "assessment_scheme.toml"
NOW = datetime(YEAR + 1, 1, 10, tzinfo=UTC)
STATUSES = ["sent"] * 8 + ["relayed", "failed", "held", "undeliverable"]


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(YEAR, month, day, hour, tzinfo=TZ).astimezone(UTC)


def chunks(rows: list[dict[str, object]], size: int = 20_000):  # type: ignore[no-untyped-def]
    for index in range(0, len(rows), size):
        yield rows[index:index + size]


def scheme_text(which: str) -> str:
    """`test`: tests/data/assessment_scheme.toml (five measures); `readme`: the README's
    example scheme (the ```toml block with [[item.clause]]: nine measures, 31 clauses,
    every source), its `year = ` set to the benchmark's YEAR."""
    if which == "test":
        return TEST_SCHEME.read_text("utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", (ROOT / "README.md").read_text("utf-8"), re.S)
    text = next(block for block in blocks if "[[item.clause]]" in block)
    return re.sub(r"(?m)^year = \d+", f"year = {YEAR}", text, count=1)


def build(url: str, branches: int, per_branch: int, scheme: str = "readme",
          ) -> dict[str, object]:
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
        # ~80 county offices (branches directly under the county), 15 members each.
        offices = 80
        session.execute(insert(Org), [{"name": f"县直机关第{o + 1}党支部", "kind": "branch",
                                       "parent_id": county.id, "created_at": NOW}
                                      for o in range(offices)])
        office_ids = list(session.scalars(select(Org.id).where(Org.parent_id == county.id,
                                                               Org.kind == "branch")
                                          .order_by(Org.id)))
        session.execute(insert(Member), [
            {"name": f"机关党员{o}-{m}", "branch_id": office_id,
             "phone": f"19{(o * 15 + m):09d}", "openid": f"o-office-{o}-{m}",
             "subscribed": True, "is_admin": m == 0, "is_helper": False, "created_at": NOW}
            for o, office_id in enumerate(office_ids) for m in range(15)])
        counts["offices"] = len(office_ids)
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
        units = branch_ids + office_ids  # the offices keep the same records as villages
        counts["members"] = sum(map(len, members_of.values()))
        # 三会一课: most months' 支委会, most quarters' assemblies and lectures, a 组织生活会
        meetings = []
        for branch_id in units:
            plan = [("committee_meeting", at(m, 5)) for m in range(1, 13) if rng.random() < 0.85]
            plan += [("branch_assembly", at(q * 3 + 1, 15)) for q in range(4)
                     if rng.random() < 0.8]
            plan += [("party_lecture", at(q * 3 + 2, 20)) for q in range(4)
                     if rng.random() < 0.75]
            plan += [("life_meeting", at(12, 20))] if rng.random() < 0.9 else []
            plan += [("theme_day", at(m, 1)) for m in range(1, 13)]
            for kind, start in plan:
                expected = len(members_of[branch_id]) if kind != "committee_meeting" else 5
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
                   "created_at": at(q * 3 + 2, 8)} for branch_id in units for q in range(4)]
        session.execute(insert(StudyItem), items)
        item_rows = session.execute(select(StudyItem.id, StudyItem.org_id,
                                           StudyItem.publish_at)).all()
        county_items = [(i, when) for i, org, when in item_rows if org == county.id]
        own_items: dict[int, list[tuple[int, datetime]]] = {}
        for i, org, when in item_rows:
            if org != county.id:
                own_items.setdefault(org, []).append((i, when))
        records = 0
        for branch_id in units:
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
        for branch_id in units:
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
        for branch_id in units:
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
        counts.update(build_features(session, rng, county.id, township_ids, branch_ids,
                                     office_ids, members_of))
        text = scheme_text(scheme)
        load_scheme(session, Actor.cli("bench"), text, NOW)
        counts["marks"] = build_marks(session, rng, text)
        session.commit()
    analyze(engine)
    engine.dispose()
    counts["build_seconds"] = round(time.monotonic() - started)
    return counts


def build_features(session, rng: random.Random, county_id: int,  # type: ignore[no-untyped-def]
                   township_ids: list[int], branch_ids: list[int], office_ids: list[int],
                   members_of: dict[int, list[int]]) -> dict[str, int]:
    """The other features' records of the year, by bulk inserts: county offices and
    双联双促, 民主评议, 软弱涣散 rectification, the satisfaction survey, 述职评议."""
    counts: dict[str, int] = {}
    # 双联双促: 77 pairs (office ⇄ village branch), ~400 joint 主题党日/党课 over the year.
    partners = rng.sample(branch_ids, min(77, len(branch_ids), len(office_ids)))
    session.execute(insert(JointPair), [
        {"office_id": office_id, "branch_id": branch_id, "started_at": at(1, 2),
         "ended_at": None, "created_by": "县委组织部"}
        for office_id, branch_id in zip(office_ids, partners, strict=False)])
    joint = []
    for office_id, branch_id in zip(office_ids, partners, strict=False):
        for month in sorted(rng.sample(range(1, 13), rng.randint(3, 7))):
            start = at(month, 12, 14)
            host, guest = (office_id, branch_id) if rng.random() < 0.7 else (branch_id, office_id)
            expected = len(members_of[host])
            present = sum(rng.random() < 0.85 for _ in range(expected))
            joint.append({"org_id": host, "joint_org_id": guest,
                          "kind": rng.choice(["theme_day", "party_lecture"]),
                          "topic": "联过组织生活", "starts_at": start,
                          "ends_at": start + timedelta(hours=2), "place": "村党群服务中心",
                          "status": "held", "code": "0", "photos": [],
                          "created_at": start - timedelta(days=5),
                          "closed_at": start + timedelta(hours=3),
                          "expected_count": expected, "present_count": present,
                          "leave_count": 0, "absent_count": expected - present})
    session.execute(insert(Meeting), joint)
    counts["joint_pairs"], counts["joint_meetings"] = len(partners), len(joint)
    # 民主评议: a closed round in December for ~90% of branches and offices, every
    # member evaluated with the tally and the committee's determination (no ballots:
    # they are destroyed into the tally's counts at close anyway).
    units = branch_ids + office_ids
    closing = [org_id for org_id in units if rng.random() < 0.9]
    session.execute(insert(EvaluationRound), [
        {"branch_id": org_id, "year": YEAR, "opened_at": at(12, 1), "opened_by": "书记",
         "closes_at": at(12, 10), "secret": None, "closed_at": at(12, 11),
         "closed_on": at(12, 11).astimezone(TZ).date(), "closed_by": "书记"}
        for org_id in closing])
    subjects = []
    for round_id, org_id in session.execute(select(EvaluationRound.id,
                                                   EvaluationRound.branch_id)):
        voters = len(members_of[org_id])
        for position, member_id in enumerate(members_of[org_id], start=1):
            excellent = rng.randint(0, voters // 3)
            qualified = voters - excellent - 1
            subjects.append({"round_id": round_id, "member_id": member_id,
                             "position": position, "self_text": "自评", "excellent": excellent,
                             "qualified": qualified, "basic": 1, "unqualified": 0,
                             "determination": "excellent" if excellent > voters // 4
                             else "qualified"})
    for part in chunks(subjects):
        session.execute(insert(EvaluationSubject), part)
    counts["evaluation_rounds"], counts["evaluation_subjects"] = len(closing), len(subjects)
    # 软弱涣散: 11 weak branches, 29 problems with deadlines in the year, most closed on time.
    weak = rng.sample(branch_ids, min(11, len(branch_ids)))
    session.execute(insert(WeakBranch), [
        {"branch_id": branch_id, "year": YEAR, "reason": "班子软弱", "marked_at": at(1, 20),
         "marked_by": "县委组织部", "confirmed_at": None, "confirmed_by": None}
        for branch_id in weak])
    weak_ids = dict(session.execute(select(WeakBranch.branch_id, WeakBranch.id)).all())
    problems = []
    for number in range(29):
        branch_id = weak[number % 11]
        deadline = at(rng.randint(4, 11), 28).astimezone(TZ).date()
        fate = rng.random()
        closed = (None if fate < 0.15 else
                  datetime(deadline.year, deadline.month, deadline.day, 10, tzinfo=TZ)
                  + timedelta(days=-rng.randint(1, 20) if fate < 0.9 else rng.randint(3, 15)))
        problems.append({"weak_id": weak_ids[branch_id], "branch_id": branch_id,
                         "category": "班子不强", "description": f"问题{number}",
                         "measures": "整改", "owner_id": members_of[branch_id][0],
                         "owner_name": "书记", "leader_id": None, "lead_unit": "组织部",
                         "departments": "", "status": "open" if closed is None else "closed",
                         "created_at": at(2, 1), "deadline": deadline,
                         "closed_at": closed and closed.astimezone(UTC),
                         "closed_by": closed and "县委组织部", "close_note": closed and "已整改"})
    session.execute(insert(Problem), problems)
    session.execute(insert(Milestone), [
        {"problem_id": problem_id, "name": name, "due": deadline - timedelta(days=days),
         "done_at": at(1, 1) + timedelta(days=rng.randint(30, 200))}
        for problem_id, deadline in session.execute(select(Problem.id, Problem.deadline))
        for name, days in (("方案", 60), ("中期", 30), ("验收", 7))])
    counts["rectify_problems"] = len(problems)
    # The members' satisfaction survey over every branch and office: three questions,
    # most branches past the 50% quorum, tallies of the answers.
    session.execute(insert(Survey), [{
        "org_id": county_id, "year": YEAR, "title": f"{YEAR}年度党员满意度测评",
        "opens_on": at(12, 1).astimezone(TZ).date(),
        "closes_on": at(12, 20).astimezone(TZ).date(), "quorum": 0.5, "status": "closed",
        "created_at": at(11, 28), "created_by": "县委组织部", "closed_at": at(12, 21)}])
    survey_id = session.scalar(select(Survey.id))
    session.execute(insert(SurveyQuestion), [
        {"survey_id": survey_id, "position": position, "text": text}
        for position, text in enumerate(["班子建设", "组织生活", "为民办事"], start=1)])
    questions = list(session.scalars(select(SurveyQuestion.id).order_by(SurveyQuestion.id)))
    targets, respondents, tallies = [], [], []
    for org_id in units:
        people = members_of[org_id]
        targets.append({"survey_id": survey_id, "org_id": org_id, "members": len(people)})
        share = rng.uniform(0.6, 0.9) if rng.random() < 0.9 else rng.uniform(0.2, 0.45)
        answered = [member_id for member_id in people if rng.random() < share]
        respondents += [{"survey_id": survey_id, "member_id": member_id, "org_id": org_id}
                        for member_id in answered]
        for question_id in questions:
            picks = [rng.choices(["satisfied", "fairly", "dissatisfied"], [80, 15, 5])[0]
                     for _ in answered]
            tallies += [{"survey_id": survey_id, "org_id": org_id, "question_id": question_id,
                         "choice": choice, "count": picks.count(choice)}
                        for choice in ("satisfied", "fairly", "dissatisfied")]
    session.execute(insert(SurveyTarget), targets)
    for part in chunks(respondents):
        session.execute(insert(SurveyRespondent), part)
    session.execute(insert(SurveyTally), tallies)
    counts["survey_respondents"] = len(respondents)
    # 述职评议: the county's round, a reporter per branch, office and township (the
    # township's secretary sits in one of its branches), 测评 tallies, a few items each.
    session.execute(insert(ReviewRound), [{
        "org_id": county_id, "year": YEAR, "deadline": at(12, 15), "weight_self": 10,
        "weight_county": 40, "weight_leader": 20, "weight_members": 30, "status": "open",
        "opened_at": at(11, 20), "opened_by": "县委组织部"}])
    round_id = session.scalar(select(ReviewRound.id))
    first_branch = {township_id: branch_id for branch_id, township_id in reversed(
        session.execute(select(Org.id, Org.parent_id).where(Org.id.in_(branch_ids))).all())}
    reporters = [(org_id, members_of[org_id][0]) for org_id in units]
    reporters += [(township_id, members_of[first_branch[township_id]][1])
                  for township_id in township_ids]
    session.execute(insert(ReviewReporter), [
        {"round_id": round_id, "member_id": member_id, "org_id": org_id, "leader_id": None,
         "report": "述职报告" if rng.random() < 0.95 else None,
         "submitted_at": at(12, rng.randint(1, 20)), "grade_self": "好"}
        for org_id, member_id in reporters])
    reporter_ids = list(session.scalars(select(ReviewReporter.id)))
    session.execute(insert(ReviewTally), [
        {"reporter_id": reporter_id, "grade": grade, "count": rng.randint(0, 40)}
        for reporter_id in reporter_ids for grade in ("好", "较好", "一般", "差")])
    items = [{"reporter_id": reporter_id, "kind": rng.choice(["suggestion", "problem"]),
              "text": "修路", "day": at(3, 1).astimezone(TZ).date(),
              "due": at(rng.randint(6, 12), 1).astimezone(TZ).date(),
              "status": "done" if rng.random() < 0.8 else "open", "added_by": "书记",
              "done_at": at(rng.randint(5, 11), 15), "done_note": "已办",
              "confirmed_by": "县委组织部"}
             for reporter_id in reporter_ids for _ in range(3)]
    session.execute(insert(ReviewItem), items)
    counts["review_reporters"], counts["review_items"] = len(reporter_ids), len(items)
    return counts


def build_marks(session, rng: random.Random, text: str) -> int:  # type: ignore[no-untyped-def]
    """Self-check and inspection marks on every clause that needs them, for every org it
    applies to (a few left unmarked)."""
    levels = levels_of(session)
    marks = [{"year": YEAR, "clause_key": clause.key, "org_id": org_id,
              "source": clause.source.value,
              "score": round(clause.points * rng.choice([1, 1, 0.8, 0.6]), 1),
              "note": "自查" if clause.source.value == "self_check" else "巡查",
              "given_by": "书记" if clause.source.value == "self_check" else "巡查组",
              "given_at": NOW}
             for clause in check_scheme(text).clauses
             if clause.source.value in ("self_check", "inspection")
             for org_id, level in levels.items()
             if level in clause.applies_to and rng.random() < 0.97]
    for part in chunks(marks):
        session.execute(insert(AssessmentMark), part)
    return len(marks)


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
    parser.add_argument("--scheme", choices=SCHEMES, default="readme",
                        help="readme: the README's example scheme (nine measures, both "
                             "kinds of marks, the survey); test: tests/data/"
                             "assessment_scheme.toml (five measures)")
    parser.add_argument("--baseline-sample", type=int, default=100,
                        help="time the one-at-a-time baseline over this many orgs (a random "
                             "sample, scaled up to all of them)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        print(f"building on {make_engine(url).dialect.name} …", flush=True)
        counts = build(url, args.branches, args.members, args.scheme)
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
