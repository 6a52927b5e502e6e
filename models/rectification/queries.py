"""What the rectification pages, the 台账 sheet, the CLI and the sweep read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.db.stored_files import RECTIFY, StoredFile
from models.members.org_tables import Org, OrgKind
from models.rectification.follow_up import FollowUp, follow_up_state
from models.rectification.tables import Problem, WeakBranch


def township_of(session: Session, branch_id: int) -> Org | None:
    """The committee nearest above the branch (its township)."""
    org = session.get(Org, branch_id)
    seen: set[int] = set()
    while org is not None and org.parent_id is not None and org.id not in seen:
        seen.add(org.id)
        org = session.get(Org, org.parent_id)
        if org is not None and org.kind == OrgKind.COMMITTEE:
            return org
    return None


@dataclass(frozen=True)
class LedgerRow:
    """One weak branch on the county's ledger page."""

    weak: WeakBranch
    branch: str
    township: str
    township_id: int | None
    total: int
    open: int
    overdue: int
    closed: int

    @property
    def left(self) -> bool:
        """Whether the county confirmed the branch leaves the list."""
        return self.weak.confirmed_at is not None


def problem_state(problem: Problem, today: date, tz: ZoneInfo) -> FollowUp:
    """The problem's state on local day `today`."""
    return follow_up_state(problem.deadline, problem.closed_at, today, tz)


def ledger_rows(session: Session, branch_ids: Iterable[int], today: date, tz: ZoneInfo,
                year: int | None = None, township_id: int | None = None) -> list[LedgerRow]:
    """Every weak branch among `branch_ids` (the reader's scope), by year then township
    then branch, with its counts of open, overdue and closed problems on `today`."""
    query = (select(WeakBranch).where(WeakBranch.branch_id.in_(list(branch_ids)))
             .options(selectinload(WeakBranch.problems), selectinload(WeakBranch.branch)))
    if year is not None:
        query = query.where(WeakBranch.year == year)
    rows = []
    for weak in session.scalars(query):
        township = township_of(session, weak.branch_id)
        if township_id is not None and (township is None or township.id != township_id):
            continue
        states = [problem_state(p, today, tz) for p in weak.problems]
        rows.append(LedgerRow(
            weak, weak.branch.name, township.name if township else "",
            township.id if township else None, len(states),
            sum(s in (FollowUp.OPEN, FollowUp.OVERDUE) for s in states),
            sum(s is FollowUp.OVERDUE for s in states),
            sum(s in (FollowUp.CLOSED, FollowUp.CLOSED_LATE) for s in states)))
    rows.sort(key=lambda r: (-r.weak.year, r.township, r.branch))
    return rows


def branch_ledgers(session: Session, branch_id: int) -> list[WeakBranch]:
    """The branch's years on the list, newest first, problems and milestones loaded."""
    return list(session.scalars(
        select(WeakBranch).where(WeakBranch.branch_id == branch_id)
        .options(selectinload(WeakBranch.problems).selectinload(Problem.milestones))
        .order_by(WeakBranch.year.desc())))


def evidence_of(session: Session, problem_ids: Iterable[int]) -> dict[int, list[str]]:
    """The evidence photos' names per problem, in the order they were stored."""
    found: dict[int, list[str]] = {}
    for owner_id, name in session.execute(
            select(StoredFile.owner_id, StoredFile.name)
            .where(StoredFile.owner == RECTIFY, StoredFile.owner_id.in_(list(problem_ids)))
            .order_by(StoredFile.id)):
        found.setdefault(owner_id, []).append(name)
    return found


def problems_of(session: Session, branch_ids: Iterable[int],
                year: int | None = None) -> list[Problem]:
    """The problems of these branches' weak years (one year, or all), for the 台账 sheet."""
    query = (select(Problem).join(WeakBranch, Problem.weak_id == WeakBranch.id)
             .where(Problem.branch_id.in_(list(branch_ids)))
             .options(selectinload(Problem.weak).selectinload(WeakBranch.branch),
                      selectinload(Problem.leader))
             .order_by(WeakBranch.year, Problem.branch_id, Problem.id))
    if year is not None:
        query = query.where(WeakBranch.year == year)
    return list(session.scalars(query))
