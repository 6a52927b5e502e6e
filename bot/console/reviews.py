"""述职评议 in the console: the county opens a round (who reports, deadline, the four
weights), sees who has not submitted and reminds them, grades (点评), assigns the 帮评
leaders, enters residents' representatives' votes and closes the round; a secretary
submits the report and files and grades themselves (自评); a leader gives 帮评; the
recommendations and problems of each secretary are recorded and confirmed done.

Scope: the county sees every reporter and may sort the table by any column; a township
its own secretaries (and its branches'), a branch its own secretary — never sorted, no
ranking. 测评 shows counts and the average only, never who voted what; below the county
the average and the running total wait for the close (a few votes seen moving one by one
would tell whose they were). Every change is
models.reviews.actions'; a refusal is flashed on the page (bot.console.request_db)."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.access import console_actor, current_account, form_id, login_required
from bot.console.request_db import db, refusal_goes_to, save
from bot.request_guard import upload_limit
from bot.review_files import BODY_MAX, send_report_file, storer
from bot.services import services_of
from core import texts
from core.localtime import when
from models.console.accounts import scope_ids
from models.members.org_levels import OrgLevel, level_of
from models.members.org_tables import Org, OrgAdmin
from models.members.orgs import subtree_query
from models.members.tables import Member, live_member
from models.reviews import actions
from models.reviews.queries import (
    SORTS,
    items_of,
    led_by,
    report_files,
    round_rows,
    rounds_seen,
)
from models.reviews.rules import grade_words
from models.reviews.tables import ItemKind, Party, ReviewItem, ReviewReporter, ReviewRound

bp = Blueprint("reviews", __name__)  # registered under the console in bot/console/__init__.py

PARTY_FIELDS = {"self": Party.SELF, "county": Party.COUNTY, "leader": Party.LEADER}


def _county_account(review: ReviewRound) -> bool:
    return current_account().org_id == review.org_id


def _round_in_scope(session: Session, round_id: int) -> ReviewRound:
    review = session.get(ReviewRound, round_id)
    if review is None or review not in rounds_seen(session, scope_ids(session,
                                                                      current_account())):
        abort(404)
    return review


def _reporter_in_scope(session: Session, reporter_id: int) -> ReviewReporter:
    """The reporter, if their org is in the account's scope or the account's member is
    their 帮评 leader; else 404."""
    reporter = session.get(ReviewReporter, reporter_id)
    if reporter is None:
        abort(404)
    me = console_actor().member_id
    if reporter.org_id not in scope_ids(session, current_account()) \
            and (me is None or me != reporter.leader_id):
        abort(404)
    return reporter


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        raise actions.ReviewError("REVIEW_DATE_BAD") from None


def _number(value: str | None) -> int:
    found = form_id(value)
    if found is None:
        raise actions.ReviewError("REVIEW_WEIGHT_BAD")
    return found


@bp.get("/reviews")
@login_required
def rounds() -> ResponseReturnValue:
    """The rounds this account sees, the reporters its member gives 帮评 to, and the
    county's form to open a round."""
    session = db()
    account = current_account()
    found = rounds_seen(session, scope_ids(session, account))
    county = level_of(session, account.org_id) is OrgLevel.COUNTY
    year = services_of().clock().astimezone(services_of().settings.tz).year
    me = console_actor().member_id
    led = [session.get(ReviewReporter, r) for r in led_by(session, me)] if me else []
    return render_template("console/reviews.html", rounds=found, county=county, year=year,
                           led=[r for r in led if r is not None and r.round.status == "open"])


@bp.post("/reviews")
@login_required
def open_round() -> ResponseReturnValue:
    """Open the county's round for a year."""
    services = services_of()
    session = db()
    refusal_goes_to(url_for("console.reviews.rounds"))
    form = request.form
    tz = services.settings.tz
    day = _day(form.get("deadline"))
    if day is None:
        raise actions.ReviewError("REVIEW_DATE_BAD")
    deadline = datetime.combine(day, time(23, 59), tz)
    weights = {Party.SELF: _number(form.get("w_self")),
               Party.COUNTY: _number(form.get("w_county")),
               Party.LEADER: _number(form.get("w_leader")),
               Party.MEMBERS: _number(form.get("w_members"))}
    review = actions.open_round(session, console_actor(), services.outbox,
                                current_account().org_id, _number(form.get("year")), deadline,
                                weights, services.clock(), tz)
    count = len(round_rows(session, review, None, day))
    save()
    flash(texts.REVIEW_OPENED.format(year=review.year, count=count))
    return redirect(url_for("console.reviews.round_page", round_id=review.id))


