"""`partybot review show|close ORG --year YYYY`: 述职评议 from the command line — the
county's table (who has submitted, the grades, 测评 votes and average, the total, the
recommendations), and closing the round (totals frozen)."""

from __future__ import annotations

import click

from bot.cli.support import database, one_org
from core import texts


def _round(session, org_name: str, year: int):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from models.reviews.tables import ReviewRound

    org = one_org(session, org_name)
    found = session.scalar(select(ReviewRound).where(ReviewRound.org_id == org.id,
                                                     ReviewRound.year == year))
    if found is None:
        raise click.ClickException(texts.REVIEW_NO_ROUND)
    return found


@click.group()
def review() -> None:
    """述职评议: show a county's round, or close it."""


@review.command("show")
@click.argument("org_name", metavar="COUNTY")
@click.option("--year", type=int, required=True)
def review_show(org_name: str, year: int) -> None:
    """Print the round's table, one line per reporter."""
    from models.db.base import utcnow
    from models.reviews.queries import round_rows

    def figure(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f}"

    with database(write=False) as (settings, session):
        found = _round(session, org_name, year)
        rows = round_rows(session, found, None, utcnow().astimezone(settings.tz).date())
        click.echo(texts.CLI_REVIEW_HEADER.format(year=year, org=found.org.name,
                                                  count=len(rows), status=found.status))
        for r in rows:
            click.echo(texts.CLI_REVIEW_LINE.format(
                name=r.name, org=r.org_name,
                report=texts.REVIEW_STATUS_SUBMITTED if r.submitted_at
                else texts.REVIEW_STATUS_MISSING,
                self=r.grade_self or "—", county=r.grade_county or "—",
                leader=r.grade_leader or "—", votes=r.votes, members=figure(r.members_score),
                total=figure(r.total), suggestions=r.items.suggestions,
                problems=r.items.problems, overdue=r.items.overdue))


@review.command("close")
@click.argument("org_name", metavar="COUNTY")
@click.option("--year", type=int, required=True)
def review_close(org_name: str, year: int) -> None:
    """Close the round: every total computed and kept; nothing changes afterwards."""
    from models.actors import Actor
    from models.db.base import utcnow
    from models.reviews.actions import close_round

    with database() as (_settings, session):
        close_round(session, Actor.cli(), _round(session, org_name, year), utcnow())
        session.commit()
    click.echo(texts.REVIEW_CLOSED_OK.format(year=year))
