"""Study reports: a member's year (我的), a branch's week (未学), and the console's
study pages (who has studied an item, per branch; the 心得 sent on it).

Forgotten members (models.members.forget): a 未学 list never names one (nobody can reach
them, and the pseudonym would be listed forever). An item's audience — the "out of N"
of a rate — holds them only for items published before they were forgotten
(`in_audience_at`), so a past week's rate stays what it was; their 已学 records stay
counted, as every count of records does."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from core.localtime import current_streak, start_of_week, start_of_year
from models.meetings.attendance import attended_count
from models.members.org_tables import Org
from models.members.orgs import subtree_ids
from models.members.tables import Member, in_audience_at, live_member
from models.study.queries import ancestor_ids, visible_items
from models.study.tables import StudyFeedback, StudyItem, StudyRecord

STREAK_LOOKBACK = timedelta(days=400)


@dataclass
class BranchStudy:
    """Study in one branch over a period (the weekly digest's week, the console's)."""

    expected: int = 0  # members × items they were meant to study
    studied: int = 0

    @property
    def rate(self) -> float | None:
        """studied / expected."""
        return self.studied / self.expected if self.expected else None


def study_by_branch(session: Session, start: datetime, end: datetime,
                    branch_ids: list[int] | None = None) -> dict[int, BranchStudy]:
    """For every branch (or these): how many study records the items published in
    [start, end) should have — members × the items meant for them — and have."""
    orgs = {org_id: parent for org_id, parent in session.execute(select(Org.id, Org.parent_id))}
    items = list(session.execute(select(StudyItem.id, StudyItem.org_id, StudyItem.publish_at)
                                 .where(StudyItem.publish_at >= start, StudyItem.publish_at < end,
                                        StudyItem.withdrawn_at.is_(None))))
    counted = select(Member.branch_id, func.count()).where(live_member()) \
        .group_by(Member.branch_id)
    gone = select(Member.branch_id, Member.forgotten_at).where(
        Member.forgotten_at.is_not(None), Member.forgotten_at > start)
    if branch_ids is not None:
        counted = counted.where(Member.branch_id.in_(branch_ids))
        gone = gone.where(Member.branch_id.in_(branch_ids))
    members: dict[int, int] = {branch: number for branch, number in session.execute(counted)}
    forgotten: dict[int, list[datetime]] = defaultdict(list)  # forgotten within the period
    for branch_id, when in session.execute(gone):
        if when is not None:
            forgotten[branch_id].append(when)
            members.setdefault(branch_id, 0)
    if not items or not members:
        return {}
    studied: dict[tuple[int, int], int] = {
        (branch_id, item_id): number for branch_id, item_id, number in session.execute(
            select(Member.branch_id, StudyRecord.item_id, func.count())
            .join(Member, StudyRecord.member_id == Member.id)
            .where(StudyRecord.item_id.in_([item_id for item_id, _, _ in items]),
                   Member.branch_id.in_(list(members)))
            .group_by(Member.branch_id, StudyRecord.item_id))}
    result: dict[int, BranchStudy] = defaultdict(BranchStudy)
    for branch_id, count in members.items():
        chain: set[int] = set()
        org: int | None = branch_id
        while org is not None and org not in chain:
            chain.add(org)
            org = orgs.get(org)
        for item_id, audience, published in items:
            if audience in chain:
                result[branch_id].expected += count + sum(
                    1 for when in forgotten[branch_id] if when > published)
                result[branch_id].studied += studied.get((branch_id, item_id), 0)
    return result


@dataclass(frozen=True)
class YearRecord:
    """我的: a member's year so far."""

    year: int
    studies: int
    streak: int
    meetings: int


def year_record(session: Session, member: Member, now: datetime, tz: ZoneInfo) -> YearRecord:
    """Items studied this year, the current streak of study days, meetings attended."""
    since = start_of_year(now, tz)
    studies = session.scalar(select(func.count()).select_from(StudyRecord).where(
        StudyRecord.member_id == member.id, StudyRecord.studied_at >= since)) or 0
    days = session.scalars(select(StudyRecord.studied_at).where(
        StudyRecord.member_id == member.id, StudyRecord.studied_at >= now - STREAK_LOOKBACK))
    return YearRecord(now.astimezone(tz).year, studies, current_streak(days, now, tz),
                      attended_count(session, member, since))


