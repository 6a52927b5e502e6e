"""述职评议's changes, one function each: open a round, add or drop a reporter, assign
the 帮评 leader, submit the report (text and files), grade (自评 / 点评 / 帮评), vote
(测评, anonymous), remind who has not submitted, close the round (totals frozen), and
follow up the recommendations and problems of each secretary.

Each takes the acting `Actor` and the time, applies the rule, queues its notices in the
outbox and writes the audit entry; nothing here commits. A closed round refuses every
change. A 测评 vote writes no audit entry and no log line: who voted is in
`review_voter`, what they chose only in the counts of `review_tally`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import page_links, texts, words
from core.localtime import when
from models.actors import Actor
from models.console.audit import record_change
from models.db.base import insert_ignoring_conflict
from models.delivery.outbox import ChannelPolicy, Notice
from models.errors import DomainError
from models.members.org_levels import OrgLevel, level_of
from models.members.org_tables import OrgAdmin
from models.members.orgs import subtree_ids
from models.members.tables import Member
from models.reviews import rules
from models.reviews.queries import report_files
from models.reviews.scores import scores_of, tally_counts
from models.reviews.tables import (
    Grade,
    ItemKind,
    ItemStatus,
    Party,
    ReviewItem,
    ReviewReporter,
    ReviewRound,
    ReviewTally,
    ReviewVoter,
    RoundStatus,
)

REPORT_MAX = 5000  # characters of the report's text; longer goes as a file
ITEM_MAX = 500
FILES_MAX = 10


class ReviewError(DomainError):
    """述职评议: a change that cannot be done."""


def _still_open(review: ReviewRound) -> None:
    if review.status != RoundStatus.OPEN:
        raise ReviewError("REVIEW_ROUND_CLOSED", year=review.year)


def _county_only(session: Session, actor: Actor, review_org: int) -> None:
    if not rules.is_county_staff(session, actor, review_org):
        raise ReviewError("REVIEW_NOT_COUNTY")


def open_round(session: Session, actor: Actor, outbox: ChannelPolicy, county_id: int,
               year: int, deadline: datetime, weights: Mapping[Party, int], now: datetime,
               tz: ZoneInfo) -> ReviewRound:
    """Open the county's round of `year`: the default reporters (rules.default_reporters)
    with their default 帮评 leaders (rules.default_leader), the deadline and the four
    weights (adding up to 100); each reporter is told."""
    _county_only(session, actor, county_id)
    if level_of(session, county_id) is not OrgLevel.COUNTY:
        raise ReviewError("REVIEW_NOT_COUNTY")
    if not 2000 <= year <= 2100:
        raise ReviewError("REVIEW_YEAR_BAD")
    if any(not 0 <= weights.get(p, -1) <= 100 for p in Party):
        raise ReviewError("REVIEW_WEIGHT_BAD")
    if sum(weights.values()) != 100:
        raise ReviewError("REVIEW_WEIGHTS_SUM", total=sum(weights.values()))
    if deadline <= now:
        raise ReviewError("REVIEW_DEADLINE_PAST")
    if session.scalar(select(ReviewRound.id).where(ReviewRound.org_id == county_id,
                                                   ReviewRound.year == year)) is not None:
        raise ReviewError("REVIEW_ROUND_EXISTS", year=year)
    review = ReviewRound(org_id=county_id, year=year, deadline=deadline,
                         weight_self=weights[Party.SELF], weight_county=weights[Party.COUNTY],
                         weight_leader=weights[Party.LEADER],
                         weight_members=weights[Party.MEMBERS], status=RoundStatus.OPEN,
                         opened_at=now, opened_by=actor.name[:100])
    session.add(review)
    session.flush()
    reporters = [_add(session, review, member_id, org_id)
                 for member_id, org_id in rules.default_reporters(session, county_id)]
    for reporter in reporters:
        reporter.leader_id = rules.default_leader(session, reporter.org_id, reporter.member_id)
    session.flush()
    text = texts.REVIEW_OPENED_NOTICE.format(year=year, deadline=when(deadline, tz))
    url = outbox.page_url(page_links.REVIEW)
    outbox.enqueue_many(session, [(f"review-open:{r.id}", r.member) for r in reporters],
                        Notice("review", text + (f"\n{url}" if url else ""), url=url,
                               subject=f"review:{review.id}"), now)
    record_change(session, actor, org_id=county_id, action="review.open",
                  target=words.REVIEW_ROUND_TARGET.format(year=year), now=now,
                  after={"deadline": deadline.isoformat(), "reporters": len(reporters),
                         "weights": {str(p): w for p, w in weights.items()}})
    return review


def _add(session: Session, review: ReviewRound, member_id: int, org_id: int) -> ReviewReporter:
    reporter = ReviewReporter(round_id=review.id, member_id=member_id, org_id=org_id)
    session.add(reporter)
    session.flush()
    session.add_all(ReviewTally(reporter_id=reporter.id, grade=g.value, count=0) for g in Grade)
    session.flush()
    return reporter


def add_reporter(session: Session, actor: Actor, review: ReviewRound, member_id: int,
                 now: datetime) -> ReviewReporter:
    """The county adds a secretary to the list: they report for the township they
    administer, else for their branch."""
    _county_only(session, actor, review.org_id)
    _still_open(review)
    member = session.get(Member, member_id)
    county = set(subtree_ids(session, review.org_id))
    if member is None or member.branch_id not in county:
        raise ReviewError("REVIEW_REPORTER_OUTSIDE", name=member.name if member else "?")
    if session.scalar(select(ReviewReporter.id).where(
            ReviewReporter.round_id == review.id, ReviewReporter.member_id == member_id)):
        raise ReviewError("REVIEW_REPORTER_EXISTS", name=member.name)
    administered = session.scalars(select(OrgAdmin.org_id).where(
        OrgAdmin.member_id == member_id, OrgAdmin.org_id.in_(county))).all()
    townships = [o for o in administered if level_of(session, o) is OrgLevel.TOWNSHIP]
    reporter = _add(session, review, member_id, townships[0] if townships else member.branch_id)
    record_change(session, actor, org_id=reporter.org_id, action="review.add_reporter",
                  target=member.name, now=now, after={"round": review.year})
    return reporter


def drop_reporter(session: Session, actor: Actor, reporter: ReviewReporter,
                  now: datetime) -> None:
    """The county takes a secretary off the list (their report, grades and votes go)."""
    review = reporter.round
    _county_only(session, actor, review.org_id)
    _still_open(review)
    name = reporter.member.name
    for model in (ReviewTally, ReviewVoter, ReviewItem):
        session.query(model).filter(model.reporter_id == reporter.id).delete()
    session.delete(reporter)
    session.flush()
    record_change(session, actor, org_id=review.org_id, action="review.drop_reporter",
                  target=name, now=now, after={"round": review.year})


def assign_leader(session: Session, actor: Actor, outbox: ChannelPolicy,
                  reporter: ReviewReporter, leader_id: int, now: datetime,
                  tz: ZoneInfo) -> None:
    """The county assigns the 帮评 leader (a county or township admin); they are told."""
    review = reporter.round
    _county_only(session, actor, review.org_id)
    _still_open(review)
    leader = session.get(Member, leader_id)
    if leader is None or not rules.may_lead(session, leader_id) \
            or leader_id == reporter.member_id:
        raise ReviewError("REVIEW_LEADER_BAD")
    before = reporter.leader.name if reporter.leader else None
    reporter.leader_id = leader_id
    session.flush()
    session.expire(reporter, ["leader"])
    text = texts.REVIEW_LEADER_NOTICE.format(name=reporter.member.name, org=reporter.org.name,
                                             year=review.year)
    outbox.enqueue(session, f"review-leader:{reporter.id}:{leader_id}", leader,
                   Notice("review", text, subject=f"review:{review.id}"), now)
    record_change(session, actor, org_id=reporter.org_id, action="review.leader",
                  target=reporter.member.name, now=now, before={"leader": before},
                  after={"leader": leader.name})


def _own_report(actor: Actor, reporter: ReviewReporter, now: datetime, tz: ZoneInfo) -> None:
    _still_open(reporter.round)
    if actor.member_id != reporter.member_id:
        raise ReviewError("REVIEW_NOT_REPORTER", name=reporter.member.name)
    if now > reporter.round.deadline:
        raise ReviewError("REVIEW_PAST_DEADLINE", deadline=when(reporter.round.deadline, tz))


def submit_report(session: Session, actor: Actor, reporter: ReviewReporter, text: str,
                  now: datetime, tz: ZoneInfo) -> None:
    """The secretary submits (or resubmits, until the deadline) the report's text."""
    _own_report(actor, reporter, now, tz)
    kept = text.strip()
    if not kept:
        raise ReviewError("REVIEW_REPORT_EMPTY")
    if len(kept) > REPORT_MAX:
        raise ReviewError("REVIEW_REPORT_TOO_LONG", limit=REPORT_MAX, length=len(kept))
    again = reporter.submitted_at is not None
    reporter.report = kept
    reporter.submitted_at = now
    session.flush()
    record_change(session, actor, org_id=reporter.org_id, action="review.submit",
                  target=words.REVIEW_REPORT_TARGET.format(year=reporter.round.year), now=now,
                  after={"chars": len(kept), "again": again})


