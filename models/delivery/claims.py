"""The database side of delivery: claiming due rows, recording results, leases, reports.

Claiming marks rows `sending` with a lease (owner + until) in one statement:
PostgreSQL selects them `FOR UPDATE SKIP LOCKED`, so concurrent workers never claim
the same row; SQLite runs the same UPDATE … RETURNING inside `BEGIN IMMEDIATE`
(SQLAlchemy would silently drop `skip_locked` there). A result is recorded only if
the worker still owns the row, so a worker that lost its lease cannot overwrite what
happened after.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, String, bindparam, func, select, update
from sqlalchemy.orm import Session

from models.db.base import UTCDateTime, rowcount, table_of
from models.delivery.outbox import Channel, Outbox, Status, status_is

MAX_ATTEMPTS = 8
UNKNOWN_RETRY_DELAY = timedelta(minutes=10)


@dataclass(frozen=True)
class Claimed:
    """A row claimed for sending (a plain snapshot, safe to pass to threads)."""

    id: int
    openid: str | None
    channel: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    dedupe_key: str = ""
    request_id: str | None = None  # of the request or job run that queued it
    # Customer service: when the allowance this send was counted against opened.
    allowance: datetime | None = None
    # 订阅通知: the message chosen when its credit was spent (app, template_id, data,
    # page, touser, credit), see models.delivery.subscriptions.
    target: dict[str, Any] | None = None


class SendOutcome(StrEnum):
    """What one API call for a row came to."""

    SENT = "sent"
    RETRY = "retry"  # transient: back off and try again
    FAILED = "failed"  # permanent: WeChat's code says it will never go through
    QUOTA = "quota"  # 45009: the channel's daily quota is used up
    REROUTE = "reroute"  # 45047/45015: the member's allowance is gone; next channel


@dataclass(frozen=True)
class Result:
    """What sending one row did."""

    id: int
    outcome: SendOutcome
    msgid: str | None = None
    code: int | None = None
    error: str | None = None


def claim(session: Session, owner: str, now: datetime, lease: timedelta,
          channels: list[str], limit: int) -> list[Claimed]:
    """Mark up to `limit` due rows of `channels` as ours; the caller commits at once."""
    if limit <= 0 or not channels:
        return []
    due = (select(Outbox.id)
           .where(Outbox.status == Status.PENDING, Outbox.send_after <= now,
                  Outbox.channel.in_(channels))
           .order_by(Outbox.send_after, Outbox.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    statement = (
        update(Outbox).where(Outbox.id.in_(due.scalar_subquery()))
        .values(status=Status.SENDING, lease_owner=owner, lease_until=now + lease,
                attempts=Outbox.attempts + 1)
        .returning(Outbox.id, Outbox.openid, Outbox.channel, Outbox.kind, Outbox.payload,
                   Outbox.attempts, Outbox.dedupe_key, Outbox.request_id)
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(statement).all()
    return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with jitter: ~10 s, 20 s, 40 s … capped at an hour."""
    base = min(5 * 2**attempts, 3600)
    return timedelta(seconds=base * random.uniform(0.5, 1.5))


def _outcome_values(result: Result, attempts: int, now: datetime,
                    resume_at: datetime | None) -> dict[str, Any]:
    """The columns a result sets (None: keep the column as it is)."""
    values: dict[str, Any] = {
        "row_id": result.id, "status": Status.PENDING, "msgid": None, "sent_at": None,
        "code": result.code, "error": result.error, "send_after": None, "refund": 0,
    }
    if result.outcome is SendOutcome.SENT:
        values.update(status=Status.SENT, msgid=result.msgid or None, sent_at=now, code=None,
                      error=None)
    elif result.outcome is SendOutcome.FAILED:
        values.update(status=Status.FAILED)
    elif result.outcome is SendOutcome.REROUTE:  # models.delivery.held moves it on from here
        values.update(status=Status.HELD)
    elif result.outcome is SendOutcome.QUOTA:  # not the member's fault: the attempt is given back
        values.update(send_after=resume_at or now, refund=1)
    elif attempts >= MAX_ATTEMPTS:
        values.update(status=Status.FAILED,
                      error=f"gave up after {attempts} attempts: {result.error}"[:300])
    else:
        values.update(send_after=now + backoff(attempts))
    return values


