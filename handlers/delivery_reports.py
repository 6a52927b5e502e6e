"""WeChat's delivery reports for template messages (TEMPLATESENDJOBFINISH)."""

from __future__ import annotations

import logging

from handlers.router import Context, Reply, Router
from models.delivery.claims import record_report

log = logging.getLogger(__name__)

router = Router("delivery_reports")


@router.event("templatesendjobfinish")
def template_report(ctx: Context) -> Reply:
    """Record whether a template message reached the member."""
    msgid = ctx.message.get("MsgID") or ctx.message.get("MsgId")
    status = ctx.message.get("Status")
    row = record_report(ctx.session, msgid, ctx.openid, status) if msgid and status else None
    if row is None:
        log.info("delivery report for unknown message %s (%s)", msgid, status)
    return None
