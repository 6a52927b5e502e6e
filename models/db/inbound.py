"""Inbound message keys: every message is recorded before any handler runs.

The row holds the reply we gave, so a retry from WeChat gets the same answer, and the
time, so "when did this user last write to us" (the 48-hour customer-service window)
is a query rather than another write per message. The webhook's own statements on
this table are in models.db.webhook_statements.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.db.base import Base, UTCDateTime


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
