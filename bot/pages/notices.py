"""/m/notices: 通知设置 — the account's 订阅通知 templates, the member's state on each, and
WeChat's open tag `wx-open-subscribe` to accept them.

The page records nothing itself: when the member taps 允许 in WeChat's popup, WeChat sends
`subscribe_msg_popup_event` to the webhook (handlers/subscriptions.py records it) and
fires the tag's `success` event in the page, whose script (static/notices.js) then reads
this page again (GET) until the state shows the change. Counting what the tag reports
as well would count each acceptance twice.

Without a jsapi_ticket (the scheduler fetches it) or in a WeChat too old for open tags,
the page says in one line how the member is reached otherwise (the chat).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from bot.console.request_db import db
from bot.jssdk_page import jssdk_context, jssdk_tags, page_url
from bot.pages.access import current_member, font_size, member_required
from bot.services import services_of
from core import texts
from core.subscribe_messages import ACCOUNT, offered_templates
from models.delivery.subscriptions import ACCEPT, REJECT, Subscription, subscriptions_of

bp = Blueprint("notices", __name__)

OPEN_TAG = "wx-open-subscribe"
# WeChat wants some API listed even when a page uses only an open tag.
JS_APIS = ("checkJsApi",)
# The open tag's button is drawn by WeChat apart from the page (its own styles, no rem):
# its text size in px for each of the member's font sizes.
BUTTON_PX = {"standard": 18, "large": 21, "xlarge": 25}


@dataclass(frozen=True)
class NoticeRow:
    """One template on the page: its title and the member's state in words."""

    template_id: str
    title: str
    state: str  # "subscribed", "used_up", "rejected", "none"
    line: str


def state_of(found: Subscription | None) -> tuple[str, str]:
    """The member's state on one template, as (css name, sentence)."""
    if found is None:
        return "none", texts.PAGES_NOTICE_NONE
    if found.status == ACCEPT and found.credits > 0:
        return "subscribed", texts.PAGES_NOTICE_SUBSCRIBED.format(count=found.credits)
    if found.status == ACCEPT:
        return "used_up", texts.PAGES_NOTICE_USED_UP
    if found.status == REJECT:
        return "rejected", texts.PAGES_NOTICE_REJECTED
    return "none", texts.PAGES_NOTICE_REFUSED  # WeChat no longer honours it (43101 …)


@bp.get("/notices")
@member_required
def notices() -> ResponseReturnValue:
    """The templates, my state on each, and the open tag (or how else I am reached)."""
    member = current_member()
    offered = offered_templates(services_of().settings.subscriptions, app=ACCOUNT)
    mine: dict[str, Subscription] = {}
    for found in subscriptions_of(db(), member.id, member.openid):  # newest first
        if found.app == ACCOUNT:
            mine.setdefault(found.template_id, found)
    rows = [NoticeRow(o.template_id, o.title or o.kind, *state_of(mine.get(o.template_id)))
            for o in offered]
    jssdk = jssdk_context(page_url(), js_api_list=JS_APIS, open_tag_list=[OPEN_TAG]) \
        if offered else {"config": None}
    return render_template(
        "pages/notices.html", rows=rows, template_ids=",".join(r.template_id for r in rows),
        jssdk=jssdk, jssdk_html=jssdk_tags(jssdk) if offered else "",
        button_px=BUTTON_PX.get(font_size().value, BUTTON_PX["standard"]))
