"""/m/: the member's home — today's study item and the next meeting."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.console.request_db import db
from bot.pages.access import current_member, member_required
from bot.services import services_of
from core.localtime import same_local_day, when
from models.evaluation.queries import is_voter, open_round_of, voting_open
from models.meetings.queries import upcoming_for
from models.reviews.queries import open_votes
from models.study.hot_statements import newest_item, unread_item
from models.survey.actions import surveys_for

bp = Blueprint("home", __name__)


@bp.get("/")
@member_required
def home() -> ResponseReturnValue:
    """The newest item not yet studied (else the newest), and the next meeting."""
    member = current_member()
    services = services_of()
    now, tz = services.clock(), services.settings.tz
    session = db()
    # the chat's prepared statements: a heading and a time, no ORM object
    found = unread_item(session, member.branch_id, member.id, now)
    studied = found is None
    if found is None:
        found = newest_item(session, member.branch_id, now)
    item, published = found if found is not None else (None, None)
    upcoming = upcoming_for(session, member, now, limit=1)
    meeting = upcoming[0] if upcoming else None
    return render_template(
        "pages/home.html", item=item, studied=studied, meeting=meeting,
        meeting_when=when(meeting.starts_at, tz) if meeting is not None else "",
        item_day=when(published, tz) if published is not None else "",
        item_today=published is not None and same_local_day(published, now, tz),
        survey_waiting=any(not answered for _, answered in  # issue 28: 满意度测评
                           surveys_for(session, member, now.astimezone(tz).date())),
        evaluation_open=evaluation_open(session, member.branch_id, member.id, now),
        review_votes=any(not vote.voted for vote in open_votes(session, member)))


def evaluation_open(session: Session, branch_id: int, member_id: int, now: datetime) -> bool:
    """Whether the member's branch holds a 民主评议 round the member may still vote in
    (issue 28): the home page points there, as the notice did."""
    round_ = open_round_of(session, branch_id)
    return (round_ is not None and voting_open(round_, now)
            and is_voter(session, round_, member_id))
