"""民主评议, read only: the rounds, who is evaluated and who votes, a voter's own choices
(while the round's secret lives), progress (who has voted: counts, never choices) and
tallies (only once voting has ended: a tally watched while votes come in would show
what each new voter chose)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.evaluation.tables import (
    GRADES,
    EvaluationBallot,
    EvaluationRound,
    EvaluationSubject,
    EvaluationVoted,
    EvaluationVoter,
    Grade,
)
from models.members.org_tables import Org
from models.members.tables import Member


def ballot_key(secret: str, voter_id: int) -> str:
    """The key a voter's ballots are stored under (HMAC-SHA256 under the round's secret)."""
    return hmac.new(bytes.fromhex(secret), f"voter:{voter_id}".encode(),
                    hashlib.sha256).hexdigest()


def open_round_of(session: Session, branch_id: int) -> EvaluationRound | None:
    """The branch's open round, if any."""
    return session.scalar(select(EvaluationRound).where(
        EvaluationRound.branch_id == branch_id, EvaluationRound.closed_at.is_(None)))


def latest_round_of(session: Session, branch_id: int) -> EvaluationRound | None:
    """The branch's newest round (open or closed)."""
    return session.scalar(select(EvaluationRound).where(
        EvaluationRound.branch_id == branch_id).order_by(EvaluationRound.id.desc()).limit(1))


def rounds_of(session: Session, branch_id: int) -> list[EvaluationRound]:
    """Every round of the branch, newest first."""
    return list(session.scalars(select(EvaluationRound).where(
        EvaluationRound.branch_id == branch_id).order_by(EvaluationRound.id.desc())))


def voting_open(round_: EvaluationRound, now: datetime) -> bool:
    """Whether votes (and self-assessments) are still taken."""
    return round_.closed_at is None and now < round_.closes_at


@dataclass(frozen=True)
class Subject:
    """An evaluated member as the lists show them."""

    row: EvaluationSubject
    name: str

    @property
    def member_id(self) -> int:
        return self.row.member_id

    @property
    def position(self) -> int:
        return self.row.position


def subjects_of(session: Session, round_: EvaluationRound) -> list[Subject]:
    """The evaluated members, in their numbered order."""
    rows = session.execute(select(EvaluationSubject, Member.name).join(
        Member, Member.id == EvaluationSubject.member_id).where(
        EvaluationSubject.round_id == round_.id).order_by(EvaluationSubject.position))
    return [Subject(row, name) for row, name in rows]


def subject_row(session: Session, round_: EvaluationRound,
                member_id: int) -> EvaluationSubject | None:
    """The member's row as evaluated in this round, if they are."""
    return session.scalar(select(EvaluationSubject).where(
        EvaluationSubject.round_id == round_.id, EvaluationSubject.member_id == member_id))


def voter_ids(session: Session, round_: EvaluationRound) -> list[int]:
    """Who votes in the round."""
    return list(session.scalars(select(EvaluationVoter.member_id).where(
        EvaluationVoter.round_id == round_.id).order_by(EvaluationVoter.member_id)))


def is_voter(session: Session, round_: EvaluationRound, member_id: int) -> bool:
    """Whether the member votes in this round."""
    return session.scalar(select(EvaluationVoter.id).where(
        EvaluationVoter.round_id == round_.id, EvaluationVoter.member_id == member_id)) \
        is not None


def my_choices(session: Session, round_: EvaluationRound, voter_id: int) -> dict[int, Grade]:
    """The voter's own current choices by member id — only while the round's secret lives
    (after close nobody can find them again, the voter included)."""
    if round_.secret is None:
        return {}
    key = ballot_key(round_.secret, voter_id)
    rows = session.execute(select(EvaluationBallot.subject_id, EvaluationBallot.choice).where(
        EvaluationBallot.round_id == round_.id, EvaluationBallot.ballot_key == key))
    return {subject_id: Grade(choice) for subject_id, choice in rows}


