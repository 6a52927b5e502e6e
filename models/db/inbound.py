"""Inbound message keys: every message is recorded before any handler runs.

The row holds the reply we gave, so a retry from WeChat gets the same answer, and the
time, so "when did this user last write to us" (the 48-hour customer-service window)
is a query rather than another write per message.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Dialect, Index, String, Text, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime, rowcount, table_of
from models.db.raw_statements import Prepared


class InboundMessage(Base):
    """One message or event received from WeChat, keyed for deduplication."""

    __tablename__ = "inbound_message"
    __table_args__ = (Index("ix_inbound_message_openid_received_at", "openid", "received_at"),)

    # MsgId for messages; "openid:CreateTime:event" for events.
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    openid: Mapped[str] = mapped_column(String(64))
    msg_type: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The rendered (unencrypted) reply, or "success" when there was nothing to say.
    reply: Mapped[str | None] = mapped_column(Text)
    # Plain mode: the request's signature, which covers the timestamp and nonce but not
    # the body. Unique, so one signed query cannot carry a second, different message.
    signature: Mapped[str | None] = mapped_column(String(40), unique=True)


def last_message_at(session: Session, openid: str) -> datetime | None:
    """When this user last sent us anything (message, menu click, scan, follow)."""
    return session.scalar(
        select(func.max(InboundMessage.received_at)).where(InboundMessage.openid == openid)
    )


def prune_inbound(session: Session, now: datetime, keep: timedelta = timedelta(days=4)) -> int:
    """Delete keys older than `keep` (WeChat retries within seconds); returns the count."""
    result = session.execute(delete(InboundMessage).where(InboundMessage.received_at < now - keep))
    return rowcount(result)


class InboundQueries:
    """The webhook's per-message statements, prepared once per dialect
    (models.db.raw_statements)."""

    def __init__(self, dialect: Dialect) -> None:
        table = table_of(InboundMessage)
        values: dict[str, Any] = {name: bindparam(name)
                                  for name in ("key", "openid", "msg_type", "received_at",
                                               "signature")}
        dialect_insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        # ON CONFLICT DO NOTHING: a duplicate is a zero rowcount, not an aborted
        # transaction; on PostgreSQL it waits for a concurrent first insert to commit.
        self._claim = Prepared(
            dialect_insert(table).values(**values).on_conflict_do_nothing(), dialect
        )
        self._known = Prepared(
            select(table.c.key).where(table.c.key == bindparam("key")), dialect
        )
        self._reply_of = Prepared(
            select(table.c.reply).where(table.c.key == bindparam("key")), dialect
        )
        self._save_reply = Prepared(
            update(table).where(table.c.key == bindparam("key")).values(reply=bindparam("reply")),
            dialect,
        )

    def claim(self, cursor: Any, key: str, openid: str, msg_type: str,
              received_at: datetime, signature: str | None = None) -> bool:
        """Record the key; False when it (or the signature) was already there."""
        self._claim.run(cursor, key=key, openid=openid, msg_type=msg_type,
                        received_at=received_at, signature=signature)
        return cursor.rowcount == 1

    def known(self, cursor: Any, key: str) -> bool:
        """Whether a message with this key was received."""
        return self._known.run(cursor, key=key).fetchone() is not None

    def reply_of(self, cursor: Any, key: str) -> str | None:
        """The stored reply for `key`."""
        row = self._reply_of.run(cursor, key=key).fetchone()
        return row[0] if row else None

    def save_reply(self, cursor: Any, key: str, reply: str) -> None:
        """Store the reply given to the first delivery."""
        self._save_reply.run(cursor, key=key, reply=reply)
