"""Every statement the webhook runs on the raw DBAPI cursor, in one place.

Per message the webhook claims the dedupe key, opens the sender's customer-service
allowance, looks up the caller and stores the reply (a duplicate reads the stored
reply instead). These run through `Prepared` (models.db.raw_statements): compiled once
per dialect by SQLAlchemy, executed without its execution layer. tests/test_webhook_
statements.py checks each against the ORM query it stands for.

`open_allowance` runs the same upsert through a Session (tests, benchmarks, the
simulator), so the rule "an older opening never shortens a newer one" is written once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Dialect, bindparam, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.service_allowance import Opening
from models.db.base import table_of
from models.db.inbound import InboundMessage
from models.db.raw_statements import Prepared
from models.delivery.allowance import ServiceAllowance
from models.members.org_tables import OrgAdmin
from models.members.queries import Caller
from models.members.tables import Member
from models.pairing.queries import helper_role


def _dialect_insert(dialect_name: str) -> Any:
    return postgresql.insert if dialect_name == "postgresql" else sqlite.insert


def allowance_upsert(dialect_name: str) -> Any:
    """Open (reset, never add to) an openid's allowance: one INSERT … ON CONFLICT."""
    table = table_of(ServiceAllowance)
    statement = _dialect_insert(dialect_name)(table).values(
        openid=bindparam("openid"), remaining=bindparam("remaining"),
        until=bindparam("until"), opened_at=bindparam("opened_at"),
        opened_by=bindparam("opened_by"))
    # Reset, not added: the latest action decides. An older action arriving late (a
    # retried event) must not shorten a newer allowance.
    return statement.on_conflict_do_update(
        index_elements=["openid"],
        set_={name: statement.excluded[name]
              for name in ("remaining", "until", "opened_at", "opened_by")},
        where=table.c.opened_at <= statement.excluded.opened_at)


def _allowance_values(openid: str, opening: Opening, now: datetime) -> dict[str, Any]:
    return {"openid": openid, "remaining": opening.count, "until": now + opening.window,
            "opened_at": now, "opened_by": opening.action}


def open_allowance(session: Session, openid: str, opening: Opening, now: datetime) -> None:
    """The same as the webhook does, through a Session (tests, the simulator)."""
    session.execute(allowance_upsert(session.get_bind().dialect.name),
                    _allowance_values(openid, opening, now))


class WebhookStatements:
    """The webhook's per-message statements, prepared once for one dialect."""

    def __init__(self, dialect: Dialect) -> None:
        inbound = table_of(InboundMessage)
        values: dict[str, Any] = {name: bindparam(name)
                                  for name in ("key", "openid", "msg_type", "received_at",
                                               "signature")}
        # ON CONFLICT DO NOTHING: a duplicate is a zero rowcount, not an aborted
        # transaction; on PostgreSQL it waits for a concurrent first insert to commit.
        self._claim = Prepared(_dialect_insert(dialect.name)(inbound).values(**values)
                               .on_conflict_do_nothing(), dialect)
        self._claim_answered = Prepared(
            _dialect_insert(dialect.name)(inbound).values(**values, reply=bindparam("reply"))
            .on_conflict_do_nothing(), dialect)
        self._known = Prepared(select(inbound.c.key).where(inbound.c.key == bindparam("key")),
                               dialect)
        self._reply_of = Prepared(
            select(inbound.c.reply).where(inbound.c.key == bindparam("key")), dialect)
        self._save_reply = Prepared(
            update(inbound).where(inbound.c.key == bindparam("key"))
            .values(reply=bindparam("reply")), dialect)
        self._open_allowance = Prepared(allowance_upsert(dialect.name), dialect)
        member, org_admin = table_of(Member), table_of(OrgAdmin)
        is_org_admin = exists(select(org_admin.c.id).where(org_admin.c.member_id == member.c.id))
        self._caller = Prepared(
            select(member.c.id, member.c.name, member.c.branch_id, member.c.is_admin,
                   helper_role(member.c),
                   is_org_admin.label("is_org_admin"))
            .where(member.c.openid == bindparam("openid")), dialect)

    def claim(self, cursor: Any, key: str, openid: str, msg_type: str,
              received_at: datetime, signature: str | None = None) -> bool:
        """Record the key; False when it (or the signature) was already there."""
        self.send_claim(cursor, key, openid, msg_type, received_at, signature)
        return self.claimed(cursor)

    def send_claim(self, cursor: Any, key: str, openid: str, msg_type: str,
                   received_at: datetime, signature: str | None = None) -> None:
        """Run (or, in a pipeline, queue) the claim; `claimed(cursor)` tells, once run."""
        self._claim.run(cursor, key=key, openid=openid, msg_type=msg_type,
                        received_at=received_at, signature=signature)

    def claim_answered(self, cursor: Any, key: str, openid: str, msg_type: str,
                       received_at: datetime, reply: str, signature: str | None = None) -> bool:
        """Record the key with its reply in one insert (for a caller that made sure,
        under the write gate, that the key is new); False when it or the signature was
        already there."""
        self._claim_answered.run(cursor, key=key, openid=openid, msg_type=msg_type,
                                 received_at=received_at, signature=signature, reply=reply)
        return self.claimed(cursor)

    @staticmethod
    def claimed(cursor: Any) -> bool:
        """Whether the claim run on `cursor` recorded the key."""
        return bool(cursor.rowcount == 1)

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

    def open_allowance(self, cursor: Any, openid: str, opening: Opening,
                       now: datetime) -> None:
        """Reset `openid`'s allowance to what `opening` gives, from `now`."""
        self._open_allowance.run(cursor, **_allowance_values(openid, opening, now))

    def caller(self, cursor: Any, openid: str) -> Caller | None:
        """Who is bound to `openid`, as the router needs it (None: nobody)."""
        self.send_caller(cursor, openid)
        return self.caller_found(cursor)

    def send_caller(self, cursor: Any, openid: str) -> None:
        """Run (or, in a pipeline, queue) the caller lookup; `caller_found(cursor)` reads it."""
        self._caller.run(cursor, openid=openid)

    @staticmethod
    def caller_found(cursor: Any) -> Caller | None:
        """The caller the lookup run on `cursor` found (None: nobody)."""
        row = cursor.fetchone()
        if row is None:
            return None
        return Caller(row[0], row[1], row[2], bool(row[3]), bool(row[4]), bool(row[5]))
