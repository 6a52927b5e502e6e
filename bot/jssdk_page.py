"""The JS-SDK on a member page (/m/…): which script to load and what to pass to wx.config.

A page view calls `jssdk_context(page_url())` and renders `jssdk_tags(context)` (or uses
the two values itself): in sandbox mode the script is the sandbox's stub
(/sandbox/jssdk/jweixin.js), otherwise WeChat's own. `config` is None when no
jsapi_ticket is stored (the scheduler fetches it; pages never do): the page then hides
what needs the JS-SDK (the location button) and offers the 签到码.

In a view::

    jssdk = jssdk_context(page_url())              # open_tag_list=["wx-open-subscribe"]
    return render_template("meetings.html", jssdk=jssdk, jssdk_html=jssdk_tags(jssdk))

In the template, before the page's own script: ``{{ jssdk_html }}``; the page's script
(static, no inline code needed) then does::

    var el = document.getElementById("wx-config");
    if (el && window.wx) {
      wx.config(JSON.parse(el.textContent));
      wx.ready(function () { /* show the 按位置签到 button */ });
      wx.error(function (res) { /* keep it hidden; the 签到码 form stays */ });
    }
    wx.getLocation({type: "gcj02", success: function (res) { /* POST res.latitude,
      res.longitude with the CSRF token */ }, cancel: ..., fail: ...});

and the POST calls models.meetings.actions.check_in_by_location(…, meeting=meeting) and
shows its `sentence`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from flask import request, url_for
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from bot.services import services_of
from core.jssdk import DEFAULT_JS_APIS, config_for

log = logging.getLogger(__name__)

WECHAT_JSSDK = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"
WARN_EVERY = timedelta(minutes=10)


def page_url() -> str:
    """This request's address as the phone has it (what wx.config is signed for): under
    PARTYBOT_PUBLIC_URL when set (a proxy in front sees another scheme and host). The
    query is taken as sent (percent-encoded, as location.href has it; request.url would
    decode it and sign another string)."""
    base = services_of().settings.public_url or request.host_url.rstrip("/")
    path = quote(request.script_root + request.path, safe="/:@!$&'()*+,;=-._~")
    query = request.query_string.decode("latin-1")
    return f"{base}{path}" + (f"?{query}" if query else "")


def jssdk_context(url: str, *, js_api_list: Sequence[str] = DEFAULT_JS_APIS,
                  open_tag_list: Sequence[str] = ()) -> dict[str, Any]:
    """{"script": the JS-SDK's URL, "config": the wx.config object for `url`, or None when
    no ticket is stored}. `url` is the page's address (page_url()); call in a request."""
    services = services_of()
    settings = services.settings
    script = url_for("sandbox_jssdk.stub") if settings.sandbox_served else WECHAT_JSSDK
    ticket = services.jsapi_ticket.usable()
    if ticket is None:
        _say_no_ticket(services.clock())
        return {"script": script, "config": None}
    return {"script": script, "config": config_for(
        settings.effective_app_id, ticket, url, now=services.clock(),
        js_api_list=js_api_list, open_tag_list=open_tag_list)}


_last_warned: list[datetime] = []


def _say_no_ticket(now: datetime) -> None:
    """Log the missing ticket, once in ten minutes per process (not on every page view)."""
    if _last_warned and now - _last_warned[0] < WARN_EVERY:
        return
    _last_warned[:] = [now]
    log.warning("no jsapi_ticket stored: member pages show no JS-SDK features (the location "
                "button) until the scheduler fetches one; is `partybot scheduler` running?")


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
