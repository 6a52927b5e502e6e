"""民主评议党员: every change to a round, whatever the surface — one function each.

open_round (the secretary; the self-assessment prompt to every member through the
outbox), self_assess and expect_voice (a member), cast_votes (a member online, or the
secretary entering a paper ballot: 纸质, with who entered it), end_voting,
set_determination, close_round (tallies, the cap on 优秀, each member's result to them
privately; the round's secret destroyed). Chat, member page and console call these;
nothing here commits.

What is audited never says who chose what: a paper ballot's entry names the voter and
how many members were rated; online votes are the voter's own and not audited.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import page_links, texts
from core.localtime import day
from models.actors import Actor
from models.console.audit import record_change
from models.db.base import insert_ignoring_conflict, table_of
from models.delivery.outbox import ChannelPolicy, Notice
from models.errors import DomainError
from models.evaluation.queries import (
    ballot_key,
    is_voter,
    leading_grade,
    open_round_of,
    subject_row,
    tallies_of,
)
from models.evaluation.rules import excellent_share_max
from models.evaluation.tables import (
    GRADES,
    EvaluationBallot,
    EvaluationRound,
    EvaluationSubject,
    EvaluationVoted,
    EvaluationVoter,
    Grade,
    Method,
)
from models.members.tables import Member, live_member
from models.pairing.queries import helper_of, helpers_of

SELF_MAX = 2000  # characters of a self-assessment
REASON_MAX = 500
VOICE_WINDOW = timedelta(minutes=10)  # 自评, then a voice message within this
LONGEST_ROUND = timedelta(days=92)


class EvaluationError(DomainError):
    """民主评议: a request that cannot be done."""


def grade_name(grade: str | None) -> str:
    """优秀 / 合格 / 基本合格 / 不合格 (or a dash)."""
    return texts.EVAL_GRADE_NAMES.get(grade or "", texts.EVAL_NO_GRADE)


def _deadline(closes_on: date, tz: ZoneInfo) -> datetime:
    """Votes are taken until the end of the local day `closes_on` (EvaluationError for a
    day at either end of the calendar, 0001-01-01 or 9999-12-31, which has no UTC time)."""
    if not date.min < closes_on < date.max:
        raise EvaluationError("EVAL_BAD_DEADLINE")
    return datetime.combine(closes_on + timedelta(days=1), time(), tz).astimezone(UTC)


def _live_ids(session: Session, branch_id: int, wanted: Sequence[int] | None) -> list[int]:
    """The branch's live members (all of them, or those of `wanted`), in roster order."""
    query = select(Member.id).where(Member.branch_id == branch_id, live_member())
    found = list(session.scalars(query.order_by(Member.id)))
    if wanted is None:
        return found
    chosen = set(wanted)
    if not chosen <= set(found):
        raise EvaluationError("EVAL_NOT_IN_BRANCH")
    return [member_id for member_id in found if member_id in chosen]


def open_round(session: Session, actor: Actor, branch_id: int, closes_on: date, *,
               subject_ids: Sequence[int] | None = None,
               voter_ids: Sequence[int] | None = None, outbox: ChannelPolicy, tz: ZoneInfo,
               now: datetime) -> EvaluationRound:
    """Open the branch's round: votes until the end of the local day `closes_on`; who is
    evaluated and who votes (default: every live member of the branch). Every member of
    either gets the self-assessment prompt. EvaluationError when one is already open, or
    for a deadline in the past or more than three months ahead."""
    if open_round_of(session, branch_id) is not None:
        raise EvaluationError("EVAL_ALREADY_OPEN")
    closes_at = _deadline(closes_on, tz)
    if closes_at <= now or closes_at - now > LONGEST_ROUND:
        raise EvaluationError("EVAL_BAD_DEADLINE")
    subjects = _live_ids(session, branch_id, subject_ids)
    voters = _live_ids(session, branch_id, voter_ids)
    if not subjects or len(set(voters) | set(subjects)) < 2:
        raise EvaluationError("EVAL_TOO_FEW")
    round_ = EvaluationRound(branch_id=branch_id, year=now.astimezone(tz).year, opened_at=now,
                             opened_by=actor.name[:100], closes_at=closes_at,
                             secret=secrets.token_hex(32))
    session.add(round_)
    session.flush()
    session.add_all(EvaluationSubject(round_id=round_.id, member_id=member_id, position=number)
                    for number, member_id in enumerate(subjects, start=1))
    session.add_all(EvaluationVoter(round_id=round_.id, member_id=member_id)
                    for member_id in voters)
    session.flush()
    everyone = sorted(set(subjects) | set(voters))
    members = list(session.scalars(select(Member).where(Member.id.in_(everyone))
                                   .order_by(Member.id)))
    notice = Notice("evaluation_open", texts.EVAL_NOTICE_OPEN.format(
        until=day(closes_on), count=len(subjects)),
        url=outbox.page_url(page_links.EVALUATION), subject=f"evaluation:{round_.id}")
    outbox.enqueue_many(session, [(f"evaluation:{round_.id}:open:{m.id}", m) for m in members],
                        notice, now)
    record_change(session, actor, org_id=branch_id, action="evaluation.open",
                  target=texts.EVAL_AUDIT_TARGET.format(year=round_.year), now=now,
                  after={"closes_on": closes_on.isoformat(), "subjects": len(subjects),
                         "voters": len(voters)})
    return round_


