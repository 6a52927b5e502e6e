"""partybot with every commit waiting for the WAL flush (the "before" of the benchmark's
PostgreSQL comparison): the same app, the read-only fast commit switched off."""

from __future__ import annotations

from bot import create_app
from core.config import load_settings

app = create_app(load_settings().with_overrides(async_read_only_commits=False))
