"""订阅通知 events: what a member accepted or rejected (subscribe_msg_popup_event,
subscribe_msg_change_event) and how a message sent on a credit fared
(subscribe_msg_sent_event). Nothing to reply: WeChat gets "success", also for an event
that makes no sense (it is logged)."""

from __future__ import annotations

import logging

from handlers.router import Context, Reply, Router
from models.actors import Actor, Surface
from models.delivery.actions import (
    choices_from,
    record_subscribe_results,
    record_subscriptions,
    results_from,
)

log = logging.getLogger(__name__)

router = Router("subscriptions")


def _actor(ctx: Context) -> Actor:
    """The member if bound; else the WeChat user by openid (they may bind later)."""
    caller = ctx.caller
    if caller is not None:
        return caller.actor
    return Actor(f"wechat:{ctx.openid}"[:40], ctx.openid[-8:], Surface.CHAT)


@router.event("subscribe_msg_popup_event")
def popup(ctx: Context) -> Reply:
    """Record which subscription templates the user accepted or rejected."""
    choices = choices_from(ctx.message.items("SubscribeMsgPopupEvent"))
    if not choices:
        log.warning("subscribe_msg_popup_event from %s without a usable item", ctx.openid)
        return None
    record_subscriptions(ctx.session, _actor(ctx), ctx.openid, choices, ctx.now)
    return None


@router.event("subscribe_msg_change_event")
def change(ctx: Context) -> Reply:
    """Record subscriptions the user turned off in WeChat's settings."""
    choices = choices_from(ctx.message.items("SubscribeMsgChangeEvent"), only_reject=True)
    if not choices:
        log.warning("subscribe_msg_change_event from %s without a usable item", ctx.openid)
        return None
    record_subscriptions(ctx.session, _actor(ctx), ctx.openid, choices, ctx.now)
    return None


@router.event("subscribe_msg_sent_event")
def sent(ctx: Context) -> Reply:
    """Record whether a 订阅通知 reached the user."""
    results = results_from(ctx.message.items("SubscribeMsgSentEvent"))
    if not results:
        log.warning("subscribe_msg_sent_event from %s without a usable item", ctx.openid)
        return None
    record_subscribe_results(ctx.session, _actor(ctx), ctx.openid, results, ctx.now)
    return None
