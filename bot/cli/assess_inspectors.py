"""`partybot assess inspector add|remove|list [NAME]`: the county's inspection group
(巡视组). NAME is a console account's login or a member's name (`--phone` narrows a
name shared by several members)."""

from __future__ import annotations

import click

from bot.cli.support import database
from core import texts


@click.group()
def inspector() -> None:
    """The inspection group (巡视组): who scores the inspection clauses."""


def _who(session, name: str, phone: str | None):  # type: ignore[no-untyped-def]
    """(member, console user): the console account called NAME, else the member."""
    from sqlalchemy import select

    from models.console.accounts import ConsoleUser
    from models.members.queries import find_member

    user = session.scalar(select(ConsoleUser).where(ConsoleUser.login == name))
    if user is not None and phone is None:
        return None, user
    return find_member(session, None, name, phone), None


@inspector.command("add")
@click.argument("name")
@click.option("--phone", default=None, help="The member's phone (or its last digits).")
def inspector_add(name: str, phone: str | None) -> None:
    """Put a member or a console account into the inspection group."""
    from models.actors import Actor
    from models.assessment.inspectors import inspector_name
    from models.assessment.mark_actions import add_inspector
    from models.db.base import utcnow

    with database() as (_, session):
        member, user = _who(session, name, phone)
        added = add_inspector(session, Actor.cli(), utcnow(), member=member, user=user)
        shown = inspector_name(session, added)
        session.commit()
    click.echo(texts.INSPECTOR_ADDED.format(name=shown))


@inspector.command("remove")
@click.argument("name")
@click.option("--phone", default=None, help="The member's phone (or its last digits).")
def inspector_remove(name: str, phone: str | None) -> None:
    """Take someone out of the inspection group (the marks they gave stay)."""
    from sqlalchemy import select

    from models.actors import Actor
    from models.assessment.inspectors import Inspector
    from models.assessment.mark_actions import MarkError, remove_inspector
    from models.db.base import utcnow

    with database() as (_, session):
        member, user = _who(session, name, phone)
        column = Inspector.member_id if member is not None else Inspector.console_user_id
        found = session.scalar(select(Inspector).where(
            column == (member.id if member is not None else user.id)))
        if found is None:
            raise MarkError("INSPECTOR_NOT_IN_GROUP", name=name)
        remove_inspector(session, Actor.cli(), found, utcnow())
        session.commit()
    click.echo(texts.INSPECTOR_REMOVED.format(name=name))


@inspector.command("list")
def inspector_list() -> None:
    """Who is in the inspection group."""
    from models.assessment.inspectors import active_inspectors

    with database(write=False) as (_, session):
        found = active_inspectors(session)
        if not found:
            click.echo(texts.INSPECTOR_NONE)
        for row, name in found:
            kind = texts.INSPECTOR_KIND_MEMBER if row.member_id is not None \
                else texts.INSPECTOR_KIND_ACCOUNT
            click.echo(texts.INSPECTOR_LINE.format(name=name, kind=kind))
