"""What several benchmarks share: a free port, and a migrated, empty database."""

from __future__ import annotations

import socket

from sqlalchemy import text

from models.base import make_engine
from models.migrate import upgrade_database


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(url: str) -> None:
    """Empty the database (PostgreSQL: the public schema) and migrate it."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade_database(engine)
    engine.dispose()
