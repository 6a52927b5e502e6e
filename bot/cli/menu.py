"""`partybot menu publish` and `partybot qr`: the account's menus and check-in QR codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from bot.cli.support import runtime
from core import texts, words


def _call_wechat(action: str, call: Any) -> Any:
    """Run one API call from the CLI; WeChat's answer as a clear error if it fails."""
    import requests
    from wechatpy.exceptions import WeChatClientException

    from core.wechat import TokenFetchError

    try:
        return call()
    except TokenFetchError as exc:
        raise click.ClickException(f"{action}: no access token: {exc}") from None
    except WeChatClientException as exc:
        raise click.ClickException(f"{action}: WeChat answered {exc.errcode} {exc.errmsg}") \
            from None
    except requests.RequestException as exc:
        raise click.ClickException(
            f"{action}: cannot reach the WeChat API ({type(exc).__name__}); in sandbox mode "
            "`partybot serve` (or `run`) must be running") from None


@click.group()
def menu() -> None:
    """The account menu."""


@menu.command("publish")
def menu_publish() -> None:
    """Publish the menus in bot/menu.py (one per role, chosen by user tag) and tag members."""
    from bot.menu import all_menus, publish_menus
    from handlers import build_dispatcher
    from schedules.menu_tags import sync_menu_tags

    with runtime() as built:
        public_url = built.settings.public_url
        _check_menus(all_menus(public_url), build_dispatcher())
        with built.sessions() as session:
            ids = _call_wechat("menu publish",
                               lambda: publish_menus(built.wechat, session, public_url))
            session.commit()
        click.echo(texts.CLI_MENU_PUBLISHED.format(
            tags=words.LIST_SEP.join(
                texts.CLI_MENU_TAG.format(name=words.MENU_TAG_NAMES[role], id=tag_id)
                for role, tag_id in ids.items())))
        tagged = failed = 0
        while True:  # a county's first publish: 2,000 members a round
            run = sync_menu_tags(built)
            tagged, failed = tagged + run.tagged, failed + run.failed
            click.echo(texts.CLI_MENU_TAGGING.format(tagged=tagged, failed=failed), err=True)
            if run.tagged + run.failed == 0:
                break
    click.echo(texts.CLI_MENU_TAGGED.format(tagged=tagged, failed=failed))


def _check_menus(menus: dict[str, Any], dispatcher: Any) -> None:
    from bot.menu import MenuError, missing_commands, validate_menu

    for name, menu in menus.items():
        try:
            validate_menu(menu)
        except MenuError as exc:
            raise click.ClickException(
                f"the {name} menu breaks WeChat's limits: {exc}") from None
        for word in missing_commands(menu, dispatcher):
            click.echo(texts.CLI_MENU_UNKNOWN_COMMAND.format(word=word), err=True)


@click.command("qr")
@click.argument("scene")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--permanent", is_flag=True, help="QR_LIMIT_STR_SCENE (default: 30-day code).")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 30))
def qr(scene: str, out: Path, permanent: bool, days: int) -> None:
    """Create a parametric QR code for SCENE and save a printable PNG."""
    from bot.qrcodes import create_scene_qr, render_png

    with runtime() as built:
        _check_meeting_scene(built, scene)
        try:
            code = _call_wechat("qr", lambda: create_scene_qr(
                built.wechat, scene, permanent, days * 86400))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        render_png(code, out)
    validity = texts.CLI_QR_PERMANENT if permanent else texts.CLI_QR_DAYS.format(days=days)
    click.echo(texts.CLI_QR_SAVED.format(path=out, scene=scene, validity=validity))


def _check_meeting_scene(built: Any, scene: str) -> None:
    """A meeting's QR code names a meeting that exists and is still open: a code
    printed for a typo would check nobody in."""
    from models.meetings.tables import QR_SCENE_PREFIX, Meeting, MeetingStatus

    if not scene.startswith(QR_SCENE_PREFIX):
        return
    number = scene[len(QR_SCENE_PREFIX):]
    with built.sessions() as session:
        meeting = session.get(Meeting, int(number)) if number.isdigit() \
            and len(number) <= 9 else None
        if meeting is None or meeting.status != MeetingStatus.PLANNED:
            raise click.ClickException(texts.CLI_QR_NO_MEETING.format(id=number[:20]))
