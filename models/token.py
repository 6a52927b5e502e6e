"""The shared WeChat access token: one row per app id, read by every process.

Fetching a new token invalidates the old one after 5 minutes, so processes must not
each fetch their own: the scheduler refreshes before expiry, and anyone finding no
valid token fetches it while holding a database lock, then everyone else reads it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class AccessToken(Base):
    """The current access token of one account."""

    __tablename__ = "access_token"

    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(String(1024))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # "stable_token" or "token", with "/forced" when a rejection forced the refresh
    source: Mapped[str] = mapped_column(String(30))
