"""`partybot member unbind|export|forget` and `partybot console-user add|password`."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from bot.cli.support import database, one_org
from core import texts

log = logging.getLogger(__name__)


@click.group()
def member() -> None:
    """Members: release a member's WeChat (a new phone); export or forget a member's
    personal data on request."""


@member.command("unbind")
@click.argument("name")
@click.option("--branch", "branch_name", required=True, help="The member's branch.")
def member_unbind(name: str, branch_name: str) -> None:
    """Release NAME's WeChat so they can bind a new one (as the admin's 解绑)."""
    from models.actors import Actor
    from models.db.base import utcnow
    from models.delivery.outbox import ChannelPolicy
    from models.members.actions import unbind_wechat
    from models.members.queries import find_member

    with database() as (settings, session):
        branch = one_org(session, branch_name)
        found = find_member(session, branch.id, name)
        policy = ChannelPolicy(settings.templates, settings.subscriptions,
                               public_url=settings.public_url)
        released = unbind_wechat(session, Actor.cli(), found, policy, utcnow())
        session.commit()
    done = texts.CLI_UNBIND_DONE if released else texts.CLI_UNBIND_NOT_BOUND
    click.echo(done.format(name=name, branch=branch.name))


@member.command("export")
@click.argument("name")
@click.option("--branch", "branch_name", required=True, help="The member's branch.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="The workbook to write (default: '<branch> <name> "
              "<suffix>.xlsx' in the current folder).")
def member_export(name: str, branch_name: str, output: Path | None) -> None:
    """Write everything partybot holds about NAME as an .xlsx workbook, one sheet per
    area (the member's right of access). The export is audited."""
    from bot.member_export import default_path, write_personal_data
    from models.actors import Actor
    from models.db.base import utcnow
    from models.members.actions import export_member_data
    from models.members.queries import find_member

    with database() as (_settings, session):
        branch = one_org(session, branch_name)
        found = find_member(session, branch.id, name, include_forgotten=True)
        areas = export_member_data(session, Actor.cli(), found, utcnow())
        path = write_personal_data(areas, output or default_path(name, branch.name))
        session.commit()
    click.echo(texts.CLI_EXPORT_DONE.format(name=name, branch=branch.name, path=path))


@member.command("forget")
@click.argument("name")
@click.option("--branch", "branch_name", required=True, help="The member's branch.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def member_forget(name: str, branch_name: str, yes: bool) -> None:
    """Forget NAME on request: phone, WeChat identities, feedback texts, photos and voice
    are deleted and the name becomes a stable pseudonym; attendance, study and relay
    counts stay. Cannot be undone. Audited."""
    from models.actors import Actor
    from models.db.base import utcnow
    from models.db.stored_files import remove_files
    from models.members.actions import forget_member
    from models.members.queries import find_member

    with database(write=False) as (_settings, session):  # no write lock while asking
        branch = one_org(session, branch_name)
        member_id = find_member(session, branch.id, name, include_forgotten=True).id
    if not yes and not click.confirm(texts.CLI_FORGET_CONFIRM.format(name=name,
                                                                      branch=branch.name)):
        raise click.ClickException(texts.CLI_FORGET_CANCELLED)
    with database() as (settings, session):
        found = find_member(session, branch.id, name, include_forgotten=True)
        if found.id != member_id:  # the roster changed while we asked
            raise click.ClickException(texts.CLI_FORGET_CANCELLED)
        erased = forget_member(session, Actor.cli(), found, utcnow())
        session.commit()
        root = Path(settings.instance_path)
    if erased is None:
        click.echo(texts.CLI_FORGET_ALREADY.format(name=name))
        return
    removed = remove_files(root, erased.files)
    log.info("member %d forgotten from the command line; %d photo files deleted",
             member_id, removed)
    click.echo(texts.CLI_FORGET_DONE.format(name=name, pseudonym=erased.pseudonym,
                                            files=removed))


@click.group("console-user")
def console_user() -> None:
    """Console password accounts (staff with no bound WeChat)."""


@console_user.command("add")
@click.argument("login")
@click.option("--org", "org_name", required=True, help="What the account sees: this org "
              "and everything below it.")
@click.option("--member", "member_name", default=None, help="The roster member it belongs to.")
@click.option("--phone", default=None, help="The member's phone (or its end), if the name "
              "is not unique.")
def console_user_add(login: str, org_name: str, member_name: str | None,
                     phone: str | None) -> None:
    """Add a password account; the password is read from standard input, never an
    argument (it would be in the shell history and the process list)."""
    from models.actors import Actor
    from models.console.actions import add_console_account
    from models.db.base import utcnow
    from models.members.queries import find_member

    password = _read_password()
    with database() as (settings, session):
        org = one_org(session, org_name)
        member = find_member(session, None, member_name, phone) if member_name else None
        add_console_account(session, Actor.cli(), login, password, org, member, utcnow())
        session.commit()
        url = f"{settings.public_url or 'http://127.0.0.1:5000'}/admin/login"
    click.echo(texts.CLI_CONSOLE_USER_ADDED.format(login=login, org=org_name, url=url))


@console_user.command("password")
@click.argument("login")
def console_user_password(login: str) -> None:
    """Give a password account a new password (read from standard input); every console
    session of the account ends, so whoever knew the old one is logged out too."""
    from models.actors import Actor
    from models.console.actions import change_console_password
    from models.db.base import utcnow

    password = _read_password()
    with database() as (_settings, session):
        ended = change_console_password(session, Actor.cli(), login, password, utcnow())
        session.commit()
    click.echo(texts.CLI_CONSOLE_PASSWORD_CHANGED.format(login=login, ended=ended))


def _read_password() -> str:
    """A password from standard input: not echoed at a terminal, never an argument."""
    from models.console.accounts import PASSWORD_MIN

    if sys.stdin.isatty():
        click.echo(texts.CLI_CONSOLE_PASSWORD_PROMPT.format(minimum=PASSWORD_MIN), err=True,
                   nl=False)
        password = click.prompt("", hide_input=True, prompt_suffix="", show_default=False,
                                err=True)
    else:
        password = sys.stdin.readline()
    password = password.rstrip("\r\n")
    if not password:
        raise click.ClickException(texts.CLI_CONSOLE_PASSWORD_EMPTY)
    return password
