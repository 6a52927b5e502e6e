"""Declarative base, engine and session factory.

SQLite gets WAL, foreign keys and a busy timeout on every connection, and real
transactions: Python's sqlite3 module would otherwise run SELECTs outside any
transaction and start one lazily at the first write. A connection can ask for
`BEGIN IMMEDIATE` (take the write lock up front) with the execution option
`sqlite_immediate=True`; see `immediate_engine`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    CursorResult,
    DateTime,
    MetaData,
    Result,
    Table,
    bindparam,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table; constraint names follow NAMING_CONVENTION."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always read back as aware UTC.

    SQLite keeps no zone, PostgreSQL `timestamp without time zone` neither; doing the
    conversion here means every comparison in Python is between aware datetimes.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)

    def bind_processor(self, dialect: Any) -> Callable[[Any], Any] | None:
        """On SQLite, the text SQLAlchemy's DATETIME stores ("2026-12-04 09:30:00.000000"),
        written by `isoformat` in C: the generic path (process_bind_param, then a
        %-format of seven fields) costs ~12 µs a value, on every write of a message."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def stored_text(value: datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use an aware UTC datetime")
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

        return stored_text


def table_of(model: type[Base]) -> Table:
    """The Table behind a mapped class (typed, for Core statements)."""
    return cast(Table, model.__table__)


def id_list(ids: Iterable[int]) -> BindParameter[Any]:
    """Ids for `column.in_(...)`, written into the SQL as numbers rather than one bound
    parameter each: psycopg parses every placeholder of a statement it has not seen, and
    a county's thousand branch ids cost 15–20 ms a query (ints only, so nothing to quote)."""
    return bindparam("ids", [int(i) for i in ids], expanding=True, literal_execute=True,
                     unique=True)


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE/DELETE/INSERT touched (0 when the driver does not say)."""
    return cast(CursorResult[Any], result).rowcount or 0


def insert_ignoring_conflict(session: Session, model: type[Base],
                             values: dict[str, Any]) -> bool:
    """Insert one row unless one with the same key exists; True if this one went in.

    One statement (ON CONFLICT DO NOTHING on SQLite and PostgreSQL), so two
    transactions inserting the same key at once never fail with a unique violation.
    """
    dialect = session.get_bind().dialect.name
    insert: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = table_of(model)
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT run through the ORM.
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(
        *table.primary_key.columns)
    return session.execute(statement).first() is not None


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)

