"""Alembic migrations (run with `partybot db upgrade`)."""
