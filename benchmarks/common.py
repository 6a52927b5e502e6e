"""What several benchmarks share: a free port, gunicorn as production starts it, a
migrated empty database, a county of branches, and fresh planner statistics."""

from __future__ import annotations

import socket
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from bot.schema_upgrade import upgrade_database
from models.db.engine import make_engine
from models.members.org_tables import Org, OrgKind


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


GUNICORN_CONF = Path(__file__).resolve().parents[1] / "deploy" / "gunicorn.conf.py"


def gunicorn_argv(app: str, port: int, workers: int = 2, *extra: str) -> list[str]:
    """gunicorn with production's settings (deploy/gunicorn.conf.py: sync workers, its
    timeouts and hooks), on this benchmark's port with its number of workers, warnings
    only, and no worker recycling (`--max-requests 0`): at thousands of requests a second
    the file's 10,000 would restart every worker every few seconds and measure start-ups,
    which production at a county's rate sees every few hours. `extra` goes before the app
    (e.g. "-k", "gthread")."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    return [gunicorn, "-c", str(GUNICORN_CONF), "-w", str(workers), "-b", f"127.0.0.1:{port}",
            "--log-level", "warning", "--max-requests", "0", *extra, app]


def gunicorn_env(env: Mapping[str, str]) -> dict[str, str]:
    """`env` for a gunicorn started by gunicorn_argv: without an access log unless `env`
    names one (PARTYBOT_WEB_ACCESS_LOG), as every number in the README was measured."""
    return {"PARTYBOT_WEB_ACCESS_LOG": "", **env}


def fresh_database(url: str) -> None:
    """Empty the database (PostgreSQL: the public schema) and migrate it."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade_database(engine)
    engine.dispose()


def add_county(session: Session, branches: int, now: datetime) -> tuple[Org, list[int]]:
    """The county committee and `branches` village branches right under it (flushed);
    returns the county and the branch ids in order."""
    county = Org(name="嘉荫县委", kind=OrgKind.COMMITTEE)
    session.add(county)
    session.flush()
    session.execute(insert(Org), [{"name": f"第{b}村党支部", "kind": "branch",
                                   "parent_id": county.id, "created_at": now}
                                  for b in range(branches)])
    branch_ids = list(session.scalars(select(Org.id).where(Org.kind == "branch")
                                      .order_by(Org.id)))
    return county, branch_ids


def analyze(engine: Engine) -> None:
    """Fresh planner statistics after a bulk load."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql"
                                else "ANALYZE"))
