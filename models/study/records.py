"""Study records: what a member opened (so that a following 已学 means it), who studied
what (by themselves or through a helper), and the feedback sent back as proof.

These are the building blocks the actions (models.study.actions, and the pairing's
relay confirmation) are made of; surfaces call the actions, not these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.localtime import same_local_day
from models.members.tables import Member
from models.study import hot_statements as hot
from models.study.hot_statements import ItemHeading, ItemText
from models.study.tables import LINK_MAX, VIEW_MEMORY, StudyFeedback, StudyItem, StudyRecord


@dataclass(frozen=True)
class Reading:
    """What 学习 shows: an item (and whether it is an older unread one), or nothing."""

    item: ItemText | None
    older_unread: bool = False
    newest_id: int | None = None  # with no item: the newest one, to offer 学习 <编号>


def item_to_read(session: Session, branch_id: int, member_id: int, now: datetime,
                 tz: ZoneInfo) -> Reading:
    """The newest item the member has not studied (today's first); once today's are
    studied, the next unread one, not the same one again.

    The item shown is remembered, so that a following 已学 means that one.
    """
    newest = hot.newest_item(session, branch_id, now)
    if newest is None:
        return Reading(None)
    unread = hot.unread_item(session, branch_id, member_id, now)
    if unread is None:
        return Reading(None, newest_id=newest[0].id)
    item, published = unread
    hot.remember_view(session, member_id, item.id, now)
    return Reading(hot.item_text(session, item.id),
                   older_unread=not same_local_day(published, now, tz))


def item_meant_by_studied(session: Session, branch_id: int, member_id: int, now: datetime,
                          tz: ZoneInfo) -> ItemHeading | None:
    """What a bare 已学 refers to: the item opened within a day, else today's, else the
    newest unread."""
    viewed = hot.viewed_item(session, member_id, now - VIEW_MEMORY)
    if viewed is not None:
        return viewed
    newest = hot.newest_item(session, branch_id, now)
    if newest is not None and same_local_day(newest[1], now, tz):
        return newest[0]
    unread = hot.unread_item(session, branch_id, member_id, now)
    return None if unread is None else unread[0]


def remember_view(session: Session, member_id: int, item_id: int, now: datetime) -> None:
    """Note the item the member just opened."""
    hot.remember_view(session, member_id, item_id, now)


def record_study(session: Session, item: StudyItem | ItemHeading, member: Member | int,
                 now: datetime, helper: Member | None = None) -> bool:
    """Record that `member` studied `item` (via `helper` if given).

    Returns False if they already had (nothing changes). Safe under concurrent retries:
    the insert ignores a row that a parallel request has just written.
    """
    member_id = member if isinstance(member, int) else member.id
    return hot.insert_record(session, item.id, member_id, now,
                             helper.id if helper is not None else None)


@dataclass(frozen=True)
class Feedback:
    """A photo, a voice message or a few words sent back as proof of study."""

    kind: str  # text / image / voice
    text: str | None = None
    media_id: str | None = None
    url: str | None = None


FEEDBACK_TEXT_MAX = 1000


def attach_feedback(session: Session, record: StudyRecord, feedback: Feedback,
                    now: datetime) -> int:
    """Add the feedback to the study record (the member's own, or the relay's proof),
    after any sent before; returns how many pieces the record now has (flushes)."""
    session.add(StudyFeedback(
        record_id=record.id, kind=feedback.kind,
        text=(feedback.text or "")[:FEEDBACK_TEXT_MAX] or None,
        media_id=(feedback.media_id or "")[:200] or None,
        url=(feedback.url or "")[:LINK_MAX] or None, sent_at=now))
    session.flush()
    return int(session.scalar(select(func.count()).where(
        StudyFeedback.record_id == record.id)) or 0)

