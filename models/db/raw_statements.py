"""Core statements compiled once and run on the raw DBAPI cursor, for hot paths.

SQLAlchemy's execution machinery costs about 40 µs per statement; the webhook runs
three statements per message, which at WeChat's message rates is most of the request.
A `Prepared` statement is compiled by SQLAlchemy for the engine's dialect (so the SQL
and its placeholders are SQLAlchemy's own) and its bind values go through the column
types' own bind processors (so a datetime is stored exactly as the ORM would store
it). Only the execution skips SQLAlchemy. Use it on the DBAPI connection of a
SQLAlchemy `Connection`, so it shares that connection's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from models.db.engine import WROTE

T = TypeVar("T")


class Prepared:
    """One statement, compiled for one dialect."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        # Core statements compile to a SQLCompiler (bind names, positions, processors).
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = compiled.string
        self.positional = compiled.positional
        self.names: list[str] = list(compiled.positiontup or []) if self.positional else list(
            compiled.binds
        )
        self.processors: dict[str, Callable[[Any], Any]] = {}
        # Literal values in the statement (LIMIT 1, a constant column value) become
        # anonymous parameters with their value already set.
        self.defaults: dict[str, Any] = {
            name: compiled.binds[name].effective_value for name in self.names
            if not compiled.binds[name].required
        }
        for name in self.names:
            bind = compiled.binds[name]
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[name] = processor
        # Each bind in order with its processor (None: passed as is), for params().
        self.plan: list[tuple[str, Callable[[Any], Any] | None]] = [
            (name, self.processors.get(name)) for name in self.names]
        columns = getattr(statement, "selected_columns", None) or []
        self.result_processors: list[Callable[[Any], Any] | None] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in columns
        ]

    def rows(self, cursor: Any, **values: Any) -> list[tuple[Any, ...]]:
        """Execute a SELECT and convert each column with its type's result processor."""
        cursor.execute(self.sql, self.params(values))
        processors = self.result_processors
        return [tuple(p(v) if p else v for p, v in zip(processors, row, strict=True))
                for row in cursor.fetchall()]

    def params(self, values: dict[str, Any]) -> Any:
        """Bind values in the form the DBAPI expects (tuple or dict), processed."""
        merged = {**self.defaults, **values} if self.defaults else values
        if self.positional:
            return tuple(merged[name] if process is None else process(merged[name])
                         for name, process in self.plan)
        return {name: merged[name] if process is None else process(merged[name])
                for name, process in self.plan}

    def run(self, cursor: Any, **values: Any) -> Any:
        """Execute on a DBAPI cursor; returns the cursor (rowcount, fetchone...)."""
        cursor.execute(self.sql, self.params(values))
        return cursor


def session_cursor(session: Session, *, writes: bool = False) -> Any:
    """A DBAPI cursor on the session's connection, inside its transaction.

    The session's pending changes are flushed first, as its own queries would autoflush
    them. `writes`: the statements to run change rows, so the connection is flagged as
    written (models.db.engine.WROTE) as SQLAlchemy's execution events would have done:
    on PostgreSQL the inbox then commits with the WAL flush.
    """
    session.flush()
    # A session on a Connection already in a transaction (the webhook's Context) runs
    # there: take its cursor without starting the session's own transaction (about
    # 20 µs a message).
    bind = session.bind
    connection = bind if isinstance(bind, Connection) and bind.in_transaction() \
        else session.connection()
    if writes:
        connection.info[WROTE] = True
    return connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


def prepared_for(session: Session, cache: dict[str, T], build: Callable[[Dialect], T]) -> T:
    """`build(dialect)` for the session's dialect, built once per dialect in `cache`."""
    dialect = session.get_bind().dialect
    built = cache.get(dialect.name)
    if built is None:
        built = cache[dialect.name] = build(dialect)
    return built
