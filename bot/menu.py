"""The account menu, defined in code and published with `partybot menu publish`.

Buttons are clicks whose key is "CMD:<command word>": a click does what typing the
command does (handlers/__init__.py), so the menu and the chat commands never drift.
"""

from __future__ import annotations

from typing import Any

from core import words
from handlers import MENU_COMMAND_PREFIX, Dispatcher


def _click(name: str, command: str) -> dict[str, str]:
    return {"type": "click", "name": name, "key": f"{MENU_COMMAND_PREFIX}{command}"}


# (button name, the command word its click runs): the words are the chat's commands.
MENU: dict[str, Any] = {"button": [
    _click(words.MENU_STUDY, words.CMD_STUDY),
    {"name": words.MENU_ORG_LIFE, "sub_button": [
        _click(words.MENU_MY_MEETINGS, words.CMD_MEETINGS),
        _click(words.MENU_HELPING, words.CMD_HELPING),
        _click(words.MENU_STATS, words.CMD_STATS),
    ]},
    {"name": words.MENU_MINE, "sub_button": [
        _click(words.MENU_MY_RECORD, words.CMD_MINE),
        _click(words.MENU_HELP, words.CMD_HELP),
    ]},
]}


class MenuError(ValueError):
    """The menu breaks one of WeChat's limits."""


def validate_menu(menu: dict[str, Any]) -> None:
    """WeChat's limits: 1–3 buttons, ≤ 5 sub-buttons, names ≤ 16 / 60 bytes, keys ≤ 128."""
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


def missing_commands(menu: dict[str, Any], dispatcher: Dispatcher) -> list[str]:
    """Command words the menu uses that no handler answers (yet)."""
    words = set(dispatcher.by_word)
    keys = [item.get("key", "") for button in menu["button"]
            for item in (button.get("sub_button") or [button])]
    return [k[len(MENU_COMMAND_PREFIX):] for k in keys
            if k.startswith(MENU_COMMAND_PREFIX) and k[len(MENU_COMMAND_PREFIX):] not in words]
