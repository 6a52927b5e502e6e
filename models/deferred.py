"""Deferred handlers: work too slow for WeChat's 5-second passive reply.

The webhook answers "success" at once and records a task; the scheduler runs it and
sends the answer as a customer-service message through the outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime


class DeferredTask(Base):
    """One message whose handler runs outside the request."""

    __tablename__ = "deferred_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    inbound_key: Mapped[str] = mapped_column(String(160), unique=True)
    openid: Mapped[str] = mapped_column(String(64))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)  # the message as received
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def pending_tasks(session: Session, limit: int = 20) -> list[DeferredTask]:
    """The oldest tasks not yet run."""
    return list(session.scalars(
        select(DeferredTask).where(DeferredTask.status == "pending")
        .order_by(DeferredTask.id).limit(limit)
    ))


def defer_message(session: Session, inbound_key: str, openid: str, fields: dict[str, Any],
                  now: datetime) -> None:
    """Record a message whose handler runs later (in the webhook's transaction)."""
    session.add(DeferredTask(inbound_key=inbound_key, openid=openid, fields=dict(fields),
                             status="pending", attempts=0, created_at=now))
    session.flush()


def finish_task(session: Session, task_id: int, now: datetime) -> None:
    """Mark a task done."""
    task = session.get(DeferredTask, task_id)
    if task is not None:
        task.status = "done"
        task.done_at = now
        task.attempts += 1
        session.flush()
