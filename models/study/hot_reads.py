"""学习 and 已学's reading statements on the raw DBAPI cursor (models.db.raw_statements).

Through the ORM, the two recursive-CTE reads of a 学习 cost about 290 µs (cache key of a
large statement, result and object set-up); the same SQL on the session's own DBAPI
cursor costs about 45 µs (benchmarks/webhook_profile.py). They return ids and times
only; the one item actually shown is then loaded by primary key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.orm import Session

from models.db.raw_statements import Prepared
from models.study.tables import StudyItem

_prepared: dict[str, tuple[Prepared, Prepared]] = {}


def _statements(dialect: Dialect) -> tuple[Prepared, Prepared]:
    statements = _prepared.get(dialect.name)
    if statements is None:
        # models.study.actions' own statements, with only the columns read here
        from models.study.actions import _NEWEST, _UNREAD

        columns = (StudyItem.id, StudyItem.publish_at)
        statements = (Prepared(_NEWEST.with_only_columns(*columns), dialect),
                      Prepared(_UNREAD.with_only_columns(*columns), dialect))
        _prepared[dialect.name] = statements
    return statements


def _cursor(session: Session) -> tuple[Any, Dialect]:
    # The session's pending changes first, as its own queries would autoflush them.
    session.flush()
    connection = session.connection()
    return connection.connection.dbapi_connection.cursor(), connection.dialect  # type: ignore[union-attr]


def newest_item_id(session: Session, branch_id: int,
                   now: datetime) -> tuple[int, datetime] | None:
    """(id, publish_at) of the newest item the branch sees (as newest_item)."""
    cursor, dialect = _cursor(session)
    rows = _statements(dialect)[0].rows(cursor, branch_id=branch_id, now=now)
    return (rows[0][0], rows[0][1]) if rows else None


def unread_item_id(session: Session, branch_id: int, member_id: int,
                   now: datetime) -> tuple[int, datetime] | None:
    """(id, publish_at) of the newest visible item the member has not studied (as
    unread_item)."""
    cursor, dialect = _cursor(session)
    rows = _statements(dialect)[1].rows(cursor, branch_id=branch_id, member_id=member_id,
                                        now=now)
    return (rows[0][0], rows[0][1]) if rows else None
