"""Menus per role: WeChat shows each follower the conditional menu of their user tag,
so every bound member carries exactly one role tag — 支部管理员, else 帮扶人, else 党员
(strangers carry none and see the default menu, which offers binding).

What WeChat has been told is kept here (`menu_tag`); the scheduler compares it with the
roles members have now and queues the differences as outbox rows on the `tag` channel,
which it then sends in batches (schedules/menu_tags.py). So a role changed by any path
— binding, 解绑, a roster import, 结对 — reaches the menu within a minute, and nothing
is lost if WeChat is unreachable meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, delete, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime
from models.delivery.outbox import Channel, Outbox, Status, channel_is
from models.members.tables import Member
from models.pairing.queries import helper_role

ROLES = ("member", "helper", "admin")
TAG_KIND = "menu_tag"
# A tagging WeChat refused for good is not asked again for a day (a bad openid).
FAILED_PAUSE = timedelta(days=1)


class WeChatTag(Base):
    """The id WeChat gave a role's tag (tags/create), kept by `partybot menu publish`."""

    __tablename__ = "wechat_tag"

    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    tag_id: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(String(30))


class MenuTag(Base):
    """The role tag WeChat has for a follower (what we told it last)."""

    __tablename__ = "menu_tag"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    tagged_at: Mapped[datetime] = mapped_column(UTCDateTime())


def role_of(is_admin: bool, is_helper: bool) -> str:
    """The one role whose menu a member sees (the most capable)."""
    return "admin" if is_admin else "helper" if is_helper else "member"


def tag_ids(session: Session) -> dict[str, int]:
    """role -> WeChat tag id, as published (empty before `partybot menu publish`)."""
    return {role: tag_id for role, tag_id in session.execute(
        select(WeChatTag.role, WeChatTag.tag_id))}


def remember_tag_ids(session: Session, ids: Mapping[str, tuple[int, str]]) -> None:
    """Store role -> (tag id, name) after publishing (flushes)."""
    for role, (tag_id, name) in ids.items():
        session.merge(WeChatTag(role=role, tag_id=tag_id, name=name))
    session.flush()


@dataclass(frozen=True)
class TagChange:
    """One follower's tag to change: from `old` (None: none) to `new` (None: none)."""

    openid: str
    member_id: int | None
    old: str | None
    new: str | None


def tag_changes(session: Session, now: datetime) -> list[TagChange]:
    """Followers whose tag differs from their role now, leaving out those with a change
    already queued or refused for good within a day. Three queries for any county."""
    wanted: dict[str, tuple[int, str]] = {
        str(openid): (member_id, role_of(is_admin, is_helper))
        for openid, member_id, is_admin, is_helper in session.execute(
            select(Member.openid, Member.id, Member.is_admin,
                   helper_role(Member))  # the role follows the pairs
            .where(Member.openid.is_not(None), Member.subscribed.is_(True)))}
    told = {openid: role for openid, role in session.execute(
        select(MenuTag.openid, MenuTag.role))}
    waiting = set(session.scalars(select(Outbox.openid).where(
        channel_is(Channel.TAG),
        (Outbox.status.in_([Status.PENDING, Status.SENDING, Status.UNKNOWN]))
        | ((Outbox.status == Status.FAILED) & (Outbox.created_at >= now - FAILED_PAUSE)))))
    changes = [TagChange(openid, member_id, told.get(openid), role)
               for openid, (member_id, role) in wanted.items()
               if told.get(openid) != role and openid not in waiting]
    changes += [TagChange(openid, None, role, None) for openid, role in told.items()
                if openid not in wanted and openid not in waiting]
    return sorted(changes, key=lambda change: change.openid)


def queue_tag_changes(session: Session, changes: Iterable[TagChange], now: datetime) -> int:
    """One outbox row per change on the `tag` channel; how many (the caller commits)."""
    stamp = int(now.timestamp())
    rows = [{"dedupe_key": f"{TAG_KIND}:{c.openid}:{c.new or '-'}:{stamp}", "kind": TAG_KIND,
             "member_id": c.member_id, "openid": c.openid, "channel": str(Channel.TAG),
             "payload": {"tag": c.new, "untag": c.old}, "status": str(Status.PENDING),
             "send_after": now, "attempts": 0, "unknown_retried": False, "created_at": now}
            for c in changes]
    for start in range(0, len(rows), 1000):
        session.execute(insert(Outbox), rows[start:start + 1000])
    return len(rows)


def record_told(session: Session, tagged: Mapping[str, str | None], now: datetime) -> None:
    """WeChat now has these openids' tags (None: untagged) (the caller commits)."""
    openids = list(tagged)
    for start in range(0, len(openids), 1000):
        session.execute(delete(MenuTag).where(MenuTag.openid.in_(openids[start:start + 1000])))
    rows = [{"openid": openid, "role": role, "tagged_at": now}
            for openid, role in tagged.items() if role is not None]
    for start in range(0, len(rows), 1000):
        session.execute(insert(MenuTag), rows[start:start + 1000])