@bp.get("/review/<int:round_id>")
@login_required
def round_page(round_id: int) -> ResponseReturnValue:
    """The round's table: reporters, submitted or not, grades, 测评, totals, counts."""
    services = services_of()
    session = db()
    review = _round_in_scope(session, round_id)
    county = _county_account(review)
    sort = request.args.get("sort") if county else None
    today = services.clock().astimezone(services.settings.tz).date()
    visible = None if county else scope_ids(session, current_account())
    rows = round_rows(session, review, visible, today, sort if sort in SORTS else None)
    missing = [r for r in rows if r.submitted_at is None]
    totals = {"suggestions": sum(r.items.suggestions for r in rows),
              "problems": sum(r.items.problems for r in rows),
              "done": sum(r.items.suggestions_done + r.items.problems_done for r in rows),
              "overdue": sum(r.items.overdue for r in rows)}
    return render_template("console/review_round.html", review=review, rows=rows,
                           county=county, missing=missing, totals=totals, sort=sort,
                           tz=services.settings.tz, open=review.status == "open",
                           shown=county or review.status != "open")


@bp.post("/review/<int:round_id>/<any(remind, close, add, deadline):what>")
@login_required
def round_change(round_id: int, what: str) -> ResponseReturnValue:
    """The county's changes to the round: remind, move the deadline, close, add a
    reporter."""
    services = services_of()
    session = db()
    review = _round_in_scope(session, round_id)
    back = url_for("console.reviews.round_page", round_id=round_id)
    refusal_goes_to(back)
    now, tz = services.clock(), services.settings.tz
    if what == "remind":
        count = actions.remind_missing(session, console_actor(), services.outbox, review,
                                       now, tz)
        message = texts.REVIEW_REMINDED.format(count=count)
    elif what == "deadline":
        day = _day(request.form.get("deadline"))
        if day is None:
            raise actions.ReviewError("REVIEW_DATE_BAD")
        actions.set_deadline(session, console_actor(), review,
                             datetime.combine(day, time(23, 59), tz), now)
        message = texts.REVIEW_DEADLINE_MOVED.format(deadline=when(review.deadline, tz))
    elif what == "close":
        actions.close_round(session, console_actor(), review, now)
        message = texts.REVIEW_CLOSED_OK.format(year=review.year)
    else:
        actions.add_reporter(session, console_actor(), review,
                             _member_named(session, review, request.form.get("name", "")), now)
        message = texts.REVIEW_SAVED
    save()
    flash(message)
    return redirect(back)


def _member_named(session: Session, review: ReviewRound, name: str) -> int:
    """The one live member of the county with this name (ReviewError otherwise)."""
    kept = " ".join(name.split())
    found = session.scalars(select(Member.id).where(
        Member.name == kept, live_member(),
        Member.branch_id.in_(subtree_query(review.org_id))).limit(2)).all()
    if len(found) != 1:
        raise actions.ReviewError("REVIEW_NAME_NOT_ONE", name=kept[:50])
    return found[0]


def _leaders(session: Session, county_id: int) -> list[tuple[int, str]]:
    """Admins of the county and its townships, the 帮评 leaders to choose from."""
    orgs = [o for o in session.scalars(select(Org.id).where(
        (Org.id == county_id) | (Org.parent_id == county_id)))
        if level_of(session, o) in (OrgLevel.COUNTY, OrgLevel.TOWNSHIP)]
    choice = texts.REVIEW_LEADER_CHOICE
    return [(m, choice.format(name=name, org=org)) for m, name, org in session.execute(
        select(Member.id, Member.name, Org.name).join(OrgAdmin, OrgAdmin.member_id == Member.id)
        .join(Org, Org.id == OrgAdmin.org_id).where(OrgAdmin.org_id.in_(orgs))
        .order_by(Org.id, Member.name))]


@bp.get("/review/reporter/<int:reporter_id>")
@login_required
def reporter_page(reporter_id: int) -> ResponseReturnValue:
    """One secretary: the report and its files, the four grades, the recommendations."""
    services = services_of()
    session = db()
    reporter = _reporter_in_scope(session, reporter_id)
    review = reporter.round
    me = console_actor().member_id
    county = _county_account(review)
    today = services.clock().astimezone(services.settings.tz).date()
    [row] = [r for r in round_rows(session, review, [reporter.org_id], today)
             if r.id == reporter.id]
    return render_template(
        "console/review_reporter.html", reporter=reporter, review=review, row=row,
        files=report_files(session, reporter.id), items=items_of(session, reporter.id),
        county=county, mine=me == reporter.member_id, leads=me is not None
        and me == reporter.leader_id, staff=county or (
            reporter.org_id in scope_ids(session, current_account())
            and current_account().org_id != reporter.org_id),
        leaders=_leaders(session, review.org_id) if county else [], grades=grade_words(),
        tz=services.settings.tz, today=today, open=review.status == "open",
        report_max=actions.REPORT_MAX, shown=county or review.status != "open")


