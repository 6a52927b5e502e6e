"""双联双促 in the console: the pairs an account sees with this year's joint sessions
and participants, one pair's page (sessions, who came from each side, 联促 items), and
the changes — pair and unpair (county staff), add and close a 联促 item (anyone who sees
the pair). Scope: the county sees every pair, a township the pairs of its branches, an
office or a branch its own; any other pair is 404. No ranking: pairs are listed by name.

The changes are models.joint.actions; joint meetings are scheduled from the meeting
form's "与结对单位联合开展" (bot/console/meetings.py).
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.access import console_actor, current_account, form_id, login_required
from bot.console.request_db import db, refusal_goes_to, save
from bot.services import services_of
from core import texts
from core.localtime import local_range
from models.console.accounts import scope_ids
from models.joint.actions import add_item, add_pair, close_item, end_pair
from models.joint.queries import pair_list, pair_year
from models.joint.tables import JointItem, JointPair
from models.members.org_levels import OrgLevel, levels_of
from models.members.org_tables import Org

bp = Blueprint("joint", __name__)  # registered under the console in bot/console/__init__.py


def _year() -> int:
    asked = request.args.get("year", "")
    if asked.isascii() and asked.isdigit() and 2000 <= int(asked) <= 2100:
        return int(asked)
    return services_of().clock().astimezone(services_of().settings.tz).year


def _bounds(year: int) -> tuple[datetime, datetime]:
    return local_range(date(year, 1, 1), date(year, 12, 31), services_of().settings.tz)


def _is_county(session: Session) -> bool:
    org_id = current_account().org_id
    return levels_of(session, [org_id]).get(org_id) is OrgLevel.COUNTY


def _pair_in_scope(session: Session, pair_id: int) -> JointPair:
    pair = session.get(JointPair, pair_id)
    seen = scope_ids(session, current_account())
    if pair is None or not {pair.office_id, pair.branch_id} & seen:
        abort(404)
    return pair


def _choices(session: Session) -> tuple[list[Org], list[Org]]:
    """Offices and village branches a county account can pair."""
    levels = levels_of(session)
    orgs = {org.id: org for org in session.scalars(select(Org).order_by(Org.name))}
    return ([orgs[i] for i in orgs if levels.get(i) is OrgLevel.OFFICE],
            [orgs[i] for i in orgs if levels.get(i) is OrgLevel.BRANCH])


@bp.get("/joint")
@login_required
def pairs() -> ResponseReturnValue:
    """Every pair the account sees, with this year's joint sessions and participants."""
    session = db()
    year = _year()
    listing = pair_list(session, scope_ids(session, current_account()), *_bounds(year))
    county = _is_county(session)
    offices, branches = _choices(session) if county else ([], [])
    return render_template("console/joint_pairs.html", listing=listing, year=year,
                           county=county, offices=offices, branches=branches)


@bp.post("/joint/pairs")
@login_required
def make_pair() -> ResponseReturnValue:
    """Pair an office with a village branch (county staff)."""
    session = db()
    if not _is_county(session):
        abort(404)
    refusal_goes_to(url_for("console.joint.pairs"))
    office_id, branch_id = form_id(request.form.get("office")), form_id(request.form.get("branch"))
    if office_id is None or branch_id is None:
        abort(400)
    pair = add_pair(session, console_actor(), office_id, branch_id, services_of().clock())
    save()
    flash(texts.JOINT_PAIRED.format(office=pair.office.name, branch=pair.branch.name))
    return redirect(url_for("console.joint.pairs"))


@bp.get("/joint/<int:pair_id>")
@login_required
def pair_page(pair_id: int) -> ResponseReturnValue:
    """One pair: this year's joint sessions, who came from each side, its 联促 items."""
    session = db()
    pair = _pair_in_scope(session, pair_id)
    year = _year()
    services = services_of()
    return render_template("console/joint_pair.html", pair=pair, year=year,
                           info=pair_year(session, pair, *_bounds(year)),
                           county=_is_county(session), tz=services.settings.tz,
                           today=services.clock().astimezone(services.settings.tz).date())


@bp.post("/joint/<int:pair_id>/end")
@login_required
def unpair(pair_id: int) -> ResponseReturnValue:
    """End the pair (county staff); its record stays."""
    session = db()
    pair = _pair_in_scope(session, pair_id)
    if not _is_county(session):
        abort(404)
    refusal_goes_to(url_for("console.joint.pair_page", pair_id=pair_id))
    end_pair(session, console_actor(), pair, services_of().clock())
    save()
    flash(texts.JOINT_UNPAIRED.format(office=pair.office.name, branch=pair.branch.name))
    return redirect(url_for("console.joint.pair_page", pair_id=pair_id))


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@bp.post("/joint/<int:pair_id>/items")
@login_required
def new_item(pair_id: int) -> ResponseReturnValue:
    """Add a 联促 item: what, 责任人, deadline."""
    session = db()
    pair = _pair_in_scope(session, pair_id)
    refusal_goes_to(url_for("console.joint.pair_page", pair_id=pair_id))
    add_item(session, console_actor(), pair, request.form.get("text", ""),
             request.form.get("owner", ""), _date(request.form.get("deadline")),
             services_of().clock())
    save()
    flash(texts.JOINT_ITEM_ADDED)
    return redirect(url_for("console.joint.pair_page", pair_id=pair_id))


@bp.post("/joint/item/<int:item_id>/close")
@login_required
def finish_item(item_id: int) -> ResponseReturnValue:
    """Close (销号) a 联促 item with a note."""
    session = db()
    item = session.get(JointItem, item_id)
    if item is None:
        abort(404)
    _pair_in_scope(session, item.pair_id)
    refusal_goes_to(url_for("console.joint.pair_page", pair_id=item.pair_id))
    close_item(session, console_actor(), item, request.form.get("note", ""),
               services_of().clock())
    save()
    flash(texts.JOINT_ITEM_CLOSED)
    return redirect(url_for("console.joint.pair_page", pair_id=item.pair_id))
