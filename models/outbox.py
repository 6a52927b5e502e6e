"""The outbox: every message partybot sends on its own is a row here first.

A feature enqueues inside its own transaction, so the notice exists exactly when the
change that caused it does; the unique `dedupe_key` makes enqueuing the same notice
twice a no-op. The delivery loop (bot/delivery.py) claims due rows and sends them.

Statuses: pending → sending → sent (→ report: delivered / failed), or failed (a
permanent error), unknown (the lease ran out mid-send; reconciled later),
undeliverable (no channel reaches the member), relayed (handed to their helper).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    literal,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime, utcnow
from models.inbound import InboundMessage, last_message_at
from models.member import Member

# WeChat lets an account send customer-service messages for 48 hours after the user's
# last message, menu click, follow or scan.
CUSTOMER_SERVICE_WINDOW = timedelta(hours=48)


class Status(StrEnum):
    """Where a row is in its life."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    UNDELIVERABLE = "undeliverable"
    RELAYED = "relayed"


class Channel(StrEnum):
    """How a row reaches its member."""

    TEMPLATE = "template"
    CUSTOM = "custom"  # customer-service message
    RELAY = "relay"  # through the member's helper (一帮一)
    NONE = "none"  # nothing reaches the member


def status_is(status: Status) -> Any:
    """`outbox.status = '<status>'` with the value written into the SQL, so that the
    partial indexes below (whose predicates name a status) can serve the query."""
    return Outbox.status == literal(str(status), literal_execute=True)


class Outbox(Base):
    """One outbound message."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_send_after", "status", "send_after"),
        # Partial indexes: a fan-out writes tens of thousands of rows at once, and each
        # index a row enters costs; these only hold the few rows their queries look for.
        Index("ix_outbox_unknown_openid", "openid", sqlite_where=text("status = 'unknown'"),
              postgresql_where=text("status = 'unknown'")),
        Index("ix_outbox_undeliverable_member", "member_id", "created_at",
              sqlite_where=text("status = 'undeliverable'"),
              postgresql_where=text("status = 'undeliverable'")),
        Index("ix_outbox_wechat_msgid", "wechat_msgid",
              sqlite_where=text("wechat_msgid IS NOT NULL"),
              postgresql_where=text("wechat_msgid IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    openid: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=Status.PENDING)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    wechat_msgid: Mapped[str | None] = mapped_column(String(40))
    last_error_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(300))
    # An unknown outcome is retried once; a second one ends as failed.
    unknown_retried: Mapped[bool] = mapped_column(Boolean, default=False)
    report: Mapped[str | None] = mapped_column(String(40))  # TEMPLATESENDJOBFINISH status
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class Notice:
    """What a feature wants to tell a member; the channel policy decides how.

    `text` is the full message (customer-service message, relay, sandbox); for a
    template message, `template_data` fills the template's fields (each shown as at
    most 20 characters) and `url` is where tapping it leads.
    """

    kind: str
    text: str
    template_data: dict[str, str] | None = None
    url: str | None = None
    subject: str | None = None  # what it is about: "study:12", "meeting:7"


class RelayHook(Protocol):
    """The helper relay (一帮一) plugs in here (models.pairing provides it)."""

    def helpers_of(self, session: Session, member_ids: list[int]) -> dict[int, int]:
        """member id → helper id, for the members that have a helper."""

    def relay(self, session: Session, tasks: list[tuple[str, int, int]], notice: Notice,
              now: datetime) -> None:
        """Hand the notice to helpers: (dedupe key, member id, helper id) each."""


_relay_hook: RelayHook | None = None


def set_relay_hook(hook: RelayHook | None) -> RelayHook | None:
    """Install the relay (None: no relay); returns the one it replaces."""
    global _relay_hook
    previous, _relay_hook = _relay_hook, hook
    return previous


def choose_channel(session: Session, member: Member, notice: Notice, now: datetime,
                   template_ids: Mapping[str, str]) -> Channel:
    """The channel policy: template, else customer service within 48 h, else relay."""
    if member.openid and member.subscribed and template_ids.get(notice.kind):
        return Channel.TEMPLATE
    if member.openid and member.subscribed:
        last = last_message_at(session, member.openid)
        if last is not None and now - last < CUSTOMER_SERVICE_WINDOW:
            return Channel.CUSTOM
    if _relay_hook is not None and _relay_hook.helpers_of(session, [member.id]):
        return Channel.RELAY
    return Channel.NONE


def _insert_ignoring_duplicates(session: Session, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING; True when a row was written."""
    dialect = session.get_bind().dialect.name
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING, not rowcount: drivers differ in what rowcount says for DO NOTHING.
    inserted = session.execute(
        dialect_insert(Outbox).values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Outbox.id)
    ).first()
    return inserted is not None


