"""The fake's custom menus: the default menu (WeChat's limits on buttons and names),
conditional menus by user tag, reading them back (menu/get), and deleting them all.
Which one a user sees is FakeWeChat.menu_for."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from bot.sandbox.fake_http import answer, fake_state, json_body, refused

bp = Blueprint("fake_menus", __name__)

CONDITIONAL_MENU_IDS = 400000000  # WeChat's menuids are large numbers


@bp.post("/cgi-bin/menu/create")
def menu_create() -> Response:
    """Store the default menu after checking WeChat's limits (3 buttons, 5 sub-buttons
    each, a VIEW button's url)."""
    if (bad := refused("menu/create")) is not None:
        return bad
    body = json_body()
    if (problem := _menu_problem(body)) is not None:
        return problem
    fake_state().menu = body
    return answer({"errcode": 0, "errmsg": "ok"})


def _menu_problem(body: dict[str, Any]) -> Response | None:
    buttons = body.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        return answer({"errcode": 40016, "errmsg": "invalid button size"})
    for button in buttons:
        subs = button.get("sub_button") or []
        if len(subs) > 5:
            return answer({"errcode": 40023, "errmsg": "invalid sub button size"})
        if len(button.get("name", "").encode()) > 16:
            return answer({"errcode": 40018, "errmsg": "invalid button name size"})
        if not subs and (bad := _url_problem(button, 40020)) is not None:
            return bad
        for sub in subs:
            if len(sub.get("name", "").encode()) > 60:
                return answer({"errcode": 40018, "errmsg": "invalid button name size"})
            if (bad := _url_problem(sub, 40027)) is not None:
                return bad
    return None


def _url_problem(button: dict[str, Any], errcode: int) -> Response | None:
    """A VIEW button opens its url: 1–1024 bytes (40020 for a top button, 40027 for a
    sub-button, as WeChat answers)."""
    if button.get("type") != "view":
        return None
    url = button.get("url")
    if not isinstance(url, str) or not 0 < len(url.encode()) <= 1024:
        size = "sub button url" if errcode == 40027 else "button url"
        return answer({"errcode": errcode, "errmsg": f"invalid {size} size"})
    return None


@bp.post("/cgi-bin/menu/addconditional")
def menu_add_conditional() -> Response:
    """A conditional menu: only after a default menu, with a matchrule naming a tag
    that exists."""
    if (bad := refused("menu/addconditional")) is not None:
        return bad
    body = json_body()
    state = fake_state()
    if state.menu is None:
        return answer({"errcode": 65303,
                       "errmsg": "there is no selfmenu, please create selfmenu first"})
    rule = body.get("matchrule")
    if not isinstance(rule, dict) or not any(rule.values()):
        return answer({"errcode": 65304, "errmsg": "match rule empty"})
    tag_id = str(rule.get("tag_id", ""))
    if tag_id and (not tag_id.isdigit() or int(tag_id) not in state.tags):
        return answer({"errcode": 65310, "errmsg": "invalid tag id"})
    if (problem := _menu_problem(body)) is not None:
        return problem
    menuid = str(CONDITIONAL_MENU_IDS + next(state.ids))
    with state.lock:
        state.conditional_menus.append((menuid, body))
    return answer({"menuid": menuid})


@bp.get("/cgi-bin/menu/delete")
def menu_delete() -> Response:
    """Remove the default menu and every conditional one."""
    if (bad := refused("menu/delete")) is not None:
        return bad
    state = fake_state()
    with state.lock:
        state.menu = None
        state.conditional_menus.clear()
    return answer({"errcode": 0, "errmsg": "ok"})


@bp.get("/cgi-bin/menu/get")
def menu_get() -> Response:
    """Every menu as WeChat answers menu/get: the default one under "menu", the
    conditional ones under "conditionalmenu", each button with a `sub_button` list
    (empty for a leaf); 46003 when there is no menu."""
    if (bad := refused("menu/get")) is not None:
        return bad
    state = fake_state()
    with state.lock:
        default, conditional = state.menu, list(state.conditional_menus)
    if default is None:
        return answer({"errcode": 46003, "errmsg": "menu no exist"})
    return answer({
        "menu": {"button": _as_read(default), "menuid": CONDITIONAL_MENU_IDS},
        "conditionalmenu": [{"button": _as_read(menu), "matchrule": menu.get("matchrule"),
                             "menuid": int(menuid)} for menuid, menu in conditional],
    })


def _as_read(menu: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**button, "sub_button": [{**sub, "sub_button": []}
                                      for sub in button.get("sub_button") or []]}
            for button in menu.get("button") or []]
