"""Study records: what a member opened (so that a following 已学 means it), who studied
what (by themselves or through a helper), and the feedback sent back as proof.

These are the building blocks the actions (models.study.actions, and the pairing's
relay confirmation) are made of; surfaces call the actions, not these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.localtime import same_local_day
from models.members.tables import Member
from models.study.queries import newest_item_id, unread_item_id
from models.study.tables import LINK_MAX, StudyFeedback, StudyItem, StudyRecord, StudyView


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

