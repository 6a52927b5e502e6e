"""The outbox: every message partybot sends on its own is a row here first.

A feature enqueues inside its own transaction, so the notice exists exactly when the
change that caused it does; the unique `dedupe_key` makes enqueuing the same notice
twice a no-op. The delivery loop (schedules/delivery_loop.py) claims due rows and sends them.

Statuses: pending → sending → sent (→ report: delivered / failed), or failed (a
permanent error), unknown (the lease ran out mid-send; reconciled later),
undeliverable (no channel will ever reach the member), relayed (handed to their
helper), held (no channel reaches the member now: waiting for their next message,
which opens a customer-service allowance), merged (a held notice sent inside a
combined message, the row `carried_by` points at), dropped (held, and no longer
worth sending: the meeting began or was cancelled, the item was studied).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
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

from core.notices import first_line
from core.page_links import page_url
from core.request_context import current_request_id
from core.subscribe_messages import SubscribeSpec
from core.template_messages import TemplateSpec, default_spec
from models.db.base import Base, UTCDateTime, utcnow
from models.db.enum_type import str_enum
from models.delivery.allowance import open_allowances
from models.delivery.subscriptions import credit_holders
from models.members.tables import Member
from models.pairing.actions import helpers_of
from models.pairing.relays import add_relays


class Status(StrEnum):
    """Where a row is in its life."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    UNDELIVERABLE = "undeliverable"
    RELAYED = "relayed"
    HELD = "held"
    MERGED = "merged"
    DROPPED = "dropped"


class Channel(StrEnum):
    """How a row reaches its member."""

    TEMPLATE = "template"
    CUSTOM = "custom"  # customer-service message
    RELAY = "relay"  # through the member's helper (一帮一)
    NONE = "none"  # nothing reaches the member
    TAG = "tag"  # not a message: the member's menu tag (models.members.menu_tags)
    SUBSCRIBE = "subscribe"  # 订阅通知: one per acceptance (models.delivery.subscriptions)


