"""The account's menus, defined in code and published with `partybot menu publish`.

WeChat shows each follower one menu: the conditional menu of their role tag (党员,
帮扶人, 支部管理员 — models.members.menu_tags keeps the tags in step with roles), or the default
menu for everyone else, which offers binding. Buttons are clicks whose key is
"CMD:<command>": a click does what typing the command does (handlers/__init__.py), so
the menus and the chat commands never drift. With PARTYBOT_PUBLIC_URL, the buttons that
show something are VIEW buttons to the member pages (/m/, issue 26): the menus are a
function of that setting (`role_menus`), built when they are checked or published.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy.orm import Session

from core import page_links, words
from core.wechat import WeChatAPI
from handlers import MENU_COMMAND_PREFIX, Dispatcher
from models.members.menu_tags import remember_tag_ids
from schedules.menu_tags import sync_menu_tags
from schedules.runtime import Runtime

log = logging.getLogger(__name__)


def _click(name: str, command: str) -> dict[str, str]:
    return {"type": "click", "name": name, "key": f"{MENU_COMMAND_PREFIX}{command}"}


def _view(name: str, url: str) -> dict[str, str]:
    return {"type": "view", "name": name, "url": url}


def _sub(name: str, *buttons: dict[str, str]) -> dict[str, Any]:
    return {"name": name, "sub_button": list(buttons)}


def default_menu() -> dict[str, Any]:
    """Strangers: how to bind, and what the account is."""
    return {"button": [
        _click(words.MENU_BIND, words.CMD_BIND),
        _click(words.MENU_ABOUT, words.CMD_HELP),
    ]}


def role_menus(public_url: str | None = None) -> dict[str, dict[str, Any]]:
    """role -> its menu (the role names are models.members.menu_tags.ROLES).

    Without a public URL every button is a click that runs a chat command. With one
    (PARTYBOT_PUBLIC_URL; WeChat opens only what it can reach), the buttons that show
    something open the member pages instead (VIEW buttons: 学习, 我的会议, 我的记录,
    我帮扶的人); 签到 by code, the admins' commands and 帮助 stay clicks — the chat does
    those best."""
    study = _click(words.MENU_STUDY, words.CMD_STUDY)
    check_in = _click(words.MENU_CHECK_IN, words.CMD_CHECK_IN)
    meetings = _click(words.MENU_MY_MEETINGS, words.CMD_MEETINGS)
    record = _click(words.MENU_MY_RECORD, words.CMD_MINE)
    help_ = _click(words.MENU_HELP, words.CMD_HELP)
    leave_help = _click(words.MENU_LEAVE_HELP, f"{words.CMD_HELP} {words.CMD_LEAVE}")
    relays = _click(words.MENU_RELAYS, words.CMD_HELPING)
    if public_url is None:
        return {
            "member": {"button": [study, check_in,
                                  _sub(words.MENU_MINE, meetings, record, leave_help, help_)]},
            "helper": {"button": [study, check_in,
                                  _sub(words.MENU_HELPING, relays, meetings, record, help_)]},
            "admin": {"button": [
                _sub(words.MENU_STUDY, study, _click(words.MENU_UNSTUDIED, words.CMD_UNSTUDIED),
                     _click(words.MENU_POST_HELP, f"{words.CMD_HELP} {words.CMD_POST}")),
                check_in,
                _sub(words.MENU_MANAGE, _click(words.MENU_STATS, words.CMD_STATS), meetings,
                     _click(words.MENU_MEETING_HELP,
                            f"{words.CMD_HELP} {words.CMD_NEW_MEETING}"), help_)]},
        }

    def page(name: str, path: str) -> dict[str, str]:
        return _view(name, f"{public_url}{path}")

    meetings_page = page(words.MENU_MEETINGS_PAGE, page_links.MEETINGS)
    my_year = page(words.MENU_MY_YEAR, page_links.ME)
    return {
        "member": {"button": [
            page(words.MENU_STUDY, page_links.STUDY), check_in,
            _sub(words.MENU_MINE, meetings_page, my_year, leave_help, help_)]},
        "helper": {"button": [
            page(words.MENU_STUDY, page_links.STUDY), check_in,
            _sub(words.MENU_HELPING, page(words.MENU_HELPED_PAGE, page_links.HELPER), relays,
                 meetings_page, my_year, help_)]},
        "admin": {"button": [
            _sub(words.MENU_STUDY, page(words.MENU_STUDY_PAGE, page_links.STUDY),
                 _click(words.MENU_UNSTUDIED, words.CMD_UNSTUDIED),
                 _click(words.MENU_POST_HELP, f"{words.CMD_HELP} {words.CMD_POST}")),
            check_in,
            _sub(words.MENU_MANAGE, _click(words.MENU_STATS, words.CMD_STATS), meetings_page,
                 my_year,
                 _click(words.MENU_MEETING_HELP, f"{words.CMD_HELP} {words.CMD_NEW_MEETING}"),
                 help_)]},
    }


def all_menus(public_url: str | None = None) -> dict[str, dict[str, Any]]:
    """Every menu by name: "default" and the roles (VIEW buttons with a public URL)."""
    return {"default": default_menu(), **role_menus(public_url)}


class MenuError(ValueError):
    """The menu breaks one of WeChat's limits."""


