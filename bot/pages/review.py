"""/m/review (述职): on the phone, a secretary writes and resubmits their report until
the deadline, adds photos or PDFs and gives their 自评; every member votes (测评) on the
secretaries of their branch and township — the same anonymous, one-per-member vote as
the chat's 测评. The page never shows a tally, a total or a ranking."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bot.console.request_db import db, save
from bot.pages.access import current_member, member_actor, member_required, refusal_goes_to
from bot.request_guard import upload_limit
from bot.review_files import BODY_MAX, storer
from bot.services import services_of
from core import texts
from models.reviews import actions
from models.reviews.queries import my_reports, open_votes, report_files
from models.reviews.rules import grade_words
from models.reviews.tables import Party, ReviewReporter, RoundStatus

bp = Blueprint("review", __name__)


def _mine(reporter_id: int) -> ReviewReporter:
    """The member's own reporter row (404 for anyone else's)."""
    reporter = db().get(ReviewReporter, reporter_id)
    if reporter is None or reporter.member_id != current_member().id:
        abort(404)
    return reporter


@bp.get("/review")
@member_required
def review() -> ResponseReturnValue:
    """My report (if I report) and the 测评 votes open to me."""
    session = db()
    member = current_member()
    mine = [r for r in my_reports(session, member.id) if r.round.status == RoundStatus.OPEN]
    return render_template(
        "pages/review.html", mine=mine, votes=open_votes(session, member), grades=grade_words(),
        files={r.id: report_files(session, r.id) for r in mine},
        tz=services_of().settings.tz, report_max=actions.REPORT_MAX)


@bp.post("/review/<int:reporter_id>/<any(report, self):what>")
@member_required
def change(reporter_id: int, what: str) -> ResponseReturnValue:
    """Submit the report's text, or the 自评."""
    services = services_of()
    reporter = _mine(reporter_id)
    back = url_for("pages.review.review") + f"#report-{reporter_id}"
    refusal_goes_to(back)
    now = services.clock()
    if what == "report":
        actions.submit_report(db(), member_actor(), reporter, request.form.get("report", ""),
                              now, services.settings.tz)
        message = texts.REVIEW_SUBMITTED
    else:
        chosen = actions.grade(db(), member_actor(), reporter, Party.SELF,
                               request.form.get("grade", ""), now)
        message = texts.REVIEW_GRADED.format(grade=chosen.value)
    save()
    flash(message)
    return redirect(back)


@bp.post("/review/<int:reporter_id>/file")
@member_required
@upload_limit(BODY_MAX)
def upload(reporter_id: int) -> ResponseReturnValue:
    """A photo or PDF for the report."""
    services = services_of()
    reporter = _mine(reporter_id)
    back = url_for("pages.review.review") + f"#report-{reporter_id}"
    refusal_goes_to(back)
    actions.add_report_file(db(), member_actor(), reporter,
                            storer(db(), reporter.org_id, reporter.id, request.files.get("file"),
                                   member_actor().key),
                            services.clock(), services.settings.tz)
    save()
    flash(texts.REVIEW_FILE_SAVED)
    return redirect(back)


@bp.post("/review/<int:reporter_id>/vote")
@member_required
def vote(reporter_id: int) -> ResponseReturnValue:
    """测评 from the page: one anonymous vote."""
    member = current_member()
    back = url_for("pages.review.review") + "#votes"
    refusal_goes_to(back)
    if reporter_id not in {v.reporter_id for v in open_votes(db(), member)}:
        abort(404)
    reporter = db().get(ReviewReporter, reporter_id)
    assert reporter is not None
    actions.cast_vote(db(), member.id, reporter, request.form.get("grade", ""))
    save()
    flash(texts.REVIEW_VOTE_THANKS.format(name=reporter.member.name))
    return redirect(back)
