"""What every `partybot` command needs: the settings, a database session or the
runtime, and clear errors instead of tracebacks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.cli.own_command import partybot_command
from bot.schema_upgrade import database_behind
from core import texts
from core.config import ConfigError, Settings, load_settings
from models.db.engine import make_engine, make_session_factory
from models.db.write_gate import write_session
from models.errors import DomainError
from models.members.org_tables import Org
from models.members.orgs import find_org
from schedules.runtime import Runtime, build_runtime


def settings_or_exit() -> Settings:
    """The settings; a malformed one stops the command with the variable named."""
    try:
        return load_settings()
    except ConfigError as exc:
        raise click.ClickException(f"configuration: {exc}") from None


def require_migrated(engine: Engine) -> None:
    """Stop with what to run when the database has not been created or upgraded (not
    with a "no such table" traceback from the first query)."""
    if database_behind(engine):
        raise click.ClickException(texts.CLI_NOT_MIGRATED.format(command=partybot_command()))


@contextmanager
def database(write: bool = True) -> Iterator[tuple[Settings, Session]]:
    """The settings and a session on the configured database; the command commits.

    `write=True` takes SQLite's write lock at BEGIN (see models.db.base.write_session).
    A domain refusal stops the command with its sentence.
    """
    settings = settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        require_migrated(engine)
        session_scope: Any = write_session(engine) if write else make_session_factory(engine)()
        with session_scope as session:
            yield settings, session
    except DomainError as exc:
        raise click.ClickException(exc.render()) from None
    finally:
        engine.dispose()


@contextmanager
def runtime() -> Iterator[Runtime]:
    """The process runtime (database, WeChat client) for commands that call WeChat."""
    built = build_runtime(settings_or_exit())
    try:
        require_migrated(built.engine)
        yield built
    finally:
        built.dispose()


def one_org(session: Session, name: str) -> Org:
    """The org called `name`; a clear error if there is none or several."""
    found = find_org(session, name)
    if not found:
        raise click.ClickException(texts.CLI_NO_ORG.format(name=name))
    if len(found) > 1:
        raise click.ClickException(texts.CLI_MANY_ORGS.format(count=len(found), name=name))
    return found[0]