def _taking_votes(round_: EvaluationRound, now: datetime) -> None:
    if round_.closed_at is not None:
        raise EvaluationError("EVAL_CLOSED")
    if now >= round_.closes_at:
        raise EvaluationError("EVAL_VOTING_ENDED")


def self_assess(session: Session, actor: Actor, round_: EvaluationRound, member_id: int,
                now: datetime, text: str | None = None,
                voice: str | None = None) -> EvaluationSubject:
    """Keep the member's self-assessment (words, a voice message's media id, or both;
    a new one replaces the old). EvaluationError when they are not evaluated in the
    round, it is no longer taking them, or it is empty."""
    _taking_votes(round_, now)
    row = subject_row(session, round_, member_id)
    if row is None:
        raise EvaluationError("EVAL_NOT_EVALUATED")
    kept = (text or "").strip()
    if not kept and not voice:
        raise EvaluationError("EVAL_SELF_EMPTY")
    if len(kept) > SELF_MAX:
        raise EvaluationError("EVAL_SELF_TOO_LONG", limit=SELF_MAX)
    row.self_text = kept or row.self_text if voice else kept
    if voice:
        row.self_voice = voice[:200]
    row.self_at = now
    row.voice_until = None
    session.flush()
    if actor.acts_for(member_id):
        record_change(session, actor, org_id=round_.branch_id, action="evaluation.self",
                      target=texts.EVAL_AUDIT_TARGET.format(year=round_.year), now=now)
    return row


def expect_voice(session: Session, round_: EvaluationRound, member_id: int,
                 now: datetime) -> EvaluationSubject:
    """自评 with nothing after it: a voice message in the next minutes is the member's
    self-assessment."""
    _taking_votes(round_, now)
    row = subject_row(session, round_, member_id)
    if row is None:
        raise EvaluationError("EVAL_NOT_EVALUATED")
    row.voice_until = now + VOICE_WINDOW
    session.flush()
    return row


def _upsert_ballot(session: Session, values: dict[str, Any]) -> None:
    """Insert a choice, or change the one under the same key (one statement: two
    submissions at once leave one row)."""
    insert: Any
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table_of(EvaluationBallot)).values(**values)
    session.execute(statement.on_conflict_do_update(
        index_elements=["round_id", "ballot_key", "subject_id"],
        set_={"choice": statement.excluded.choice}))


@dataclass(frozen=True)
class Cast:
    """What a submission did: how many members rated (new or changed)."""

    rated: int
    changed: int


