"""Uploading a roster in the console: the same importer as `partybot import-roster`
(all or nothing, line-numbered errors, idempotent), limited to the account's scope,
with its progress shown as it goes.

The page is streamed: the import runs in a worker thread and each progress step is
flushed to the browser as a line, so a 100,000-row file shows it is alive on a phone
with no script at all (and through any number of server processes, unlike polling an
in-memory job).
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from markupsafe import escape
from sqlalchemy.orm import Session

from bot.console.access import console_actor, current_account, login_required
from bot.request_guard import upload_limit
from bot.roster.importing import RosterRejected, import_roster
from bot.roster.reading import MAX_CSV_BYTES
from bot.services import services_of
from core import texts
from models.console.accounts import Account, roster_rows_outside
from models.members.roster import ImportReport, RosterError, RosterRow, RowProblem
from models.members.roster_import import Importer

bp = Blueprint("roster", __name__)  # registered under the console in bot/console/__init__.py

log = logging.getLogger(__name__)

SUFFIXES = (".xlsx", ".csv")
PROBLEMS_SHOWN = 200
MARK = "<!--progress-->"
UPLOAD_ROSTER_BODY_MAX = MAX_CSV_BYTES + 256 * 1024


@bp.get("/roster")
@login_required
def roster_form() -> ResponseReturnValue:
    """The upload form (the roster's columns, and where new branches go)."""
    return render_template("console/roster.html", error=None)


def _saved_upload() -> Path | None:
    upload = request.files.get("roster")
    if upload is None or not upload.filename:
        return None
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in SUFFIXES:
        return None
    folder = Path(services_of().settings.instance_path) / "uploads" / "rosters"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_urlsafe(12)}{suffix}"
    upload.save(path)
    path.chmod(0o640)
    return path


@bp.post("/roster")
@login_required
@upload_limit(UPLOAD_ROSTER_BODY_MAX)
def upload_roster() -> ResponseReturnValue:
    """Import the file, streaming its progress; then the result or every problem."""
    path = _saved_upload()
    if path is None:
        return render_template("console/roster.html",
                               error=texts.CONSOLE_ROSTER_NO_FILE), 400
    file_name = Path(request.files["roster"].filename or path.name).name
    account = current_account()
    # Who imports is fixed here, in the request: the import runs in a worker thread.
    importer = Importer(console_actor(), account.org_id, limited=True)
    engine = services_of().engine
    events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def check(session: Session, rows: list[RosterRow]) -> list[RowProblem]:
        return roster_rows_outside(session, account, rows)

    def run() -> None:
        try:
            report = import_roster(
                engine, path, None,
                lambda stage, done, total: events.put(("progress", (stage, done, total))),
                importer=importer,
                file_name=file_name, check=check)
            events.put(("done", report))
        except RosterRejected as exc:
            events.put(("rejected", exc.problems))
        except RosterError as exc:
            events.put(("failed", exc.render()))
        except Exception:
            log.exception("console: roster import of %s failed", file_name)
            events.put(("failed", "internal error"))
        finally:
            path.unlink(missing_ok=True)

    threading.Thread(target=run, name="console-roster-import", daemon=True).start()
    head, tail = render_template("console/roster_progress.html", file=file_name,
                                 mark=MARK).split(MARK)
    return Response(stream_with_context(_stream(head, tail, events, account, file_name)),
                    mimetype="text/html", headers={"X-Accel-Buffering": "no",
                                                   "Cache-Control": "no-store"})


def _stream(head: str, tail: str, events: queue.Queue[tuple[str, Any]], account: Account,
            file_name: str) -> Iterator[str]:
    yield head + " " * 1024  # some browsers wait for 1 KB before showing anything
    while True:
        kind, value = events.get()
        if kind == "progress":
            stage, done, total = value
            line = texts.CONSOLE_ROSTER_PROGRESS.format(stage=stage, done=done, total=total)
            yield f"<li>{escape(line)}</li>\n"
            continue
        yield "</ol>" + _result(kind, value, account, file_name)
        break
    yield tail.split("</ol>", 1)[1] if "</ol>" in tail else tail


def _result(kind: str, value: Any, account: Account, file_name: str) -> str:
    if kind == "done":
        report: ImportReport = value
        log.info("console: %s imported %s: %d new, %d updated (%d moved)", account.key,
                 file_name, report.created, report.updated, report.moved)
    else:
        log.info("console: %s's roster %s refused (%s%s)", account.key, file_name, kind,
                 f", {len(value)} rows" if kind == "rejected" else "")
    return render_template("console/roster_result.html", kind=kind, value=value,
                           shown=PROBLEMS_SHOWN)
