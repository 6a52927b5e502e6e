"""Deleting old rows in batches (the retention settings, schedules/retention.py): each
call removes at most `batch` rows, so the caller commits between calls and a county's
big table is never locked for one long statement."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.db.base import Base, rowcount

BATCH = 1000


def delete_batch(session: Session, model: type[Base], *where: Any,
                 batch: int | None = None) -> int:
    """Delete up to `batch` (default BATCH) rows of `model` matching `where`, by primary
    key; how many went. Fewer than a batch means nothing is left to delete."""
    key = next(iter(model.__mapper__.primary_key))
    ids = list(session.scalars(select(key).where(*where).limit(batch or BATCH)))
    if not ids:
        return 0
    return rowcount(session.execute(delete(model).where(key.in_(ids))
                                    .execution_options(synchronize_session=False)))