def enqueue(session: Session, dedupe_key: str, member: Member, notice: Notice, now: datetime,
            template_ids: Mapping[str, str], send_after: datetime | None = None) -> Status | None:
    """Queue `notice` for `member` (call inside the transaction that caused it).

    Returns the new row's status, or None when a row with this key already exists
    (nothing changes). The channel is chosen now; a member no channel reaches is
    recorded as undeliverable so that the branch admin's digest can list them.
    """
    channel = choose_channel(session, member, notice, now, template_ids)
    status = Status.PENDING
    if channel is Channel.RELAY:
        assert _relay_hook is not None
        helper_id = _relay_hook.helpers_of(session, [member.id])[member.id]
        _relay_hook.relay(session, [(dedupe_key, member.id, helper_id)], notice, now)
        status = Status.RELAYED
    elif channel is Channel.NONE:
        status = Status.UNDELIVERABLE
    payload: dict[str, Any] = {"text": notice.text}
    if channel is Channel.TEMPLATE:
        payload.update(template_id=template_ids[notice.kind],
                       data=template_fields(notice.template_data or {"content": notice.text}),
                       url=notice.url)
    inserted = _insert_ignoring_duplicates(session, {
        "dedupe_key": dedupe_key, "kind": notice.kind, "member_id": member.id,
        "openid": member.openid, "channel": str(channel), "payload": payload,
        "status": str(status), "send_after": send_after or now, "attempts": 0,
        "unknown_retried": False, "created_at": now,
    })
    return status if inserted else None


class Recipient(Protocol):
    """What the bulk policy needs of a member (an ORM Member or a plain row)."""

    id: int
    openid: str | None
    subscribed: bool


def enqueue_many(session: Session, recipients: Sequence[tuple[str, Recipient]],
                 notice: Notice, now: datetime,
                 template_ids: Mapping[str, str]) -> dict[Status, int]:
    """Queue one notice for many members at once: the same policy as `enqueue`, with the
    48-hour window looked up in one query and the rows written in one statement.

    `recipients` are (dedupe_key, member) pairs, members as ORM objects or as rows with
    id, openid and subscribed; keys already queued are skipped. Returns how many rows
    were written per status.
    """
    counts: dict[Status, int] = {}
    if not recipients:
        return counts
    template_id = template_ids.get(notice.kind)
    needs_window = [m.openid for _, m in recipients
                    if m.openid and m.subscribed and not template_id]
    recent: set[str] = set()
    if needs_window:
        recent = set(session.scalars(
            select(InboundMessage.openid).where(
                InboundMessage.openid.in_(needs_window),
                InboundMessage.received_at > now - CUSTOMER_SERVICE_WINDOW).distinct()))
    text_payload: dict[str, Any] = {"text": notice.text}
    template_payload = {**text_payload, "template_id": template_id,
                        "data": template_fields(notice.template_data or {"content": notice.text}),
                        "url": notice.url} if template_id else text_payload
    def direct(member: Recipient) -> bool:
        return bool(member.openid and member.subscribed) and bool(
            template_id or member.openid in recent)

    helpers: dict[int, int] = {}
    if _relay_hook is not None:
        helpers = _relay_hook.helpers_of(session, [m.id for _, m in recipients if not direct(m)])
    rows, relays = [], []
    for key, member in recipients:
        reachable = bool(member.openid and member.subscribed)
        if reachable and template_id:
            channel, status, payload = Channel.TEMPLATE, Status.PENDING, template_payload
        elif reachable and member.openid in recent:
            channel, status, payload = Channel.CUSTOM, Status.PENDING, text_payload
        elif member.id in helpers:
            channel, status, payload = Channel.RELAY, Status.RELAYED, text_payload
            relays.append((key, member.id, helpers[member.id]))
        else:
            channel, status, payload = Channel.NONE, Status.UNDELIVERABLE, text_payload
        rows.append({"dedupe_key": key, "kind": notice.kind, "member_id": member.id,
                     "openid": member.openid, "channel": str(channel), "payload": payload,
                     "status": str(status), "send_after": now, "attempts": 0,
                     "unknown_retried": False, "created_at": now})
    dialect = session.get_bind().dialect.name
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    if dialect == "postgresql":
        written = _insert_unnest(session, rows)
    else:
        # Keys already queued are dropped first, so that the counts are right; the
        # ON CONFLICT clause still covers a concurrent sweep.
        existing = set(session.scalars(select(Outbox.dedupe_key).where(
            Outbox.dedupe_key.in_([row["dedupe_key"] for row in rows]))))
        fresh = [row for row in rows if row["dedupe_key"] not in existing]
        if fresh:
            session.execute(dialect_insert(Outbox.__table__).on_conflict_do_nothing(
                index_elements=["dedupe_key"]), fresh)
        written = [row["status"] for row in fresh]
    if relays and _relay_hook is not None:
        _relay_hook.relay(session, relays, notice, now)
    for status in written:
        counts[Status(status)] = counts.get(Status(status), 0) + 1
    return counts


