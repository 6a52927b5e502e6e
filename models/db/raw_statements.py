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
from typing import Any, cast

from sqlalchemy import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


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
        merged = {**self.defaults, **values}
        processed = {
            name: self.processors[name](merged[name]) if name in self.processors else merged[name]
            for name in self.names
        }
        if self.positional:
            return tuple(processed[name] for name in self.names)
        return processed

    def run(self, cursor: Any, **values: Any) -> Any:
        """Execute on a DBAPI cursor; returns the cursor (rowcount, fetchone...)."""
        cursor.execute(self.sql, self.params(values))
        return cursor
