"""partybot with every commit waiting for the WAL flush (the "before" of the benchmark's
PostgreSQL comparison): the same app, the read-only fast commit switched off."""

from __future__ import annotations

from bot import create_app, inbox

inbox.ASYNC_READ_ONLY_COMMITS = False
app = create_app()
