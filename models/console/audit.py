"""The audit log: every change, from every surface — who, through what, when, what,
before and after.

Written by the actions (models/<feature>/actions.py) through `record_change`, in the same
transaction as the change itself (so a change that rolls back leaves no entry, and no
change goes unrecorded). Org admins read the entries of their subtree (`entries_for`),
filtered by surface, actor, org and date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.actors import Actor, Surface
from models.db.base import Base, UTCDateTime
from models.db.enum_type import str_enum
from models.members.orgs import subtree_query


class AuditEntry(Base):
    """One change."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_org_id_at", "org_id", "at"),
                      Index("ix_audit_entry_at", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_key: Mapped[str] = mapped_column(String(40))  # "member:12", "user:3", "cli:root"
    actor_name: Mapped[str] = mapped_column(String(100))
    surface: Mapped[Surface] = mapped_column(str_enum(Surface, 10),
                                             server_default=Surface.CONSOLE.value)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))  # whose change it is
    action: Mapped[str] = mapped_column(String(40))  # e.g. "meeting.create"
    target: Mapped[str] = mapped_column(String(200))  # what, in words
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


def record_change(session: Session, actor: Actor, *, org_id: int, action: str, target: str,
                  now: datetime, before: dict[str, Any] | None = None,
                  after: dict[str, Any] | None = None) -> AuditEntry:
    """Add one entry (the caller commits, with the change)."""
    entry = AuditEntry(at=now, actor_key=actor.key[:40], actor_name=actor.name[:100],
                       surface=actor.surface.value, org_id=org_id, action=action[:40],
                       target=target[:200], before=before, after=after)
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page narrows to; None means any."""

    surface: Surface | None = None
    actor: str | None = None  # a part of the actor's name or key
    org_id: int | None = None  # this org and everything below it
    since: datetime | None = None
    until: datetime | None = None  # exclusive


def _containing(part: str) -> str:
    """A LIKE pattern matching `part` anywhere, its wildcards taken literally."""
    return "%" + part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def entries_for(session: Session, org_ids: Iterable[int], limit: int = 200,
                only: AuditFilter | None = None) -> list[AuditEntry]:
    """The newest entries about these orgs (the reader's scope), narrowed by `only`;
    narrowing never widens: an org outside `org_ids` finds nothing."""
    query = select(AuditEntry).where(AuditEntry.org_id.in_(list(org_ids)))
    if only is not None:
        if only.surface is not None:
            query = query.where(AuditEntry.surface == only.surface)
        if only.actor:
            pattern = _containing(only.actor)
            query = query.where(AuditEntry.actor_name.like(pattern, escape="\\")
                                | AuditEntry.actor_key.like(pattern, escape="\\"))
        if only.org_id is not None:
            query = query.where(AuditEntry.org_id.in_(subtree_query(only.org_id)))
        if only.since is not None:
            query = query.where(AuditEntry.at >= only.since)
        if only.until is not None:
            query = query.where(AuditEntry.at < only.until)
    return list(session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                .limit(limit)))


def retention_cutoff(now: datetime, keep_days: int) -> datetime | None:
    """The oldest moment an entry kept for `keep_days` may have; None keeps all (0, or
    more days than the calendar goes back)."""
    if keep_days <= 0:
        return None
    try:
        return now - timedelta(days=keep_days)
    except OverflowError:
        return None