def cast_votes(session: Session, actor: Actor, round_: EvaluationRound, voter: Member,
               choices: Mapping[int, Grade], now: datetime,
               method: Method = Method.ONLINE) -> Cast:
    """Record `voter`'s choices (member id → grade), changing earlier ones. Online: the
    voter themselves only. Paper (纸质): entered by someone else, recorded with their
    name — never by the voter's 一帮一 helper. A voter votes one way only: online or on
    paper. EvaluationError for anyone not voting in the round, a member not evaluated
    or themselves, and once voting has ended."""
    _taking_votes(round_, now)
    if round_.secret is None:
        raise EvaluationError("EVAL_CLOSED")
    if not choices:
        raise EvaluationError("EVAL_NOTHING_CHOSEN")
    if method == Method.ONLINE and actor.member_id != voter.id:
        raise EvaluationError("EVAL_ONLY_YOURSELF")
    if method == Method.PAPER:
        helper = helper_of(session, voter.id)
        if helper is not None and actor.member_id == helper.id:
            raise EvaluationError("EVAL_HELPER_CANNOT_ENTER", name=voter.name)
        if actor.member_id == voter.id:
            raise EvaluationError("EVAL_PAPER_NOT_OWN")
    if not is_voter(session, round_, voter.id):
        raise EvaluationError("EVAL_NOT_VOTER", name=voter.name)
    other_way = session.scalar(select(EvaluationVoted.method).where(
        EvaluationVoted.round_id == round_.id, EvaluationVoted.voter_id == voter.id,
        EvaluationVoted.method != str(method)).limit(1))
    if other_way is not None:
        _voted_other_way(other_way, voter)
    subjects = {row.member_id for row in session.scalars(select(EvaluationSubject).where(
        EvaluationSubject.round_id == round_.id))}
    for subject_id in choices:
        if subject_id == voter.id:
            raise EvaluationError("EVAL_NOT_SELF")
        if subject_id not in subjects:
            raise EvaluationError("EVAL_NOT_A_SUBJECT")
    entered_by = actor.name[:100] if method == Method.PAPER else None
    key = ballot_key(round_.secret, voter.id)
    before = {subject_id: choice for subject_id, choice in session.execute(
        select(EvaluationBallot.subject_id, EvaluationBallot.choice).where(
            EvaluationBallot.round_id == round_.id, EvaluationBallot.ballot_key == key))}
    changed = 0
    for subject_id, grade in sorted(choices.items()):
        insert_ignoring_conflict(session, EvaluationVoted, {
            "round_id": round_.id, "voter_id": voter.id, "subject_id": subject_id,
            "method": str(method), "entered_by": entered_by})
        was = session.scalar(select(EvaluationVoted.method).where(
            EvaluationVoted.round_id == round_.id, EvaluationVoted.voter_id == voter.id,
            EvaluationVoted.subject_id == subject_id))
        if was != str(method):  # (the other way, at this very moment)
            _voted_other_way(str(was), voter)
        _upsert_ballot(session, {"round_id": round_.id, "ballot_key": key,
                                 "subject_id": subject_id, "choice": str(Grade(grade))})
        changed += subject_id in before and before[subject_id] != str(grade)
    if method == Method.PAPER:
        record_change(session, actor, org_id=round_.branch_id, action="evaluation.paper",
                      target=texts.EVAL_AUDIT_PAPER.format(name=voter.name), now=now,
                      after={"rated": len(choices)})
    return Cast(len(choices), changed)


def _voted_other_way(method: str, voter: Member) -> None:
    raise EvaluationError("EVAL_VOTED_ONLINE" if method == Method.ONLINE
                          else "EVAL_VOTED_ON_PAPER", name=voter.name)


def end_voting(session: Session, actor: Actor, round_: EvaluationRound, now: datetime) -> None:
    """End the voting now (before its deadline): the tallies can be read."""
    _taking_votes(round_, now)
    round_.closes_at = now
    session.flush()
    record_change(session, actor, org_id=round_.branch_id, action="evaluation.end_voting",
                  target=texts.EVAL_AUDIT_TARGET.format(year=round_.year), now=now)


def set_determination(session: Session, actor: Actor, round_: EvaluationRound, member_id: int,
                      grade: Grade | None, reason: str, now: datetime) -> EvaluationSubject:
    """The branch committee's determination for one member (None: as the votes say),
    with the reason when it differs from the votes. Only once voting has ended and
    before the close."""
    if round_.closed_at is not None:
        raise EvaluationError("EVAL_CLOSED")
    if now < round_.closes_at:
        raise EvaluationError("EVAL_STILL_VOTING")
    row = subject_row(session, round_, member_id)
    if row is None:
        raise EvaluationError("EVAL_NOT_A_SUBJECT")
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise EvaluationError("EVAL_REASON_TOO_LONG", limit=REASON_MAX)
    leading = leading_grade(tallies_of(session, round_).get(member_id))
    name = session.get(Member, member_id)
    if grade is not None and grade != (leading or Grade.QUALIFIED) and not reason:
        raise EvaluationError("EVAL_REASON_NEEDED", name=name.name if name else "",
                              votes=grade_name(leading), grade=grade_name(grade))
    before = {"determination": row.determination, "reason": row.reason}
    row.determination = str(grade) if grade is not None else None
    row.reason = reason or None
    session.flush()
    record_change(session, actor, org_id=round_.branch_id, action="evaluation.determine",
                  target=texts.EVAL_AUDIT_DETERMINED.format(
                      year=round_.year, name=name.name if name else member_id), now=now,
                  before=before, after={"determination": row.determination,
                                        "reason": row.reason})
    return row