@dataclass(frozen=True)
class ItemProgress:
    """One item and who in the branch has (not) studied it."""

    item: StudyItem
    done: int
    total: int
    missing: list[str]


def progress_this_week(session: Session, branch_id: int, now: datetime,
                       tz: ZoneInfo) -> list[ItemProgress]:
    """未学: this week's items for the branch, and who has not studied each."""
    items: list[StudyItem] = list(session.scalars(
        visible_items(branch_id, now).where(StudyItem.publish_at >= start_of_week(now, tz))))
    if not items:
        return []
    members = list(session.execute(select(Member.id, Member.name, Member.forgotten_at)
                                   .where(Member.branch_id == branch_id).order_by(Member.id)))
    done: dict[int, set[int]] = {item.id: set() for item in items}
    for item_id, member_id in session.execute(
            select(StudyRecord.item_id, StudyRecord.member_id).join(
                Member, StudyRecord.member_id == Member.id)
            .where(StudyRecord.item_id.in_(list(done)), Member.branch_id == branch_id)):
        done[item_id].add(member_id)
    return [ItemProgress(item, len(done[item.id]),
                         sum(1 for _, _, gone in members if gone is None or gone > item.publish_at),
                         [name for member_id, name, gone in members
                          if gone is None and member_id not in done[item.id]])
            for item in items]


@dataclass(frozen=True)
class BranchProgress:
    """How far one branch is with one item."""

    branch_id: int
    name: str
    done: int
    total: int


def item_progress_by_branch(session: Session, item_id: int,
                            branch_ids: list[int]) -> list[BranchProgress]:
    """For each branch: members who studied the item, out of all its members (two
    grouped queries, whatever the number of branches); least done first."""
    published = session.scalar(select(StudyItem.publish_at).where(StudyItem.id == item_id))
    if not branch_ids or published is None:
        return []
    totals = dict(session.execute(select(Member.branch_id, func.count(Member.id))
                                  .where(Member.branch_id.in_(branch_ids),
                                         in_audience_at(published))
                                  .group_by(Member.branch_id)).all())
    done = dict(session.execute(select(Member.branch_id, func.count(StudyRecord.id))
                                .join(Member, Member.id == StudyRecord.member_id)
                                .where(StudyRecord.item_id == item_id,
                                       Member.branch_id.in_(branch_ids))
                                .group_by(Member.branch_id)).all())
    names = dict(session.execute(select(Org.id, Org.name).where(Org.id.in_(branch_ids))).all())
    rows = [BranchProgress(b, names.get(b, ""), done.get(b, 0), totals.get(b, 0))
            for b in branch_ids]
    return sorted(rows, key=lambda r: (r.done / r.total if r.total else 1.0, r.name))


def not_studied(session: Session, item_id: int, branch_id: int) -> list[str]:
    """Names of the branch's members who have not studied the item (never a forgotten
    one)."""
    studied = select(StudyRecord.member_id).where(StudyRecord.item_id == item_id)
    return list(session.scalars(select(Member.name).where(
        Member.branch_id == branch_id, Member.id.not_in(studied), live_member())
        .order_by(Member.name)))


@dataclass(frozen=True)
class FeedbackLine:
    """One piece of 心得 as the console lists it."""

    name: str
    branch: str
    kind: str  # text / image / voice
    text: str | None
    url: str | None
    sent_at: datetime
    via_helper: bool


def feedback_on(session: Session, item_id: int, branch_ids: list[int],
                limit: int = 200) -> list[FeedbackLine]:
    """The 心得 members of these branches sent on the item, newest first."""
    rows = session.execute(
        select(Member.name, Org.name, StudyFeedback.kind, StudyFeedback.text,
               StudyFeedback.url, StudyFeedback.sent_at, StudyRecord.via)
        .join(StudyRecord, StudyRecord.id == StudyFeedback.record_id)
        .join(Member, Member.id == StudyRecord.member_id)
        .join(Org, Org.id == Member.branch_id)
        .where(StudyRecord.item_id == item_id, Member.branch_id.in_(branch_ids))
        .order_by(StudyFeedback.sent_at.desc(), StudyFeedback.id.desc()).limit(limit)).all()
    return [FeedbackLine(name, branch, kind, text, url, sent_at, via == "helper")
            for name, branch, kind, text, url, sent_at, via in rows]


