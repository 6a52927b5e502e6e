"""学习 and 已学 on prepared statements (models.db.raw_statements): what they read and
write, without the ORM.

Both are the busiest commands after 帮助. Through the ORM, a 学习 cost about 0.85 ms and
an 已学 0.75 ms, nearly all of it statement caching, result and object set-up around a
few fast reads (benchmarks/webhook_profile.py). Here the same statements (the visible
items of models.study.queries, the view upsert, the record insert) run on the session's
DBAPI cursor; a reply needs only an item's words, so no ORM object is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Dialect, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.db.base import UTCDateTime
from models.db.raw_statements import Prepared, prepared_for, session_cursor
from models.study.queries import NEWEST, UNREAD
from models.study.tables import StudyItem, StudyItemImage, StudyRecord, StudyView, summarize


@dataclass(frozen=True)
class ItemHeading:
    """An item by number and title: what 已学 records and says."""

    id: int
    title: str


@dataclass(frozen=True)
class ImageLink:
    """A photo of an item as a reply shows it (its picture URL, if WeChat gave one)."""

    pic_url: str | None


@dataclass(frozen=True)
class ItemText:
    """An item as 学习 shows it (models.study.rendering reads these fields)."""

    id: int
    title: str
    body: str
    link: str | None
    media_link: str | None
    images: tuple[ImageLink, ...]

    @property
    def summary(self) -> str:
        """As StudyItem.summary."""
        return summarize(self.body)


@dataclass(frozen=True)
class _Statements:
    newest: Prepared
    unread: Prepared
    viewed: Prepared
    text: Prepared
    remember_view: Prepared
    record: Prepared


def _build(dialect: Dialect) -> _Statements:
    columns = (StudyItem.id, StudyItem.publish_at, StudyItem.title)
    viewed = (select(StudyItem.id, StudyItem.title)
              .join(StudyView, StudyView.item_id == StudyItem.id)
              .where(StudyView.member_id == bindparam("member_id"),
                     StudyView.viewed_at >= bindparam("since", type_=UTCDateTime())))
    text = (select(StudyItem.id, StudyItem.title, StudyItem.body, StudyItem.link,
                   StudyItem.media_link, StudyItemImage.id, StudyItemImage.pic_url)
            .outerjoin(StudyItemImage, StudyItemImage.item_id == StudyItem.id)
            .where(StudyItem.id == bindparam("item_id"))
            .order_by(StudyItemImage.id))
    dialect_insert: Any = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
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
    return _Statements(Prepared(NEWEST.with_only_columns(*columns), dialect),
                       Prepared(UNREAD.with_only_columns(*columns), dialect),
                       Prepared(viewed, dialect), Prepared(text, dialect),
                       Prepared(view, dialect), Prepared(record, dialect))


_PREPARED: dict[str, _Statements] = {}


def _statements(session: Session) -> _Statements:
    return prepared_for(session, _PREPARED, _build)


def newest_item(session: Session, branch_id: int,
                now: datetime) -> tuple[ItemHeading, datetime] | None:
    """The newest item the branch sees and its publish time (as queries.newest_item)."""
    rows = _statements(session).newest.rows(session_cursor(session), branch_id=branch_id,
                                            now=now)
    return (ItemHeading(rows[0][0], rows[0][2]), rows[0][1]) if rows else None


def unread_item(session: Session, branch_id: int, member_id: int,
                now: datetime) -> tuple[ItemHeading, datetime] | None:
    """The newest visible item the member has not studied and its publish time (as
    queries.unread_item)."""
    rows = _statements(session).unread.rows(session_cursor(session), branch_id=branch_id,
                                            member_id=member_id, now=now)
    return (ItemHeading(rows[0][0], rows[0][2]), rows[0][1]) if rows else None


def viewed_item(session: Session, member_id: int, since: datetime) -> ItemHeading | None:
    """The item the member opened (学习) since `since`, if any."""
    rows = _statements(session).viewed.rows(session_cursor(session), member_id=member_id,
                                            since=since)
    return ItemHeading(rows[0][0], rows[0][1]) if rows else None


def item_text(session: Session, item_id: int) -> ItemText:
    """The item's words and photos, for showing it."""
    rows = _statements(session).text.rows(session_cursor(session), item_id=item_id)
    first = rows[0]
    images = tuple(ImageLink(row[6]) for row in rows if row[5] is not None)
    return ItemText(first[0], first[1], first[2], first[3], first[4], images)


def remember_view(session: Session, member_id: int, item_id: int, now: datetime) -> None:
    """Note the item the member just opened (one upsert: a member has one)."""
    _statements(session).remember_view.run(session_cursor(session, writes=True),
                                           member_id=member_id, item_id=item_id, now=now)


def insert_record(session: Session, item_id: int, member_id: int, now: datetime,
                  helper_id: int | None) -> bool:
    """The study record unless one exists (ON CONFLICT DO NOTHING); True if this one
    went in."""
    cursor = session_cursor(session, writes=True)
    _statements(session).record.run(cursor, item_id=item_id, member_id=member_id, now=now,
                                    via="helper" if helper_id is not None else "self",
                                    helper_id=helper_id)
    return cursor.fetchone() is not None
