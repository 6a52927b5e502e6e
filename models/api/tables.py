"""The mini-program's users and their tokens.

A mini-program has its own openids, not the official account's: `MiniProgramUser` links
one to a member (by unionid when WeChat gives one and the member's is known, else by the
member binding once in the mini-program). An `ApiToken` is stored as the SHA-256 of what
the client holds; it carries its own rate-limit window so that checking the token and
counting the call are one statement.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.db.base import Base, UTCDateTime


class MiniProgramUser(Base):
    """A mini-program openid, and the member it is bound to (None: not yet)."""

    __tablename__ = "miniprogram_user"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    unionid: Mapped[str | None] = mapped_column(String(64), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), unique=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    bound_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A Bearer token given at login: valid until `expires_at` unless revoked."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    openid: Mapped[str] = mapped_column(ForeignKey("miniprogram_user.openid"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the current minute's calls (rate limit), counted where every worker sees them
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    calls: Mapped[int] = mapped_column(Integer, default=0)
