"""The doctor's checks, in the order they run: the configuration first (every other
check reads it), the files before anything opens the database (opening a SQLite file
repairs its mode), the database before what lives in it, WeChat last."""

from __future__ import annotations

from bot.doctor.database_checks import (
    check_database,
    check_migrations,
    check_outbox,
    check_scheduler,
    check_writable,
)
from bot.doctor.local_checks import check_config, check_disk, check_files, check_public_url
from bot.doctor.message_check import check_message
from bot.doctor.runner import Check
from bot.doctor.wechat_checks import check_clock, check_menus, check_templates, check_token

CONFIG = ("config",)


def all_checks() -> list[Check]:
    """Every check, in order, with what each needs to have passed first."""
    return [
        Check("config", check_config),
        Check("message", check_message, CONFIG),
        Check("files", check_files, CONFIG),
        Check("disk", check_disk, CONFIG),
        Check("database", check_database, CONFIG),
        Check("migrations", check_migrations, ("database",)),
        Check("writable", check_writable, ("migrations",)),
        Check("scheduler", check_scheduler, ("database",)),
        Check("outbox", check_outbox, ("migrations",)),
        Check("token", check_token, ("migrations",)),
        Check("clock", check_clock, CONFIG),
        Check("templates", check_templates, CONFIG),
        Check("menus", check_menus, ("token",)),
        Check("public_url", check_public_url, CONFIG),
    ]
