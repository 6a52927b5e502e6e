"""Binding a WeChat openid to a roster member by name and phone suffix.

Guessing is limited (models.db.guesses.BINDING): after 5 wrong tries within an hour from
one openid, that openid is refused for an hour. Who gets a member is decided by one
conditional UPDATE, so when several openids bind the same member at once exactly one
wins and the others are told the member is taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import texts, words
from core.localtime import clock_time
from models.console.sessions import end_all_sessions, member_key
from models.db.base import rowcount
from models.db.guesses import BINDING, forget_failures, release_guess, reserve_guess
from models.db.inbound import InboundMessage
from models.delivery.outbox import ChannelPolicy, Notice
from models.members.queries import member_by_openid
from models.members.tables import Member

MAX_FAILURES = BINDING.max_failures


class BindOutcome(Enum):
    """What happened to a binding request."""

    BOUND = "bound"
    ALREADY_BOUND_SELF = "already_bound_self"  # this openid is already this member
    OPENID_TAKEN = "openid_taken"  # this openid is bound to someone else
    MEMBER_TAKEN = "member_taken"  # the member is bound to another openid
    NO_MATCH = "no_match"
    AMBIGUOUS = "ambiguous"  # several roster entries match; an admin must bind
    LOCKED = "locked"


@dataclass(frozen=True)
class BindResult:
    """The outcome, the member concerned (if any) and tries left / lock end."""

    outcome: BindOutcome
    member: Member | None = None
    tries_left: int = MAX_FAILURES
    locked_until: datetime | None = None


def bind_sentence(result: BindResult, tz: ZoneInfo) -> str:
    """What a binding's outcome tells the person who tried, in the chat's words — the
    same on every surface that binds (chat, the member pages)."""
    member = result.member
    if member is not None:
        replies = {BindOutcome.BOUND: texts.BIND_OK, BindOutcome.ALREADY_BOUND_SELF:
                   texts.BIND_ALREADY, BindOutcome.OPENID_TAKEN: texts.BIND_OPENID_TAKEN,
                   BindOutcome.MEMBER_TAKEN: texts.BIND_MEMBER_TAKEN}
        return replies[result.outcome].format(name=member.name, branch=member.branch.name)
    if result.outcome is BindOutcome.AMBIGUOUS:
        return texts.BIND_AMBIGUOUS
    if result.locked_until is not None:
        return texts.BIND_LOCKED.format(until=clock_time(result.locked_until, tz))
    return texts.BIND_NO_MATCH.format(tries=result.tries_left)


def bind_openid(
    session: Session, openid: str, name: str, phone_suffix: str, now: datetime
) -> BindResult:
    """Bind `openid` to the member called `name` whose phone ends with `phone_suffix`.

    The try is counted before the roster is searched (models.db.guesses.reserve_guess) and
    given back when the answer was no wrong guess.
    """
    current = member_by_openid(session, openid)
    if current is not None:
        same = current.name == name
        return BindResult(
            BindOutcome.ALREADY_BOUND_SELF if same else BindOutcome.OPENID_TAKEN, current
        )
    found = roster_match(session, openid, name, phone_suffix, now)
    if isinstance(found, BindResult):
        return found
    member = found
    if member.openid is not None:
        return BindResult(BindOutcome.MEMBER_TAKEN, member)

    won = rowcount(session.execute(
        update(Member).where(Member.id == member.id, Member.openid.is_(None))
        .values(openid=openid, bound_at=now, subscribed=True)
        .execution_options(synchronize_session=False)))
    session.refresh(member)
    if not won:  # another openid bound this member between our read and our write
        return BindResult(BindOutcome.MEMBER_TAKEN, member)
    forget_failures(session, BINDING, openid)
    return BindResult(BindOutcome.BOUND, member)


def roster_match(session: Session, guesser: str, name: str, phone_suffix: str,
                 now: datetime) -> Member | BindResult:
    """The one roster member called `name` whose phone ends with `phone_suffix`, or why
    not (locked, no match, ambiguous). The try is counted against `guesser` (an openid,
    or the mini-program's "mp:<openid>") before the roster is searched, and given back
    when the answer was no wrong guess; the caller forgets the count once bound."""
    state = reserve_guess(session, BINDING, guesser, now)
    if not state.granted:
        return BindResult(BindOutcome.LOCKED, locked_until=state.locked_until, tries_left=0)

    candidates = list(
        session.scalars(
            select(Member).where(Member.name == name, Member.phone.is_not(None))
        )
    )
    matches = [m for m in candidates if m.phone and m.phone.endswith(phone_suffix)]
    if not matches:
        return BindResult(BindOutcome.NO_MATCH, tries_left=state.tries_left,
                          locked_until=state.locked_until)
    release_guess(session, BINDING, guesser)  # name and phone were right
    if len(matches) > 1:
        return BindResult(BindOutcome.AMBIGUOUS)
    return matches[0]


def unbind_openid(session: Session, openid: str, now: datetime) -> Member | None:
    """Unlink the member bound to `openid` (they unfollowed); returns who it was. The
    console sessions that WeChat started end with it."""
    member = member_by_openid(session, openid)
    if member is not None:
        member.openid = None
        member.subscribed = False
        _end_console_sessions(session, member, now)
        session.flush()
    return member


def _end_console_sessions(session: Session, member: Member, now: datetime) -> None:
    """A released WeChat (a lost phone, an unfollow) can no longer send 退出电脑端: the
    PC sessions it logged in end here."""
    end_all_sessions(session, member_key(member.id), now)


@dataclass(frozen=True)
class _OldWeChat:
    """The WeChat a member was bound to, as a recipient of one last notice."""

    id: int
    openid: str | None
    subscribed: bool = True


def release_member(session: Session, member: Member, outbox: ChannelPolicy,
                   now: datetime) -> bool:
    """The admin's 解绑: free the member's WeChat so they can bind a new phone.

    The old WeChat is told (when WeChat lets the account reach it; otherwise when it
    next writes). Returns False when the member was not bound (flushes).
    """
    old_openid = member.openid
    if old_openid is None:
        return False
    member.openid = None
    member.subscribed = False
    _end_console_sessions(session, member, now)
    session.flush()
    outbox.enqueue(session, f"unbound:{member.id}:{int(now.timestamp())}",
                   _OldWeChat(member.id, old_openid),
                   Notice("account", texts.UNBIND_NOTICE.format(name=member.name)), now)
    return True


# How long after we asked for name and phone suffix a name alone continues binding.
BINDING_CONVERSATION = timedelta(minutes=30)


def asked_to_bind_lately(session: Session, openid: str, now: datetime) -> bool:
    """Whether our last answer to `openid` (within BINDING_CONVERSATION) asked for name and
    phone suffix (a welcome, a refusal that says to bind first, a binding prompt): then
    a name alone is the first half of the answer ("陈强", then "0007")."""
    reply = session.scalar(select(InboundMessage.reply).where(
        InboundMessage.openid == openid, InboundMessage.reply.is_not(None),
        InboundMessage.received_at >= now - BINDING_CONVERSATION)
        .order_by(InboundMessage.received_at.desc()).limit(1))
    return reply is not None and words.BIND_PROMPT_MARK in reply
