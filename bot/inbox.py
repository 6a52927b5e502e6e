"""Handling one inbound message: dedupe, dispatch, one transaction, one reply.

The message key is inserted first, in the same transaction as the handler's changes.
A duplicate — a sequential or a concurrent retry from WeChat — finds the key taken
(waiting, if needed, until the first delivery commits) and gets the stored reply; the
handler runs once. If the handler fails, its changes are rolled back and the reply it
should have given (a polite refusal or an apology) is stored instead.

The per-message statements (dedupe claim, allowance, caller lookup, stored reply) run
on the raw DBAPI cursor of the request's connection (models.db.webhook_statements): this
is the hottest path of the service, and the only place partybot bypasses SQLAlchemy's
execution layer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from core import texts
from core.config import Settings
from core.outage import OutageLog
from core.service_allowance import opening_for
from core.wxml import Inbound, render_news, render_text
from handlers import Dispatcher
from handlers.router import Context, DomainError, News, Reply
from models.db.engine import WROTE, track_writes
from models.db.outage import is_database_outage
from models.db.webhook_statements import WebhookStatements
from models.db.write_gate import WriteGate, write_gate_for
from models.delivery.outbox import ChannelPolicy
from models.members.queries import Caller

log = logging.getLogger(__name__)

SUCCESS = "success"
# What became of a message (Inbox.answer; the webhook's metrics label them so).
HANDLED, DUPLICATE, HANDLER_ERROR, OUTAGE = "handled", "duplicate", "handler_error", "outage"
# After a server restart every pooled connection is dead; each try finds one out.
STALE_CONNECTION_RETRIES = 3


@dataclass(frozen=True)
class Inbox:
    """Everything needed to answer messages: database, queries, dispatcher, settings."""

    engine: Engine
    dispatcher: Dispatcher
    settings: Settings
    outbox: ChannelPolicy
    statements: WebhookStatements
    write_gate: WriteGate
    # The database's state as this process sees it: one log line when it goes, one when
    # it comes back, however many messages arrive in between.
    outage: OutageLog = field(default_factory=lambda: OutageLog(log, "database"))

    @property
    def _claims_last(self) -> bool:
        """On a SQLite file the write gate lets one message at a time in, so a key not
        there at the start is still free at the end: it is inserted once, with its reply,
        after the handler (one write instead of an insert and an update). The signature's
        uniqueness is checked by that insert; a replay rolls the handler's work back."""
        return not self.postgres and self.write_gate.path is not None

    @property
    def postgres(self) -> bool:
        """Whether the database is PostgreSQL."""
        return self.engine.dialect.name == "postgresql"

    @classmethod
    def create(cls, engine: Engine, dispatcher: Dispatcher, settings: Settings,
               outbox: ChannelPolicy) -> Inbox:
        """Prepare the statements for this engine's dialect."""
        if engine.dialect.name == "postgresql":
            track_writes(engine)
        return cls(engine, dispatcher, settings, outbox, WebhookStatements(engine.dialect),
                   write_gate_for(engine))

    def handle(self, message: Inbound, now: datetime, signature: str | None = None) -> str:
        """Record, dispatch and answer one message; commits. Returns the rendered reply.

        `signature` (plain mode) is bound to this message: the same signed query with
        another body raises ReplayedSignature.
        """
        return self.answer(message, now, signature)[0]

    def answer(self, message: Inbound, now: datetime,
               signature: str | None = None) -> tuple[str, str]:
        """`handle`, and what became of the message (the metrics' outcome): handled,
        duplicate, handler_error (the apology) or outage (the outage reply)."""
        # Every message writes (its dedupe key), so on SQLite the whole transaction
        # goes through the write gate; a retry waits there for the first delivery.
        try:
            answered = self._on_a_live_connection(message, now, signature)
        except Exception as exc:
            if not is_database_outage(exc):
                raise
            # No database: nothing can be recorded, so say so at once (WeChat would
            # otherwise retry into the same outage and then show "service unavailable").
            self.outage.failed(exc, "messages get the outage reply")
            return render_reply(message, texts.DATABASE_DOWN, now), OUTAGE
        self.outage.succeeded()
        return answered

    def _on_a_live_connection(self, message: Inbound, now: datetime,
                              signature: str | None) -> tuple[str, str]:
        """`_handle` on a pooled connection; again on a fresh one if the pooled one turns
        out dead at the first statement (the server restarted since it was last used:
        the pool pings only connections idle for a while, models.db.engine)."""
        for attempt in range(STALE_CONNECTION_RETRIES + 1):
            try:
                with self.engine.connect() as connection, self.write_gate():
                    return self._handle(connection, message, now, signature)
            except _StaleConnection as stale:
                if attempt == STALE_CONNECTION_RETRIES:
                    raise stale.error from None
                log.info("a pooled database connection was dead; %s again on a new one",
                         message.dedupe_key)
        raise AssertionError("unreachable")

    def _handle(self, connection: Connection, message: Inbound, now: datetime,
                signature: str | None) -> tuple[str, str]:
        key = message.dedupe_key
        connection.begin()
        cursor = _cursor(connection)
        try:
            claimed, lookup_caller = self._claim(connection, message, now, signature)
        except self.engine.dialect.loaded_dbapi.Error as exc:
            # Nothing ran yet: a dead connection here can be swapped for a live one.
            if not self.engine.dialect.is_disconnect(
                    exc, connection.connection.dbapi_connection, None):
                raise
            connection.invalidate(exc)
            raise _StaleConnection(exc) from exc
        if not claimed:
            if signature is not None and not self.statements.known(cursor, key):
                connection.rollback()
                raise ReplayedSignature(key)
            connection.rollback()
            log.info("duplicate delivery of %s from %s; replaying the first reply", key,
                     message.from_user)
            return self.statements.reply_of(_cursor(connection), key) or SUCCESS, DUPLICATE
        connection.info.pop(WROTE, None)
        reply, ok, secret = self._run_handler(connection, message, now, lookup_caller)
        rendered = render_reply(message, reply, now)
        kept = render_reply(message, texts.SECRET_REPLY_NOT_KEPT, now) if secret else rendered
        if ok and self._claims_last:
            if not self.statements.claim_answered(cursor, key, message.from_user,
                                                  message.msg_type, now, kept, signature):
                connection.rollback()  # the signature came with another message before
                raise ReplayedSignature(key)
        elif ok:
            with _pipeline(connection, self.postgres) as pipelined:
                self.statements.save_reply(cursor, key, kept)
                # PostgreSQL: a message whose handler wrote nothing (帮助, 会议, a refusal
                # …) need not wait for the WAL flush (Settings.async_read_only_commits).
                if self.settings.async_read_only_commits and self.postgres \
                        and not connection.info.get(WROTE):
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
                if pipelined is not None:
                    # Queued with the two above: one round trip for the three. The
                    # commit below then finds the DBAPI transaction over and sends nothing.
                    pipelined.commit()
        else:  # rolled back, key and all: record the key with the reply we give instead
            connection.begin()
            cursor = _cursor(connection)
            if self.statements.claim(cursor, key, message.from_user, message.msg_type, now,
                                  signature):
                self._open_allowance(cursor, message, now)
                self.statements.save_reply(cursor, key, rendered)
        connection.commit()  # (if a retry claimed the key meanwhile, it answers for itself)
        return rendered, HANDLED if ok or reply is not texts.SORRY else HANDLER_ERROR

    def _claim(self, connection: Connection, message: Inbound, now: datetime,
               signature: str | None) -> tuple[bool, Callable[[], Caller | None]]:
        """Claim the message's key and open the sender's allowance; (whether the key was
        new, how to find the caller).

        On PostgreSQL the claim, the allowance and the caller lookup are pipelined with
        the BEGIN: one round trip instead of four (for a duplicate the allowance is
        rolled back with the rest). On SQLite, in process, the caller is looked up only
        if a handler asks.
        """
        if self.postgres:
            claim, found = _cursor(connection), _cursor(connection)
            with _pipeline(connection, True):
                self.statements.send_claim(claim, message.dedupe_key, message.from_user,
                                           message.msg_type, now, signature)
                self._open_allowance(_cursor(connection), message, now)
                self.statements.send_caller(found, message.from_user)
            caller = self.statements.caller_found(found)
            return self.statements.claimed(claim), lambda: caller
        cursor = _cursor(connection)
        if self._claims_last:
            if self.statements.known(cursor, message.dedupe_key):
                return False, lambda: None
        elif not self.statements.claim(cursor, message.dedupe_key, message.from_user,
                                       message.msg_type, now, signature):
            return False, lambda: None
        self._open_allowance(cursor, message, now)
        return True, lambda: self.statements.caller(_cursor(connection), message.from_user)

    def _open_allowance(self, cursor: Any, message: Inbound, now: datetime) -> None:
        """The member acted: WeChat now accepts customer-service messages to them again
        (5 in 48 h after a message, 3 in a minute after a click, scan or follow)."""
        opening = opening_for(message.msg_type, message.event)
        if opening is not None:
            self.statements.open_allowance(cursor, message.from_user, opening, now)

    def _run_handler(self, connection: Connection, message: Inbound, now: datetime,
                     lookup_caller: Callable[[], Caller | None]) -> tuple[Reply, bool, bool]:
        """Dispatch; (reply, True, secret), or (refusal or apology, False, False) after a
        rollback. `secret`: the reply names the sender's secret-ballot choices."""

        ctx = Context(connection=connection, message=message, now=now, settings=self.settings,
                      outbox=self.outbox, lookup_caller=lookup_caller)
        try:
            reply = self.dispatcher.dispatch(ctx)
            ctx.finish()
            return reply, True, ctx.secret_reply
        except DomainError as refusal:
            if refusal.keep_writes:  # e.g. a wrong 签到码, counted against the sender
                ctx.finish()
                return refusal.render(), True, False
            ctx.discard()
            connection.rollback()
            return refusal.render(), False, False
        except Exception as exc:
            ctx.discard()
            if is_database_outage(exc):
                raise  # not the handler's fault: handle() answers with the outage reply
            log.exception("handler failed for %s (%s) from %s", message.dedupe_key,
                          message.msg_type, message.from_user)
            connection.rollback()
            return texts.SORRY, False, False


class _StaleConnection(Exception):
    """The connection was dead before the message's first statement ran."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class ReplayedSignature(Exception):
    """A signed query seen before with a different message: someone replays it."""


def _cursor(connection: Connection) -> Any:
    return connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


@contextmanager
def _pipeline(connection: Connection, postgres: bool) -> Iterator[Any]:
    """On PostgreSQL (psycopg), the statements run in the block are sent together and
    their results read in one round trip at its end; yields the DBAPI connection.
    Elsewhere a plain block that yields None."""
    if not postgres:
        yield None
        return
    dbapi = connection.connection.dbapi_connection
    with dbapi.pipeline():  # type: ignore[union-attr]
        yield dbapi


def render_reply(message: Inbound, reply: Reply, now: datetime) -> str:
    """The passive-reply XML for `reply`, or "success" when there is nothing to say."""
    if reply is None or reply == "":
        return SUCCESS
    stamp = int(now.timestamp())
    if isinstance(reply, News):
        return render_news(message.from_user, message.to_user, reply.articles, stamp)
    return render_text(message.from_user, message.to_user, reply, stamp)
