"""Study, read only: which items a member's branch sees (posted to it or to any org
above it) and the records a 心得 can be attached to. (学习 and 已学's own reads are
prepared statements: models.study.hot_statements.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, bindparam, exists, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from models.db.base import UTCDateTime
from models.errors import StudyError
from models.members.org_tables import Org
from models.members.tables import Member
from models.study.tables import (
    FEEDBACK_WINDOW,
    StudyFeedback,
    StudyItem,
    StudyRecord,
    summarize,
)


def _ancestors(org_id: Any) -> Any:
    """A recursive CTE of `org_id` and its ancestors (items posted to any of them reach
    members of `org_id`)."""
    chain = select(Org.id, Org.parent_id).where(Org.id == org_id).cte("chain", recursive=True)
    return chain.union_all(select(Org.id, Org.parent_id).where(Org.id == chain.c.parent_id))


def ancestor_ids(session: Session, org_id: int) -> list[int]:
    """`org_id` and every org above it (a recursive query)."""
    return list(session.scalars(_ANCESTORS, {"branch_id": org_id}))


class _InAncestors(ColumnElement[bool]):
    """`column IN (the ancestors)`, written so each database plans it well: PostgreSQL
    estimates a recursive CTE at 101 rows and answers `IN (subquery)` with a scan of
    every study item of the county (65-100 ms with 100,000 members), while
    `= ANY(ARRAY(subquery))` runs the CTE once and reads the few orgs' items through
    ix_study_item_org_id_publish_at (under 1 ms)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # no "= 1" after it on SQLite
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),  # noqa: RUF012
                           ("ids", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any, ids: Any) -> None:
        self.column = column
        self.ids = ids


@compiles(_InAncestors)
def _in_ancestors(element: _InAncestors, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} IN {compiler.process(element.ids, **kw)}"


@compiles(_InAncestors, "postgresql")
def _in_ancestors_pg(element: _InAncestors, compiler: SQLCompiler, **kw: Any) -> str:
    return (f"{compiler.process(element.column, **kw)} = "
            f"ANY(ARRAY{compiler.process(element.ids, **kw)})")


def in_ancestors(column: Any, org_id: Any) -> ColumnElement[bool]:
    """`column` is `org_id` or an org above it (a recursive CTE, planned well)."""
    return _InAncestors(column, select(_ancestors(org_id).c.id).scalar_subquery())


# The reading statements are built once: 学习 and 已学 are the busiest commands after
# 帮助, and building a recursive CTE costs more than running it.
_ANCESTORS = select(_ancestors(bindparam("branch_id")).c.id)
_IN_ANCESTORS = in_ancestors(StudyItem.org_id, bindparam("branch_id"))
_VISIBLE = (select(StudyItem)
            .where(_IN_ANCESTORS,
                   StudyItem.publish_at <= bindparam("now", type_=UTCDateTime()),
                   StudyItem.withdrawn_at.is_(None))
            .order_by(StudyItem.publish_at.desc(), StudyItem.id.desc()))
NEWEST = _VISIBLE.limit(1)
# NOT EXISTS, not NOT IN: PostgreSQL plans NOT IN (subquery) as a filter over every
# item of the county (75 ms with 100,000 items), NOT EXISTS as an anti-join on the
# branch's own items (under 2 ms).
UNREAD = _VISIBLE.where(~exists().where(StudyRecord.item_id == StudyItem.id,
                                        StudyRecord.member_id == bindparam("member_id"))
                        ).limit(1)
_BY_ID = _VISIBLE.where(StudyItem.id == bindparam("item_id"))


def visible_items(branch_id: int, now: datetime) -> Select[Any]:
    """A query for the published items a member of `branch_id` sees, newest first."""
    return _VISIBLE.params(branch_id=branch_id, now=now)


def newest_item(session: Session, branch_id: int, now: datetime) -> StudyItem | None:
    """The newest item the branch sees."""
    item: StudyItem | None = session.scalar(NEWEST, {"branch_id": branch_id, "now": now})
    return item


def unread_item(session: Session, branch_id: int, member_id: int,
                now: datetime) -> StudyItem | None:
    """The newest visible item this member has not studied."""
    item: StudyItem | None = session.scalar(
        UNREAD, {"branch_id": branch_id, "member_id": member_id, "now": now})
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


def unread_count(session: Session, branch_id: int, member_id: int, now: datetime) -> int:
    """How many visible items this member has not studied ("我该干什么")."""
    unread = _VISIBLE.where(StudyItem.id.not_in(
        select(StudyRecord.item_id).where(StudyRecord.member_id == member_id))
    ).order_by(None).params(branch_id=branch_id, now=now).subquery()
    return int(session.scalar(select(func.count()).select_from(unread)) or 0)


def latest_own_feedback(session: Session, member_id: int,
                        since: datetime) -> StudyFeedback | None:
    """The member's last 心得 on their own 已学, sent since `since` (撤回心得)."""
    return session.scalar(
        select(StudyFeedback).join(StudyRecord, StudyRecord.id == StudyFeedback.record_id)
        .where(StudyRecord.member_id == member_id, StudyRecord.via == "self",
               StudyFeedback.sent_at >= since)
        .order_by(StudyFeedback.sent_at.desc(), StudyFeedback.id.desc()).limit(1))


# A list shows a summary: the body's first characters are enough for it (whitespace runs
# fold into one space, so more than the summary's 60 are read).
_LISTED_BODY = 400
_LIST = (select(StudyItem.id, StudyItem.title, func.substr(StudyItem.body, 1, _LISTED_BODY),
                StudyItem.publish_at, Org.name,
                select(StudyRecord.id).where(StudyRecord.item_id == StudyItem.id,
                                             StudyRecord.member_id == bindparam("member_id"))
                .exists())
         .join(Org, Org.id == StudyItem.org_id)
         .where(_IN_ANCESTORS,
                StudyItem.publish_at <= bindparam("now", type_=UTCDateTime()),
                StudyItem.withdrawn_at.is_(None))
         .order_by(StudyItem.publish_at.desc(), StudyItem.id.desc())
         .limit(bindparam("limit")).offset(bindparam("offset")))


@dataclass(frozen=True)
class ListedItem:
    """An item as a list shows it, with whether the member studied it."""

    id: int
    title: str
    summary: str
    published: datetime
    org_name: str
    studied: bool


def listed_items(session: Session, branch_id: int, member_id: int, now: datetime,
                 limit: int, offset: int) -> list[ListedItem]:
    """A page of the items a member of `branch_id` sees (as `visible_items`: newest
    first), in one statement, without ORM objects (the mini-program's and the pages'
    busiest list)."""
    rows = session.execute(_LIST, {"branch_id": branch_id, "member_id": member_id,
                                   "now": now, "limit": limit, "offset": offset})
    return [ListedItem(item_id, title, summarize(body or ""), published, org_name,
                       bool(studied))
            for item_id, title, body, published, org_name, studied in rows]
