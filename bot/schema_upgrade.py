"""Apply Alembic migrations from code (`partybot db upgrade`, `partybot run`, tests).

Here in bot/, not in models/: the migrations import the models, so the models must
not import the migrations (tests/test_layers.py).
"""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine


def migrations_folder() -> str:
    """Where the packaged migrations are (the `migrations` package's folder)."""
    return str(files("migrations"))


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and this database."""
    config = Config()
    config.set_main_option("script_location", migrations_folder())
    # ConfigParser interpolation would choke on a "%" in a password.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind `engine` to `revision` (default: the newest)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def database_behind(engine: Engine) -> bool:
    """Whether the database lacks migrations this code needs (`partybot db upgrade`).
    An unreachable database is not "behind": the caller's own errors say so."""
    from sqlalchemy.exc import OperationalError

    try:
        current, heads, _ = revisions(engine)
    except OperationalError:
        return False
    return current != heads


def revisions(engine: Engine) -> tuple[set[str], set[str], set[str]]:
    """The database's current revisions, the newest this code has (its heads), and
    every revision this code knows (a database "ahead" names one it does not)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current, set(script.get_heads()), {r.revision for r in script.walk_revisions()}
