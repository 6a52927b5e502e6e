"""整顿台账 in the console: the county's ledger of weak branches (/admin/rectification,
for township and county staff: a township sees its own branches), and each weak
branch's page (/admin/branch/<id>/rectification: its problems, milestones, 销号 and
reopen forms; the branch's own staff see their page, read-only but for milestones).

Every change is models.rectification.actions', acting for the account's org (the
county marks, files problems and confirms; the township or county approves a 销号)."""

from __future__ import annotations

import re
from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from bot.console.access import (
    branch_in_scope,
    console_actor,
    current_account,
    form_id,
    login_required,
    scoped_org,
)
from bot.console.request_db import db, refusal_goes_to, save
from bot.console.uploads import (
    PHOTO_MAX_BYTES,
    STORED_NAME,
    keep_photos,
    photo_folder,
    read_photo,
    send_photo,
)
from bot.request_guard import upload_limit
from bot.services import services_of
from core import texts, words
from core.photos import Photo
from models.db.stored_files import RECTIFY
from models.errors import DomainError
from models.members.org_tables import Org, OrgKind
from models.members.orgs import branches_under, subtree_ids
from models.members.tables import Member
from models.rectification.actions import (
    NewProblem,
    RectificationError,
    add_problem,
    close_problem,
    confirm_leaving,
    finish_milestone,
    mark_weak,
    may_act,
    parse_milestones,
    reopen_problem,
)
from models.rectification.queries import branch_ledgers, evidence_of, ledger_rows, problem_state
from models.rectification.tables import (
    CATEGORIES,
    DEFAULT_MILESTONES,
    Milestone,
    Problem,
    WeakBranch,
)

bp = Blueprint("rectification", __name__)

MAX_PHOTOS = 6  # photos and PDF files together
BODY_MAX = MAX_PHOTOS * PHOTO_MAX_BYTES + 64 * 1024
PDF = b"%PDF-"
STORED_PDF = re.compile(r"^[A-Za-z0-9_-]{16,40}\.pdf$")
TEXT_MAX = 2000


def _today() -> date:
    services = services_of()
    return services.clock().astimezone(services.settings.tz).date()


def _year(value: str | None, default: int) -> int | None:
    value = (value or "").strip()
    if not value:
        return default
    if value == "all":
        return None
    if value.isascii() and value.isdigit() and len(value) == 4:
        return int(value)
    abort(404)


def _text(name: str) -> str:
    return (request.form.get(name) or "")[:TEXT_MAX]


@bp.get("/rectification")
@login_required
def ledger() -> ResponseReturnValue:
    """Every weak branch in the account's scope: open / overdue / closed counts, by year
    and township. Branch accounts go to their own branch's page."""
    session = db()
    account = current_account()
    if not account.is_staff:
        return redirect(url_for(".branch", branch_id=account.org_id))
    today = _today()
    year = _year(request.args.get("year"), today.year)
    township_id = form_id(request.args.get("township"))
    branches = branches_under(session, account.org_id)
    ids = [b.id for b in branches]
    rows = ledger_rows(session, ids, today, services_of().settings.tz, year, township_id)
    townships = list(session.scalars(select(Org).where(
        Org.id.in_(subtree_ids(session, account.org_id)), Org.kind == OrgKind.COMMITTEE,
        Org.id != account.org_id).order_by(Org.name)))
    county = any(may_act(session, b.id, account.org_id, True) for b in branches[:1])
    return render_template("console/rectification.html", rows=rows, year=year,
                           today=today, townships=townships, township_id=township_id,
                           branches=branches, county=county)


@bp.post("/rectification/mark")
@login_required
def mark() -> ResponseReturnValue:
    """List a branch as weak for a year (the county)."""
    session = db()
    account = current_account()
    refusal_goes_to(url_for(".ledger"))
    branch_id = form_id(request.form.get("branch_id"))
    if branch_id is None:
        abort(404)
    branch_in_scope(session, branch_id)
    year = _year(request.form.get("year"), _today().year) or _today().year
    mark_weak(session, console_actor(), branch_id, year, _text("reason"), account.org_id,
              services_of().clock())
    save()
    flash(texts.CONSOLE_RECTIFY_MARKED)
    return redirect(url_for(".branch", branch_id=branch_id))


@bp.get("/branch/<int:branch_id>/rectification")
@login_required
def branch(branch_id: int) -> ResponseReturnValue:
    """The branch's years on the list: each problem, its milestones and evidence, and
    the forms its reader may use."""
    session = db()
    org = branch_in_scope(session, branch_id)
    account = current_account()
    ledgers = branch_ledgers(session, branch_id)
    problems = [p for weak in ledgers for p in weak.problems]
    tz = services_of().settings.tz
    today = _today()
    return render_template(
        "console/rectification_branch.html", org=org, ledgers=ledgers, tz=tz, today=today,
        states={p.id: problem_state(p, today, tz).value for p in problems},
        evidence=evidence_of(session, [p.id for p in problems]),
        county=may_act(session, branch_id, account.org_id, True),
        above=may_act(session, branch_id, account.org_id, False),
        categories=CATEGORIES,
        default_milestones=words.MILESTONE_JOIN.join(f"{n}:{d}" for n, d in DEFAULT_MILESTONES))


def _weak(weak_id: int) -> WeakBranch:
    weak = db().get(WeakBranch, weak_id)
    if weak is None:
        abort(404)
    branch_in_scope(db(), weak.branch_id)
    refusal_goes_to(url_for(".branch", branch_id=weak.branch_id))
    return weak