OUTBOX = table_of(Outbox)
_RECORD = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("row_id"),
           OUTBOX.c.lease_owner == bindparam("owner"),
           OUTBOX.c.status == Status.SENDING)
    .values(
        status=bindparam("status"),
        wechat_msgid=func.coalesce(bindparam("msgid", type_=String), Outbox.wechat_msgid),
        sent_at=func.coalesce(bindparam("sent_at", type_=UTCDateTime()), Outbox.sent_at),
        last_error_code=bindparam("code", type_=Integer),
        last_error=bindparam("error", type_=String),
        send_after=func.coalesce(bindparam("send_after", type_=UTCDateTime()),
                                 Outbox.send_after),
        attempts=Outbox.attempts - bindparam("refund", type_=Integer),
        lease_owner=None,
        lease_until=None,
    )
)


def record(session: Session, owner: str, outcomes: list[tuple[Result, int]], now: datetime,
           resume_at: datetime | None = None) -> int:
    """Store a batch of (result, attempts) in one statement, only for rows we still own.

    Returns how many rows were updated; fewer than given means some leases were lost
    (another worker or the reaper took those rows meanwhile).
    """
    if not outcomes:
        return 0
    params = [{**_outcome_values(result, attempts, now, resume_at), "owner": owner}
              for result, attempts in outcomes]
    return rowcount(session.execute(_RECORD, params))


def reap_expired_leases(session: Session, now: datetime) -> int:
    """Rows whose sender vanished mid-send: the outcome is unknown."""
    result = session.execute(
        update(Outbox).where(Outbox.status == Status.SENDING, Outbox.lease_until < now)
        .values(status=Status.UNKNOWN, lease_owner=None)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


def retry_unknown(session: Session, now: datetime,
                  delay: timedelta = UNKNOWN_RETRY_DELAY) -> tuple[int, int]:
    """Unknown rows with no delivery report after `delay`: retry once, then fail."""
    stale = Outbox.lease_until < now - delay
    retried = rowcount(session.execute(
        update(Outbox).where(status_is(Status.UNKNOWN), stale,
                             Outbox.unknown_retried.is_(False))
        .values(status=Status.PENDING, unknown_retried=True, send_after=now, lease_until=None)
        .execution_options(synchronize_session=False)
    ))
    failed = rowcount(session.execute(
        update(Outbox).where(status_is(Status.UNKNOWN), stale,
                             Outbox.unknown_retried.is_(True))
        .values(status=Status.FAILED, last_error="outcome unknown twice; not sent again")
        .execution_options(synchronize_session=False)
    ))
    return retried, failed


def record_report(session: Session, msgid: str, openid: str, report: str,
                  channel: str = "template") -> Outbox | None:
    """A TEMPLATESENDJOBFINISH report (or a subscribe_msg_sent_event's item, `channel`
    "subscribe"): mark the row delivered or failed.

    Matched by msgid; a row whose send outcome was unknown (we never learned its msgid)
    is matched by recipient instead, oldest first.
    """
    row = session.scalar(select(Outbox).where(Outbox.wechat_msgid == msgid))
    if row is None:
        row = session.scalar(
            select(Outbox).where(Outbox.openid == openid, status_is(Status.UNKNOWN),
                                 Outbox.channel == channel)
            .order_by(Outbox.id).limit(1))
        if row is None:
            return None
        row.wechat_msgid = msgid
    delivered = report.strip().lower() == "success"
    row.report = "delivered" if delivered else report.strip()[:40]
    if delivered:
        row.status = Status.SENT
    else:
        row.status = Status.FAILED
        row.last_error = f"delivery report: {report.strip()}"[:300]
    session.flush()
    return row


def past_subscription(session: Session, row_ids: Sequence[int], now: datetime,
                      error: str | None = None) -> int:
    """订阅通知 rows with no credit left move on to the next channel: customer service
    (the claim checks the member's allowance, and moves what it does not cover on to
    the helper, else holds it)."""
    if not row_ids:
        return 0
    values: dict[str, Any] = {"channel": Channel.CUSTOM, "status": Status.PENDING,
                              "send_after": now, "lease_owner": None, "lease_until": None}
    if error:
        values["last_error"] = error[:300]
    return rowcount(session.execute(
        update(Outbox).where(Outbox.id.in_(list(row_ids))).values(**values)
        .execution_options(synchronize_session=False)))
