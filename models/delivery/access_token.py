"""The shared WeChat access token: one row per app id, read by every process.

Fetching a new token invalidates the old one after 5 minutes, so processes must not
each fetch their own: the scheduler refreshes before expiry, and anyone finding no
valid token fetches it while holding a database lock, then everyone else reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Engine, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.wechat import StoredToken
from models.db.base import Base, UTCDateTime
from models.db.locks import hold_lock
from models.db.write_gate import write_session


class AccessToken(Base):
    """The current access token of one account."""

    __tablename__ = "access_token"

    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(String(1024))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # "stable_token" or "token", with "/forced" when a rejection forced the refresh
    source: Mapped[str] = mapped_column(String(30))


class DatabaseTokenStore:
    """The token keeper's storage (core.wechat.TokenStore): one row, one named lock."""

    def __init__(self, engine: Engine, app_id: str) -> None:
        self.engine = engine
        self.app_id = app_id

    def read(self) -> StoredToken | None:
        """The stored token, if any."""
        with Session(self.engine) as session:
            row = session.get(AccessToken, self.app_id)
            return _stored(row) if row is not None else None

    @contextmanager
    def exclusive(self) -> Iterator[_Slot]:
        """Hold the account-wide lock (PostgreSQL advisory lock / flock) while fetching."""
        with hold_lock(self.engine, f"wechat-token-{self.app_id}"), \
                write_session(self.engine) as session:
            row = session.get(AccessToken, self.app_id)
            yield _Slot(session, self.app_id, row)


def _stored(row: AccessToken) -> StoredToken:
    return StoredToken(row.token, row.expires_at, row.fetched_at, row.source)


class _Slot:
    """The row while the lock is held."""

    def __init__(self, session: Session, app_id: str, row: AccessToken | None) -> None:
        self.session = session
        self.app_id = app_id
        self.row = row
        self.current = _stored(row) if row is not None else None

    def save(self, token: StoredToken) -> None:
        """Store and commit a freshly fetched token."""
        if self.row is None:
            self.row = AccessToken(app_id=self.app_id, token=token.token,
                                   expires_at=token.expires_at, fetched_at=token.fetched_at,
                                   source=token.source)
            self.session.add(self.row)
        else:
            self.row.token, self.row.expires_at = token.token, token.expires_at
            self.row.fetched_at, self.row.source = token.fetched_at, token.source
        self.session.commit()
        self.current = token