def add_report_file(session: Session, actor: Actor, reporter: ReviewReporter,
                    store: Callable[[], str], now: datetime, tz: ZoneInfo) -> str:
    """The secretary adds a file to the report (`store` writes it and its row, checking
    the quotas: models.db.stored_files); returns its name."""
    _own_report(actor, reporter, now, tz)
    if len(report_files(session, reporter.id)) >= FILES_MAX:
        raise ReviewError("REVIEW_FILES_FULL", limit=FILES_MAX)
    name = store()
    record_change(session, actor, org_id=reporter.org_id, action="review.file",
                  target=words.REVIEW_REPORT_TARGET.format(year=reporter.round.year), now=now,
                  after={"file": name})
    return name


def grade(session: Session, actor: Actor, reporter: ReviewReporter, party: Party,
          given: str, now: datetime) -> Grade:
    """自评 (the secretary), 点评 (county staff) or 帮评 (the assigned leader)."""
    _still_open(reporter.round)
    chosen = rules.parse_grade(given)
    if chosen is None:
        raise ReviewError("REVIEW_GRADE_BAD")
    name = reporter.member.name
    if party is Party.SELF:
        if actor.member_id != reporter.member_id:
            raise ReviewError("REVIEW_NOT_REPORTER", name=name)
        before, reporter.grade_self = reporter.grade_self, chosen.value
    elif party is Party.COUNTY:
        _county_only(session, actor, reporter.round.org_id)
        before, reporter.grade_county = reporter.grade_county, chosen.value
        reporter.county_by = actor.name[:100]
    elif party is Party.LEADER:
        if reporter.leader_id is None or actor.member_id != reporter.leader_id:
            raise ReviewError("REVIEW_NOT_LEADER", name=name)
        before, reporter.grade_leader = reporter.grade_leader, chosen.value
    else:
        raise ReviewError("REVIEW_GRADE_BAD")
    session.flush()
    record_change(session, actor, org_id=reporter.org_id, action=f"review.grade_{party}",
                  target=name, now=now, before={"grade": before}, after={"grade": chosen.value})
    return chosen


