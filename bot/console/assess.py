"""党建考核 in the console: the year's scheme, the score sheets of the orgs in scope, one
org's sheet, and closing the year.

Scope (issue 28): results go to the org above only. The county sees every org and may
sort by any column (with a rank); a township sees its branches in tree order, without
a rank; a branch is sent to its own sheet; any org outside the account's scope is a
404. Loading a scheme and closing the year are the county's (the root of the tree),
through models.assessment.actions — the same actions as `partybot assess`.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.access import console_actor, current_account, login_required, org_in_scope
from bot.console.request_db import db, save
from bot.services import services_of
from core import texts
from models.assessment.actions import check_scheme, close_year, load_scheme
from models.assessment.context import use_settings
from models.assessment.ratios import Span
from models.assessment.scheme import Scheme, SchemeError, parse_scheme, points_text
from models.assessment.sheets import Sheet, compute_sheets, span_to_date, stored_scheme
from models.assessment.tables import AssessmentScheme
from models.console.accounts import Account
from models.members.org_levels import OrgLevel
from models.members.org_tables import Org
from models.members.org_tree import tree_below

bp = Blueprint("assess", __name__)  # registered under the console in bot/console/__init__.py

SCHEME_MAX_BYTES = 256 * 1024
ASSESSED = (OrgLevel.TOWNSHIP, OrgLevel.BRANCH, OrgLevel.OFFICE)


def is_county(session: Session, account: Account) -> bool:
    """The county's staff: an org account at the root of the tree."""
    org = session.get(Org, account.org_id)
    return account.is_staff and org is not None and org.parent_id is None


def _today() -> date:
    services = services_of()
    return services.clock().astimezone(services.settings.tz).date()


def span_of(year: int) -> Span:
    """The whole year, or up to today while it runs."""
    return span_to_date(year, _today())


def scheme_or_404(session: Session, year: int) -> AssessmentScheme:
    """The year's scheme row; 404 without one (or for a year no scheme can name: a
    number past the database's integer would be a 500)."""
    row = stored_scheme(session, year) if 2000 <= year <= 2100 else None
    if row is None:
        abort(404)
    return row


def _sheets(session: Session, year: int, org_ids: list[int]) -> dict[int, Sheet]:
    settings = services_of().settings
    use_settings(session, settings.tz, settings.cadence)
    return compute_sheets(session, year, org_ids, span_of(year))


@bp.get("/assess")
@login_required
def scheme_page() -> ResponseReturnValue:
    """The scheme of a year (the newest loaded; ?year= another), and the upload form."""
    session = db()
    years = list(session.scalars(select(AssessmentScheme.year)
                                 .order_by(AssessmentScheme.year.desc())))
    asked = request.args.get("year", "")
    year = int(asked) if asked.isascii() and asked.isdigit() and len(asked) == 4 else (
        years[0] if years else _today().year)
    return _scheme_view(session, year, years)


def _scheme_view(session: Session, year: int, years: list[int],
                 problems: list[tuple[str, str, str]] | None = None,
                 status: int = 200) -> ResponseReturnValue:
    row = stored_scheme(session, year)
    scheme: Scheme | None = check_or_none(row.source_text) if row is not None else None
    return render_template("console/assess_scheme.html", year=year, years=years, row=row,
                           scheme=scheme, problems=problems or [], points=points_text,
                           county=is_county(session, current_account())), status


def check_or_none(text: str) -> Scheme | None:
    """A stored scheme, read again (None if a measure it names has gone)."""
    try:
        return check_scheme(text)
    except SchemeError:
        return parse_scheme(text)


@bp.post("/assess")
@login_required
def upload_scheme() -> ResponseReturnValue:
    """Load a scheme file (county only); every problem is shown on the page."""
    session = db()
    if not is_county(session, current_account()):
        abort(404)
    upload = request.files.get("file")
    raw = upload.read(SCHEME_MAX_BYTES + 1) if upload is not None else b""
    text = raw.decode("utf-8", "replace") if raw else request.form.get("text", "")
    years = list(session.scalars(select(AssessmentScheme.year)
                                 .order_by(AssessmentScheme.year.desc())))
    try:
        scheme = check_scheme(text)
    except SchemeError as exc:
        rows = [(p.item or texts.ASSESS_WHOLE, p.clause or texts.ASSESS_NO_ITEM, p.message)
                for p in exc.problems]
        return _scheme_view(session, years[0] if years else _today().year, years, rows, 400)
    load_scheme(session, console_actor(), text, services_of().clock())
    save()
    flash(texts.ASSESS_SCHEME_LOADED.format(year=scheme.year))
    return redirect(url_for("console.assess.scheme_page", year=scheme.year))


