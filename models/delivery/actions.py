"""订阅通知, every change of what a member has subscribed to: the answers WeChat reports
to the webhook (accept / reject per template, a later change), the mini-program's
answers (the API), and what became of a message sent on a credit (the sent event).

Each function takes the acting `Actor` and the time, applies the rule (an acceptance
allows one message; a rejection takes every credit of that template away) and writes
it in the caller's transaction; none commits. A member's own choice is its own trace
(the credit row names who and through which surface); a change made for someone else (a
console or CLI operator) is also written to the audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.subscribe_messages import ACCOUNT, MINIPROGRAM
from models.actors import Actor
from models.console.audit import record_change
from models.delivery.claims import record_report
from models.delivery.outbox import Channel
from models.delivery.subscriptions import ACCEPT, REJECT, Choice, drop, record_choices
from models.members.tables import Member

log = logging.getLogger(__name__)

TEMPLATE_ID_CHARS = 128
STATUSES = {"accept": ACCEPT, "reject": REJECT}


def choices_from(items: Iterable[Mapping[str, str]], only_reject: bool = False) -> list[Choice]:
    """The answers of a subscription event's <List> items (TemplateId,
    SubscribeStatusString, PopupScene); items that make no sense are logged and left
    out. `only_reject`: a change event can only take a subscription away."""
    found = []
    for item in items:
        template_id = (item.get("TemplateId") or "").strip()
        status = STATUSES.get((item.get("SubscribeStatusString") or "").strip().lower())
        if not template_id or len(template_id) > TEMPLATE_ID_CHARS or status is None:
            log.warning("subscription event item ignored: template %r, status %r",
                        template_id[:40], (item.get("SubscribeStatusString") or "")[:20])
            continue
        if only_reject and status != REJECT:
            log.info("subscription change to %r for %s ignored: a change only rejects",
                     status, template_id[:40])
            continue
        scene = (item.get("PopupScene") or "").strip()[:20] or None
        found.append(Choice(template_id, status, scene))
    return found


def record_subscriptions(session: Session, actor: Actor, openid: str,
                         choices: list[Choice], now: datetime, app: str = ACCOUNT,
                         member_id: int | None = None) -> int:
    """A user's answers to subscription templates: each acceptance allows one more
    message of that template, a rejection none. `openid` is the account's (app ACCOUNT)
    or the mini-program's (app MINIPROGRAM, with the bound `member_id`)."""
    if app not in (ACCOUNT, MINIPROGRAM):
        raise ValueError(f"unknown app {app!r}")
    stored = record_choices(session, app, openid, choices, now, actor.key,
                            actor.surface.value, member_id)
    member = session.get(Member, member_id) if member_id is not None else \
        session.scalar(select(Member).where(Member.openid == openid)) if app == ACCOUNT \
        else None
    if member is not None and stored and actor.acts_for(member.id):
        record_change(session, actor, org_id=member.branch_id, action="subscription.change",
                      target=member.name, now=now,
                      after={c.template_id: c.status for c in choices})
    return stored


@dataclass(frozen=True)
class SentResult:
    """One item of a subscribe_msg_sent_event: how a 订阅通知 fared."""

    template_id: str
    msgid: str
    code: str  # ErrorCode: "0" when delivered
    status: str  # ErrorStatus: "success", "failed:user block", …


def results_from(items: Iterable[Mapping[str, str]]) -> list[SentResult]:
    """The sent event's <List> items; items without a MsgID are logged and left out."""
    found = []
    for item in items:
        msgid = (item.get("MsgID") or item.get("MsgId") or "").strip()
        if not msgid or len(msgid) > 40:
            log.warning("subscribe_msg_sent_event item without a usable MsgID ignored")
            continue
        found.append(SentResult((item.get("TemplateId") or "").strip()[:TEMPLATE_ID_CHARS],
                                msgid, (item.get("ErrorCode") or "").strip()[:10],
                                (item.get("ErrorStatus") or "").strip()[:40]))
    return found


def record_subscribe_results(session: Session, actor: Actor, openid: str,
                             results: list[SentResult], now: datetime) -> int:
    """What WeChat says became of 订阅通知 sent to `openid`: the outbox rows are marked
    delivered or failed; a user who blocked them holds no credit for that template any
    more. Returns how many rows were matched."""
    matched = 0
    for result in results:
        delivered = result.code == "0" or result.status.lower() == "success"
        row = record_report(session, result.msgid, openid,
                            "success" if delivered else (result.status or result.code or "failed"),
                            channel=Channel.SUBSCRIBE)
        if row is None:
            log.info("subscribe_msg_sent_event for unknown message %s (%s)", result.msgid,
                     result.status)
        else:
            matched += 1
        if not delivered and "block" in result.status.lower() and result.template_id:
            drop(session, app=ACCOUNT, openid=openid, template_id=result.template_id)
            log.info("%s blocked subscription messages of template %s (%s): credits dropped",
                     actor.key, result.template_id[:40], now.isoformat())
    return matched
