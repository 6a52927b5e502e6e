"""整顿台账 changes, one function each: mark a branch weak, file a problem, tick off a
milestone, close a problem (销号) with evidence and its approver, reopen it, and confirm
the branch leaves the list. Each takes the acting `Actor`, the org the actor acts for
(`by_org_id`: the county or township whose staff they are) and the time, checks who may
do it, and writes the audit entry; nothing here commits.

Who may: the county (the root committee above the branch; in an account serving one
township, that township) marks, confirms and files problems; the county or the township
above the branch approves a 销号 and may reopen one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import words
from models.actors import Actor
from models.console.audit import record_change
from models.errors import DomainError
from models.members.org_tables import Org, OrgKind
from models.members.tables import Member
from models.rectification.follow_up import close_item, reopen_item
from models.rectification.tables import (
    CATEGORIES,
    CLOSED,
    DEFAULT_MILESTONES,
    OPEN,
    Milestone,
    Problem,
    WeakBranch,
)

TARGET_CHARS = 60


class RectificationError(DomainError):
    """整顿台账: a change that cannot be made."""


@dataclass(frozen=True)
class NewProblem:
    """What filing a problem needs (the console's form, the CLI, a test)."""

    category: str
    description: str
    measures: str
    deadline: date
    owner_name: str = ""
    owner_id: int | None = None  # a member (their name is used when owner_name is empty)
    leader_id: int | None = None  # 挂点领导: a member
    lead_unit: str = ""
    departments: str = ""
    # (name, days before the deadline); None: DEFAULT_MILESTONES
    milestones: Sequence[tuple[str, int]] | None = None


def _ancestors(session: Session, org_id: int) -> list[int]:
    """The orgs above `org_id`, nearest first."""
    parents = {org_id: parent_id for org_id, parent_id in session.execute(
        select(Org.id, Org.parent_id))}
    found: list[int] = []
    current = parents.get(org_id)
    while current is not None and current not in found:
        found.append(current)
        current = parents.get(current)
    return found


def may_act(session: Session, branch_id: int, by_org_id: int, county_only: bool) -> bool:
    """Whether staff of `by_org_id` may change this branch's ledger: an org above it (the
    root one when `county_only`)."""
    above = _ancestors(session, branch_id)
    if by_org_id not in above:
        return False
    return not county_only or by_org_id == above[-1]


def _require(session: Session, branch_id: int, by_org_id: int, county_only: bool) -> None:
    if not may_act(session, branch_id, by_org_id, county_only):
        raise RectificationError("RECTIFY_NOT_COUNTY" if county_only else "RECTIFY_NOT_ABOVE")


def _not_confirmed(weak: WeakBranch) -> None:
    if weak.confirmed_at is not None:
        raise RectificationError("RECTIFY_CONFIRMED_ALREADY", branch=weak.branch.name)


def mark_weak(session: Session, actor: Actor, branch_id: int, year: int, reason: str,
              by_org_id: int, now: datetime) -> WeakBranch:
    """List the branch as 软弱涣散 for `year` (flushes)."""
    branch = session.get(Org, branch_id)
    if branch is None or branch.kind not in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH):
        raise RectificationError("RECTIFY_NOT_BRANCH")
    _require(session, branch_id, by_org_id, county_only=True)
    if not 2000 <= year <= 2100:
        raise RectificationError("RECTIFY_BAD_YEAR", year=year)
    reason = reason.strip()
    if not reason:
        raise RectificationError("RECTIFY_REASON_EMPTY")
    if session.scalar(select(WeakBranch.id).where(WeakBranch.branch_id == branch_id,
                                                  WeakBranch.year == year)) is not None:
        raise RectificationError("RECTIFY_ALREADY_MARKED", branch=branch.name, year=year)
    weak = WeakBranch(branch_id=branch_id, year=year, reason=reason, marked_at=now,
                      marked_by=actor.name[:100])
    session.add(weak)
    session.flush()
    record_change(session, actor, org_id=branch_id, action="rectify.mark",
                  target=f"{branch.name} {year}", now=now,
                  after={"year": year, "reason": reason})
    return weak


DEADLINE_YEARS = (2000, 2100)  # a deadline's year; milestones count back from it


def _milestones(spec: NewProblem) -> list[tuple[str, int]]:
    chosen = DEFAULT_MILESTONES if spec.milestones is None else spec.milestones
    steps = []
    for name, days in chosen:
        name = name.strip()
        if not name or len(name) > 20 or not 0 <= days <= 3660:
            raise RectificationError("RECTIFY_BAD_MILESTONES")
        steps.append((name, days))
    return steps


