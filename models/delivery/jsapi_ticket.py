"""The shared JS-SDK ticket (jsapi_ticket): one row per app id, read by every process.

A sibling of the access token's table (models.delivery.access_token) rather than a
`kind` column on it: the token's row is read on every API call and keyed by app id
alone; giving it a second key means rebuilding that table on SQLite and touching every
token read, for a value with its own life (a ticket is fetched *with* a token and
outlives the token it was fetched with). The same lock discipline applies: the scheduler
fetches under a named lock, everyone else reads (core.jssdk.TicketKeeper).
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


class JsapiTicket(Base):
    """The current jsapi_ticket of one account."""

    __tablename__ = "jsapi_ticket"

    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ticket: Mapped[str] = mapped_column(String(512))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(30))  # "getticket"


class DatabaseTicketStore:
    """The ticket keeper's storage (core.wechat.TokenStore): one row, one named lock."""

    def __init__(self, engine: Engine, app_id: str) -> None:
        self.engine = engine
        self.app_id = app_id

    def read(self) -> StoredToken | None:
        """The stored ticket, if any."""
        with Session(self.engine) as session:
            row = session.get(JsapiTicket, self.app_id)
            return _stored(row) if row is not None else None

    @contextmanager
    def exclusive(self) -> Iterator[_Slot]:
        """Hold the account-wide ticket lock while fetching.

        Unlike the token's slot, no write transaction stays open meanwhile: asking for a
        ticket may need an access token first, which is fetched and stored on its own
        (a SQLite write) while this lock is held. The lock alone keeps other fetchers out.
        """
        with hold_lock(self.engine, f"wechat-jsapi-ticket-{self.app_id}"):
            yield _Slot(self.engine, self.app_id, self.read())


class _Slot:
    """The stored ticket while the lock is held."""

    def __init__(self, engine: Engine, app_id: str, current: StoredToken | None) -> None:
        self.engine = engine
        self.app_id = app_id
        self.current = current

    def save(self, ticket: StoredToken) -> None:
        """Store and commit a freshly fetched ticket."""
        with write_session(self.engine) as session:
            row = session.get(JsapiTicket, self.app_id)
            if row is None:
                session.add(JsapiTicket(app_id=self.app_id, ticket=ticket.token,
                                        expires_at=ticket.expires_at,
                                        fetched_at=ticket.fetched_at, source=ticket.source))
            else:
                row.ticket, row.expires_at = ticket.token, ticket.expires_at
                row.fetched_at, row.source = ticket.fetched_at, ticket.source
            session.commit()
        self.current = ticket


def _stored(row: JsapiTicket) -> StoredToken:
    return StoredToken(row.ticket, row.expires_at, row.fetched_at, row.source)
