"""`partybot rectify list [--year YYYY] [--org NAME]`: the 整顿台账 at the terminal."""

from __future__ import annotations

import click

from bot.cli.support import database, one_org
from core import texts


@click.group()
def rectify() -> None:
    """整顿台账: the county's weak branches and their problems."""


@rectify.command("list")
@click.option("--year", type=int, default=None, help="This year only (default: this year).")
@click.option("--org", "org_name", default=None, help="Only branches under this org.")
def rectify_list(year: int | None, org_name: str | None) -> None:
    """Each weak branch: its problems, how many are open, overdue, and whether it left."""
    from sqlalchemy import select

    from models.db.base import utcnow
    from models.members.org_tables import Org, OrgKind
    from models.members.orgs import branches_under
    from models.rectification.queries import ledger_rows

    with database(write=False) as (settings, session):
        today = utcnow().astimezone(settings.tz).date()
        year = year or today.year
        if org_name:
            ids = [b.id for b in branches_under(session, one_org(session, org_name).id)]
        else:
            ids = list(session.scalars(select(Org.id).where(
                Org.kind.in_([OrgKind.BRANCH, OrgKind.GENERAL_BRANCH]))))
        rows = ledger_rows(session, ids, today, settings.tz, year)
        if not rows:
            click.echo(texts.RECTIFY_LIST_EMPTY.format(year=year))
        for row in rows:
            click.echo(texts.RECTIFY_LIST_LINE.format(
                branch=row.branch, township=row.township or "—", total=row.total,
                open=row.open, overdue=row.overdue,
                left=texts.RECTIFY_LIST_LEFT if row.left else ""))
