"""`partybot db backup FILE` and `partybot db restore FILE` (models/db/backup.py).

The revision check lives here, not in models/: knowing which revisions this code has
means reading the migrations, and nothing below bot/ may import them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import click

from bot.cli.own_command import partybot_command
from bot.cli.support import settings_or_exit
from core import texts
from models.errors import DomainError


def _progress(started: float) -> Callable[[str], None]:
    def say(line: str) -> None:
        click.echo(f"[{time.monotonic() - started:6.1f} s] {line}", err=True)

    return say


def known_revisions() -> tuple[set[str], set[str]]:
    """Every migration revision this code has, and its heads."""
    from alembic.script import ScriptDirectory

    from bot.schema_upgrade import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {script.revision for script in scripts.walk_revisions()}, set(scripts.get_heads())


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(file: Path) -> None:
    """Write the database and the uploaded files into FILE (a tar, mode 0600), while
    partybot keeps serving. PostgreSQL needs pg_dump on PATH."""
    from models.db.backup import make_backup

    settings = settings_or_exit()
    say = _progress(time.monotonic())
    try:
        done = make_backup(settings.database_url, Path(settings.instance_path), file,
                           say)
    except DomainError as exc:
        raise click.ClickException(exc.render()) from None
    if done.released_since:
        click.echo(texts.BACKUP_RELEASED_SINCE.format(count=done.released_since))
    click.echo(texts.BACKUP_DONE.format(
        file=file, size=f"{file.stat().st_size / 1e6:.1f}",
        tables=len(done.manifest["database"]["tables"]), rows=done.rows, files=done.files))


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def db_restore(file: Path) -> None:
    """Restore FILE (from `db backup`) into the configured database, which must be
    empty, and its files into the uploads folder. Stop partybot first."""
    from models.db.backup import read_backup, restore_backup

    settings = settings_or_exit()
    say = _progress(time.monotonic())
    try:
        manifest = read_backup(file, say)
        revision = manifest["database"].get("revision")
        known, heads = known_revisions()
        if revision is not None and revision not in known:
            raise DomainError("BACKUP_REVISION_NEWER", revision=revision)
        done = restore_backup(file, manifest, settings.database_url,
                              Path(settings.instance_path), say)
    except DomainError as exc:
        raise click.ClickException(exc.render()) from None
    click.echo(texts.BACKUP_RESTORED.format(rows=done.rows, files=done.files))
    if done.revision not in heads:
        click.echo(texts.BACKUP_RESTORED_UPGRADE.format(revision=done.revision,
                                                        command=partybot_command()))
