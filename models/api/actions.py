"""The mini-program's sign-in, one function per change: a login (a token for whoever
opened it, linked to a member by unionid when possible), binding once in the
mini-program with the chat's rules and brute-force limit, logout, and the release of a
member's mini-program when an admin unbinds them.

Nothing here commits; the API's request does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import words
from models.actors import Actor, Surface
from models.api import tokens
from models.api.tables import MiniProgramUser
from models.console.audit import record_change
from models.db.base import insert_ignoring_conflict, rowcount
from models.db.guesses import BINDING, forget_failures
from models.members.binding import BindOutcome, BindResult, roster_match
from models.members.tables import Member

GUESSER_PREFIX = "mp:"  # the binding guesses of a mini-program user, beside chat openids


@dataclass(frozen=True)
class SignedIn:
    """A login's token and whether it already speaks for a member."""

    token: str
    expires_in: int
    member_id: int | None


def sign_in(session: Session, openid: str, unionid: str | None, now: datetime) -> SignedIn:
    """A `wx.login` code turned into `openid` (+ `unionid`): remember the user, link them
    to the member whose unionid it is (if not linked yet), and issue a token (flushes)."""
    # two first logins at once: one row (ON CONFLICT DO NOTHING), not a unique violation
    insert_ignoring_conflict(session, MiniProgramUser,
                             {"openid": openid, "unionid": unionid, "first_seen": now})
    user = session.get(MiniProgramUser, openid, populate_existing=True)
    assert user is not None
    if unionid and user.unionid != unionid:
        user.unionid = unionid
    if user.member_id is None and unionid:
        member = session.scalar(select(Member).where(Member.unionid == unionid))
        if member is not None and _link(session, user, member, now):
            record_change(session, Actor.member(member.id, member.name, Surface.API),
                          org_id=member.branch_id, action="member.bind", target=member.name,
                          now=now, before={"miniprogram": words.EXPORT_NOT_BOUND},
                          after={"miniprogram": words.EXPORT_BOUND})
    token, row = tokens.issue_token(session, openid, user.member_id, now)
    return SignedIn(token, int(tokens.TOKEN_LIFETIME.total_seconds()), row.member_id)


def _link(session: Session, user: MiniProgramUser, member: Member, now: datetime) -> bool:
    """Bind `user` to `member` unless another mini-program user has them (one statement
    in a savepoint: of two at once, one wins; the other's unique violation is a no)."""
    try:
        with session.begin_nested():
            won = rowcount(session.execute(
                update(MiniProgramUser)
                .where(MiniProgramUser.openid == user.openid, MiniProgramUser.member_id.is_(None),
                       ~select(MiniProgramUser.openid)
                       .where(MiniProgramUser.member_id == member.id).exists())
                .values(member_id=member.id, bound_at=now)
                .execution_options(synchronize_session=False)))
    except IntegrityError:
        won = 0
    session.refresh(user)
    if won:
        tokens.give_tokens_member(session, user.openid, member.id)
    return bool(won)


def bind_in_miniprogram(session: Session, openid: str, name: str, phone_suffix: str,
                        now: datetime) -> BindResult:
    """绑定 in the mini-program: the chat's rules (models.members.binding.roster_match) and
    its limit on wrong guesses, counted per mini-program user. A new binding is audited
    with the member as the actor, surface "api"; the user's tokens speak for the member
    from then on, and the member's unionid is kept when WeChat gave one."""
    user = session.get(MiniProgramUser, openid)
    if user is None:  # a token is only ever issued with its user: not reached
        raise LookupError(openid)
    if user.member_id is not None:
        current = session.get(Member, user.member_id)
        if current is not None:
            outcome = BindOutcome.ALREADY_BOUND_SELF if current.name == name \
                else BindOutcome.OPENID_TAKEN
            return BindResult(outcome, current)
    guesser = (GUESSER_PREFIX + openid)[:64]
    found = roster_match(session, guesser, name, phone_suffix, now)
    if isinstance(found, BindResult):
        return found
    member = found
    if not _link(session, user, member, now):
        return BindResult(BindOutcome.MEMBER_TAKEN, member)
    forget_failures(session, BINDING, guesser)
    if user.unionid and member.unionid is None and session.scalar(
            select(Member.id).where(Member.unionid == user.unionid)) is None:
        member.unionid = user.unionid
    record_change(session, Actor.member(member.id, member.name, Surface.API),
                  org_id=member.branch_id, action="member.bind", target=member.name, now=now,
                  before={"miniprogram": words.EXPORT_NOT_BOUND},
                  after={"miniprogram": words.EXPORT_BOUND})
    return BindResult(BindOutcome.BOUND, member)


def sign_out(session: Session, token_id: int, now: datetime) -> bool:
    """退出: the token stops working now (a member's own session: not audited)."""
    return tokens.revoke(session, token_id, now)


def release_miniprogram(session: Session, member_id: int, now: datetime) -> bool:
    """The admin's 解绑 reaches the mini-program too: the member's mini-program user is
    unlinked and every token of theirs ends. True when there was a link or a token
    (the caller, models.members.actions.unbind_wechat, audits)."""
    unlinked = rowcount(session.execute(
        update(MiniProgramUser).where(MiniProgramUser.member_id == member_id)
        .values(member_id=None, bound_at=None)
        .execution_options(synchronize_session=False)))
    ended = tokens.revoke_all(session, now, member_id=member_id)
    return bool(unlinked or ended)


def remember_unionids(session: Session, unionids: dict[str, str]) -> int:
    """WeChat's user/info said which unionid each official-account openid has: kept on
    the bound member (a mini-program login carrying it then needs no binding). Not
    audited: WeChat telling us a fact, like a delivery receipt. A unionid another member
    already holds is left alone. Returns how many were kept (flushes)."""
    kept = 0
    for openid, unionid in unionids.items():
        if not unionid or session.scalar(select(Member.id).where(
                Member.unionid == unionid)) is not None:
            continue
        kept += rowcount(session.execute(
            update(Member).where(Member.openid == openid, Member.unionid.is_(None))
            .values(unionid=unionid[:64]).execution_options(synchronize_session=False)))
    session.flush()
    return kept
