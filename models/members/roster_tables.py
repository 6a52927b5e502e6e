"""Roster imports staged in the database: the import and its rows, applied in batches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.db.base import Base, UTCDateTime

ROSTER_COLUMNS = ("phone", "is_admin", "is_helper", "needs_help", "address",
                  "needs_help_note", "committee_posts")


class RosterImport(Base):
    """One import of a roster file, from staging to done."""

    __tablename__ = "roster_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), index=True)
    # The org the import works within (Importer.org_id): new branches go under it, and
    # names resolve inside it first, when planning and again when a crash is resumed.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org.id"))
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 上级党组织 per branch named in the file ({branch: committee}); kept here, not per
    # row, because a branch whose members are all unchanged may still move.
    placements: Mapped[dict[str, str] | None] = mapped_column(JSON)


class RosterImportRow(Base):
    """A row waiting to be applied: a new member (member_id NULL) or an update."""

    __tablename__ = "roster_import_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("roster_import.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50))
    branch: Mapped[str] = mapped_column(String(100))
    group: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    is_admin: Mapped[bool] = mapped_column(Boolean)
    is_helper: Mapped[bool] = mapped_column(Boolean)
    needs_help: Mapped[str | None] = mapped_column(String(20))
    needs_help_note: Mapped[str | None] = mapped_column(String(100))
    committee_posts: Mapped[str | None] = mapped_column(String(60))
    address: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
