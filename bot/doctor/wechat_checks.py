"""The doctor's checks against WeChat's API (or the sandbox's fake of it): the app id
and secret, the shared token, the clock against WeChat's, the templates, the menus."""

from __future__ import annotations

import re
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from bot.cli.template_messages import configured_templates
from bot.doctor.runner import Doctor, Finding, describe, fail, ok, skip, warn
from bot.menu import MenuError, all_menus, validate_menu
from core import words
from core.subscribe_messages import check_subscriptions
from core.template_messages import check_templates as template_rows
from core.texts import doctor as said
from core.texts.doctor import Said
from core.wechat import (
    TOKEN_ERRORS,
    USABLE_MARGIN,
    TokenFetchError,
    use_proxies_from_environment_once,
)
from models.delivery.access_token import DatabaseTokenStore
from models.members.menu_tags import tag_ids

CLOCK_WARN_SECONDS = 60
IP_NOT_WHITELISTED = 40164
SECRET_ERRORS = frozenset({40001, 40125})
APP_ID_ERRORS = frozenset({40013})


def _http(doctor: Doctor) -> requests.Session:
    """One HTTP session for the doctor's own calls (proxies as the client reads them)."""
    if "http" not in doctor.memo:
        http = requests.Session()
        use_proxies_from_environment_once(http, doctor.ready.api_base_url)
        doctor.memo["http"] = http
    session: requests.Session = doctor.memo["http"]
    return session


def _timeout(doctor: Doctor) -> tuple[float, float]:
    return (3.05, doctor.ready.api_timeout)


def sandbox_unserved(doctor: Doctor) -> Finding | None:
    """In sandbox mode the fake WeChat API is served by `partybot serve`/`run`, another
    process: when nothing answers at its address, the WeChat checks have nothing to
    check (starting a fake here would only test the fake). None: go ahead."""
    settings = doctor.ready
    if not settings.sandbox:
        return None
    if "sandbox_served" not in doctor.memo:
        try:
            _http(doctor).get(f"{settings.api_base_url}/cgi-bin/getcallbackip",
                              timeout=(1.0, 2.0))
            doctor.memo["sandbox_served"] = True
        except requests.ConnectionError:
            doctor.memo["sandbox_served"] = False
    if doctor.memo["sandbox_served"]:
        return None
    return skip(said.SANDBOX_NOT_SERVED.format(command=doctor.command,
                                               base=settings.api_base_url))


def _refused(code: int, message: str) -> Finding:
    fix = said.TOKEN_SECRET_FIX if code in SECRET_ERRORS else \
        said.TOKEN_APPID_FIX if code in APP_ID_ERRORS else \
        said.TOKEN_IP_FIX if code == IP_NOT_WHITELISTED else said.TOKEN_OTHER_FIX
    return fail(said.TOKEN_REFUSED.format(code=code, message=message[:80]), fix)