@dataclass(frozen=True)
class VoterProgress:
    """One voter's progress: how many members they have rated (never which way)."""

    member_id: int
    name: str
    rated: int
    due: int
    method: str | None  # online / paper, once they voted
    has_phone: bool


def progress_of(session: Session, round_: EvaluationRound) -> list[VoterProgress]:
    """Every voter with how many they have rated of how many they should."""
    subject_ids = set(session.scalars(select(EvaluationSubject.member_id).where(
        EvaluationSubject.round_id == round_.id)))
    counts = {voter: (count, method) for voter, count, method in session.execute(
        select(EvaluationVoted.voter_id, func.count(), func.max(EvaluationVoted.method))
        .where(EvaluationVoted.round_id == round_.id).group_by(EvaluationVoted.voter_id))}
    rows = session.execute(select(Member.id, Member.name, Member.openid).join(
        EvaluationVoter, EvaluationVoter.member_id == Member.id).where(
        EvaluationVoter.round_id == round_.id).order_by(Member.id))
    found = []
    for member_id, name, openid in rows:
        count, method = counts.get(member_id, (0, None))
        due = len(subject_ids - {member_id})
        found.append(VoterProgress(member_id, name, count, due, method, openid is not None))
    return found


def tallies_of(session: Session, round_: EvaluationRound) -> dict[int, dict[Grade, int]]:
    """Votes per member and grade (callers show them only once voting has ended)."""
    found: dict[int, dict[Grade, int]] = {}
    for subject_id, choice, count in session.execute(
            select(EvaluationBallot.subject_id, EvaluationBallot.choice, func.count())
            .where(EvaluationBallot.round_id == round_.id)
            .group_by(EvaluationBallot.subject_id, EvaluationBallot.choice)):
        found.setdefault(subject_id, dict.fromkeys(GRADES, 0))[Grade(choice)] = count
    return found


def stored_tally(row: EvaluationSubject) -> dict[Grade, int]:
    """The tally a closed round kept for one member."""
    return {Grade.EXCELLENT: row.excellent or 0, Grade.QUALIFIED: row.qualified or 0,
            Grade.BASIC: row.basic or 0, Grade.UNQUALIFIED: row.unqualified or 0}


def leading_grade(tally: dict[Grade, int] | None) -> Grade | None:
    """What the votes say: the grade with most votes (a tie goes to the stricter
    grade: 优秀 needs more votes than any other grade); None without votes."""
    if not tally or not any(tally.values()):
        return None
    best = max(tally.values())
    return [grade for grade in GRADES if tally.get(grade, 0) == best][-1]


@dataclass(frozen=True)
class BranchResult:
    """A closed round as the township sees it: the branch, the counts per grade."""

    round: EvaluationRound
    branch_name: str
    subjects: int
    determined: dict[Grade, int]


def closed_results_under(session: Session, branch_ids: Sequence[int]) -> list[BranchResult]:
    """The closed rounds of these branches, newest first, each with its determinations
    counted by grade."""
    if not branch_ids:
        return []
    rounds = list(session.execute(select(EvaluationRound, Org.name).join(
        Org, Org.id == EvaluationRound.branch_id).where(
        EvaluationRound.branch_id.in_(list(branch_ids)),
        EvaluationRound.closed_at.is_not(None)).order_by(EvaluationRound.closed_at.desc())))
    counts: dict[int, dict[Grade, int]] = {}
    if rounds:
        for round_id, grade, count in session.execute(
                select(EvaluationSubject.round_id, EvaluationSubject.determination, func.count())
                .where(EvaluationSubject.round_id.in_([r.id for r, _ in rounds]))
                .group_by(EvaluationSubject.round_id, EvaluationSubject.determination)):
            if grade:
                counts.setdefault(round_id, dict.fromkeys(GRADES, 0))[Grade(grade)] = count
    return [BranchResult(r, name, sum(counts.get(r.id, {}).values()),
                         counts.get(r.id, dict.fromkeys(GRADES, 0))) for r, name in rounds]
