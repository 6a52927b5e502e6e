"""Signing in from the mini-program: login (a wx.login code for partybot's token),
binding once with name and phone tail, who I am, and logout."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from flask import current_app, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.api.problems import Problem
from bot.api.runner import Call
from bot.api.schemas import BindIn, BindOut, LoginIn, LoginOut, LogoutOut, MeOut, OrgOut
from bot.services import services_of
from core import texts
from core.localtime import clock_time
from core.miniprogram import CodeExchange, CodeExchangeError
from models.api import actions
from models.db.guesses import API_LOGIN, release_guess, reserve_guess
from models.members.binding import BindOutcome
from models.members.org_tables import Org, OrgAdmin
from models.members.tables import Member

log = logging.getLogger(__name__)

EXCHANGE_KEY = "partybot_code_exchange"  # one pooled client per app, in app.extensions
RETRY_AFTER_BUSY = 60


def _exchange() -> CodeExchange:
    """This app's jscode2session client (one pooled HTTP session, made on first use)."""
    found: CodeExchange | None = current_app.extensions.get(EXCHANGE_KEY)
    if found is None:
        found = current_app.extensions[EXCHANGE_KEY] = CodeExchange(services_of().settings)
    return found


def login(call: Call) -> LoginOut:
    """Exchange a `wx.login` code for partybot's own token (Bearer, 2 hours). `bound`
    says whether it already speaks for a member (else POST /bind first)."""
    body: LoginIn = call.body
    credentials = call.services.settings.miniprogram_credentials
    if credentials is None:
        raise Problem("not-configured", texts.API_NOT_CONFIGURED)
    address = f"ip:{request.remote_addr or '?'}"[:64]
    # counted before WeChat is asked (several workers at once), given back unless refused
    guard = call.committed(lambda db: reserve_guess(db, API_LOGIN, address, call.now))
    if not guard.granted:
        log.warning("api: login codes refused for %s: too many bad codes", address)
        raise Problem("rate-limited", texts.API_WECHAT_BUSY, headers={
            "Retry-After": str(_seconds_until(guard.locked_until, call))})
    try:
        user = _exchange().exchange(body.code, *credentials)
    except CodeExchangeError as exc:
        if exc.bad_code:
            raise Problem("bad-code", texts.API_BAD_CODE) from None
        call.committed(lambda db: release_guess(db, API_LOGIN, address))
        if exc.rate_limited:
            raise Problem("rate-limited", texts.API_WECHAT_BUSY,
                          headers={"Retry-After": str(RETRY_AFTER_BUSY)}) from None
        raise Problem("wechat-unavailable", texts.API_WECHAT_UNAVAILABLE) from None

    def sign_in(db: Session) -> actions.SignedIn:
        release_guess(db, API_LOGIN, address)
        return actions.sign_in(db, user.openid, user.unionid, call.now)

    signed = call.committed(sign_in)
    return LoginOut(token=signed.token, expires_in=signed.expires_in,
                    bound=signed.member_id is not None)


def _seconds_until(moment: datetime | None, call: Call) -> int:
    if moment is None:
        return RETRY_AFTER_BUSY
    return max(1, int((moment - call.now).total_seconds()))


def bind(call: Call) -> BindOut:
    """Bind this mini-program user to their roster entry: the chat's 绑定 rules and its
    limit of wrong tries."""
    body: BindIn = call.body
    assert call.caller is not None
    result = actions.bind_in_miniprogram(call.session, call.caller.openid, body.name,
                                         body.phone_tail, call.now)
    call.session.commit()  # a wrong guess counts, whatever is answered
    member = result.member
    outcome = result.outcome
    if outcome in (BindOutcome.BOUND, BindOutcome.ALREADY_BOUND_SELF) and member is not None:
        sentence = texts.API_BIND_OK if outcome is BindOutcome.BOUND else texts.BIND_ALREADY
        return BindOut(message=sentence.format(name=member.name, branch=member.branch.name),
                       me=me_of(call.session, member))
    if outcome is BindOutcome.LOCKED and result.locked_until is not None:
        wait = max(1, int((result.locked_until - call.now).total_seconds()))
        until = clock_time(result.locked_until, call.services.settings.tz)
        raise Problem("rate-limited", texts.BIND_LOCKED.format(until=until),
                      headers={"Retry-After": str(wait)})
    if outcome is BindOutcome.NO_MATCH:
        raise Problem("bind-no-match", texts.BIND_NO_MATCH.format(tries=result.tries_left),
                      tries_left=result.tries_left)
    if outcome is BindOutcome.AMBIGUOUS or member is None:
        raise Problem("refused", texts.BIND_AMBIGUOUS)
    sentence = texts.BIND_OPENID_TAKEN if outcome is BindOutcome.OPENID_TAKEN \
        else texts.BIND_MEMBER_TAKEN
    raise Problem("refused", sentence.format(name=member.name, branch=member.branch.name))


def me(call: Call) -> MeOut:
    """Who the token speaks for: name, branch, group, roles."""
    return me_of(call.session, call.me)


def logout(call: Call) -> LogoutOut:
    """End this token now (the mini-program's 退出)."""
    assert call.caller is not None
    return LogoutOut(revoked=actions.sign_out(call.session, call.caller.token_id, call.now))


def _org(org: Org) -> OrgOut:
    return OrgOut(id=org.id, name=org.name, kind=str(org.kind))


def me_of(session: Session, member: Member) -> MeOut:
    """The member as /me shows them."""
    administered = list(session.scalars(
        select(Org).join(OrgAdmin, OrgAdmin.org_id == Org.id)
        .where(OrgAdmin.member_id == member.id).order_by(Org.id)))
    roles = ["member"]
    if member.is_admin:
        roles.append("branch_admin")
    if member.is_helper:
        roles.append("helper")
    if administered:
        roles.append("org_admin")
    posts = [post for post in re.split(r"[^\w]+", member.committee_posts or "") if post]
    return MeOut(id=member.id, name=member.name, branch=_org(member.branch),
                 group=_org(member.group) if member.group is not None else None,
                 roles=roles, committee_posts=posts,
                 org_admin_of=[_org(org) for org in administered])
