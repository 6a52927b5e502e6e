"""Study content: items posted to an org and everything below it, who studied what
(by themselves or through a helper), and the feedback they sent back as proof.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Dialect,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime, utcnow
from models.member import Member
from models.org import Org
from models.prepared import Prepared

TITLE_MAX = 64
# WeChat caps a text message at 2048 bytes; 600 Chinese characters plus the title and
# the footer stay under it.
BODY_MAX = 600
LINK_MAX = 500
FEEDBACK_WINDOW = timedelta(minutes=10)
DUPLICATE_WINDOW = timedelta(days=1)


class StudyItem(Base):
    """One piece of study content for an org's subtree (the audience)."""

    __tablename__ = "study_item"
    __table_args__ = (Index("ix_study_item_org_id_publish_at", "org_id", "publish_at"),
                      Index("ix_study_item_push", "pushed_at", "push_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(LINK_MAX))
    media_link: Mapped[str | None] = mapped_column(String(LINK_MAX))
    source: Mapped[str | None] = mapped_column(String(100))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    publish_at: Mapped[datetime] = mapped_column(UTCDateTime())
    push_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when members are told
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def summary(self) -> str:
        """The first 60 characters of the body (for news replies and notices)."""
        return summarize(self.body)


class StudyRecord(Base):
    """A member studied an item (once per member and item), with optional feedback."""

    __tablename__ = "study_record"
    __table_args__ = (UniqueConstraint("item_id", "member_id"),
                      Index("ix_study_record_member_id_studied_at", "member_id", "studied_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("study_item.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    studied_at: Mapped[datetime] = mapped_column(UTCDateTime())
    via: Mapped[str] = mapped_column(String(10), default="self")  # self / helper
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    feedback_kind: Mapped[str | None] = mapped_column(String(10))  # text / image / voice
    feedback_text: Mapped[str | None] = mapped_column(Text)
    feedback_media_id: Mapped[str | None] = mapped_column(String(200))
    feedback_url: Mapped[str | None] = mapped_column(String(LINK_MAX))
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StudyView(Base):
    """The item a member last opened, so that a following 已学 means that one."""

    __tablename__ = "study_view"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("study_item.id"))
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PendingPost(Base):
    """A post that repeats a recent one, waiting for the author's 确认发布."""

    __tablename__ = "pending_post"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(LINK_MAX))
    media_link: Mapped[str | None] = mapped_column(String(LINK_MAX))
    source: Mapped[str | None] = mapped_column(String(100))
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class Draft:
    """A parsed post, before it becomes an item."""

    title: str
    body: str
    link: str | None = None
    media_link: str | None = None
    source: str | None = None
    publish_at: datetime | None = None  # None: now

    @property
    def content_hash(self) -> str:
        """What makes two posts the same (title and text)."""
        return hashlib.sha256(f"{self.title}\n{' '.join(self.body.split())}".encode()).hexdigest()


def ancestor_ids(session: Session, org_id: int) -> list[int]:
    """`org_id` and every org above it (a recursive query)."""
    chain = select(Org.id, Org.parent_id).where(Org.id == org_id).cte("chain", recursive=True)
    chain = chain.union_all(select(Org.id, Org.parent_id).where(Org.id == chain.c.parent_id))
    return list(session.scalars(select(chain.c.id)))


def find_duplicate(session: Session, org_id: int, draft: Draft, now: datetime) -> StudyItem | None:
    """The same title and text posted to this org within the last day, if any."""
    return session.scalar(select(StudyItem).where(
        StudyItem.org_id == org_id, StudyItem.content_hash == draft.content_hash,
        StudyItem.created_at >= now - DUPLICATE_WINDOW).limit(1))


def publish(session: Session, org_id: int, draft: Draft, author: Member | None, now: datetime,
            push_at: datetime) -> StudyItem:
    """Create the item (flushes)."""
    item = StudyItem(org_id=org_id, title=draft.title, body=draft.body, link=draft.link,
                     media_link=draft.media_link, source=draft.source,
                     author_id=author.id if author else None, content_hash=draft.content_hash,
                     publish_at=draft.publish_at or now, push_at=push_at, created_at=now)
    session.add(item)
    session.flush()
    return item


def visible_items(session: Session, branch_id: int, now: datetime):  # type: ignore[no-untyped-def]
    """A query for the published items a member of `branch_id` sees, newest first."""
    return (select(StudyItem).where(StudyItem.org_id.in_(ancestor_ids(session, branch_id)),
                                    StudyItem.publish_at <= now)
            .order_by(StudyItem.publish_at.desc(), StudyItem.id.desc()))


def latest_unread(session: Session, member: Member, now: datetime) -> StudyItem | None:
    """The newest visible item this member has not studied."""
    studied = select(StudyRecord.item_id).where(StudyRecord.member_id == member.id)
    return session.scalar(visible_items(session, member.branch_id, now)
                          .where(StudyItem.id.not_in(studied)).limit(1))


def record_study(session: Session, item: StudyItem, member: Member, now: datetime,
                 helper: Member | None = None) -> bool:
    """Record that `member` studied `item` (via `helper` if given).

    Returns False if they already had (nothing changes). Safe under concurrent retries:
    the insert ignores a row that a parallel request has just written.
    """
    dialect = session.get_bind().dialect.name
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = session.execute(
        dialect_insert(StudyRecord).values(
            item_id=item.id, member_id=member.id, studied_at=now,
            via="helper" if helper else "self", helper_id=helper.id if helper else None)
        .on_conflict_do_nothing(index_elements=["item_id", "member_id"])
        .returning(StudyRecord.id)
    ).first()
    return inserted is not None


def recent_record_for_feedback(session: Session, member_id: int,
                               now: datetime) -> StudyRecord | None:
    """The record of a 已学 within the feedback window (the latest), if any."""
    return session.scalar(
        select(StudyRecord).where(StudyRecord.member_id == member_id,
                                  StudyRecord.studied_at >= now - FEEDBACK_WINDOW,
                                  StudyRecord.via == "self")
        .order_by(StudyRecord.studied_at.desc()).limit(1))


def year_summary(session: Session, member: Member, year_start: datetime) -> int:
    """How many items the member studied since `year_start`."""
    return session.scalar(select(func.count()).select_from(StudyRecord).where(
        StudyRecord.member_id == member.id, StudyRecord.studied_at >= year_start)) or 0


def study_days(session: Session, member: Member, since: datetime) -> list[datetime]:
    """When the member studied since `since` (for the streak)."""
    return list(session.scalars(select(StudyRecord.studied_at).where(
        StudyRecord.member_id == member.id, StudyRecord.studied_at >= since)))


@dataclass(frozen=True)
class ItemView:
    """An item as the reading handlers need it (a plain row, not an ORM object)."""

    id: int
    title: str
    body: str
    link: str | None
    media_link: str | None
    publish_at: datetime

    @property
    def summary(self) -> str:
        """The first 60 characters of the body."""
        return summarize(self.body)


def summarize(body: str) -> str:
    """The first 60 characters of a body, on one line."""
    text = " ".join(body.split())
    return text if len(text) <= 60 else text[:59] + "…"


class StudyQueries:
    """`学习` and `已学` are the busiest commands after 帮助: their statements are
    prepared once per dialect and run on the request's raw cursor (see models.prepared).
    """

    def __init__(self, dialect: Dialect) -> None:
        item = StudyItem.__table__
        columns = (item.c.id, item.c.title, item.c.body, item.c.link, item.c.media_link,
                   item.c.publish_at)
        org = Org.__table__
        chain = select(org.c.id, org.c.parent_id).where(
            org.c.id == bindparam("branch_id")).cte("chain", recursive=True)
        chain = chain.union_all(select(org.c.id, org.c.parent_id).where(
            org.c.id == chain.c.parent_id))
        now = bindparam("now", type_=UTCDateTime())
        visible = (select(*columns)
                   .where(item.c.org_id.in_(select(chain.c.id)), item.c.publish_at <= now)
                   .order_by(item.c.publish_at.desc(), item.c.id.desc()))
        record = StudyRecord.__table__
        studied = select(record.c.item_id).where(record.c.member_id == bindparam("member_id"))
        self._newest = Prepared(visible.limit(1), dialect)
        self._unread = Prepared(visible.where(item.c.id.not_in(studied)).limit(1), dialect)
        self._by_id = Prepared(visible.where(item.c.id == bindparam("item_id")), dialect)
        view = StudyView.__table__
        self._viewed = Prepared(
            select(*columns).join(view, view.c.item_id == item.c.id)
            .where(view.c.member_id == bindparam("member_id"),
                   view.c.viewed_at >= bindparam("since", type_=UTCDateTime())), dialect)
        dialect_insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        upsert = dialect_insert(view).values(member_id=bindparam("member_id"),
                                             item_id=bindparam("item_id"), viewed_at=now)
        self._remember = Prepared(upsert.on_conflict_do_update(
            index_elements=["member_id"],
            set_={"item_id": upsert.excluded.item_id, "viewed_at": upsert.excluded.viewed_at}),
            dialect)
        self._record = Prepared(
            dialect_insert(record).values(item_id=bindparam("item_id"),
                                          member_id=bindparam("member_id"), studied_at=now,
                                          via="self")
            .on_conflict_do_nothing(index_elements=["item_id", "member_id"])
            .returning(record.c.id), dialect)

    @staticmethod
    def _one(rows: list[tuple[Any, ...]]) -> ItemView | None:
        return ItemView(*rows[0]) if rows else None

    def newest(self, cursor: Any, branch_id: int, now: datetime) -> ItemView | None:
        """The newest item published to the branch or any org above it."""
        return self._one(self._newest.rows(cursor, branch_id=branch_id, now=now))

    def unread(self, cursor: Any, branch_id: int, member_id: int,
               now: datetime) -> ItemView | None:
        """The newest visible item the member has not studied."""
        return self._one(self._unread.rows(cursor, branch_id=branch_id, member_id=member_id,
                                           now=now))

    def visible(self, cursor: Any, branch_id: int, item_id: int,
                now: datetime) -> ItemView | None:
        """Item `item_id`, if the branch sees it."""
        return self._one(self._by_id.rows(cursor, branch_id=branch_id, item_id=item_id,
                                          now=now))

    def viewed_since(self, cursor: Any, member_id: int, since: datetime) -> ItemView | None:
        """The item the member last opened, if opened since `since`."""
        return self._one(self._viewed.rows(cursor, member_id=member_id, since=since))

    def remember(self, cursor: Any, member_id: int, item_id: int, now: datetime) -> None:
        """Note the item the member just opened."""
        self._remember.run(cursor, member_id=member_id, item_id=item_id, now=now)

    def record(self, cursor: Any, item_id: int, member_id: int, now: datetime) -> bool:
        """Record that the member studied the item; False if they already had."""
        return self._record.run(cursor, item_id=item_id, member_id=member_id,
                                now=now).fetchone() is not None


_queries: dict[str, StudyQueries] = {}


def study_queries(dialect: Dialect) -> StudyQueries:
    """The prepared statements for this dialect (made once per process)."""
    if dialect.name not in _queries:
        _queries[dialect.name] = StudyQueries(dialect)
    return _queries[dialect.name]
