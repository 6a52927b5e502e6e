"""Each raw statement of the webhook (models.db.webhook_statements) against the ORM
query it stands for, on the same rows: they must agree, values and stored form alike,
on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import exists, select, text

from core.service_allowance import EVENT, MESSAGE
from models.db.base import table_of
from models.db.inbound import InboundMessage
from models.db.webhook_statements import WebhookStatements
from models.delivery.allowance import ServiceAllowance
from models.members.org_tables import OrgAdmin
from models.members.queries import Caller, member_by_openid
from tests.factories import make_branch, make_member


def _raw(session):  # type: ignore[no-untyped-def]
    """The statements for this database, and a DBAPI cursor in the session's transaction."""
    connection = session.connection()
    statements = WebhookStatements(connection.dialect)
    return statements, connection.connection.dbapi_connection.cursor()


def _stored(session, model, key_column, key):  # type: ignore[no-untyped-def]
    """The row as the database holds it: plain SQL, no column types' conversions (a
    datetime the raw path bound differently from the ORM would show here)."""
    table = table_of(model).name
    row = session.execute(text(f"SELECT * FROM {table} WHERE {key_column} = :key"),
                          {"key": key}).one()
    return {name: value for name, value in row._mapping.items() if name != key_column}


def test_claim_known_reply_and_save_reply_agree_with_the_orm(session, clock):
    statements, cursor = _raw(session)
    now = clock()
    assert statements.claim(cursor, "raw-1", "o-a", "text", now, "sig-raw")
    session.add(InboundMessage(key="orm-1", openid="o-a", msg_type="text", received_at=now,
                               signature="sig-orm"))
    session.flush()
    raw, orm = (_stored(session, InboundMessage, "key", k) for k in ("raw-1", "orm-1"))
    assert {**raw, "signature": None} == {**orm, "signature": None}
    assert (raw["signature"], orm["signature"]) == ("sig-raw", "sig-orm")
    # A second claim of either key (or of a used signature) is refused, as the primary
    # and unique keys refuse an ORM insert.
    assert not statements.claim(cursor, "raw-1", "o-a", "text", now)
    assert not statements.claim(cursor, "orm-1", "o-a", "text", now)
    assert not statements.claim(cursor, "raw-2", "o-a", "text", now, "sig-orm")
    for key in ("raw-1", "orm-1", "missing"):
        assert statements.known(cursor, key) == (session.get(InboundMessage, key) is not None)
    statements.save_reply(cursor, "raw-1", "<xml>回复</xml>")
    session.get(InboundMessage, "orm-1").reply = "<xml>回复</xml>"
    session.flush()
    session.expire_all()
    for key in ("raw-1", "orm-1", "missing"):
        found = session.get(InboundMessage, key)
        assert statements.reply_of(cursor, key) == (found.reply if found else None)
    assert _stored(session, InboundMessage, "key", "raw-1")["reply"] == \
        _stored(session, InboundMessage, "key", "orm-1")["reply"]


def _orm_open(session, openid, opening, now):  # type: ignore[no-untyped-def]
    """What the upsert means, in ORM terms: reset unless a newer opening holds."""
    row = session.get(ServiceAllowance, openid)
    if row is None:
        session.add(ServiceAllowance(openid=openid, remaining=opening.count,
                                     until=now + opening.window, opened_at=now,
                                     opened_by=opening.action))
    elif row.opened_at <= now:
        row.remaining, row.until = opening.count, now + opening.window
        row.opened_at, row.opened_by = now, opening.action
    session.flush()


def test_open_allowance_agrees_with_the_orm(session, clock):
    statements, cursor = _raw(session)
    now = clock()
    # first opening; a newer one resets; an older one arriving late changes nothing
    for opening, when in ((MESSAGE, now), (EVENT, now + timedelta(minutes=5)),
                          (MESSAGE, now + timedelta(minutes=1))):
        statements.open_allowance(cursor, "o-raw", opening, when)
        _orm_open(session, "o-orm", opening, when)
        session.expire_all()
        assert _stored(session, ServiceAllowance, "openid", "o-raw") == \
            _stored(session, ServiceAllowance, "openid", "o-orm")
    assert session.get(ServiceAllowance, "o-raw").opened_by == EVENT.action


def test_caller_agrees_with_the_orm(session):
    branch = make_branch(session)
    make_member(session, branch, "张三", openid="o-member")
    make_member(session, branch, "李四", openid="o-admin", is_admin=True, is_helper=True)
    org_admin = make_member(session, branch, "王五", openid="o-org-admin")
    session.add(OrgAdmin(org_id=branch.id, member_id=org_admin.id))
    make_member(session, branch, "赵六")  # not bound
    session.flush()
    statements, cursor = _raw(session)
    for openid in ("o-member", "o-admin", "o-org-admin", "o-nobody"):
        member = member_by_openid(session, openid)
        expected = None if member is None else Caller(
            member.id, member.name, member.branch_id, member.is_admin, member.is_helper,
            bool(session.scalar(select(exists().where(OrgAdmin.member_id == member.id)))))
        assert statements.caller(cursor, openid) == expected
    assert statements.caller(cursor, "o-org-admin").is_org_admin


def test_sqlite_stores_times_as_sqlalchemys_own_datetime_text():
    """UTCDateTime's fast SQLite bind writes exactly what SQLAlchemy's DATETIME would
    (times are compared as text in SQLite: one character apart would reorder them)."""
    from datetime import UTC, timedelta, timezone

    from sqlalchemy import DateTime
    from sqlalchemy.dialects import sqlite

    from models.db.base import UTCDateTime

    dialect = sqlite.dialect()
    fast = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    generic = DateTime().dialect_impl(dialect).bind_processor(dialect)
    shanghai = timezone(timedelta(hours=8))
    for value in (datetime(2026, 12, 4, 9, 30, tzinfo=UTC),
                  datetime(2026, 12, 4, 9, 30, 5, 7, tzinfo=UTC),
                  datetime(2026, 1, 1, 0, 0, tzinfo=shanghai),
                  datetime(999, 3, 4, 23, 59, 59, 999999, tzinfo=UTC),
                  datetime(9999, 12, 31, 15, 0, tzinfo=shanghai)):
        assert fast(value) == generic(value.astimezone(UTC).replace(tzinfo=None))
    assert fast(None) is None
    with pytest.raises(ValueError):
        fast(datetime(2026, 12, 4, 9, 30))
