"""The branch admins' endpoints (issue 26 §2: the chat's admin commands), in one tuple
for the endpoint table of bot/api/__init__.py."""

from __future__ import annotations

from bot.api import admin_meetings, admin_stats, admin_study
from bot.api.runner import Endpoint

ADMIN_ENDPOINTS: tuple[Endpoint, ...] = (
    admin_meetings.ENDPOINTS + admin_study.ENDPOINTS + admin_stats.ENDPOINTS)
