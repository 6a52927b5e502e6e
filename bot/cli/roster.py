"""`partybot import-roster`: a roster file into the members and the org tree."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.support import require_migrated, settings_or_exit
from core import texts


@click.command("import-roster")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--parent", "parent_name", default=None,
              help="Org (e.g. a township committee) under which new branches are created.")
def import_roster_cmd(file: Path, parent_name: str | None) -> None:
    """Import a CSV or XLSX roster; all or nothing, safe to re-run."""
    from bot.roster.importing import RosterRejected, import_roster
    from models.actors import Actor
    from models.db.engine import make_engine
    from models.members.roster import RosterError
    from models.members.roster_import import Importer

    def progress(stage: str, done: int, total: int) -> None:
        click.echo(texts.CLI_PROGRESS.format(stage=stage, done=done, total=total), err=True)

    # All or nothing, in short transactions: see bot/roster/importing.py.
    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        require_migrated(engine)
        # County-wide, audited as the operator (models.members.roster_audit).
        report = import_roster(engine, file, parent_name, progress,
                               importer=Importer(Actor.cli()))
    except RosterError as exc:
        raise click.ClickException(
            texts.CLI_IMPORT_FILE_ERROR.format(file=file.name, error=exc)) from None
    except RosterRejected as exc:
        click.echo(texts.CLI_IMPORT_ROWS_ERROR.format(file=file.name,
                                                      count=len(exc.problems)), err=True)
        for problem in exc.problems[:50]:
            click.echo(f"  {problem}", err=True)
        if len(exc.problems) > 50:
            click.echo(texts.CLI_IMPORT_MORE_ERRORS.format(count=len(exc.problems) - 50),
                       err=True)
        sys.exit(1)
    finally:
        engine.dispose()
    for warning in report.warnings:
        click.echo(texts.CLI_NOTE.format(text=warning), err=True)
    click.echo(texts.CLI_IMPORT_DONE.format(created=report.created, updated=report.updated,
                                            unchanged=report.unchanged,
                                            orgs=len(report.orgs_created)))
    for name in report.orgs_created:
        click.echo(texts.CLI_ORG_CREATED.format(name=name))
    for line in report.orgs_moved:
        click.echo(texts.CLI_ORG_MOVED.format(text=line))
