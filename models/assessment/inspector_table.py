"""The inspection group's table (巡视组), apart from its queries so that the console's
accounts (models.console.accounts) can ask whether a member is in it without an import
cycle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.db.base import Base, UTCDateTime


class Inspector(Base):
    """One member or console account in the county's inspection group."""

    __tablename__ = "inspector"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), unique=True)
    console_user_id: Mapped[int | None] = mapped_column(ForeignKey("console_user.id"),
                                                        unique=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    added_by: Mapped[str] = mapped_column(String(100))
