"""Relay tasks (一帮一): notices a helper is to pass on to the member they help.

Every notice for a paired member that no direct channel reaches becomes a relay task
(the outbox writes it, models.delivery.outbox); the helper confirms relays with 帮学 <姓名> 完成
(models.pairing.actions.confirm_relays), which also records the member's study of the
item relayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.db.base import Base, UTCDateTime
from models.members.tables import Member
from models.study.tables import StudyItem


class Relay(Base):
    """One notice a helper is to pass on to their member, and whether they did."""

    __tablename__ = "relay"
    __table_args__ = (Index("ix_relay_helper_open", "helper_id", "confirmed_at"),
                      Index("ix_relay_member_id", "member_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)  # the notice's key
    helper_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    kind: Mapped[str] = mapped_column(String(40))  # the notice kind
    subject: Mapped[str | None] = mapped_column(String(60))  # "study:12", "meeting:7"
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # in a daily message
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # No longer worth passing on (the meeting began or was called off, the item was
    # studied): out of the helper's lists (models.pairing.relay_items).
    dropped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Read-only: relays are written by one INSERT … ON CONFLICT (add_relays).
    helper: Mapped[Member] = relationship(foreign_keys=[helper_id], viewonly=True)
    member: Mapped[Member] = relationship(foreign_keys=[member_id], viewonly=True)

    @property
    def item_id(self) -> int | None:
        """The study item this relay is about, if any."""
        if self.subject and self.subject.startswith("study:"):
            return int(self.subject.split(":", 1)[1])
        return None


def add_relays(session: Session, tasks: list[tuple[str, int, int]], kind: str,
               subject: str | None, text: str, now: datetime) -> None:
    """One relay task per (notice key, member id, helper id); a key already relayed is kept."""
    if not tasks:
        return
    dialect = session.get_bind().dialect.name
    dialect_insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(dialect_insert(Relay.__table__).on_conflict_do_nothing(
        index_elements=["dedupe_key"]), [
        {"dedupe_key": key, "helper_id": helper_id, "member_id": member_id, "kind": kind,
         "subject": subject, "text": text, "created_at": now}
        for key, member_id, helper_id in tasks])


def open_relays(session: Session, helper_id: int, member_id: int) -> list[Relay]:
    """What `helper` still has to pass on to `member`, oldest first."""
    return list(session.scalars(select(Relay).where(
        Relay.member_id == member_id, Relay.helper_id == helper_id,
        Relay.confirmed_at.is_(None), Relay.dropped_at.is_(None)).order_by(Relay.id)))


@dataclass(frozen=True)
class Confirmation:
    """What a helper's 帮学 <姓名> 完成 recorded."""

    item: StudyItem | None  # the study item recorded as studied (via the helper)
    notices: int  # other notices (meetings …) confirmed as passed on

    @property
    def anything(self) -> bool:
        """Whether there was anything to confirm."""
        return self.item is not None or self.notices > 0