def add_problem(session: Session, actor: Actor, weak: WeakBranch, spec: NewProblem,
                by_org_id: int, now: datetime) -> Problem:
    """File a problem of a weak branch, with its milestones counted back from the
    deadline (flushes)."""
    _require(session, weak.branch_id, by_org_id, county_only=True)
    _not_confirmed(weak)
    if spec.category not in CATEGORIES:
        raise RectificationError("RECTIFY_BAD_CATEGORY",
                                 categories=words.LIST_JOIN.join(CATEGORIES))
    description, measures = spec.description.strip(), spec.measures.strip()
    if not description or not measures:
        raise RectificationError("RECTIFY_PROBLEM_EMPTY")
    owner_name = spec.owner_name.strip()
    if spec.owner_id is not None:
        owner = session.get(Member, spec.owner_id)
        if owner is None:
            raise RectificationError("RECTIFY_OWNER_EMPTY")
        owner_name = owner_name or owner.name
    if not owner_name:
        raise RectificationError("RECTIFY_OWNER_EMPTY")
    if spec.leader_id is not None and session.get(Member, spec.leader_id) is None:
        raise RectificationError("RECTIFY_OWNER_EMPTY")
    if not DEADLINE_YEARS[0] <= spec.deadline.year <= DEADLINE_YEARS[1]:
        raise RectificationError("RECTIFY_BAD_DEADLINE")
    steps = _milestones(spec)
    problem = Problem(weak_id=weak.id, branch_id=weak.branch_id, category=spec.category,
                      description=description, measures=measures, owner_id=spec.owner_id,
                      owner_name=owner_name[:50], leader_id=spec.leader_id,
                      lead_unit=spec.lead_unit.strip()[:100],
                      departments=spec.departments.strip()[:200], deadline=spec.deadline,
                      status=OPEN, created_at=now)
    session.add(problem)
    session.flush()
    for name, days in steps:
        session.add(Milestone(problem_id=problem.id, name=name,
                              due=spec.deadline - timedelta(days=days)))
    session.flush()
    record_change(session, actor, org_id=weak.branch_id, action="rectify.problem",
                  target=description[:TARGET_CHARS], now=now,
                  after={"category": spec.category, "deadline": spec.deadline.isoformat(),
                         "owner": owner_name, "milestones": [list(s) for s in steps]})
    return problem


def finish_milestone(session: Session, actor: Actor, milestone: Milestone, now: datetime,
                     by_org_id: int | None = None) -> None:
    """Tick a milestone off (the branch's own staff, or an org above it)."""
    problem = session.get(Problem, milestone.problem_id)
    assert problem is not None
    if by_org_id is not None and by_org_id != problem.branch_id:
        _require(session, problem.branch_id, by_org_id, county_only=False)
    _not_confirmed(problem.weak)
    if milestone.done_at is not None:
        raise RectificationError("RECTIFY_MILESTONE_DONE")
    milestone.done_at = now
    session.flush()
    record_change(session, actor, org_id=problem.branch_id, action="rectify.milestone",
                  target=f"{problem.description[:40]} · {milestone.name}", now=now)


def close_problem(session: Session, actor: Actor, problem: Problem, note: str,
                  by_org_id: int, now: datetime,
                  store_evidence: Callable[[], list[str]] | None = None) -> list[str]:
    """销号: close the problem with its evidence (a note, and photos that
    `store_evidence` keeps under the problem), approved by the actor as staff of the
    township or county above the branch. Returns the stored photos' names (flushes)."""
    _require(session, problem.branch_id, by_org_id, county_only=False)
    session.refresh(problem, with_for_update=True)  # two approvers at once: one closes
    _not_confirmed(problem.weak)
    if problem.status == CLOSED:
        raise RectificationError("RECTIFY_ALREADY_CLOSED")
    note = note.strip()
    if not note:
        raise RectificationError("RECTIFY_EVIDENCE_EMPTY")
    names = store_evidence() if store_evidence is not None else []
    before = {"status": problem.status}
    problem.status = CLOSED
    after = close_item(problem, actor.name, note, now)
    session.flush()
    record_change(session, actor, org_id=problem.branch_id, action="rectify.close",
                  target=problem.description[:TARGET_CHARS], now=now, before=before,
                  after={"status": CLOSED, **after, "photos": names})
    return names


def reopen_problem(session: Session, actor: Actor, problem: Problem, reason: str,
                   by_org_id: int, now: datetime) -> None:
    """Reopen a closed problem (the rectification did not hold), with the reason."""
    _require(session, problem.branch_id, by_org_id, county_only=False)
    session.refresh(problem, with_for_update=True)
    _not_confirmed(problem.weak)
    if problem.status != CLOSED:
        raise RectificationError("RECTIFY_NOT_CLOSED")
    reason = reason.strip()
    if not reason:
        raise RectificationError("RECTIFY_REOPEN_REASON_EMPTY")
    before = {"status": CLOSED, **reopen_item(problem, reason)}
    problem.status = OPEN
    session.flush()
    record_change(session, actor, org_id=problem.branch_id, action="rectify.reopen",
                  target=problem.description[:TARGET_CHARS], now=now, before=before,
                  after={"status": OPEN, "reason": reason})


def confirm_leaving(session: Session, actor: Actor, weak: WeakBranch, by_org_id: int,
                    now: datetime) -> None:
    """The county confirms the branch leaves the list: every problem closed first."""
    _require(session, weak.branch_id, by_org_id, county_only=True)
    session.refresh(weak, with_for_update=True)
    _not_confirmed(weak)
    statuses = list(session.scalars(select(Problem.status).where(Problem.weak_id == weak.id)))
    if not statuses:
        raise RectificationError("RECTIFY_NO_PROBLEMS")
    still = sum(1 for status in statuses if status != CLOSED)
    if still:
        raise RectificationError("RECTIFY_STILL_OPEN", count=still)
    weak.confirmed_at = now
    weak.confirmed_by = actor.name[:100]
    session.flush()
    record_change(session, actor, org_id=weak.branch_id, action="rectify.confirm",
                  target=f"{weak.branch.name} {weak.year}", now=now,
                  after={"problems": len(statuses)})


def parse_milestones(text: str) -> list[tuple[str, int]] | None:
    """「方案:60，中期:30，验收:7」 as [(name, days before the deadline)]; None for an empty
    text (the default milestones)."""
    text = text.strip()
    if not text:
        return None
    steps = []
    for typed, plain in words.MILESTONE_SEPARATORS.items():
        text = text.replace(typed, plain)
    for part in text.split(","):
        name, _, days = part.strip().partition(":")
        if not part.strip():
            continue
        if not days.strip().isascii() or not days.strip().isdigit():
            raise RectificationError("RECTIFY_BAD_MILESTONES")
        steps.append((name.strip(), int(days.strip())))
    return steps
