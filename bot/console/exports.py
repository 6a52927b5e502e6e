"""Exports: the 台账 of every branch in scope as one workbook (a summary sheet and a
sheet pair per branch), for this quarter or any quarter asked for."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from io import BytesIO

from flask import Blueprint, abort, request, send_file
from flask.typing import ResponseReturnValue

from bot.console.access import current_account, login_required, org_in_scope, quarter_of_query
from bot.console.request_db import db
from bot.ledger.orgs import export_org_ledger
from bot.services import services_of
from bot.workbook import file_name
from core import words
from core.localtime import period_containing
from models.members.org_tables import Org
from models.members.orgs import branches_under

bp = Blueprint("exports", __name__)  # registered under the console in bot/console/__init__.py

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/export/ledger")
@login_required
def export_ledger_workbook() -> ResponseReturnValue:
    """Download the workbook of every branch below ?org= (default: the account's org)."""
    services = services_of()
    tz = services.settings.tz
    org_id = request.args.get("org", type=int) or current_account().org_id
    period = period_containing(quarter_of_query(services.clock()), "quarter", tz)
    started = time.perf_counter()
    out = BytesIO()
    session = db()
    org_in_scope(session, org_id)
    org = session.get(Org, org_id)
    if org is None:
        abort(404)
    branches = branches_under(session, org_id)
    start = period.start.astimezone(tz).date()
    end = (period.end - timedelta(days=1)).astimezone(tz).date()
    summary = export_org_ledger(session, org, branches, start, end, tz, out)
    log.info("console: ledger workbook of %s (%d branches, %d meetings) in %.1f s",
             summary.org, summary.branches, summary.meetings, time.perf_counter() - started)
    out.seek(0)
    name = words.LEDGER_FILE_NAME.format(org=summary.org, period=period.label)
    return send_file(out, mimetype=XLSX, as_attachment=True, download_name=file_name(name))
