"""帮助 and the catch-all. This router is included last."""

from __future__ import annotations

from core import texts
from handlers.router import Context, Reply, Role, Router, Takes

router = Router("general")


@router.command("帮助", Role.ANYONE, usage="帮助", takes=Takes.TOPIC)
def show_help(ctx: Context) -> Reply:
    """查看你可以使用的命令"""
    return ctx.dispatcher.help_text(ctx)


@router.fallback()
def not_understood(ctx: Context) -> Reply:
    """Any other text: say so, and point to 帮助."""
    shown = ctx.text if len(ctx.text) <= 20 else ctx.text[:20] + "…"
    return texts.NOT_UNDERSTOOD.format(text=shown)
