"""The audit log page: the newest changes made in the console within the account's
scope (who, when, what, before and after)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from bot.console.access import current_account, login_required
from bot.services import services_of
from core import words
from models.console.accounts import scope_ids
from models.console.audit import entries_for
from models.members.org_tables import Org

bp = Blueprint("audit", __name__)  # registered under the console in bot/console/__init__.py

SHOWN = 200


@bp.get("/audit")
@login_required
def audit_log() -> ResponseReturnValue:
    """Changes in the account's org and below, newest first."""
    services = services_of()
    with services.sessions() as session:
        orgs = scope_ids(session, current_account())
        entries = entries_for(session, orgs, SHOWN)
        names = {org_id: name for org_id, name in session.execute(
            select(Org.id, Org.name).where(Org.id.in_({e.org_id for e in entries})))} \
            if entries else {}
        return render_template("console/audit.html", entries=entries, names=names,
                               tz=services.settings.tz, shown=SHOWN,
                               action_names=words.AUDIT_ACTION_NAMES)
