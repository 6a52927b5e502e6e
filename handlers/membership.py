"""Following, binding to the roster (绑定) and unfollowing."""

from __future__ import annotations

import re

from core import texts
from core.localtime import clock_time
from handlers.router import Context, Reply, Role, Router
from models.members.actions import bind_wechat, follow_again, unbind_wechat, unfollow
from models.members.binding import BindOutcome
from models.members.queries import find_member

router = Router("membership")

PHONE_SUFFIX = re.compile(r"^\d{4}$")
FULL_PHONE = re.compile(r"^(?:\+?86)?1\d{10}$")  # a mainland mobile number


@router.event("subscribe")
def on_subscribe(ctx: Context) -> Reply:
    """A new (or returning) follower: say how to bind."""
    if ctx.caller is not None:
        member = ctx.caller.member
        follow_again(member)
        return texts.WELCOME_BACK.format(name=member.name)
    return texts.WELCOME


@router.event("unsubscribe")
def on_unsubscribe(ctx: Context) -> Reply:
    """Unfollowing unlinks the openid; following again means binding again."""
    unfollow(ctx.session, ctx.openid, ctx.now)
    ctx.forget_member()
    return None


@router.command("绑定", Role.ANYONE, usage="绑定 <姓名> <手机后四位或手机号>")
def bind(ctx: Context) -> Reply:
    """把这个微信和党员名册里的你绑定"""
    # names as typed ("张 三", not "张 3"); a phone number may be spoken in numerals
    args = [value if value.isdigit() and len(value) >= 4 else word for value, word in zip(
        ctx.args, ctx.reading.words if ctx.reading else ctx.args, strict=True)]
    # "绑定 张三1234" and "绑定 张 三 1234" are common typing variants.
    if len(args) == 1 and len(args[0]) > 4 and args[0][-4:].isdigit():
        args = [args[0][:-4], args[0][-4:]]
    digits = 0  # "138 0000 0015": the number typed in groups
    while digits < len(args) - 1 and args[-1 - digits].isdigit():
        digits += 1
    if digits > 1 and FULL_PHONE.match("".join(args[-digits:])):
        args = [*args[:-digits], "".join(args[-digits:])]
    if len(args) >= 2 and FULL_PHONE.match(args[-1]):  # the whole number: its last four
        args = [*args[:-1], args[-1][-4:]]
    if len(args) < 2 or not PHONE_SUFFIX.match(args[-1]):
        return texts.BIND_USAGE
    name, suffix = "".join(args[:-1]), args[-1]
    result = bind_wechat(ctx.session, ctx.openid, name, suffix, ctx.now)
    ctx.forget_member()
    member = result.member
    if member is not None:
        replies = {BindOutcome.BOUND: texts.BIND_OK, BindOutcome.ALREADY_BOUND_SELF:
                   texts.BIND_ALREADY, BindOutcome.OPENID_TAKEN: texts.BIND_OPENID_TAKEN,
                   BindOutcome.MEMBER_TAKEN: texts.BIND_MEMBER_TAKEN}
        return replies[result.outcome].format(name=member.name, branch=member.branch.name)
    if result.outcome is BindOutcome.AMBIGUOUS:
        return texts.BIND_AMBIGUOUS
    if result.locked_until is not None:
        return texts.BIND_LOCKED.format(until=clock_time(result.locked_until, ctx.tz))
    return texts.BIND_NO_MATCH.format(tries=result.tries_left)


@router.command("解绑", Role.ADMIN, usage="解绑 <姓名>")
def unbind_member(ctx: Context) -> Reply:
    """党员换了手机：解除他原来的微信，让他用新微信重新绑定"""
    if len(ctx.args) != 1:
        return texts.UNBIND_USAGE
    member = find_member(ctx.session, ctx.me.member.branch_id,
                         ctx.reading.words[0] if ctx.reading else ctx.args[0])
    if not unbind_wechat(ctx.session, ctx.me.actor, member, ctx.outbox, ctx.now):
        return texts.UNBIND_NOT_BOUND.format(name=member.name)
    return texts.UNBIND_OK.format(name=member.name)
