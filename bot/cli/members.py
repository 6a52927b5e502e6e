"""`partybot member unbind` and `partybot console-user add|password`."""

from __future__ import annotations

import sys

import click

from bot.cli.support import database, one_org
from core import texts


@click.group()
def member() -> None:
    """Members: release a member's WeChat (a new phone)."""


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