def _lock_open(session: Session, reporter: ReviewReporter) -> None:
    """The round's row, shared-locked on PostgreSQL (a close waits for votes in flight,
    and a vote after the close sees it closed)."""
    status = session.scalar(select(ReviewRound.status).where(
        ReviewRound.id == reporter.round_id).with_for_update(read=True))
    if status != RoundStatus.OPEN:
        raise ReviewError("REVIEW_ROUND_CLOSED", year=reporter.round.year)


def _count(session: Session, reporter: ReviewReporter, voter_key: str, chosen: Grade) -> None:
    if not insert_ignoring_conflict(session, ReviewVoter,
                                    {"reporter_id": reporter.id, "voter_key": voter_key}):
        raise ReviewError("REVIEW_VOTED_ALREADY", name=reporter.member.name)
    session.execute(update(ReviewTally).where(
        ReviewTally.reporter_id == reporter.id, ReviewTally.grade == chosen.value)
        .values(count=ReviewTally.count + 1).execution_options(synchronize_session=False))


def cast_vote(session: Session, member_id: int, reporter: ReviewReporter, given: str) -> Grade:
    """测评: one member's anonymous vote on a secretary of their branch or township.
    One vote per member (the unique `review_voter` row; of two at once, one counts).
    No audit entry, no time, no log: nothing ties the voter to the grade."""
    chosen = rules.parse_grade(given)
    if chosen is None:
        raise ReviewError("REVIEW_GRADE_BAD")
    _lock_open(session, reporter)
    member = session.get(Member, member_id)
    if member is None or reporter.org_id not in rules.ancestors(session, member.branch_id):
        raise ReviewError("REVIEW_VOTE_NOT_MEMBER", org=reporter.org.name,
                          name=reporter.member.name)
    if member_id == reporter.member_id:
        raise ReviewError("REVIEW_VOTE_SELF")
    _count(session, reporter, f"member:{member_id}", chosen)
    return chosen