# One statement per chunk: the rows travel as arrays, which PostgreSQL unpacks
# server-side; row-by-row inserts spent most of their time on per-statement overhead.
_UNNEST_INSERT = text("""
INSERT INTO outbox (dedupe_key, kind, member_id, openid, channel, payload, status,
                    send_after, attempts, unknown_retried, created_at)
SELECT k, :kind, m, o, c, CAST(p AS json), s, :now, 0, false, :now
FROM unnest(CAST(:keys AS varchar[]), CAST(:members AS integer[]),
            CAST(:openids AS varchar[]), CAST(:channels AS varchar[]),
            CAST(:payloads AS text[]), CAST(:statuses AS varchar[])) AS t(k, m, o, c, p, s)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING status
""")


def _insert_unnest(session: Session, rows: list[dict[str, Any]]) -> list[str]:
    """Insert the rows (skipping queued keys); the statuses of the rows written."""
    first = rows[0]
    encoded: dict[int, str] = {}  # the rows share a few payload objects: encode each once

    def encode(payload: dict[str, Any]) -> str:
        if id(payload) not in encoded:
            encoded[id(payload)] = json.dumps(payload, ensure_ascii=False)
        return encoded[id(payload)]

    return list(session.scalars(_UNNEST_INSERT, {
        "kind": first["kind"],
        "now": first["created_at"].astimezone(UTC).replace(tzinfo=None),
        "keys": [r["dedupe_key"] for r in rows],
        "members": [r["member_id"] for r in rows],
        "openids": [r["openid"] for r in rows],
        "channels": [r["channel"] for r in rows],
        "payloads": [encode(r["payload"]) for r in rows],
        "statuses": [r["status"] for r in rows],
    }))


def enqueue_reply(session: Session, dedupe_key: str, openid: str, text: str,
                  now: datetime) -> bool:
    """Queue a customer-service message answering a user who just wrote to us."""
    return _insert_ignoring_duplicates(session, {
        "dedupe_key": dedupe_key, "kind": "reply", "member_id": None, "openid": openid,
        "channel": str(Channel.CUSTOM), "payload": {"text": text},
        "status": str(Status.PENDING), "send_after": now, "attempts": 0,
        "unknown_retried": False, "created_at": now,
    })


def template_fields(data: dict[str, str], limit: int = 20) -> dict[str, dict[str, str]]:
    """WeChat's template data shape; values over `limit` characters are cut with '…'."""
    return {key: {"value": value if len(value) <= limit else value[: limit - 1] + "…"}
            for key, value in data.items()}


def undeliverable_for_branch(session: Session, branch_id: int, since: datetime,
                             until: datetime | None = None) -> list[Outbox]:
    """Rows in [since, until) that reached nobody, for the branch admin's digest."""
    query = (select(Outbox).join(Member, Outbox.member_id == Member.id)
             .where(Member.branch_id == branch_id, status_is(Status.UNDELIVERABLE),
                    Outbox.created_at >= since).order_by(Outbox.id))
    if until is not None:
        query = query.where(Outbox.created_at < until)
    return list(session.scalars(query))
