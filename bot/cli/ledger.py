"""`partybot export ledger`: the 台账 workbook from the command line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from bot.cli.support import database, one_org
from core import texts


@click.group()
def export() -> None:
    """Exports (the 台账 ledger)."""


@export.command("ledger")
@click.option("--org", "org_name", required=True, help="The branch name.")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_ledger_cmd(org_name: str, start: datetime, end: datetime, out: Path) -> None:
    """Write a branch's 三会一课 ledger (meetings + attendance matrix) as XLSX."""
    from bot.ledger.branch import export_ledger
    from core.notices import names_list
    from models.members.org_tables import OrgKind
    from models.members.orgs import branches_under

    if end < start:
        raise click.ClickException(texts.CLI_LEDGER_DATES)
    if out.suffix.lower() != ".xlsx":
        raise click.ClickException(texts.CLI_LEDGER_SUFFIX)
    with database(write=False) as (settings, session):
        org = one_org(session, org_name)
        if org.kind != OrgKind.BRANCH:
            below = names_list([b.name for b in branches_under(session, org.id)], 10)
            raise click.ClickException(texts.CLI_LEDGER_NEEDS_BRANCH.format(
                name=org_name, below=below or texts.CLI_NONE))
        summary = export_ledger(session, org, start.date(), end.date(), settings.tz, out)
    click.echo(texts.CLI_LEDGER_DONE.format(path=summary.path, branch=summary.branch,
                                            meetings=summary.meetings, members=summary.members))
