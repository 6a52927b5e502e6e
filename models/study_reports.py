"""Study reports: a member's year (我的) and a branch's week (未学)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.localtime import current_streak, start_of_week, start_of_year
from models.attendance import attended_count
from models.member import Member
from models.study import StudyItem, StudyRecord, visible_items

STREAK_LOOKBACK = timedelta(days=400)


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
    members = list(session.execute(select(Member.id, Member.name)
                                   .where(Member.branch_id == branch_id).order_by(Member.id)))
    done: dict[int, set[int]] = {item.id: set() for item in items}
    for item_id, member_id in session.execute(
            select(StudyRecord.item_id, StudyRecord.member_id).join(
                Member, StudyRecord.member_id == Member.id)
            .where(StudyRecord.item_id.in_(list(done)), Member.branch_id == branch_id)):
        done[item_id].add(member_id)
    return [ItemProgress(item, len(done[item.id]), len(members),
                         [name for member_id, name in members if member_id not in done[item.id]])
            for item in items]
