"""订阅通知 in the delivery loop (schedules/delivery_loop.py): spending a member's credit
when a row is claimed, and the send itself.

A row planned as 订阅通知 carries every subscription message its notice could go as
(models.delivery.outbox); at claim time the first one the member holds a credit for is
chosen and its credit spent (models.delivery.subscriptions.spend: one conditional UPDATE,
so two workers racing for one credit spend it once); a row with none left moves on to
customer service in the same claim. The send goes to `message/subscribe/bizsend` (the
official account) or `message/subscribe/send` (the mini-program, with its own client).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from wechatpy.exceptions import WeChatClientException

from core.subscribe_messages import ACCOUNT, MINIPROGRAM
from core.template_types import problem
from core.wechat import WeChatAPI
from models.delivery import claims as delivery
from models.delivery import subscriptions
from models.delivery.claims import SendOutcome, past_subscription
from models.delivery.outbox import Outbox

log = logging.getLogger(__name__)

NO_SUBSCRIPTION = 43101  # 订阅通知: the user holds no subscription (or refused it)
BAD_DATA = 47003  # a value its keyword refuses
# 订阅通知 endpoints: the official account's, and the mini-program's
SUBSCRIBE_ENDPOINTS = {ACCOUNT: "message/subscribe/bizsend",
                       MINIPROGRAM: "message/subscribe/send"}


def with_credit(session: Session, rows: list[delivery.Claimed], now: datetime,
                apps: set[str]) -> tuple[list[delivery.Claimed], int]:
    """Spend one of the member's credits for each 订阅通知 row (the first of the row's
    templates, of `apps`, they hold one for); the rest go on to customer service at once.
    Returns the rows to send, each with its chosen message, and how many moved on."""
    if not rows:
        return [], 0
    members: dict[int, int | None] = {row_id: member_id for row_id, member_id in
                                       session.execute(select(Outbox.id, Outbox.member_id)
                                       .where(Outbox.id.in_([row.id for row in rows])))}
    covered, uncovered = [], []
    for row in rows:
        target = None
        for message in row.payload.get("subscribe") or []:
            if message.get("app") not in apps:
                continue
            spent = subscriptions.spend(session, message["app"], message["template_id"],
                                        members.get(row.id), row.openid, now)
            if spent is not None:
                target = {**message, "touser": spent.openid, "credit": spent.credit_id}
                break
        if target is None:
            uncovered.append(row.id)
        else:
            covered.append(replace(row, target=target))
    if uncovered:
        past_subscription(session, uncovered, now)
    return covered, len(uncovered)


def subscribe_body(target: dict[str, object]) -> dict[str, object]:
    """The JSON of a 订阅通知 send, from the message chosen at claim time."""
    body = {"touser": target["touser"], "template_id": target["template_id"],
            "data": target.get("data") or {}}
    if target.get("page"):
        body["page"] = target["page"]
    return body


def bad_keywords(target: dict[str, object]) -> str:
    """Which keywords of a 订阅通知 WeChat would refuse (47003), and why."""
    data = target.get("data")
    entries: dict[str, Any] = data if isinstance(data, dict) else {}
    found = [f"{key}: {reason}" for key, entry in entries.items()
             if (reason := problem(str(key), str((entry or {}).get("value", "")))) is not None]
    return "; ".join(found)


def send_subscription(client: WeChatAPI, row: delivery.Claimed,
                      miniprogram: WeChatAPI | None) -> delivery.Result:
    """Send a 订阅通知 row on the credit its claim spent; raises WeChat's errors."""
    target = row.target or {}
    app = str(target.get("app") or ACCOUNT)
    if app == MINIPROGRAM and miniprogram is None:  # (claims spend no such credit)
        return delivery.Result(row.id, SendOutcome.FAILED, error="no mini-program configured")
    api = miniprogram if app == MINIPROGRAM and miniprogram is not None else client
    try:
        answer = api.post(SUBSCRIBE_ENDPOINTS[app], data=subscribe_body(target))
    except WeChatClientException as exc:
        if exc.errcode == BAD_DATA:
            log.warning("outbox row %s: WeChat refused the subscription message data of "
                        "template %s (47003 %s); keywords: %s", row.id, target.get("template_id"),
                        exc.errmsg, bad_keywords(target) or "none we can tell")
        raise
    return delivery.Result(row.id, SendOutcome.SENT,
                           msgid=str(answer.get("msgid") or answer.get("msg_id") or ""))