def _order(session: Session, account: Account, sheets: dict[int, Sheet]) -> list[Sheet]:
    """The account's orgs in tree order (the township's view; the county's default)."""
    order = [node.id for node in tree_below(session, account.org_id)]
    return [sheets[org_id] for org_id in order if org_id in sheets]


SORTS = ("org", "level", "total", "possible", "share")


@bp.get("/assess/<int:year>")
@login_required
def year_page(year: int) -> ResponseReturnValue:
    """The orgs in scope with their totals (a branch: its own sheet)."""
    session = db()
    account = current_account()
    row = scheme_or_404(session, year)
    own = session.get(Org, account.org_id)
    if not account.is_staff and own is not None:
        return redirect(url_for("console.assess.sheet_page", year=year, org_id=own.id))
    county = is_county(session, account)
    nodes = tree_below(session, account.org_id)
    ids = [node.id for node in nodes if node.id != account.org_id or county]
    sheets = _sheets(session, year, ids)
    sheets.pop(account.org_id, None)  # results go to the org above
    if not county:
        # a township sees its branches, never another township (a township below a
        # township does not occur; the level rule keeps it out all the same)
        sheets = {i: s for i, s in sheets.items() if s.level is not OrgLevel.TOWNSHIP}
    listed = _order(session, account, sheets)
    scheme = check_or_none(row.source_text)
    sort, descending = request.args.get("sort", ""), request.args.get("desc") == "1"
    if county and (sort in SORTS or sort.startswith("item:")):
        listed.sort(key=lambda sheet: _sort_key(sheet, sort), reverse=descending)
    ranks = {}
    if county:
        by_total = sorted(listed, key=lambda sheet: -_share(sheet))
        ranks = {sheet.org_id: index for index, sheet in enumerate(by_total, 1)}
    parents = {node.id: node.parent_id for node in nodes}
    names = {node.id: node.name for node in nodes}
    return render_template("console/assess_year.html", year=year, row=row, scheme=scheme,
                           sheets=listed, county=county, ranks=ranks, sort=sort,
                           desc=descending, points=points_text, item_total=item_total,
                           parent_name=lambda org_id: names.get(parents.get(org_id) or 0, ""),
                           level_names=texts.ASSESS_LEVEL_NAMES)


def item_total(sheet: Sheet, title: str) -> float:
    """A sheet's points in one item."""
    return round(sum(line.score or 0.0 for line in sheet.lines
                     if line.item_title == title and line.counted), 2)


def _share(sheet: Sheet) -> float:
    return sheet.total / sheet.possible if sheet.possible else 0.0


def _sort_key(sheet: Sheet, sort: str) -> tuple[object, ...]:
    if sort == "org":
        return (sheet.org_name,)
    if sort == "level":
        return (sheet.level.value, sheet.org_name)
    if sort == "possible":
        return (sheet.possible,)
    if sort == "share":
        return (_share(sheet),)
    if sort.startswith("item:"):
        return (item_total(sheet, sort[5:]),)
    return (sheet.total,)


@bp.get("/assess/<int:year>/org/<int:org_id>")
@login_required
def sheet_page(year: int, org_id: int) -> ResponseReturnValue:
    """One org's sheet (404 outside the account's scope)."""
    session = db()
    org_in_scope(session, org_id)
    scheme_or_404(session, year)
    sheet = _sheets(session, year, [org_id]).get(org_id)
    if sheet is None:
        abort(404)
    # the members' survey goes to the org above only: not its counts on a branch's (or a
    # county office's) own sheet; a township reads its branches' anyway
    own = current_account().org_id == org_id and sheet.level is not OrgLevel.TOWNSHIP
    return render_template("console/assess_sheet.html", year=year, sheet=sheet,
                           points=points_text, own=own,
                           survey_above=texts.ASSESS_DETAIL_SURVEY_ABOVE)


@bp.get("/assess/<int:year>/close")
@login_required
def close_confirm(year: int) -> ResponseReturnValue:
    """关闭年度: the county confirms first."""
    session = db()
    row = scheme_or_404(session, year)
    if not is_county(session, current_account()):
        abort(404)
    return render_template("console/assess_close.html", year=year, row=row)


@bp.post("/assess/<int:year>/close")
@login_required
def close(year: int) -> ResponseReturnValue:
    """Close the year (county only)."""
    session = db()
    scheme_or_404(session, year)
    if not is_county(session, current_account()):
        abort(404)
    settings = services_of().settings
    use_settings(session, settings.tz, settings.cadence)
    orgs = close_year(session, console_actor(), year, services_of().clock())
    save()
    flash(texts.ASSESS_CLOSED.format(year=year, orgs=orgs))
    return redirect(url_for("console.assess.year_page", year=year))