@dataclass(frozen=True)
class Closed:
    """A closed round: how many members, how many 优秀, and the cap checked."""

    subjects: int
    excellent: int
    cap: float


def close_round(session: Session, actor: Actor, round_: EvaluationRound, *,
                outbox: ChannelPolicy, tz: ZoneInfo, now: datetime,
                over_cap_reason: str = "") -> Closed:
    """Close the round: each member's tally and determination (the committee's, or what
    the votes say), the share of 优秀 checked against the year's cap (over it: refused
    with the numbers unless the secretary gives a reason), each member's own result to
    them alone, the secret destroyed (no ballot can be joined to its voter again)."""
    if round_.closed_at is not None:
        raise EvaluationError("EVAL_CLOSED")
    tallies = tallies_of(session, round_)
    rows = list(session.scalars(select(EvaluationSubject).where(
        EvaluationSubject.round_id == round_.id).order_by(EvaluationSubject.position)))
    names: dict[int, str] = {member_id: name for member_id, name in session.execute(
        select(Member.id, Member.name).where(Member.id.in_([row.member_id for row in rows])))}
    decided: dict[int, Grade] = {}
    for row in rows:
        leading = leading_grade(tallies.get(row.member_id)) or Grade.QUALIFIED
        grade = Grade(row.determination) if row.determination else leading
        if grade != leading and not row.reason:
            raise EvaluationError("EVAL_REASON_NEEDED", name=names.get(row.member_id, ""),
                                  votes=grade_name(leading), grade=grade_name(grade))
        decided[row.member_id] = grade
    excellent = sum(1 for grade in decided.values() if grade == Grade.EXCELLENT)
    cap = excellent_share_max(session, round_.year)
    reason = over_cap_reason.strip()
    if rows and excellent / len(rows) > cap + 1e-9 and not reason:
        raise EvaluationError("EVAL_OVER_CAP", excellent=excellent, total=len(rows),
                              share=round(100 * excellent / len(rows)),
                              cap=round(100 * cap), allowed=int(cap * len(rows) + 1e-9))
    for row in rows:
        tally = tallies.get(row.member_id, dict.fromkeys(GRADES, 0))
        row.excellent, row.qualified = tally[Grade.EXCELLENT], tally[Grade.QUALIFIED]
        row.basic, row.unqualified = tally[Grade.BASIC], tally[Grade.UNQUALIFIED]
        row.determination = str(decided[row.member_id])
        row.voice_until = None
    round_.closed_at = now
    round_.closed_on = now.astimezone(tz).date()
    round_.closed_by = actor.name[:100]
    round_.secret = None  # from here no ballot can be joined to its voter
    round_.over_cap_reason = reason or None
    if round_.closes_at > now:
        round_.closes_at = now
    session.flush()
    members = {m.id: m for m in session.scalars(select(Member).where(
        Member.id.in_(list(decided))))}
    # a notice to a member with a 一帮一 helper may go through the helper: it says only
    # that the result is out (the member asks the secretary, or 我的评议 on a phone)
    helped = helpers_of(session, list(decided))
    for row in rows:
        tally = tallies.get(row.member_id, dict.fromkeys(GRADES, 0))
        text = texts.EVAL_NOTICE_RESULT_HELPED.format(year=round_.year) \
            if row.member_id in helped else texts.EVAL_NOTICE_RESULT.format(
            year=round_.year, grade=grade_name(row.determination),
            votes=texts.EVAL_TALLY.format(*(tally[grade] for grade in GRADES)),
            reason=texts.EVAL_RESULT_REASON.format(reason=row.reason) if row.reason else "")
        outbox.enqueue(session, f"evaluation:{round_.id}:result:{row.member_id}",
                       members[row.member_id], Notice("evaluation_result", text,
                                                      url=outbox.page_url(page_links.EVALUATION),
                                                      subject=f"evaluation:{round_.id}"), now)
    record_change(session, actor, org_id=round_.branch_id, action="evaluation.close",
                  target=texts.EVAL_AUDIT_TARGET.format(year=round_.year), now=now,
                  after={"members": len(rows), "excellent": excellent,
                         "over_cap_reason": reason or None})
    return Closed(len(rows), excellent, cap)