@bp.post("/review/reporter/<int:reporter_id>/<any(report, grade, leader, rep, item, drop):what>")
@login_required
def reporter_change(reporter_id: int, what: str) -> ResponseReturnValue:
    """Submit the report, grade, assign the leader, enter a representative's vote,
    record an item, or drop the reporter from the list."""
    services = services_of()
    session = db()
    reporter = _reporter_in_scope(session, reporter_id)
    back = url_for("console.reviews.reporter_page", reporter_id=reporter_id)
    refusal_goes_to(back)
    form, actor = request.form, console_actor()
    now, tz = services.clock(), services.settings.tz
    message = texts.REVIEW_SAVED
    if what == "report":
        actions.submit_report(session, actor, reporter, form.get("report", ""), now, tz)
        message = texts.REVIEW_SUBMITTED
    elif what == "grade":
        party = PARTY_FIELDS.get(form.get("party", ""))
        if party is None:
            abort(400)
        chosen = actions.grade(session, actor, reporter, party, form.get("grade", ""), now)
        message = texts.REVIEW_GRADED.format(grade=chosen.value)
    elif what == "leader":
        actions.assign_leader(session, actor, services.outbox, reporter,
                              form_id(form.get("leader_id")) or 0, now, tz)
    elif what == "rep":
        name = form.get("name", "")
        actions.enter_representative_vote(session, actor, reporter, name,
                                          form.get("grade", ""), now)
        message = texts.REVIEW_REP_VOTED.format(name=" ".join(name.split()))
    elif what == "item":
        kind = ItemKind.PROBLEM if form.get("kind") == "problem" else ItemKind.SUGGESTION
        actions.add_item(session, actor, reporter, kind, form.get("text", ""),
                         _day(form.get("day")) or now.astimezone(tz).date(),
                         _day(form.get("due")), now)
        message = texts.REVIEW_ITEM_ADDED
    else:
        round_id = reporter.round_id
        actions.drop_reporter(session, actor, reporter, now)
        save()
        flash(texts.REVIEW_SAVED)
        return redirect(url_for("console.reviews.round_page", round_id=round_id))
    save()
    flash(message)
    return redirect(back)


@bp.post("/review/reporter/<int:reporter_id>/file")
@login_required
@upload_limit(BODY_MAX)
def upload_file(reporter_id: int) -> ResponseReturnValue:
    """The secretary adds a photo or PDF to the report."""
    services = services_of()
    session = db()
    reporter = _reporter_in_scope(session, reporter_id)
    back = url_for("console.reviews.reporter_page", reporter_id=reporter_id)
    refusal_goes_to(back)
    actions.add_report_file(session, console_actor(), reporter,
                            storer(session, reporter.org_id, reporter.id,
                                   request.files.get("file"), current_account().key),
                            services.clock(), services.settings.tz)
    save()
    flash(texts.REVIEW_FILE_SAVED)
    return redirect(back)


@bp.get("/review/reporter/<int:reporter_id>/file/<name>")
@login_required
def report_file(reporter_id: int, name: str) -> ResponseReturnValue:
    """One of the report's files, to accounts that may see the reporter."""
    session = db()
    reporter = _reporter_in_scope(session, reporter_id)
    return send_report_file(reporter.id, name, report_files(session, reporter.id))


@bp.post("/review/item/<int:item_id>/done")
@login_required
def item_done(item_id: int) -> ResponseReturnValue:
    """Staff above the secretary confirm an item done, with a note."""
    services = services_of()
    session = db()
    item = session.get(ReviewItem, item_id)
    if item is None:
        abort(404)
    _reporter_in_scope(session, item.reporter_id)
    back = url_for("console.reviews.reporter_page", reporter_id=item.reporter_id)
    refusal_goes_to(back)
    actions.close_item(session, console_actor(), item, request.form.get("note", ""),
                       services.clock())
    save()
    flash(texts.REVIEW_ITEM_CLOSED)
    return redirect(back)
