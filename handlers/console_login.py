"""Scanning the console's login QR code with WeChat (the login page on a PC shows it),
then confirming on the phone: the scan alone logs nobody in, so a login code relayed to
an admin ("scan this") is not enough. The phone can also end every console session of
its admin (「退出电脑端」)."""

from __future__ import annotations

from core import texts
from core.localtime import when
from handlers.router import Context, Reply, Role, Router, Takes
from models.console.accounts import end_member_sessions
from models.console.logins import SCENE_PREFIX, Scan, cancel_scan, confirm_scan, scan_ticket

router = Router("console_login")


@router.scene(SCENE_PREFIX, Role.MEMBER, refusal="CONSOLE_SCAN_NEED_BINDING")
def log_in_by_scan(ctx: Context) -> Reply:
    """A bound branch admin or township/county staff member scanned a login code."""
    outcome = scan_ticket(ctx.session, ctx.scene[len(SCENE_PREFIX):], ctx.me.member_id,
                          ctx.now)
    if outcome.scan is Scan.NOT_ADMIN:
        return texts.CONSOLE_SCAN_NOT_ADMIN
    if outcome.scan is Scan.EXPIRED or outcome.account is None:
        return texts.CONSOLE_SCAN_EXPIRED
    return texts.CONSOLE_SCAN_CONFIRM.format(org=outcome.account.org_name,
                                             time=when(ctx.now, ctx.tz))


@router.command("确认登录", Role.ANY_ADMIN, usage="确认登录", takes=Takes.NOTHING)
def confirm_login(ctx: Context) -> Reply:
    """扫码登录电脑端管理后台后，确认是你本人在电脑前"""
    account = confirm_scan(ctx.session, ctx.me.member_id, ctx.now)
    if account is None:
        return texts.CONSOLE_SCAN_NOTHING_PENDING
    return texts.CONSOLE_SCAN_OK.format(org=account.org_name, time=when(ctx.now, ctx.tz))


@router.command("不是我", Role.ANY_ADMIN, usage="不是我", takes=Takes.NOTHING)
def refuse_login(ctx: Context) -> Reply:
    """不是你本人扫码登录电脑端：取消这次登录"""
    if not cancel_scan(ctx.session, ctx.me.member_id, ctx.now):
        return texts.CONSOLE_SCAN_NOTHING_PENDING
    return texts.CONSOLE_SCAN_CANCELLED


@router.command("退出电脑端", Role.ANY_ADMIN, usage="退出电脑端", takes=Takes.NOTHING)
def log_out_everywhere(ctx: Context) -> Reply:
    """退出电脑端管理后台的所有登录（手机丢了、有人冒用时）"""
    ended = end_member_sessions(ctx.session, ctx.me.member_id, ctx.now)
    return texts.CONSOLE_PHONE_LOGGED_OUT.format(count=ended)
