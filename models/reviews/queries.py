"""述职评议, read only: the round's table (each reporter with their report's state,
grades, 测评 count and score, total, and recommendation counts) for the orgs a reader
may see, the open 测评 votes of a member, a reporter's items. 测评 is read from the
tallies only: no query here can say who chose what."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models.db.base import id_list
from models.db.stored_files import REVIEW, StoredFile
from models.members.org_tables import Org
from models.members.tables import Member
from models.reviews import rules
from models.reviews.scores import scores_of, tally_counts
from models.reviews.tables import (
    ItemKind,
    ItemStatus,
    Party,
    ReviewItem,
    ReviewReporter,
    ReviewRound,
    ReviewVoter,
    RoundStatus,
)


@dataclass(frozen=True)
class ItemCounts:
    """A secretary's recommendations and problems: given / done / overdue."""

    suggestions: int = 0
    suggestions_done: int = 0
    problems: int = 0
    problems_done: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class ReporterRow:
    """One line of the round's table."""

    id: int
    name: str
    org_id: int
    org_name: str
    leader: str | None
    submitted_at: datetime | None
    grade_self: str | None
    grade_county: str | None
    grade_leader: str | None
    votes: int
    members_score: float | None
    total: float | None
    items: ItemCounts


SORTS = {
    "name": lambda r: r.name,
    "org": lambda r: r.org_name,
    "submitted": lambda r: (r.submitted_at is None, r.submitted_at or datetime.min),
    "votes": lambda r: -r.votes,
    "members": lambda r: -(r.members_score or -1),
    "total": lambda r: -(r.total or -1),
    "suggestions": lambda r: -r.items.suggestions,
    "problems": lambda r: -r.items.problems,
}


def item_counts(session: Session, reporter_ids: Collection[int],
                today: date) -> dict[int, ItemCounts]:
    """Per reporter: recommendations and problems, done, and open items past due."""
    found: dict[int, dict[str, int]] = {r: {} for r in reporter_ids}
    rows = session.execute(select(ReviewItem.reporter_id, ReviewItem.kind, ReviewItem.status,
                                  ReviewItem.due).where(
        ReviewItem.reporter_id.in_(id_list(reporter_ids))))
    for reporter_id, kind, status, due in rows:
        counts = found[reporter_id]
        name = "suggestions" if kind == ItemKind.SUGGESTION else "problems"
        counts[name] = counts.get(name, 0) + 1
        if status == ItemStatus.DONE:
            counts[name + "_done"] = counts.get(name + "_done", 0) + 1
        elif due is not None and due < today:
            counts["overdue"] = counts.get("overdue", 0) + 1
    return {r: ItemCounts(**c) for r, c in found.items()}


def round_rows(session: Session, review: ReviewRound, visible: Collection[int] | None,
               today: date, sort: str | None = None) -> list[ReporterRow]:
    """The reporters of the round whose org is in `visible` (None: all), by org name, or
    by a column (`sort`: the county's console only — never shown to branches)."""
    # (a county's thousand reporters: their people and orgs in three queries, not 3,000)
    query = select(ReviewReporter).where(ReviewReporter.round_id == review.id).options(
        selectinload(ReviewReporter.member), selectinload(ReviewReporter.org),
        selectinload(ReviewReporter.leader))
    if visible is not None:
        query = query.where(ReviewReporter.org_id.in_(id_list(visible)))
    reporters = list(session.scalars(query))
    ids = [r.id for r in reporters]
    counts = tally_counts(session, ids)
    items = item_counts(session, ids, today)
    rows = []
    for r in reporters:
        scores = scores_of(r, counts[r.id])
        closed = review.status == RoundStatus.CLOSED
        total = r.total if closed else rules.weighted_total(scores, review.weights)
        rows.append(ReporterRow(
            r.id, r.member.name, r.org_id, r.org.name, r.leader.name if r.leader else None,
            r.submitted_at, r.grade_self, r.grade_county, r.grade_leader,
            sum(counts[r.id].values()),
            r.members_score if closed else scores[Party.MEMBERS], total, items[r.id]))
    rows.sort(key=lambda row: (row.org_name, row.name))
    if sort in SORTS:
        rows.sort(key=SORTS[sort])
    return rows


def rounds_seen(session: Session, visible: Collection[int]) -> list[ReviewRound]:
    """Rounds opened by a visible org, or with a reporter in one; newest first."""
    with_reporter = select(ReviewReporter.round_id).where(
        ReviewReporter.org_id.in_(list(visible)))
    return list(session.scalars(select(ReviewRound).where(
        ReviewRound.org_id.in_(list(visible)) | ReviewRound.id.in_(with_reporter))
        .order_by(ReviewRound.year.desc(), ReviewRound.id.desc())))


@dataclass(frozen=True)
class OpenVote:
    """A reporter a member may grade in 测评, and whether they have."""

    reporter_id: int
    name: str
    org: str
    year: int
    voted: bool


def open_votes(session: Session, member: Member) -> list[OpenVote]:
    """Reporters of open rounds over the member's branch (its secretary, its township's),
    not themselves; in a stable order so that 测评 numbers stay put."""
    orgs = rules.ancestors(session, member.branch_id)
    rows = session.execute(
        select(ReviewReporter.id, Member.name, Org.name, ReviewRound.year)
        .join(ReviewRound, ReviewRound.id == ReviewReporter.round_id)
        .join(Member, Member.id == ReviewReporter.member_id)
        .join(Org, Org.id == ReviewReporter.org_id)
        .where(ReviewRound.status == RoundStatus.OPEN, ReviewReporter.org_id.in_(orgs),
               ReviewReporter.member_id != member.id)
        .order_by(ReviewRound.id, ReviewReporter.id)).all()
    voted = set(session.scalars(select(ReviewVoter.reporter_id).where(
        ReviewVoter.voter_key == f"member:{member.id}",
        ReviewVoter.reporter_id.in_([r[0] for r in rows]))))
    return [OpenVote(rid, name, org, year, rid in voted) for rid, name, org, year in rows]


def my_reports(session: Session, member_id: int) -> list[ReviewReporter]:
    """The member's own reporter rows (open rounds first, newest first)."""
    return list(session.scalars(select(ReviewReporter).join(
        ReviewRound, ReviewRound.id == ReviewReporter.round_id)
        .where(ReviewReporter.member_id == member_id)
        .order_by(ReviewRound.status.desc(), ReviewRound.year.desc())))


def items_of(session: Session, reporter_id: int) -> list[ReviewItem]:
    """A reporter's recommendations and problems, newest first."""
    return list(session.scalars(select(ReviewItem).where(ReviewItem.reporter_id == reporter_id)
                                .order_by(ReviewItem.day.desc(), ReviewItem.id.desc())))


def led_by(session: Session, member_id: int) -> list[int]:
    """Reporters this member gives 帮评 to."""
    return list(session.scalars(select(ReviewReporter.id).where(
        ReviewReporter.leader_id == member_id)))


def voted_count(session: Session, reporter_id: int) -> int:
    """How many have voted (rows of `review_voter`)."""
    return int(session.scalar(select(func.count()).select_from(ReviewVoter).where(
        ReviewVoter.reporter_id == reporter_id)) or 0)


def report_files(session: Session, reporter_id: int) -> list[str]:
    """The names of a report's files, oldest first."""
    return list(session.scalars(select(StoredFile.name).where(
        StoredFile.owner == REVIEW, StoredFile.owner_id == reporter_id)
        .order_by(StoredFile.id)))
