"""订阅通知 credits: what each member has accepted, one message per acceptance.

A member accepts (or rejects) a subscription template on a page of the account
(`wx-open-subscribe`) or in the mini-program; WeChat tells the webhook
(`subscribe_msg_popup_event`, `subscribe_msg_change_event`) or the mini-program tells the
API. Each acceptance allows one message: a row per (app, openid, template) counts them.
The channel policy (models.delivery.outbox) sends a notice as 订阅通知 when the member
holds a credit for the notice's template; the delivery loop spends the credit when it
claims the row (`spend`: one conditional UPDATE, so two workers never spend one credit
twice), gives it back when WeChat certainly did not send, and drops it when WeChat says
there is none (43101).

Account credits are found by the member's account openid; mini-program credits carry the
member's id (their mini-program openid is another openid, known only once they used it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    any_,
    bindparam,
    cast,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.subscribe_messages import ACCOUNT, MINIPROGRAM
from models.db.base import Base, UTCDateTime, rowcount

ACCEPT = "accept"
REJECT = "reject"
# An acceptance WeChat can no longer honour (43101 on a send, or a failed sent event).
REFUSED = "refused"


class SubscriptionCredit(Base):
    """How many 订阅通知 of one template a user may still receive."""

    __tablename__ = "subscription_credit"
    __table_args__ = (UniqueConstraint("app", "openid", "template_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app: Mapped[str] = mapped_column(String(20))  # "account" or "miniprogram"
    openid: Mapped[str] = mapped_column(String(64), index=True)
    template_id: Mapped[str] = mapped_column(String(128))
    # Set for mini-program credits (their openid is not the member's account openid).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    credits: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))  # the user's last answer: ACCEPT …
    scene: Mapped[str | None] = mapped_column(String(20))  # WeChat's PopupScene
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by: Mapped[str] = mapped_column(String(40))  # the actor's key
    surface: Mapped[str] = mapped_column(String(20))  # the actor's surface
    spent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    spent: Mapped[int] = mapped_column(Integer, default=0)  # messages sent on it so far


# (How many acceptances one row may bank: WeChat keeps no more for a one-time template.)
MAX_CREDITS = 100


@dataclass(frozen=True)
class Choice:
    """One template's answer in a subscription event."""

    template_id: str
    status: str  # ACCEPT or REJECT
    scene: str | None = None


def record_choices(session: Session, app: str, openid: str, choices: Iterable[Choice],
                   now: datetime, actor_key: str, surface: str,
                   member_id: int | None = None) -> int:
    """Store the user's answers: an acceptance adds one credit, a rejection takes all
    away. Returns how many answers were stored."""
    stored = 0
    for choice in choices:
        row = session.scalar(select(SubscriptionCredit).where(
            SubscriptionCredit.app == app, SubscriptionCredit.openid == openid,
            SubscriptionCredit.template_id == choice.template_id))
        if row is None:
            row = SubscriptionCredit(app=app, openid=openid, template_id=choice.template_id,
                                     credits=0, spent=0)
            session.add(row)
        row.credits = min((row.credits or 0) + 1, MAX_CREDITS) \
            if choice.status == ACCEPT else 0
        row.status, row.scene, row.changed_at = choice.status, choice.scene, now
        row.changed_by, row.surface = actor_key[:40], surface[:20]
        if member_id is not None:
            row.member_id = member_id
        stored += 1
    session.flush()
    return stored


def credit_holders(session: Session, members: Sequence[Any],
                   messages: Sequence[dict[str, Any]]) -> set[int]:
    """Which of `members` hold a credit for one of the rendered `messages` (each names
    its app and template id): one query per chunk of members."""
    account = [m["template_id"] for m in messages if m["app"] == ACCOUNT]
    mini = [m["template_id"] for m in messages if m["app"] == MINIPROGRAM]
    postgres = session.get_bind().dialect.name == "postgresql"
    # PostgreSQL takes the lists as one array each (a bound parameter per openid costs
    # more than the query); SQLite, in chunks within its parameter limit.
    size = 50_000 if postgres else 2000
    found: set[int] = set()
    for start in range(0, len(members), size):
        chunk = members[start:start + size]
        by_openid = {m.openid: m.id for m in chunk if m.openid}
        wanted = []
        if account and by_openid:
            wanted.append((SubscriptionCredit.app == ACCOUNT)
                          & _among(SubscriptionCredit.openid, list(by_openid), postgres)
                          & SubscriptionCredit.template_id.in_(account))
        if mini:
            wanted.append((SubscriptionCredit.app == MINIPROGRAM)
                          & _among(SubscriptionCredit.member_id, [m.id for m in chunk],
                                   postgres)
                          & SubscriptionCredit.template_id.in_(mini))
        if not wanted:
            continue
        for openid, member_id in session.execute(
                select(SubscriptionCredit.openid, SubscriptionCredit.member_id)
                .where(SubscriptionCredit.credits > 0, or_(*wanted))):
            holder = member_id if member_id is not None else by_openid.get(openid)
            if holder is not None:
                found.add(holder)
    return found


