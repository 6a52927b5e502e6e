"""Study content: items posted to an org and everything below it, who studied what
(by themselves or through a helper), and the feedback they sent back as proof.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Select,
    bindparam,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.localtime import same_local_day
from models.db.base import UTCDateTime
from models.errors import StudyError
from models.members.org_tables import Org
from models.members.tables import Member
from models.study.hot_reads import newest_item_id, unread_item_id
from models.study.tables import (
    FEEDBACK_WINDOW,
    LINK_MAX,
    VIEW_MEMORY,
    StudyFeedback,
    StudyItem,
    StudyRecord,
    StudyView,
)


def _ancestors(org_id: Any) -> Any:
    """A recursive CTE of `org_id` and its ancestors (items posted to any of them reach
    members of `org_id`)."""
    chain = select(Org.id, Org.parent_id).where(Org.id == org_id).cte("chain", recursive=True)
    return chain.union_all(select(Org.id, Org.parent_id).where(Org.id == chain.c.parent_id))


def ancestor_ids(session: Session, org_id: int) -> list[int]:
    """`org_id` and every org above it (a recursive query)."""
    return list(session.scalars(_ANCESTORS, {"branch_id": org_id}))


# The reading statements are built once: 学习 and 已学 are the busiest commands after
# 帮助, and building a recursive CTE costs more than running it.
_ANCESTORS = select(_ancestors(bindparam("branch_id")).c.id)
_VISIBLE = (select(StudyItem)
            .where(StudyItem.org_id.in_(_ANCESTORS),
                   StudyItem.publish_at <= bindparam("now", type_=UTCDateTime()),
                   StudyItem.withdrawn_at.is_(None))
            .order_by(StudyItem.publish_at.desc(), StudyItem.id.desc()))
_NEWEST = _VISIBLE.limit(1)
_UNREAD = _VISIBLE.where(StudyItem.id.not_in(
    select(StudyRecord.item_id).where(StudyRecord.member_id == bindparam("member_id")))
).limit(1)
_BY_ID = _VISIBLE.where(StudyItem.id == bindparam("item_id"))


def visible_items(branch_id: int, now: datetime) -> Select[Any]:
    """A query for the published items a member of `branch_id` sees, newest first."""
    return _VISIBLE.params(branch_id=branch_id, now=now)


def newest_item(session: Session, branch_id: int, now: datetime) -> StudyItem | None:
    """The newest item the branch sees."""
    item: StudyItem | None = session.scalar(_NEWEST, {"branch_id": branch_id, "now": now})
    return item


def unread_item(session: Session, branch_id: int, member_id: int,
                now: datetime) -> StudyItem | None:
    """The newest visible item this member has not studied."""
    item: StudyItem | None = session.scalar(
        _UNREAD, {"branch_id": branch_id, "member_id": member_id, "now": now})
    return item


def latest_unread(session: Session, member: Member, now: datetime) -> StudyItem | None:
    """The newest visible item this member has not studied."""
    return unread_item(session, member.branch_id, member.id, now)


def visible_item(session: Session, branch_id: int, item_id: int,
                 now: datetime) -> StudyItem:
    """Item `item_id` if the branch sees it; StudyError otherwise."""
    item: StudyItem | None = session.scalar(
        _BY_ID, {"branch_id": branch_id, "now": now, "item_id": item_id})
    if item is None:
        withdrawn = session.scalar(select(StudyItem.title).where(
            StudyItem.id == item_id, StudyItem.withdrawn_at.is_not(None)))
        if withdrawn is not None:
            raise StudyError("STUDY_WITHDRAWN", id=item_id, title=withdrawn)
        raise StudyError("STUDY_NO_SUCH_ITEM", id=item_id)
    return item


@dataclass(frozen=True)
class Reading:
    """What 学习 shows: an item (and whether it is an older unread one), or nothing."""

    item: StudyItem | None
    older_unread: bool = False
    newest_id: int | None = None  # with no item: the newest one, to offer 学习 <编号>


def item_to_read(session: Session, branch_id: int, member_id: int, now: datetime,
                 tz: ZoneInfo) -> Reading:
    """The newest item the member has not studied (today's first); once today's are
    studied, the next unread one, not the same one again.

    The item shown is remembered, so that a following 已学 means that one.
    """
    newest = newest_item_id(session, branch_id, now)
    if newest is None:
        return Reading(None)
    unread = unread_item_id(session, branch_id, member_id, now)
    if unread is None:
        return Reading(None, newest_id=newest[0])
    unread_id, published = unread
    remember_view(session, member_id, unread_id, now)
    return Reading(session.get_one(StudyItem, unread_id),
                   older_unread=not same_local_day(published, now, tz))


def item_meant_by_studied(session: Session, branch_id: int, member_id: int, now: datetime,
                          tz: ZoneInfo) -> StudyItem | None:
    """What a bare 已学 refers to: the item opened within a day, else today's, else the
    newest unread."""
    viewed = session.scalar(
        select(StudyItem).join(StudyView, StudyView.item_id == StudyItem.id)
        .where(StudyView.member_id == member_id, StudyView.viewed_at >= now - VIEW_MEMORY))
    if viewed is not None:
        return viewed
    newest = newest_item_id(session, branch_id, now)
    if newest is not None and same_local_day(newest[1], now, tz):
        return session.get_one(StudyItem, newest[0])
    unread = unread_item_id(session, branch_id, member_id, now)
    return None if unread is None else session.get_one(StudyItem, unread[0])


def _upserts(dialect_insert: Any) -> tuple[Any, Any]:
    """The view upsert and the record insert for one dialect (built once each)."""
    view = dialect_insert(StudyView).values(member_id=bindparam("member_id"),
                                            item_id=bindparam("item_id"),
                                            viewed_at=bindparam("now"))
    view = view.on_conflict_do_update(
        index_elements=["member_id"],
        set_={"item_id": view.excluded.item_id, "viewed_at": view.excluded.viewed_at})
    record = (dialect_insert(StudyRecord)
              .values(item_id=bindparam("item_id"), member_id=bindparam("member_id"),
                      studied_at=bindparam("now"), via=bindparam("via"),
                      helper_id=bindparam("helper_id"))
              .on_conflict_do_nothing(index_elements=["item_id", "member_id"])
              .returning(StudyRecord.id))
    return view, record


_UPSERTS = {"postgresql": _upserts(postgresql.insert), "sqlite": _upserts(sqlite.insert)}


def _statements(session: Session) -> tuple[Any, Any]:
    return _UPSERTS[session.get_bind().dialect.name]


def remember_view(session: Session, member_id: int, item_id: int, now: datetime) -> None:
    """Note the item the member just opened."""
    session.execute(_statements(session)[0],
                    {"member_id": member_id, "item_id": item_id, "now": now})


def record_study(session: Session, item: StudyItem, member: Member | int, now: datetime,
                 helper: Member | None = None) -> bool:
    """Record that `member` studied `item` (via `helper` if given).

    Returns False if they already had (nothing changes). Safe under concurrent retries:
    the insert ignores a row that a parallel request has just written.
    """
    member_id = member if isinstance(member, int) else member.id
    inserted = session.execute(_statements(session)[1], {
        "item_id": item.id, "member_id": member_id, "now": now,
        "via": "helper" if helper else "self", "helper_id": helper.id if helper else None,
    }).first()
    return inserted is not None


def recent_record_for_feedback(session: Session, member_id: int,
                               now: datetime) -> StudyRecord | None:
    """The record of the member's own 已学 within the feedback window (the latest)."""
    return session.scalar(
        select(StudyRecord).where(StudyRecord.member_id == member_id,
                                  StudyRecord.studied_at >= now - FEEDBACK_WINDOW,
                                  StudyRecord.via == "self")
        .order_by(StudyRecord.studied_at.desc()).limit(1))


def recent_relay_record(session: Session, helper_id: int, now: datetime) -> StudyRecord | None:
    """The record of a helper's 帮学 … 完成 within the feedback window (the latest)."""
    return session.scalar(
        select(StudyRecord).where(StudyRecord.helper_id == helper_id,
                                  StudyRecord.studied_at >= now - FEEDBACK_WINDOW)
        .order_by(StudyRecord.studied_at.desc()).limit(1))


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

