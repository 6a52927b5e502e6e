"""The JS-SDK on a member page (/m/…): which script to load and what to pass to wx.config.

A page view calls `jssdk_context(page_url())` and renders `jssdk_tags(context)` (or uses
the two values itself): in sandbox mode the script is the sandbox's stub
(/sandbox/jssdk/jweixin.js), otherwise WeChat's own. `config` is None when no
jsapi_ticket is stored (the scheduler fetches it; pages never do): the page then hides
what needs the JS-SDK (the location button) and offers the 签到码.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from flask import request, url_for
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from bot.services import services_of
from core.jssdk import DEFAULT_JS_APIS, config_for, strip_fragment

log = logging.getLogger(__name__)

WECHAT_JSSDK = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"


def page_url() -> str:
    """This request's address as the phone has it (what wx.config is signed for): under
    PARTYBOT_PUBLIC_URL when set (a proxy in front sees another scheme and host)."""
    public = services_of().settings.public_url
    if not public:
        return strip_fragment(request.url)
    query = request.query_string.decode("latin-1")
    return f"{public}{request.path}" + (f"?{query}" if query else "")


def jssdk_context(url: str, *, js_api_list: Sequence[str] = DEFAULT_JS_APIS,
                  open_tag_list: Sequence[str] = ()) -> dict[str, Any]:
    """{"script": the JS-SDK's URL, "config": the wx.config object for `url`, or None when
    no ticket is stored}. `url` is the page's address (page_url()); call in a request."""
    services = services_of()
    settings = services.settings
    script = url_for("sandbox_jssdk.stub") if settings.sandbox_served else WECHAT_JSSDK
    ticket = services.jsapi_ticket.usable()
    if ticket is None:
        log.warning("no jsapi_ticket stored: %s shows no JS-SDK features (the scheduler "
                    "fetches the ticket; is it running?)", request.path)
        return {"script": script, "config": None}
    return {"script": script, "config": config_for(
        settings.effective_app_id, ticket, url, now=services.clock(),
        js_api_list=js_api_list, open_tag_list=open_tag_list)}


def jssdk_tags(context: dict[str, Any]) -> Markup:
    """The script tag and the config as a JSON data block (`<script type="application/json"
    id="wx-config">`, not executed, so no CSP nonce is needed): the page's own script reads
    it with JSON.parse(document.getElementById("wx-config").textContent). Nothing when
    there is no config."""
    if context.get("config") is None:
        return Markup("")
    return Markup('<script src="{}"></script>\n<script type="application/json" id="wx-config">'
                  '{}</script>').format(escape(context["script"]),
                                        htmlsafe_json_dumps(context["config"]))
