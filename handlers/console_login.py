"""Scanning the console's login QR code with WeChat (the login page on a PC shows it):
the scan logs that page in as the scanning admin."""

from __future__ import annotations

from core import texts
from core.localtime import when
from handlers.router import Context, Reply, Router
from models.console_login import SCENE_PREFIX, Scan, scan_ticket

router = Router("console_login")


@router.scene(SCENE_PREFIX)
def log_in_by_scan(ctx: Context) -> Reply:
    """A bound branch admin or township/county staff member scanned a login code."""
    if ctx.caller is None:
        return texts.CONSOLE_SCAN_NEED_BINDING
    outcome = scan_ticket(ctx.session, ctx.scene[len(SCENE_PREFIX):], ctx.caller.member_id,
                          ctx.now)
    if outcome.scan is Scan.NOT_ADMIN:
        return texts.CONSOLE_SCAN_NOT_ADMIN
    if outcome.scan is Scan.EXPIRED or outcome.account is None:
        return texts.CONSOLE_SCAN_EXPIRED
    return texts.CONSOLE_SCAN_OK.format(org=outcome.account.org_name,
                                        time=when(ctx.now, ctx.tz))