def _problem(problem_id: int) -> Problem:
    problem = db().get(Problem, problem_id)
    if problem is None:
        abort(404)
    branch_in_scope(db(), problem.branch_id)
    refusal_goes_to(url_for(".branch", branch_id=problem.branch_id) + f"#p{problem.id}")
    return problem


def _back(branch_id: int, message: str, anchor: str = "") -> ResponseReturnValue:
    save()
    flash(message)
    return redirect(url_for(".branch", branch_id=branch_id) + anchor)


def _member_named(name: str, scope_org: int) -> int | None:
    """The one member of that name in the account's scope; None for an empty name."""
    name = name.strip()
    if not name:
        return None
    found = list(db().scalars(select(Member.id).where(
        Member.name == name, Member.branch_id.in_(subtree_ids(db(), scope_org))).limit(2)))
    if len(found) != 1:
        raise RectificationError("RECTIFY_LEADER_UNKNOWN", name=name[:20])
    return found[0]


@bp.post("/rectification/<int:weak_id>/problem")
@login_required
def new_problem(weak_id: int) -> ResponseReturnValue:
    """File a problem (the county)."""
    weak = _weak(weak_id)
    account = current_account()
    try:
        deadline = date.fromisoformat((request.form.get("deadline") or "").strip())
    except ValueError:
        raise RectificationError("RECTIFY_BAD_DEADLINE") from None
    owner_name = _text("owner").strip()[:50]
    owner_id = db().scalar(select(Member.id).where(
        Member.branch_id == weak.branch_id, Member.name == owner_name).limit(1)) \
        if owner_name else None
    spec = NewProblem(
        category=_text("category"), description=_text("description"),
        measures=_text("measures"), deadline=deadline, owner_name=owner_name,
        owner_id=owner_id, leader_id=_member_named(_text("leader"), account.org_id),
        lead_unit=_text("lead_unit"), departments=_text("departments"),
        milestones=parse_milestones(_text("milestones")))
    problem = add_problem(db(), console_actor(), weak, spec, account.org_id,
                          services_of().clock())
    return _back(weak.branch_id, texts.CONSOLE_RECTIFY_PROBLEM_ADDED, f"#p{problem.id}")


@bp.post("/rectification/problem/<int:problem_id>/close")
@login_required
@upload_limit(BODY_MAX)
def close(problem_id: int) -> ResponseReturnValue:
    """销号 with the evidence (a note, up to six photos); the account approves it."""
    problem = _problem(problem_id)
    uploads = [f for f in request.files.getlist("photos") if f and f.filename][:MAX_PHOTOS]

    def store() -> list[str]:
        photos = [_read_evidence(upload) for upload in uploads]
        return keep_photos(db(), problem.branch_id, RECTIFY, problem.id, photos) \
            if photos else []

    close_problem(db(), console_actor(), problem, _text("note"), current_account().org_id,
                  services_of().clock(), store)
    return _back(problem.branch_id, texts.CONSOLE_RECTIFY_CLOSED, f"#p{problem.id}")


def _read_evidence(upload: FileStorage) -> Photo:
    """A PDF file kept as it is (≤ 8 MB), or a photo as every console photo."""
    head = upload.stream.read(len(PDF))
    upload.stream.seek(0)
    if head != PDF:
        return read_photo(upload)
    data = upload.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise DomainError("RECTIFY_FILE_TOO_BIG", mb=PHOTO_MAX_BYTES // (1024 * 1024))
    return Photo(data, ".pdf", 0, 0)


@bp.post("/rectification/problem/<int:problem_id>/reopen")
@login_required
def reopen(problem_id: int) -> ResponseReturnValue:
    """Reopen a closed problem, with the reason."""
    problem = _problem(problem_id)
    reopen_problem(db(), console_actor(), problem, _text("reason"), current_account().org_id,
                   services_of().clock())
    return _back(problem.branch_id, texts.CONSOLE_RECTIFY_REOPENED, f"#p{problem.id}")


@bp.post("/rectification/milestone/<int:milestone_id>/done")
@login_required
def milestone_done(milestone_id: int) -> ResponseReturnValue:
    """Tick a milestone off (the branch's staff or an org above)."""
    milestone = db().get(Milestone, milestone_id)
    if milestone is None:
        abort(404)
    problem = _problem(milestone.problem_id)
    finish_milestone(db(), console_actor(), milestone, services_of().clock(),
                     current_account().org_id)
    return _back(problem.branch_id, texts.CONSOLE_RECTIFY_MILESTONE_DONE, f"#p{problem.id}")


@bp.post("/rectification/<int:weak_id>/confirm")
@login_required
def confirm(weak_id: int) -> ResponseReturnValue:
    """The county confirms the branch leaves the list."""
    weak = _weak(weak_id)
    confirm_leaving(db(), console_actor(), weak, current_account().org_id,
                    services_of().clock())
    return _back(weak.branch_id, texts.CONSOLE_RECTIFY_CONFIRMED)


@bp.get("/rectification/problem/<int:problem_id>/photos/<name>")
@login_required
def photo(problem_id: int, name: str) -> ResponseReturnValue:
    """One evidence photo or PDF file, to accounts that may see the branch."""
    problem = db().get(Problem, problem_id)
    if problem is None:
        abort(404)
    scoped_org(db(), problem.branch_id)
    if not (STORED_NAME.match(name) or STORED_PDF.match(name)) \
            or name not in evidence_of(db(), [problem_id]).get(problem_id, []):
        abort(404)
    folder = photo_folder(RECTIFY, problem_id)
    if not name.endswith(".pdf"):
        return send_photo(folder, name, private=True)
    if not (folder / name).is_file():
        abort(404)
    response = send_file(folder / name, mimetype="application/pdf", as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