def enter_representative_vote(session: Session, actor: Actor, reporter: ReviewReporter,
                              name: str, given: str, now: datetime) -> None:
    """A residents' representative's 测评, entered by staff above the reporter's org
    (one per name). Audited without the grade."""
    chosen = rules.parse_grade(given)
    if chosen is None:
        raise ReviewError("REVIEW_GRADE_BAD")
    kept = " ".join(name.split())
    if not kept or len(kept) > 50:
        raise ReviewError("REVIEW_REP_NAME_BAD")
    if not rules.is_staff_over(session, actor, reporter.org_id):
        raise ReviewError("REVIEW_NOT_STAFF")
    _lock_open(session, reporter)
    _count(session, reporter, f"rep:{kept}", chosen)
    record_change(session, actor, org_id=reporter.org_id, action="review.rep_vote",
                  target=reporter.member.name, now=now, after={"representative": kept})


def remind_missing(session: Session, actor: Actor, outbox: ChannelPolicy,
                   review: ReviewRound, now: datetime, tz: ZoneInfo) -> int:
    """Remind each reporter who has not submitted: once per local day at most."""
    _county_only(session, actor, review.org_id)
    _still_open(review)
    if now > review.deadline:
        raise ReviewError("REVIEW_REMIND_TOO_LATE", deadline=when(review.deadline, tz))
    today = now.astimezone(tz).date()
    missing = list(session.scalars(select(ReviewReporter).where(
        ReviewReporter.round_id == review.id, ReviewReporter.submitted_at.is_(None))
        .order_by(ReviewReporter.id)))
    due = [r for r in missing if r.reminded_on != today]
    text = texts.REVIEW_REMIND_NOTICE.format(year=review.year,
                                             deadline=when(review.deadline, tz))
    url = outbox.page_url(page_links.REVIEW)
    outbox.enqueue_many(session, [(f"review-remind:{r.id}:{today}", r.member) for r in due],
                        Notice("review", text + (f"\n{url}" if url else ""), url=url,
                               subject=f"review:{review.id}"), now)
    for reporter in due:
        reporter.reminded_on = today
    session.flush()
    if due:
        record_change(session, actor, org_id=review.org_id, action="review.remind",
                      target=words.REVIEW_ROUND_TARGET.format(year=review.year), now=now,
                      after={"reminded": len(due)})
    return len(due)


