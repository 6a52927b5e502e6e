"""Self-check (自查) and inspection (巡查) marks in the console, per org and year.

`/admin/assess/marks/<year>` lists the orgs the account may mark: its own org (自查) and,
for a member of the county's inspection group, every assessed org of the county (巡查).
`/admin/assess/marks/<year>/org/<id>` shows the org's marked clauses of the year's scheme
with the marks given, their evidence as links, and a form for each clause the account
may score. The changes are models.assessment.mark_actions (the same rules everywhere)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.access import console_actor, current_account, login_required
from bot.console.request_db import db, refusal_goes_to, save
from bot.console.uploads import PHOTO_MAX_BYTES, keep_photos, photo_folder, read_photo
from bot.request_guard import upload_limit
from bot.services import services_of
from core import texts
from models.assessment.inspectors import Inspector, inspector_of
from models.assessment.mark_actions import (
    ASSESSED,
    EvidenceStore,
    MarkError,
    evidence_of,
    give_inspection,
    give_self_check,
    marked_clauses,
    year_closed,
)
from models.assessment.marks import AssessmentMark, MarkSource
from models.console.accounts import in_scope
from models.db.stored_files import ASSESSMENT, StoredFile
from models.members.org_levels import levels_of
from models.members.org_tables import Org
from models.members.orgs import subtree_ids

bp = Blueprint("assess_marks", __name__)  # registered under the console

log = logging.getLogger(__name__)

PDF = b"%PDF-"
EVIDENCE_BODY_MAX = PHOTO_MAX_BYTES + 64 * 1024


@dataclass(frozen=True)
class EvidenceFile:
    """A PDF kept as evidence (stored like a photo)."""

    data: bytes
    suffix: str = ".pdf"


def _inspector(session: Session) -> Inspector | None:
    return inspector_of(session, console_actor())


def _may_see(session: Session, org_id: int) -> bool:
    """The account's scope, or the inspector's county."""
    if in_scope(session, current_account(), org_id):
        return True
    found = _inspector(session)
    return found is not None and org_id in subtree_ids(session, found.county_id)


def _org(session: Session, org_id: int) -> Org:
    if not _may_see(session, org_id):
        abort(404)
    org = session.get(Org, org_id)
    if org is None or levels_of(session, [org_id]).get(org_id) not in ASSESSED:
        abort(404)
    return org


@bp.get("/assess/marks/<int:year>")
@login_required
def marks_orgs(year: int) -> ResponseReturnValue:
    """The orgs this account may mark this year (no scores: no ranking here)."""
    session = db()
    account = current_account()
    found = _inspector(session)
    ids = set(subtree_ids(session, found.county_id)) if found else set()
    ids.add(account.org_id)
    levels = levels_of(session, ids)
    orgs = session.scalars(select(Org).where(Org.id.in_(
        [i for i in ids if levels.get(i) in ASSESSED])).order_by(Org.name)).all()
    return render_template("console/assess_marks_orgs.html", year=year, orgs=orgs,
                           inspector=found is not None, own=account.org_id)


@bp.get("/assess/marks/<int:year>/org/<int:org_id>")
@login_required
def marks(year: int, org_id: int) -> ResponseReturnValue:
    """The org's self-check and inspection clauses, marks, evidence and forms."""
    session = db()
    org = _org(session, org_id)
    clauses = marked_clauses(session, year, org.id)
    rows = {(m.clause_key, m.source): m for m in session.scalars(select(AssessmentMark).where(
        AssessmentMark.year == year, AssessmentMark.org_id == org.id))}
    files = evidence_of(session, [m.id for m in rows.values()])
    may_self = current_account().org_id == org.id
    may_inspect = _inspector(session) is not None
    lines = [(clause, rows.get((clause.key, clause.source.value))) for clause in clauses]
    return render_template("console/assess_marks.html", year=year, org=org, lines=lines,
                           files=files, closed=year_closed(session, year),
                           may_self=may_self, may_inspect=may_inspect, texts=texts)


def _evidence(org_id: int) -> EvidenceStore | None:
    """The store for the form's file (a photo, or a PDF as it is), or None without one.
    A photo is checked and re-encoded as every console photo is (bot.console.uploads)."""
    upload = request.files.get("evidence")
    if upload is None or not upload.filename:
        return None
    head = upload.stream.read(len(PDF))
    upload.stream.seek(0)

    def store(mark_id: int) -> list[str]:
        if head == PDF:
            data = upload.read(PHOTO_MAX_BYTES + 1)
            if len(data) > PHOTO_MAX_BYTES:
                raise MarkError("MARK_EVIDENCE_BAD", mb=PHOTO_MAX_BYTES // 1024 // 1024)
            return keep_photos(db(), org_id, ASSESSMENT, mark_id,
                               [EvidenceFile(data)])  # type: ignore[list-item]
        return keep_photos(db(), org_id, ASSESSMENT, mark_id, [read_photo(upload)])

    return store


@bp.post("/assess/marks/<int:year>/org/<int:org_id>")
@login_required
@upload_limit(EVIDENCE_BODY_MAX)
def give(year: int, org_id: int) -> ResponseReturnValue:
    """Save one clause's mark (自查 or 巡查), with a file of evidence if one is sent."""
    session = db()
    org = _org(session, org_id)
    back = url_for("console.assess_marks.marks", year=year, org_id=org.id)
    refusal_goes_to(back)
    source = request.form.get("source", "")
    clause_key = request.form.get("clause", "")[:40]
    try:
        score = float(request.form.get("score", "").strip())
    except ValueError:
        score = -1.0
    note = request.form.get("note", "").strip()
    now = services_of().clock()
    store = _evidence(org.id)
    give_mark = give_self_check if source == MarkSource.SELF_CHECK.value else \
        give_inspection if source == MarkSource.INSPECTION.value else None
    if give_mark is None:
        abort(400)
    give_mark(session, console_actor(), year, clause_key, org, score, note, store, now)
    save()
    titles = {clause.key: clause.title for clause in marked_clauses(session, year, org.id)}
    flash(texts.MARK_SAVED.format(clause=titles.get(clause_key, clause_key), score=f"{score:g}"))
    return redirect(back + f"#{source}-{clause_key}")


@bp.get("/assess/marks/evidence/<int:mark_id>/<name>")
@login_required
def evidence(mark_id: int, name: str) -> ResponseReturnValue:
    """One evidence file, to accounts that may see the mark's org."""
    from flask import send_file

    session = db()
    mark = session.get(AssessmentMark, mark_id)
    if mark is None or not _may_see(session, mark.org_id):
        abort(404)
    row = session.scalar(select(StoredFile).where(
        StoredFile.owner == ASSESSMENT, StoredFile.owner_id == mark_id, StoredFile.name == name))
    if row is None:
        abort(404)
    path = photo_folder(ASSESSMENT, mark_id) / name
    if not path.is_file():
        abort(404)
    kind = "application/pdf" if name.endswith(".pdf") else \
        "image/png" if name.endswith(".png") else "image/jpeg"
    response = send_file(path, mimetype=kind, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response