def _among(column: Any, values: list[Any], postgres: bool) -> Any:
    """`column IN values`: on PostgreSQL `= ANY(array)`, one parameter."""
    if not postgres:
        return column.in_(values)
    kind = Integer if values and isinstance(values[0], int) else String
    return column == any_(cast(bindparam(None, values, type_=ARRAY(kind())), ARRAY(kind())))


@dataclass(frozen=True)
class Spent:
    """A credit taken for one message: which row, and the openid to send to."""

    credit_id: int
    openid: str


def spend(session: Session, app: str, template_id: str, member_id: int | None,
          openid: str | None, now: datetime) -> Spent | None:
    """Take one credit for a message, atomically (a conditional UPDATE: of two workers
    racing for the last credit, one gets it); None when there is none."""
    if app == ACCOUNT:
        if not openid:
            return None
        which = (SubscriptionCredit.app == ACCOUNT) & (SubscriptionCredit.openid == openid)
    else:
        if member_id is None:
            return None
        which = (SubscriptionCredit.app == app) & (SubscriptionCredit.member_id == member_id)
    candidate = select(SubscriptionCredit.id).where(
        which, SubscriptionCredit.template_id == template_id, SubscriptionCredit.credits > 0
    ).order_by(SubscriptionCredit.changed_at.desc()).limit(1).scalar_subquery()
    row = session.execute(
        update(SubscriptionCredit)
        .where(SubscriptionCredit.id == candidate, SubscriptionCredit.credits > 0)
        .values(credits=SubscriptionCredit.credits - 1, spent=SubscriptionCredit.spent + 1,
                spent_at=now)
        .returning(SubscriptionCredit.id, SubscriptionCredit.openid)
        .execution_options(synchronize_session=False)).first()
    return Spent(row[0], row[1]) if row is not None else None


def give_back(session: Session, credit_id: int) -> None:
    """WeChat certainly did not send: the credit is the member's again."""
    session.execute(update(SubscriptionCredit).where(SubscriptionCredit.id == credit_id)
                    .values(credits=SubscriptionCredit.credits + 1,
                            spent=SubscriptionCredit.spent - 1)
                    .execution_options(synchronize_session=False))


def drop(session: Session, credit_id: int | None = None, app: str = ACCOUNT,
         openid: str = "", template_id: str = "") -> int:
    """WeChat says the user holds none (43101, or a failed sent event): nothing is left,
    whatever we counted. By the credit's id, or by app + openid + template."""
    which = SubscriptionCredit.id == credit_id if credit_id is not None else (
        (SubscriptionCredit.app == app) & (SubscriptionCredit.openid == openid)
        & (SubscriptionCredit.template_id == template_id))
    return rowcount(session.execute(
        update(SubscriptionCredit).where(which).values(credits=0, status=REFUSED)
        .execution_options(synchronize_session=False)))


@dataclass(frozen=True)
class Subscription:
    """One template a member has answered, for their 通知设置 page."""

    app: str
    template_id: str
    status: str  # ACCEPT, REJECT or REFUSED
    credits: int  # messages still allowed
    changed_at: datetime


def subscriptions_of(session: Session, member_id: int,
                     openid: str | None) -> list[Subscription]:
    """What the member has accepted or rejected: their account openid's rows and their
    mini-program rows, newest first."""
    mine = SubscriptionCredit.member_id == member_id
    if openid:
        mine = or_(mine, (SubscriptionCredit.app == ACCOUNT)
                   & (SubscriptionCredit.openid == openid))
    return [Subscription(r.app, r.template_id, r.status, r.credits, r.changed_at)
            for r in session.scalars(select(SubscriptionCredit).where(mine).order_by(
                SubscriptionCredit.changed_at.desc(), SubscriptionCredit.id.desc()))]