@dataclass(frozen=True)
class ItemLine:
    """An item in the console's list: studied by how many members below the org."""

    item: StudyItem
    done: int
    feedback: int


def items_seen_by(session: Session, org_id: int, member_ids_below: Select[Any],
                  limit: int = 50) -> list[ItemLine]:
    """Items posted to the org or above it (what its members see), newest first,
    scheduled and withdrawn ones included, with how many members below studied each."""
    items = list(session.scalars(select(StudyItem).where(
        StudyItem.org_id.in_(ancestor_ids(session, org_id)))
        .order_by(StudyItem.publish_at.desc(), StudyItem.id.desc()).limit(limit)))
    ids = [item.id for item in items]
    done = dict(session.execute(select(StudyRecord.item_id, func.count(StudyRecord.id))
                                .where(StudyRecord.item_id.in_(ids),
                                       StudyRecord.member_id.in_(member_ids_below))
                                .group_by(StudyRecord.item_id)).all()) if ids else {}
    feedback = dict(session.execute(
        select(StudyRecord.item_id, func.count(StudyFeedback.id))
        .join(StudyFeedback, StudyFeedback.record_id == StudyRecord.id)
        .where(StudyRecord.item_id.in_(ids), StudyRecord.member_id.in_(member_ids_below))
        .group_by(StudyRecord.item_id)).all()) if ids else {}
    return [ItemLine(item, done.get(item.id, 0), feedback.get(item.id, 0)) for item in items]


def audience_sizes(session: Session, branch_ids: list[int],
                   items: list[StudyItem]) -> dict[int, int]:
    """How many members of these branches each item's audience holds: the live ones, and
    those forgotten after it was published (two queries, whatever the number of items)."""
    if not items:
        return {}
    live = session.scalar(select(func.count(Member.id)).where(
        Member.branch_id.in_(branch_ids), live_member())) or 0
    gone = [when for when in session.scalars(select(Member.forgotten_at).where(
        Member.branch_id.in_(branch_ids), ~live_member(),
        in_audience_at(min(item.publish_at for item in items)))) if when is not None]
    return {item.id: live + sum(1 for when in gone if when > item.publish_at)
            for item in items}


@dataclass(frozen=True)
class PostedBelowLine:
    """An item an org below posted for its own members (a branch's own study), with how
    many of that org's members studied it."""

    item: StudyItem
    org_name: str
    done: int
    audience: int


def items_posted_below(session: Session, org_id: int, limit: int = 50) -> list[PostedBelowLine]:
    """Items posted to orgs strictly below `org_id`, newest first, each with how many of
    its own audience (the members under the org it was posted to) studied it."""
    below = [i for i in subtree_ids(session, org_id) if i != org_id]
    if not below:
        return []
    items = list(session.scalars(select(StudyItem).where(StudyItem.org_id.in_(below))
                                 .order_by(StudyItem.publish_at.desc(), StudyItem.id.desc())
                                 .limit(limit)))
    if not items:
        return []
    posted_to = {item.org_id for item in items}
    names: dict[int, str] = {org: name for org, name in session.execute(
        select(Org.id, Org.name).where(Org.id.in_(posted_to)))}
    audiences: dict[int, int] = {}
    for org in posted_to:
        audiences.update(audience_sizes(session, subtree_ids(session, org),
                                        [item for item in items if item.org_id == org]))
    # only the org's own members see its item, so every record of it is theirs
    done: dict[int, int] = {item: count for item, count in session.execute(
        select(StudyRecord.item_id, func.count(StudyRecord.id))
        .where(StudyRecord.item_id.in_([i.id for i in items]))
        .group_by(StudyRecord.item_id))}
    return [PostedBelowLine(item, names.get(item.org_id, ""), done.get(item.id, 0),
                            audiences[item.id]) for item in items]
