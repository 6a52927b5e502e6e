"""The audit log: every change made in the console — who, when, what, before and after.

Written by the console views through `record_change` (and by every roster import,
console or CLI: models.members.roster_audit), in the same transaction as the change itself
(so a change that rolls back leaves no entry, and no change goes unrecorded). Org
admins read the entries of their subtree (`entries_for`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime


class AuditEntry(Base):
    """One change."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_org_id_at", "org_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_key: Mapped[str] = mapped_column(String(40))  # "member:12", "user:3"
    actor_name: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))  # whose change it is
    action: Mapped[str] = mapped_column(String(40))  # e.g. "meeting.create"
    target: Mapped[str] = mapped_column(String(200))  # what, in words
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


def record_change(session: Session, *, actor_key: str, actor_name: str, org_id: int,
                  action: str, target: str, now: datetime,
                  before: dict[str, Any] | None = None,
                  after: dict[str, Any] | None = None) -> AuditEntry:
    """Add one entry (the caller commits, with the change)."""
    entry = AuditEntry(at=now, actor_key=actor_key[:40], actor_name=actor_name[:100],
                       org_id=org_id, action=action[:40], target=target[:200],
                       before=before, after=after)
    session.add(entry)
    return entry


def entries_for(session: Session, org_ids: Iterable[int], limit: int = 200) -> list[AuditEntry]:
    """The newest entries about these orgs."""
    return list(session.scalars(select(AuditEntry).where(AuditEntry.org_id.in_(list(org_ids)))
                                .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                .limit(limit)))
