"""`partybot joint pair|unpair|list`: 双联双促 pairs from the command line (the console's
/admin/joint does the same through models.joint.actions)."""

from __future__ import annotations

import click

from bot.cli.support import database, one_org
from core import texts


@click.group()
def joint() -> None:
    """双联双促: pair county offices with village branches, list the pairs."""


@joint.command("pair")
@click.argument("office")
@click.argument("branch")
def joint_pair(office: str, branch: str) -> None:
    """Pair the county office OFFICE with the village branch BRANCH."""
    from models.actors import Actor
    from models.db.base import utcnow
    from models.joint.actions import add_pair

    with database() as (_settings, session):
        add_pair(session, Actor.cli(), one_org(session, office).id,
                 one_org(session, branch).id, utcnow())
        session.commit()
    click.echo(texts.JOINT_PAIRED.format(office=office, branch=branch))


@joint.command("unpair")
@click.argument("office")
@click.argument("branch")
def joint_unpair(office: str, branch: str) -> None:
    """End the pair of OFFICE and BRANCH (its record stays)."""
    from models.actors import Actor
    from models.db.base import utcnow
    from models.joint.actions import end_pair
    from models.joint.queries import live_pair

    with database() as (_settings, session):
        pair = live_pair(session, one_org(session, office).id, one_org(session, branch).id)
        if pair is None:
            raise click.ClickException(texts.JOINT_CLI_NO_PAIR.format(office=office,
                                                                      branch=branch))
        end_pair(session, Actor.cli(), pair, utcnow())
        session.commit()
    click.echo(texts.JOINT_UNPAIRED.format(office=office, branch=branch))


@joint.command("list")
@click.option("--year", type=int, default=None, help="The year counted (default: this one).")
def joint_list(year: int | None) -> None:
    """Every pair with the year's joint sessions and participants from each side."""
    from datetime import date

    from sqlalchemy import select

    from core.localtime import local_range
    from models.db.base import utcnow
    from models.joint.queries import pair_list
    from models.members.org_tables import Org

    with database(write=False) as (settings, session):
        year = year or utcnow().astimezone(settings.tz).year
        listing = pair_list(session, set(session.scalars(select(Org.id))),
                            *local_range(date(year, 1, 1), date(year, 12, 31), settings.tz))
    for line in listing.lines:
        click.echo(texts.JOINT_CLI_LINE.format(
            office=line.office, branch=line.branch, sessions=line.sessions,
            office_people=line.office_people, branch_people=line.branch_people,
            ended=texts.JOINT_CLI_ENDED if line.pair.ended_at else ""))
    click.echo(texts.JOINT_CLI_TOTAL.format(
        year=year, pairs=listing.live_pairs, sessions=listing.sessions,
        office_people=listing.office_people, branch_people=listing.branch_people))
