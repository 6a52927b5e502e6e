"""/m/: the member's home — today's study item and the next meeting."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from bot.console.request_db import db
from bot.pages.access import current_member, member_required
from bot.services import services_of
from core.localtime import same_local_day, when
from models.meetings.queries import upcoming_for
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
                           surveys_for(session, member, now.astimezone(tz).date())))