def check_token(doctor: Doctor) -> Finding:
    """The app id and secret get a token, and the token partybot uses works.

    The secret is checked with `stable_token` in its normal mode (force_refresh false):
    WeChat then answers with the stable token it already has, renewing nothing, and the
    stable token is separate from `/cgi-bin/token`'s, so no running process loses its
    token. `/cgi-bin/token` (wechatpy's `fetch_access_token`) is never called while a
    token is stored: each call retires the previous token within 5 minutes, for every
    process. The stored token is then tried on `getcallbackip`, a read that changes
    nothing (through plain HTTP, not the client, whose retry would force a refresh on a
    refusal). Only when no usable token is stored is one fetched, through the shared
    keeper, under its lock, and stored: what any partybot process would do.
    """
    if (unserved := sandbox_unserved(doctor)) is not None:
        return unserved
    settings, runtime = doctor.ready, doctor.runtime
    base, http = settings.api_base_url, _http(doctor)
    try:
        response = http.post(f"{base}/cgi-bin/stable_token", timeout=_timeout(doctor), json={
            "grant_type": "client_credential", "appid": settings.effective_app_id,
            "secret": settings.effective_app_secret, "force_refresh": False})
        result: dict[str, Any] = response.json() if response.status_code == 200 else {}
    except requests.RequestException as exc:
        return fail(said.TOKEN_UNREACHABLE.format(base=base, error=describe(exc)),
                    said.TOKEN_UNREACHABLE_FIX)
    except ValueError:  # not JSON: no stable_token endpoint there
        result = {}
    if result.get("errcode"):
        return _refused(int(result["errcode"]), str(result.get("errmsg", "")))
    secret_checked = bool(result.get("access_token"))
    store = DatabaseTokenStore(runtime.engine, settings.effective_app_id)
    stored = store.read()
    now = doctor.clock()
    if stored is None or stored.expires_at - now <= USABLE_MARGIN:
        try:
            runtime.wechat.keeper.current()
        except TokenFetchError as exc:
            said_code = re.search(r"errcode (\d+)", str(exc))
            if said_code is not None:
                return _refused(int(said_code.group(1)), str(exc))
            return fail(said.TOKEN_UNREACHABLE.format(base=base, error=str(exc)),
                        said.TOKEN_UNREACHABLE_FIX)
        stored = store.read()
        secret_checked = True
    assert stored is not None
    try:
        checked = http.get(f"{base}/cgi-bin/getcallbackip", timeout=_timeout(doctor),
                           params={"access_token": stored.token}).json()
    except (requests.RequestException, ValueError) as exc:
        return fail(said.TOKEN_UNREACHABLE.format(base=base, error=describe(exc)),
                    said.TOKEN_UNREACHABLE_FIX)
    code = int(checked.get("errcode") or 0)
    if code in TOKEN_ERRORS:
        return fail(said.TOKEN_STORED_REFUSED.format(code=code), said.TOKEN_STORED_REFUSED_FIX)
    if code:
        return _refused(code, str(checked.get("errmsg", "")))
    minutes = max(0, int((stored.expires_at - now).total_seconds() // 60))
    if not secret_checked:
        return warn(said.TOKEN_SECRET_UNCHECKED.format(minutes=minutes),
                    said.TOKEN_SECRET_UNCHECKED_FIX)
    return ok(said.TOKEN_OK.format(minutes=minutes))


def check_clock(doctor: Doctor) -> Finding:
    """Our clock against WeChat's: WeChat has no time API, but its answers carry an HTTP
    Date. The webhook refuses messages whose timestamp is further off than
    WECHAT_TIMESTAMP_TOLERANCE (300 s): a fail past it, a warning past 60 s."""
    if (unserved := sandbox_unserved(doctor)) is not None:
        return unserved
    settings = doctor.ready
    base = settings.api_base_url
    try:
        before = time.time()
        # Without a token: WeChat answers 41001 and changes nothing; the Date is the point.
        response = _http(doctor).get(f"{base}/cgi-bin/getcallbackip", timeout=_timeout(doctor))
        after = time.time()
    except requests.RequestException as exc:
        return fail(said.TOKEN_UNREACHABLE.format(base=base, error=describe(exc)),
                    said.TOKEN_UNREACHABLE_FIX)
    date = response.headers.get("Date")
    try:
        theirs = parsedate_to_datetime(date).timestamp() if date else None
    except (TypeError, ValueError):
        theirs = None
    if theirs is None:
        return warn(said.CLOCK_NO_DATE, said.CLOCK_NO_DATE_FIX)
    # The Date is whole seconds, cut down: WeChat's time was within the second after it.
    skew = round((before + after) / 2 - (theirs + 0.5))
    limit = settings.timestamp_tolerance
    values = {"skew": f"{skew:+d}", "limit": limit}
    if limit and abs(skew) > limit:
        return fail(said.CLOCK_OFF.format(**values), said.CLOCK_FIX)
    if abs(skew) > CLOCK_WARN_SECONDS:
        return warn(said.CLOCK_OFF.format(**values), said.CLOCK_FIX)
    return ok(said.CLOCK_OK.format(**values))


def check_templates(doctor: Doctor) -> Finding:
    """`partybot templates check`'s rows (core.template_messages, core.subscribe_messages)
    for the configured templates, summed up in one line."""
    settings = doctor.ready
    specs, subscriptions = configured_templates(settings)
    rows = template_rows(specs) + check_subscriptions(subscriptions)
    problems = [row for row in rows if row.problem]
    if problems:
        first = problems[0]
        return fail(said.TEMPLATES_BAD.format(problems=len(problems), kind=first.kind,
                                              keyword=first.keyword or "-",
                                              problem=first.problem),
                    said.TEMPLATES_FIX.format(command=doctor.command))
    kinds = len({row.kind for row in rows if row.template_id})
    if not kinds and not settings.sandbox:
        return warn(said.TEMPLATES_NONE, said.TEMPLATES_NONE_FIX)
    return ok(said.TEMPLATES_OK.format(kinds=kinds))


def check_menus(doctor: Doctor) -> Finding:
    """What WeChat shows (menu/get: the default menu and the conditional menu of each
    role tag, tags/get) against what `partybot menu publish` would publish (bot.menu),
    and the role tag ids the tag sync uses against WeChat's."""
    if (unserved := sandbox_unserved(doctor)) is not None:
        return unserved
    settings, runtime = doctor.ready, doctor.runtime
    expected = all_menus(settings.public_url)
    for name, menu in expected.items():
        try:
            validate_menu(menu)
        except MenuError as exc:
            return fail(said.MENUS_BROKEN.format(name=name, error=str(exc)),
                        said.MENUS_BROKEN_FIX)
    # The sandbox's `partybot run` publishes its menus with VIEW buttons to its own
    # address, which the doctor cannot know: there, a page's path is what must match.
    alternatives = [expected] if not settings.sandbox else \
        [expected, all_menus(None), all_menus("http://sandbox")]
    published = runtime.wechat.menu.get()
    if not published or not published.get("menu"):
        return fail(said.MENUS_NONE, said.MENUS_FIX.format(command=doctor.command))
    tags = {tag["name"]: int(tag["id"]) for tag in runtime.wechat.tag.get()}
    by_tag = {str((menu.get("matchrule") or {}).get("tag_id", "")): menu
              for menu in published.get("conditionalmenu") or []}
    differ: list[Said] = []
    if not _matches(published["menu"], "default", alternatives, settings.sandbox):
        differ.append(said.MENUS_DEFAULT)
    for role, tag_name in words.MENU_TAG_NAMES.items():
        tag_id = tags.get(tag_name)
        shown = by_tag.get(str(tag_id)) if tag_id is not None else None
        if shown is None or not _matches(shown, role, alternatives, settings.sandbox):
            differ.append(said.MENUS_ROLE.format(tag=tag_name))
    with runtime.sessions() as session:
        remembered = tag_ids(session)
    if any(remembered.get(role) != tags.get(name) for role, name in words.MENU_TAG_NAMES.items()):
        differ.append(said.MENUS_TAG_IDS)
    if differ:
        sep = said.MENUS_LIST_SEP
        which = Said(sep.zh.join(d.zh for d in differ), sep.en.join(d.en for d in differ))
        return fail(said.MENUS_DIFFER.format(which=which),
                    said.MENUS_FIX.format(command=doctor.command))
    return ok(said.MENUS_OK.format(roles=len(words.MENU_TAG_NAMES)))


def _matches(published: Any, name: str, alternatives: list[dict[str, Any]],
             paths_only: bool) -> bool:
    shown = _buttons(published.get("button") or [], paths_only)
    return any(shown == _buttons(menus[name]["button"], paths_only) for menus in alternatives)


# What a button is to WeChat; menu/get adds `sub_button: []` to leaves and more fields.
BUTTON_FIELDS = ("type", "name", "key", "url", "appid", "pagepath", "media_id", "article_id")


def _buttons(buttons: list[dict[str, Any]], paths_only: bool) -> list[dict[str, Any]]:
    """Buttons reduced to what makes them what they are (a VIEW button's page only, when
    `paths_only`)."""
    reduced = []
    for button in buttons:
        item: dict[str, Any] = {k: button[k] for k in BUTTON_FIELDS if button.get(k)}
        if paths_only and "url" in item:
            parts = urlsplit(item["url"])
            item["url"] = parts.path + (f"?{parts.query}" if parts.query else "")
        if button.get("sub_button"):
            item["sub_button"] = _buttons(button["sub_button"], paths_only)
        reduced.append(item)
    return reduced