def channel_is(channel: Channel) -> Any:
    """`outbox.channel = '<channel>'`, written into the SQL (see status_is)."""
    return Outbox.channel == literal(str(channel), literal_execute=True)


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
        Index("ix_outbox_held_openid", "openid", sqlite_where=text("status = 'held'"),
              postgresql_where=text("status = 'held'")),
        # the few rows of menu tags (models.members.menu_tags), looked up every minute
        Index("ix_outbox_tag_openid", "openid", sqlite_where=text("channel = 'tag'"),
              postgresql_where=text("channel = 'tag'")),
        Index("ix_outbox_wechat_msgid", "wechat_msgid",
              sqlite_where=text("wechat_msgid IS NOT NULL"),
              postgresql_where=text("wechat_msgid IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    openid: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[Status] = mapped_column(str_enum(Status, 20), default=Status.PENDING)
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
    subject: Mapped[str | None] = mapped_column(String(60))  # "meeting:7", "study:12"
    # A merged row: the combined customer-service message that carried it.
    carried_by: Mapped[int | None] = mapped_column(Integer)
    # The request (webhook message, console or page request) or job run that queued the
    # row (core.request_context), for following a notice through the logs: the default
    # of every insert through this model or its table (enqueue passes it once per notice).
    request_id: Mapped[str | None] = mapped_column(String(64), default=current_request_id)


@dataclass(frozen=True)
class Notice:
    """What a feature wants to tell a member; the channel policy decides how.

    `text` is the full message (customer-service message, relay, sandbox); for a
    template message, the kind's template (core.template_messages) takes its keywords' values
    from `fields` (named as in core.template_messages.KIND_FIELDS; "text" is always there) and
    `url` is where tapping it leads. A held, relayed or combined notice is told by its
    `text`, so the text says all (a photo as its link).
    """

    kind: str
    text: str
    fields: Mapping[str, str] | None = None
    url: str | None = None
    subject: str | None = None  # what it is about: "study:12", "meeting:7"
    # A customer-service message may go as a news card instead of `text` (title,
    # description, url, picurl): a study item's photo shown in the push itself.
    article: Mapping[str, str] | None = None


class Recipient(Protocol):
    """What the channel policy needs of a member (an ORM Member or a plain row)."""

    @property
    def id(self) -> int: ...
    @property
    def openid(self) -> str | None: ...
    @property
    def subscribed(self) -> bool: ...


@dataclass(frozen=True)
class Plan:
    """The channel chosen for one recipient (and their helper, for a relay)."""

    channel: Channel
    helper_id: int | None = None
    held: bool = False  # no channel now; waits for the member's next message

    @property
    def status(self) -> Status:
        """The status its outbox row starts in."""
        if self.channel is Channel.RELAY:
            return Status.RELAYED
        if self.held:
            return Status.HELD
        if self.channel is Channel.NONE:
            return Status.UNDELIVERABLE
        return Status.PENDING


@dataclass(frozen=True)
class ChannelPolicy:
    """How notices reach members, in order — THE place the order is decided:

    1. a template message (if the kind has a category template, the notice fits it and
       the member follows the account);
    2. 订阅通知 (if the kind has a subscription template, the notice fits it and the
       member holds a credit for it: models.delivery.subscriptions; the delivery loop
       spends the credit when it claims the row, and a row whose credit is gone — spent
       by another notice, or WeChat says 43101 — goes on to 3);
    3. a customer-service message while the member's allowance lasts
       (models.delivery.allowance);
    4. their helper (一帮一);
    5. else held until the member's next message opens an allowance; a member who
       cannot ever write to us (no WeChat bound, not following) and has no helper is
       undeliverable.

    Built once per process from the template configuration (`Settings.templates`)
    and handed to whoever queues notices: the chat's handlers (`ctx.outbox`) and the
    scheduler's sweepers (`runtime.outbox`).
    """

    # kind -> its template, or just its id (then the kind's default keywords)
    templates: Mapping[str, TemplateSpec | str]
    # kind -> its 订阅通知 templates (the account's, then the mini-program's)
    subscriptions: Mapping[str, Sequence[SubscribeSpec]] = field(default_factory=dict)
    # PARTYBOT_PUBLIC_URL: a notice's link to the member pages (`page_url`); none without.
    public_url: str | None = None

    def page_url(self, path: str) -> str | None:
        """Where a notice about `path` (core.page_links) leads: the member page under the
        public URL, or None when the server has none (the notice then has no such link)."""
        return page_url(self.public_url, path)

    def template_of(self, notice: Notice) -> TemplateSpec | None:
        """The template `notice` would be sent with, if its kind has one."""
        configured = self.templates.get(notice.kind)
        if not configured:
            return None
        return configured if isinstance(configured, TemplateSpec) \
            else default_spec(notice.kind, configured)

    def template_message(self, notice: Notice) -> dict[str, Any] | None:
        """The template send's payload for `notice`, or None: no template for its kind,
        or a value no keyword type accepts (then another channel carries it)."""
        spec = self.template_of(notice)
        if spec is None:
            return None
        try:
            data = spec.render({**(notice.fields or {}), "text": first_line(notice.text, 200)})
        except ValueError:
            return None
        return {"text": notice.text, "template_id": spec.template_id, "url": notice.url,
                "data": data}

    def subscribe_messages(self, notice: Notice) -> list[dict[str, Any]]:
        """The 订阅通知 `notice` could go as (one per subscription template of its kind
        that it fits), without the recipient: the delivery loop picks the first one the
        member holds a credit for."""
        fields = {**(notice.fields or {}), "text": first_line(notice.text, 200)}
        messages = []
        for spec in self.subscriptions.get(notice.kind, ()):
            try:
                messages.append(spec.message(fields, notice.url))
            except ValueError:
                continue
        return messages

    def plan(self, session: Session, members: Sequence[Recipient], notice: Notice,
             now: datetime) -> list[Plan]:
        """The channel for each member, in order: a few queries for any number of them."""
        by_template = self.template_message(notice) is not None
        return self._plan(session, members, by_template, now, self._subscribers(
            session, members, by_template, self.subscribe_messages(notice)))

    @staticmethod
    def _subscribers(session: Session, members: Sequence[Recipient], by_template: bool,
                     messages: list[dict[str, Any]]) -> set[int]:
        """Members a template will not reach who hold a credit for one of `messages`."""
        if by_template:  # (only those not following: a template reaches the others)
            members = [m for m in members if not (m.openid and m.subscribed)]
        return credit_holders(session, members, messages) if messages and members else set()

    def _plan(self, session: Session, members: Sequence[Recipient], by_template: bool,
              now: datetime, subscribers: set[int] | None = None) -> list[Plan]:
        subscribers = subscribers or set()
        followers = [m.openid for m in members if m.openid and m.subscribed
                     and m.id not in subscribers]
        allowed = open_allowances(session, followers, now) if followers and not by_template \
            else set()

        def direct(member: Recipient) -> Channel | None:
            follows = bool(member.openid and member.subscribed)
            if follows and by_template:
                return Channel.TEMPLATE
            if member.id in subscribers:
                return Channel.SUBSCRIBE
            if not follows:
                return None
            return Channel.CUSTOM if member.openid in allowed else None

        channels = [direct(m) for m in members]
        helpers = helpers_of(session, [m.id for m, c in zip(members, channels, strict=True)
                                       if c is None])

        def indirect(member: Recipient) -> Plan:
            if member.id in helpers:
                return Plan(Channel.RELAY, helpers[member.id])
            if member.openid and member.subscribed:
                return Plan(Channel.CUSTOM, held=True)
            return Plan(Channel.NONE)

        return [Plan(channel) if channel is not None else indirect(m)
                for m, channel in zip(members, channels, strict=True)]

    def enqueue(self, session: Session, dedupe_key: str, member: Recipient, notice: Notice,
                now: datetime, send_after: datetime | None = None) -> Status | None:
        """Queue `notice` for one member (inside the transaction that caused it).

        Returns the new row's status, or None when a row with this key already exists
        (nothing changes).
        """
        written = self.enqueue_many(session, [(dedupe_key, member)], notice, now, send_after)
        return next(iter(written), None)

    def enqueue_many(self, session: Session, recipients: Sequence[tuple[str, Recipient]],
                     notice: Notice, now: datetime,
                     send_after: datetime | None = None) -> dict[Status, int]:
        """Queue one notice for many members: the rows in one statement per chunk.

        `recipients` are (dedupe_key, member) pairs; keys already queued are skipped.
        A member no channel reaches is recorded as undeliverable, so that the branch
        admin can be told. Returns how many rows were written per status.
        """
        written = self._enqueue(session, recipients, notice, now, send_after)[1]
        counts: dict[Status, int] = {}
        for status in written:
            counts[Status(status)] = counts.get(Status(status), 0) + 1
        return counts

    def enqueue_each(self, session: Session, recipients: Sequence[tuple[str, Recipient]],
                     notice: Notice, now: datetime) -> list[Status]:
        """As enqueue_many, but the status this notice has for each recipient, in order
        (what the plan chose: a key already queued is left as it was)."""
        return [plan.status for plan in self._enqueue(session, recipients, notice, now)[0]]

    def _enqueue(self, session: Session, recipients: Sequence[tuple[str, Recipient]],
                 notice: Notice, now: datetime,
                 send_after: datetime | None = None) -> tuple[list[Plan], list[str]]:
        """Plan and write the rows; (the plan per recipient, statuses of rows written)."""
        if not recipients:
            return [], []
        template_payload = self.template_message(notice)  # rendered once per notice
        members = [m for _, m in recipients]
        messages = self.subscribe_messages(notice)
        plans = self._plan(session, members, template_payload is not None, now,
                           self._subscribers(session, members, template_payload is not None,
                                             messages))
        text_payload: dict[str, Any] = {"text": notice.text}
        if notice.article:
            text_payload["news"] = dict(notice.article)
        # (a 订阅通知 row carries the text too: without a credit it goes on as a
        # customer-service message, models.delivery.claims.past_subscription)
        subscribe_payload = {**text_payload, "subscribe": messages}
        rows, relays = [], []
        request_id = current_request_id()  # (once, not the column default's call per row)
        for (key, member), plan in zip(recipients, plans, strict=True):
            if plan.helper_id is not None:
                relays.append((key, member.id, plan.helper_id))
            rows.append({
                "dedupe_key": key, "kind": notice.kind, "member_id": member.id,
                "openid": member.openid, "channel": str(plan.channel),
                "payload": template_payload if plan.channel is Channel.TEMPLATE
                else subscribe_payload if plan.channel is Channel.SUBSCRIBE else text_payload,
                "status": str(plan.status), "send_after": send_after or now, "attempts": 0,
                "unknown_retried": False, "created_at": now, "subject": notice.subject,
                "request_id": request_id})
        written = _insert_rows(session, rows)
        add_relays(session, relays, notice.kind, notice.subject, notice.text, now)
        return plans, written


def _insert_rows(session: Session, rows: list[dict[str, Any]]) -> list[str]:
    """Insert outbox rows, skipping keys already queued; the statuses of rows written."""
    if session.get_bind().dialect.name == "postgresql" and all(
            row["send_after"] == row["created_at"] for row in rows):
        return _insert_unnest(session, rows)
    # Keys already queued are dropped first, so that the counts are right; the ON
    # CONFLICT clause still covers a concurrent sweep.
    existing: set[str] = set()
    keys = [row["dedupe_key"] for row in rows]
    for start in range(0, len(keys), 5000):
        existing.update(session.scalars(select(Outbox.dedupe_key).where(
            Outbox.dedupe_key.in_(keys[start:start + 5000]))))
    fresh = [row for row in rows if row["dedupe_key"] not in existing]
    if fresh:
        dialect_insert: Any = postgresql.insert \
            if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        session.execute(dialect_insert(Outbox.__table__).on_conflict_do_nothing(
            index_elements=["dedupe_key"]), fresh)
    return [row["status"] for row in fresh]


# One statement per chunk: the rows travel as arrays, which PostgreSQL unpacks
# server-side; row-by-row inserts spent most of their time on per-statement overhead.
_UNNEST_INSERT = text("""
INSERT INTO outbox (dedupe_key, kind, member_id, openid, channel, payload, status,
                    send_after, attempts, unknown_retried, created_at, subject, request_id)
SELECT k, :kind, m, o, c, CAST(p AS json), s, :now, 0, false, :now, :subject, :request_id
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
        "subject": first["subject"],
        "request_id": first["request_id"],
        "now": first["created_at"].astimezone(UTC).replace(tzinfo=None),
        "keys": [r["dedupe_key"] for r in rows],
        "members": [r["member_id"] for r in rows],
        "openids": [r["openid"] for r in rows],
        "channels": [r["channel"] for r in rows],
        "payloads": [encode(r["payload"]) for r in rows],
        "statuses": [r["status"] for r in rows],
    }))


def not_reached_for_branch(session: Session, branch_id: int, since: datetime,
                           until: datetime | None = None) -> list[Outbox]:
    """Rows in [since, until) that reached nobody yet (held, or no channel at all), for
    the branch admin's digest."""
    query = (select(Outbox).join(Member, Outbox.member_id == Member.id)
             .where(Member.branch_id == branch_id,
                    Outbox.status.in_([Status.UNDELIVERABLE, Status.HELD]),
                    Outbox.created_at >= since).order_by(Outbox.id))
    if until is not None:
        query = query.where(Outbox.created_at < until)
    return list(session.scalars(query))
