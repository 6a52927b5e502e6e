"""整顿台账 (issue 28, section 3): marking a branch weak, its problems and milestones
counted back from the deadline, 销号 with evidence, reopening, the county's
confirmation; the overdue sweep (warn once; the township at 7 days); the measure
against an independent count; the 台账 sheet."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models.assessment.ratios import Ratio, Span
from models.console.audit import AuditEntry
from models.delivery.outbox import Outbox
from models.errors import DomainError
from models.rectification.actions import (
    NewProblem,
    add_problem,
    close_problem,
    confirm_leaving,
    finish_milestone,
    mark_weak,
    parse_milestones,
    reopen_problem,
)
from models.rectification.measure import rectification_on_time
from models.rectification.tables import CLOSED, OPEN, WeakBranch
from schedules.rectification import warn_rectification
from tests.rectify_support import COUNTY_ACTOR, build_county, file_problem

TZ = ZoneInfo("Asia/Shanghai")


def local(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
def ids(session, clock):  # type: ignore[no-untyped-def]
    return build_county(session, clock())


def test_the_whole_ledger(session, clock, ids):
    now = clock()
    with pytest.raises(DomainError, match="只有县委"):
        mark_weak(session, COUNTY_ACTOR, ids["liaoyuan"], 2026, "班子涣散", ids["east"], now)
    with pytest.raises(DomainError, match="原因"):
        mark_weak(session, COUNTY_ACTOR, ids["liaoyuan"], 2026, " ", ids["county"], now)
    with pytest.raises(DomainError, match="村（社区）党支部"):
        mark_weak(session, COUNTY_ACTOR, ids["east"], 2026, "x", ids["county"], now)
    weak = mark_weak(session, COUNTY_ACTOR, ids["liaoyuan"], 2026, "班子涣散", ids["county"],
                     now)
    with pytest.raises(DomainError, match="已列入2026年"):
        mark_weak(session, COUNTY_ACTOR, ids["liaoyuan"], 2026, "again", ids["county"], now)

    deadline = date(2026, 9, 30)
    spec = NewProblem(category="班子不强", description="支部班子长期不全", measures="补选委员",
                      deadline=deadline, owner_id=ids["secretary"], leader_id=ids["leader"],
                      lead_unit="县委组织部", departments="东乡党委")
    with pytest.raises(DomainError, match="问题类别只能是"):
        add_problem(session, COUNTY_ACTOR, weak, NewProblem(**{**spec.__dict__,
                                                              "category": "别的"}),
                    ids["county"], now)
    with pytest.raises(DomainError, match="只有县委"):
        add_problem(session, COUNTY_ACTOR, weak, spec, ids["east"], now)
    first = add_problem(session, COUNTY_ACTOR, weak, spec, ids["county"], now)
    assert first.owner_name == "李书记" and first.status == OPEN
    session.refresh(first)
    assert [(m.name, m.due) for m in first.milestones] == [
        ("方案", date(2026, 8, 1)), ("中期", date(2026, 8, 31)), ("验收", date(2026, 9, 23))]
    steps = parse_milestones("启动：40，验收:5")
    assert steps == [("启动", 40), ("验收", 5)]
    with pytest.raises(DomainError, match="节点写法不对"):
        parse_milestones("方案:六十")
    second = add_problem(session, COUNTY_ACTOR, weak, NewProblem(
        category="阵地建设薄弱", description="活动室漏雨", measures="维修", deadline=deadline,
        owner_name="村主任老张", milestones=steps), ids["county"], now)
    session.refresh(second)
    assert second.owner_id is None and [m.due for m in second.milestones] == [
        date(2026, 8, 21), date(2026, 9, 25)]

    finish_milestone(session, COUNTY_ACTOR, first.milestones[0], now, ids["liaoyuan"])
    with pytest.raises(DomainError, match="已经完成"):
        finish_milestone(session, COUNTY_ACTOR, first.milestones[0], now, ids["liaoyuan"])

    with pytest.raises(DomainError, match="上级党委"):  # the other township cannot approve
        close_problem(session, COUNTY_ACTOR, first, "已补选", ids["west"], now)
    with pytest.raises(DomainError, match="佐证"):
        close_problem(session, COUNTY_ACTOR, first, "  ", ids["east"], now)
    names = close_problem(session, COUNTY_ACTOR, first, "已补选两名委员", ids["east"], now,
                          lambda: ["a.jpg", "b.jpg"])
    assert names == ["a.jpg", "b.jpg"] and first.status == CLOSED and first.closed_at == now
    with pytest.raises(DomainError, match="已经销号"):
        close_problem(session, COUNTY_ACTOR, first, "again", ids["east"], now)
    with pytest.raises(DomainError, match="还有 1 个问题没有销号"):
        confirm_leaving(session, COUNTY_ACTOR, weak, ids["county"], now)
    with pytest.raises(DomainError, match="写明原因"):
        reopen_problem(session, COUNTY_ACTOR, first, "", ids["county"], now)
    reopen_problem(session, COUNTY_ACTOR, first, "委员没有到岗", ids["county"], now)
    assert first.status == OPEN and first.closed_at is None
    assert first.reopen_reason == "委员没有到岗"
    for problem in (first, second):
        close_problem(session, COUNTY_ACTOR, problem, "整改到位", ids["east"], now)
    with pytest.raises(DomainError, match="只有县委"):
        confirm_leaving(session, COUNTY_ACTOR, weak, ids["east"], now)
    confirm_leaving(session, COUNTY_ACTOR, weak, ids["county"], now)
    assert weak.confirmed_at == now
    with pytest.raises(DomainError, match="已经确认整顿销号"):
        reopen_problem(session, COUNTY_ACTOR, first, "x", ids["county"], now)
    session.commit()
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["rectify.mark", "rectify.problem", "rectify.problem",
                       "rectify.milestone", "rectify.close", "rectify.reopen",
                       "rectify.close", "rectify.close", "rectify.confirm"]
    close_entry = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "rectify.close")).first()
    assert close_entry.after["photos"] == ["a.jpg", "b.jpg"]
    reopen_entry = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "rectify.reopen")).one()
    assert reopen_entry.before["note"] == "已补选两名委员"
    assert reopen_entry.after["reason"] == "委员没有到岗"


def _warnings(session) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return sorted((row.dedupe_key, row.member_id) for row in session.scalars(
        select(Outbox).where(Outbox.kind == "rectify_warning")))


def test_overdue_sweep_warns_once_and_the_township_at_7_days(services, session, clock, ids):
    deadline = date(2026, 9, 30)
    clock.set(local(date(2026, 6, 1)))
    problem = file_problem(session, ids, "liaoyuan", 2026, deadline, clock(),
                           milestones=[("方案", 60), ("验收", 7)])
    file_problem(session, ids, "far", 2026, date(2026, 12, 31), clock())  # no member owner
    session.commit()
    assert warn_rectification(services) == 0
    session.refresh(problem)
    plan, check = problem.milestones
    clock.set(local(plan.due, 9))  # the 方案 milestone's day: owner and leader, once
    assert warn_rectification(services) == 2
    assert warn_rectification(services) == 0
    session.rollback()
    text = session.scalars(select(Outbox).where(Outbox.kind == "rectify_warning")).first()
    assert "方案节点今天到期" in text.payload["text"]
    assert "辽原村党支部" in text.payload["text"]
    clock.set(local(plan.due + timedelta(days=3)))
    assert warn_rectification(services) == 0  # the same milestone, still not done: once
    finish_milestone(session, COUNTY_ACTOR, check, clock(), ids["liaoyuan"])
    session.commit()
    clock.set(local(check.due))
    assert warn_rectification(services) == 0  # done before its day: nothing
    clock.set(local(deadline, 23))
    assert warn_rectification(services) == 0  # the deadline's own day is not overdue
    clock.set(local(deadline + timedelta(days=1)))
    assert warn_rectification(services) == 2  # overdue: owner and leader
    clock.set(local(deadline + timedelta(days=6)))
    assert warn_rectification(services) == 0
    clock.set(local(deadline + timedelta(days=7)))
    assert warn_rectification(services) == 1  # the east township's admin only
    assert warn_rectification(services) == 0
    keys = _warnings(session)
    p = problem.id
    assert keys == sorted([
        (f"rectify:{p}:ms{plan.id}:{ids['secretary']}", ids["secretary"]),
        (f"rectify:{p}:ms{plan.id}:{ids['leader']}", ids["leader"]),
        (f"rectify:{p}:overdue:{ids['secretary']}", ids["secretary"]),
        (f"rectify:{p}:overdue:{ids['leader']}", ids["leader"]),
        (f"rectify:{p}:up7:{ids['clerk']}", ids["clerk"])])
    up = session.scalars(select(Outbox).where(Outbox.dedupe_key.like("%:up7:%"))).one()
    assert "已超期 7 天" in up.payload["text"] and "王县长" in up.payload["text"]
    # closed: no more warnings, even the milestones
    close_problem(session, COUNTY_ACTOR, problem, "整改到位", ids["east"], clock())
    session.commit()
    clock.advance(days=30)  # 11-06: only 远山村's 方案 (12-31 − 60 days), to its leader
    assert warn_rectification(services) == 1
    assert [k for k in _warnings(session) if not k[0].startswith(f"rectify:{p}:")] == [
        (k, ids["leader"]) for k in [k for k, _ in _warnings(session)
                                     if not k.startswith(f"rectify:{p}:")]]
    assert len(_warnings(session)) == 6


def test_measure_against_an_independent_count(session, clock, ids):
    """Problems with deadlines in and out of 2026, closed on time, late, reopened, open;
    the county, the townships and each branch against a count over the plan itself."""
    plan = [  # (branch, deadline, closed at (local day) or None, reopened)
        ("liaoyuan", date(2026, 3, 31), date(2026, 3, 31), False),
        ("liaoyuan", date(2026, 6, 30), date(2026, 7, 2), False),
        ("liaoyuan", date(2026, 9, 30), date(2026, 9, 1), True),
        ("liaoyuan", date(2026, 12, 31), None, False),
        ("liaoyuan", date(2027, 1, 15), date(2026, 12, 1), False),
        ("far", date(2026, 5, 1), date(2026, 4, 30), False),
        ("far", date(2025, 12, 31), date(2025, 12, 30), False),
        ("far", date(2026, 1, 1), date(2026, 1, 1), False),
    ]
    for branch, deadline, closed, reopened in plan:
        problem = file_problem(session, ids, branch, deadline.year, deadline, clock())
        if closed is not None:
            close_problem(session, COUNTY_ACTOR, problem, "整改到位", ids["county"],
                          local(closed, 23))
            if reopened:
                reopen_problem(session, COUNTY_ACTOR, problem, "反弹", ids["county"],
                               local(closed, 23))
    session.commit()

    def count(branches: set[str]) -> Ratio:
        due = [p for p in plan if p[0] in branches and p[1].year == 2026]
        done = [p for p in due if p[2] is not None and not p[3] and p[2] <= p[1]]
        return Ratio(len(done), len(due))

    orgs = [ids[k] for k in ("county", "east", "west", "liaoyuan", "far", "office")]
    found = rectification_on_time(session, orgs, Span.year(2026))
    assert found == {ids["county"]: count({"liaoyuan", "far"}),
                     ids["east"]: count({"liaoyuan"}), ids["west"]: count({"far"}),
                     ids["liaoyuan"]: count({"liaoyuan"}), ids["far"]: count({"far"})}
    assert found[ids["liaoyuan"]] == Ratio(1, 4) and found[ids["far"]] == Ratio(2, 2)
    assert rectification_on_time(session, orgs, Span(date(2026, 4, 1), date(2026, 6, 30))) \
        == {ids["county"]: Ratio(1, 2), ids["east"]: Ratio(0, 1), ids["west"]: Ratio(1, 1),
            ids["liaoyuan"]: Ratio(0, 1), ids["far"]: Ratio(1, 1)}
    assert rectification_on_time(session, [], Span.year(2026)) == {}


def test_the_ledger_workbook_has_the_rectification_sheet(session, clock, ids, tmp_path):
    from bot.ledger.branch import export_ledger
    from bot.ledger.orgs import export_org_ledger
    from models.members.org_tables import Org
    from models.members.orgs import branches_under

    closed = file_problem(session, ids, "liaoyuan", 2026, date(2026, 3, 31), clock(),
                          lead_unit="县委组织部")
    close_problem(session, COUNTY_ACTOR, closed, "整改到位", ids["east"],
                  local(date(2026, 3, 30)))
    file_problem(session, ids, "liaoyuan", 2026, date(2026, 4, 30), clock(),
                 category="阵地建设薄弱", description="活动室漏雨", measures="维修屋顶")
    file_problem(session, ids, "far", 2026, date(2026, 5, 31), clock())
    session.commit()
    out = tmp_path / "ledger.xlsx"
    branch = session.get(Org, ids["liaoyuan"])
    export_ledger(session, branch, date(2026, 1, 1), date(2026, 12, 31), TZ, out)
    sheet = load_workbook(out)["整顿台账"]
    rows = [[c for c in row] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows[0][:4] == ["序号", "支部", "年度", "问题类别"]
    assert [r[1:] for r in rows[1:]] == [
        ["辽原村党支部", 2026, "班子不强", "支部班子长期不全", "补选委员", "李书记", "王县长",
         "2026-03-31", "已销号", local(date(2026, 3, 30)).astimezone(TZ)
         .strftime("%Y-%m-%d %H:%M"), COUNTY_ACTOR.name],
        ["辽原村党支部", 2026, "阵地建设薄弱", "活动室漏雨", "维修屋顶", "李书记", "王县长",
         "2026-04-30", "已超期", None, None]]
    export_ledger(session, branch, date(2025, 1, 1), date(2025, 12, 31), TZ, out)
    assert "整顿台账" not in load_workbook(out).sheetnames  # not on the list in 2025
    county = session.get(Org, ids["county"])
    export_org_ledger(session, county, branches_under(session, ids["county"]),
                      date(2026, 1, 1), date(2026, 12, 31), TZ, str(out))
    rows = list(load_workbook(out)["整顿台账"].iter_rows(min_row=3, values_only=True))
    assert [(r[1], r[4]) for r in rows] == [("辽原村党支部", "支部班子长期不全"),
                                           ("辽原村党支部", "活动室漏雨"),
                                           ("远山村党支部", "支部班子长期不全")]
    weak = session.scalars(select(WeakBranch)).first()
    assert weak is not None


def test_cli_lists_the_ledger(session, clock, ids, database_url, tmp_path):
    from tests.backup_support import cli

    year = clock().year
    problem = file_problem(session, ids, "liaoyuan", year, date(year, 1, 1), clock())
    file_problem(session, ids, "far", year, date(year + 1, 12, 31), clock())
    session.commit()
    listed = cli(["rectify", "list", "--year", str(year)], database_url, tmp_path / "inst")
    today = clock().astimezone(TZ).date()
    overdue = 1 if today > date(year, 1, 1) else 0
    assert listed.output.splitlines() == [
        f"辽原村党支部（东乡党委）：问题 1 个，未销号 1，超期 {overdue}",
        "远山村党支部（西乡党委）：问题 1 个，未销号 1，超期 0"]
    close_problem(session, COUNTY_ACTOR, problem, "整改到位", ids["east"], clock())
    weak = session.scalars(select(WeakBranch).where(
        WeakBranch.branch_id == ids["liaoyuan"])).one()
    confirm_leaving(session, COUNTY_ACTOR, weak, ids["county"], clock())
    session.commit()
    listed = cli(["rectify", "list", "--org", "东乡党委"], database_url, tmp_path / "inst")
    assert listed.output.splitlines() == [
        "辽原村党支部（东乡党委）：问题 1 个，未销号 0，超期 0，已确认整顿销号"]
    assert "2001年没有列入" in cli(["rectify", "list", "--year", "2001"], database_url,
                                 tmp_path / "inst").output


def test_two_approvers_at_once_close_a_problem_once(app, session, clock, ids, database_url):
    """PostgreSQL: the row lock makes the second 销号 see the first."""
    import threading

    from bot.services import services_of
    from models.rectification.tables import Problem

    if not database_url.startswith("postgresql"):
        pytest.skip("row locks: PostgreSQL only")
    problem_id = file_problem(session, ids, "liaoyuan", 2026, date(2026, 9, 30), clock()).id
    session.commit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(org: str) -> None:
        with services_of(app).sessions() as mine:
            problem = mine.get(Problem, problem_id)
            barrier.wait()
            try:
                close_problem(mine, COUNTY_ACTOR, problem, f"{org}审核", ids[org], clock())
                mine.commit()
                outcomes.append("closed")
            except DomainError as refused:
                mine.rollback()
                outcomes.append(refused.key)

    threads = [threading.Thread(target=approve, args=(org,)) for org in ("east", "county")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["RECTIFY_ALREADY_CLOSED", "closed"]
    session.rollback()
    assert len(session.scalars(select(AuditEntry).where(
        AuditEntry.action == "rectify.close")).all()) == 1