def set_deadline(session: Session, actor: Actor, review: ReviewRound, deadline: datetime,
                 now: datetime) -> None:
    """The county moves the reports' deadline (to a moment still ahead)."""
    _county_only(session, actor, review.org_id)
    _still_open(review)
    if deadline <= now:
        raise ReviewError("REVIEW_DEADLINE_PAST")
    before, review.deadline = review.deadline, deadline
    session.flush()
    record_change(session, actor, org_id=review.org_id, action="review.deadline",
                  target=words.REVIEW_ROUND_TARGET.format(year=review.year), now=now,
                  before={"deadline": before.isoformat()},
                  after={"deadline": deadline.isoformat()})


def close_round(session: Session, actor: Actor, review: ReviewRound, now: datetime) -> None:
    """The county closes the round: every reporter's 测评 score and weighted total are
    computed and kept; from then on nothing in the round changes."""
    _county_only(session, actor, review.org_id)
    session.execute(select(ReviewRound.id).where(ReviewRound.id == review.id)
                    .with_for_update())
    session.refresh(review)
    _still_open(review)
    reporters = list(session.scalars(select(ReviewReporter).where(
        ReviewReporter.round_id == review.id)))
    counts = tally_counts(session, [r.id for r in reporters])
    for reporter in reporters:
        scores = scores_of(reporter, counts[reporter.id])
        reporter.members_score = scores[Party.MEMBERS]
        reporter.total = rules.weighted_total(scores, review.weights)
    review.status = RoundStatus.CLOSED
    review.closed_at, review.closed_by = now, actor.name[:100]
    session.flush()
    record_change(session, actor, org_id=review.org_id, action="review.close",
                  target=words.REVIEW_ROUND_TARGET.format(year=review.year), now=now,
                  after={"reporters": len(reporters)})


def add_item(session: Session, actor: Actor, reporter: ReviewReporter, kind: ItemKind,
             text: str, day: date, due: date | None, now: datetime) -> ReviewItem:
    """Record a recommendation the secretary gave or a problem they took on (by the
    secretary, or staff above their org)."""
    _still_open(reporter.round)
    if actor.member_id != reporter.member_id \
            and not rules.is_staff_over(session, actor, reporter.org_id):
        raise ReviewError("REVIEW_NOT_STAFF")
    kept = text.strip()
    if not kept or len(kept) > ITEM_MAX:
        raise ReviewError("REVIEW_ITEM_TEXT_BAD", limit=ITEM_MAX)
    item = ReviewItem(reporter_id=reporter.id, kind=kind.value, text=kept, day=day, due=due,
                      status=ItemStatus.OPEN, added_by=actor.name[:100])
    session.add(item)
    session.flush()
    record_change(session, actor, org_id=reporter.org_id, action=f"review.{kind}",
                  target=kept[:60], now=now, after={"secretary": reporter.member.name,
                                                    "due": due.isoformat() if due else None})
    return item


def close_item(session: Session, actor: Actor, item: ReviewItem, note: str,
               now: datetime) -> None:
    """Mark an item done with a note; confirmed by staff above the secretary's org,
    never by the secretary."""
    reporter = session.get(ReviewReporter, item.reporter_id)
    assert reporter is not None
    _still_open(reporter.round)
    if item.status == ItemStatus.DONE:
        raise ReviewError("REVIEW_ITEM_DONE_ALREADY")
    if actor.member_id == reporter.member_id:
        raise ReviewError("REVIEW_ITEM_OWN")
    if not rules.is_staff_over(session, actor, reporter.org_id):
        raise ReviewError("REVIEW_NOT_STAFF")
    kept = note.strip()
    if not kept:
        raise ReviewError("REVIEW_ITEM_NOTE_EMPTY")
    item.status, item.done_at = ItemStatus.DONE, now
    item.done_note, item.confirmed_by = kept[:ITEM_MAX], actor.name[:100]
    session.flush()
    record_change(session, actor, org_id=reporter.org_id, action="review.item_done",
                  target=item.text[:60], now=now, after={"note": item.done_note})