def validate_menu(menu: dict[str, Any]) -> None:
    """WeChat's limits: 1–3 buttons, ≤ 5 sub-buttons, names ≤ 16 / 60 bytes, keys ≤ 128,
    a VIEW button's url ≤ 1024 bytes. (WeChat shows 4 Chinese characters of a top button
    and 8 of a sub-button before "…"; tests/test_menus.py keeps ours within that.)"""
    buttons = menu.get("button") or []
    if not 1 <= len(buttons) <= 3:
        raise MenuError(f"a menu has 1 to 3 buttons, not {len(buttons)}")
    for button in buttons:
        name = button.get("name", "")
        if not name or len(name.encode()) > 16:
            raise MenuError(f"button name {name!r} must be 1–16 bytes (about 5 Chinese characters)")
        subs = button.get("sub_button") or []
        if len(subs) > 5:
            raise MenuError(f"button {name!r} has {len(subs)} sub-buttons; at most 5")
        for item in subs or [button]:
            if item is not button and (not item.get("name") or len(item["name"].encode()) > 60):
                raise MenuError(f"sub-button name {item.get('name')!r} must be 1–60 bytes")
            if item.get("type") == "click" and not 0 < len(item.get("key", "").encode()) <= 128:
                raise MenuError(f"button {item.get('name')!r} needs a key of 1–128 bytes")
            if item.get("type") == "view":
                url = item.get("url", "")
                if not url.startswith(("http://", "https://")) or len(url.encode()) > 1024:
                    raise MenuError(f"button {item.get('name')!r} needs an http(s) url of at "
                                    "most 1024 bytes")


def menu_commands(menu: dict[str, Any]) -> list[str]:
    """The commands the menu's click buttons run, in order (a VIEW button opens a page)."""
    keys = [item.get("key", "") for button in menu["button"]
            for item in (button.get("sub_button") or [button]) if item.get("type") == "click"]
    return [key[len(MENU_COMMAND_PREFIX):] for key in keys if key.startswith(MENU_COMMAND_PREFIX)]


def missing_commands(menu: dict[str, Any], dispatcher: Dispatcher) -> list[str]:
    """Commands the menu uses that no handler answers (yet)."""
    return [command for command in menu_commands(menu)
            if dispatcher.read(command).word not in dispatcher.by_word]


def publish_menus(client: WeChatAPI, session: Session,
                  public_url: str | None = None) -> dict[str, int]:
    """Create the role tags (reusing ones of the same name), then replace every menu:
    the default one and a conditional menu per role tag (with VIEW buttons to the member
    pages under `public_url`, if given). Returns role -> tag id; the caller commits (the
    ids are stored for the tag sync)."""
    existing = {tag["name"]: int(tag["id"]) for tag in client.tag.get()}
    ids: dict[str, tuple[int, str]] = {}
    for role, name in words.MENU_TAG_NAMES.items():
        tag_id = existing.get(name)
        if tag_id is None:
            tag_id = int(client.tag.create(name)["id"])
        ids[role] = (tag_id, name)
    client.menu.delete()  # the default menu and every conditional one
    client.menu.create(default_menu())
    for role, menu in role_menus(public_url).items():
        client.menu.add_conditional({**menu, "matchrule": {"tag_id": str(ids[role][0])}})
    remember_tag_ids(session, ids)
    return {role: tag_id for role, (tag_id, _) in ids.items()}


def publish_in_background(runtime: Runtime, pages_url: str | None = None) -> threading.Thread:
    """The sandbox's first run: publish the menus to the fake and tag the demo members,
    once the server answers (a thread, so that the server can start serving). The VIEW
    buttons lead to PARTYBOT_PUBLIC_URL's pages, else to `pages_url` (the sandbox's own
    address: its chat page opens them logged in as the member chatting)."""
    public_url = runtime.settings.public_url or pages_url

    def publish() -> None:
        try:
            with runtime.sessions() as session:
                publish_menus(runtime.wechat, session, public_url)
                session.commit()
            sync_menu_tags(runtime)
        except Exception:  # the sandbox still works without menus; say why
            log.exception("sandbox: publishing the menus failed")

    thread = threading.Thread(target=publish, name="sandbox-menus", daemon=True)
    thread.start()
    return thread
