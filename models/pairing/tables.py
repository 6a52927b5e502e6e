"""一帮一 pairs: a helper and the member they help, from pairing to unpairing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db.base import Base, UTCDateTime
from models.members.tables import Member


class HelpPair(Base):
    """A helper and one member they help; ended pairs are kept for the record."""

    __tablename__ = "help_pair"
    __table_args__ = (
        # A member has at most one active helper.
        Index("uq_help_pair_active_member", "member_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    helper: Mapped[Member] = relationship(foreign_keys=[helper_id])
    member: Mapped[Member] = relationship(foreign_keys=[member_id])
