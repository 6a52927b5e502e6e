"""Each member's customer-service allowance: how many messages WeChat still accepts,
and until when (the rules: core.service_allowance).

Opened (reset, never added to) by the webhook for every user action that opens one,
spent by the delivery loop when it claims a customer-service row, so that partybot
never asks WeChat for a message past the allowance. One row per openid. The opening
upsert (the webhook's, and `open_allowance` through a Session) is in
models.db.webhook_statements.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime, rowcount


class ServiceAllowance(Base):
    """What the member's latest action allows."""

    __tablename__ = "service_allowance"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    remaining: Mapped[int] = mapped_column(Integer)
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_by: Mapped[str] = mapped_column(String(10))  # "message" or "event"


def open_allowances(session: Session, openids: Iterable[str], now: datetime) -> set[str]:
    """Which of `openids` have an allowance left at `now`."""
    wanted = list(dict.fromkeys(openids))
    found: set[str] = set()
    for start in range(0, len(wanted), 5000):  # bind-parameter limits
        found.update(session.scalars(select(ServiceAllowance.openid).where(
            ServiceAllowance.openid.in_(wanted[start:start + 5000]),
            ServiceAllowance.remaining > 0, ServiceAllowance.until > now)))
    return found


def spend(session: Session, openid: str, now: datetime) -> datetime | None:
    """Take one message from the allowance; the allowance's opening time (to give it
    back within the same allowance), or None when nothing is left."""
    opened_at = session.scalar(
        update(ServiceAllowance)
        .where(ServiceAllowance.openid == openid, ServiceAllowance.remaining > 0,
               ServiceAllowance.until > now)
        .values(remaining=ServiceAllowance.remaining - 1)
        .returning(ServiceAllowance.opened_at)
        .execution_options(synchronize_session=False))
    return opened_at


def spend_once_each(session: Session, openids: list[str],
                    now: datetime) -> dict[str, datetime]:
    """`spend` for distinct openids in one statement: openid → opening time, for those
    with something left."""
    if not openids:
        return {}
    rows = session.execute(
        update(ServiceAllowance)
        .where(ServiceAllowance.openid.in_(openids), ServiceAllowance.remaining > 0,
               ServiceAllowance.until > now)
        .values(remaining=ServiceAllowance.remaining - 1)
        .returning(ServiceAllowance.openid, ServiceAllowance.opened_at)
        .execution_options(synchronize_session=False))
    return {openid: opened_at for openid, opened_at in rows}


def give_back(session: Session, openid: str, opened_at: datetime) -> bool:
    """Return one message WeChat certainly did not send, if that allowance still holds."""
    return rowcount(session.execute(
        update(ServiceAllowance)
        .where(ServiceAllowance.openid == openid, ServiceAllowance.opened_at == opened_at)
        .values(remaining=ServiceAllowance.remaining + 1)
        .execution_options(synchronize_session=False))) == 1


def close(session: Session, openid: str) -> None:
    """WeChat said no (45047/45015): nothing is left, whatever we counted."""
    session.execute(update(ServiceAllowance).where(ServiceAllowance.openid == openid)
                    .values(remaining=0).execution_options(synchronize_session=False))
