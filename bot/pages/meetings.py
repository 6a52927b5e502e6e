"""/m/meetings: the member's 会议 — upcoming meetings (what, when, where, who hosts, my
state, what I can do now) and this year's past meetings with my record.

签到 by location (the JS-SDK's wx.getLocation, posted as a plain form), by 签到码, and
请假 with a reason: each calls the action the chat calls (models.meetings.actions), as
the member, on Surface.PAGE. A form's own mistake (no code, no reason) and a wrong code
are answered on the page with what was typed kept; any other refusal is flashed by the
pages' error hook.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.console.request_db import db, save
from bot.jssdk_page import jssdk_context, jssdk_tags, page_url
from bot.pages.access import (
    current_member,
    member_actor,
    member_required,
    refusal_goes_to,
    visitor_openid,
)
from bot.services import services_of
from core import texts, words
from core.localtime import clock_time, when
from core.notices import MeetingLike, meeting_fields
from models.errors import DomainError
from models.meetings.actions import ask_leave, check_in_by_code, check_in_by_location
from models.meetings.attendance import Outcome
from models.meetings.leave_proposals import drop_proposal
from models.meetings.member_page import UpcomingCard, members_meeting, upcoming_cards
from models.meetings.tables import AttendanceStatus, Meeting, MeetingStatus, Method
from models.members.my_year import (
    ADMIN,
    HELPER,
    SELF,
    UPCOMING,
    MeetingLine,
    meeting_lines,
    year_bounds,
)

bp = Blueprint("meetings", __name__)

log = logging.getLogger(__name__)

SHOWN = 20  # upcoming meetings listed (a branch has a few a month)
CODE_MAX = 20  # characters of a typed code read (a code is 4 to 8 digits)
REASON_MAX = 200  # characters of a leave's reason (what the record keeps)
NUMBER_MAX = 40  # characters of a posted coordinate
ID_DIGITS = 12  # a meeting id in a form's address (members_meeting bounds it)


@bp.get("/meetings")
@member_required
def meetings() -> ResponseReturnValue:
    """Upcoming meetings with what can be done now, then this year's past ones."""
    return _render()


@bp.post("/meetings/<meeting_id>/code")
@member_required
def code(meeting_id: str) -> ResponseReturnValue:
    """签到 with the meeting's 签到码 (chat's 签到 <码>, its wrong-code limit included)."""
    session = db()
    meeting = _members_meeting(session, meeting_id)
    typed = "".join(unicodedata.normalize("NFKC", request.form.get("code", "")[:CODE_MAX])
                    .split())  # "１２３４", "12 34": the code as chat reads it
    if not typed:
        return _render({meeting.id: ("code", texts.PAGES_CODE_EMPTY, typed)})
    if not (typed.isascii() and typed.isdigit()):
        return _render({meeting.id: ("code", texts.PAGES_CODE_DIGITS, typed)})
    now = services_of().clock()
    try:
        outcome, found = check_in_by_code(session, member_actor(), visitor_openid(), typed,
                                          current_member().id, now)
    except DomainError as refusal:
        if refusal.keep_writes:  # a wrong code counts, as in chat
            save()
        else:
            session.rollback()
        log.info("pages: code check-in refused: %s", refusal.key)
        return _render({meeting.id: ("code", refusal.render(), typed)})
    save()
    flash(_checked_in(outcome, found))
    return redirect(_back())


@bp.post("/meetings/<meeting_id>/location")
@member_required
def location(meeting_id: str) -> ResponseReturnValue:
    """签到 where the member stands (wx.getLocation's GCJ-02 position, posted by the
    page's script), within the check-in radius of this meeting's coordinates."""
    session = db()
    meeting = _members_meeting(session, meeting_id)
    latitude = _number(request.form.get("latitude"))
    longitude = _number(request.form.get("longitude"))
    if latitude is None or longitude is None:
        log.info("pages: location check-in without a usable position")
        flash(texts.LOCATION_BAD_POSITION)
        return redirect(_back())
    refusal_goes_to(_back())
    services = services_of()
    settings = services.settings
    result = check_in_by_location(session, member_actor(), current_member(), latitude,
                                  longitude, radius_m=settings.checkin_radius_m,
                                  tz=settings.tz, now=services.clock(), meeting=meeting)
    save()
    if result.outcome is None:
        log.info("pages: location check-in not made (%s m)",
                 round(result.metres) if result.metres is not None else "-")
    flash(result.sentence)
    return redirect(_back())


@bp.post("/meetings/<meeting_id>/leave")
@member_required
def leave(meeting_id: str) -> ResponseReturnValue:
    """请假 with a reason (chat's 请假): refused once checked in or once it is over."""
    session = db()
    meeting = _members_meeting(session, meeting_id)
    reason = " ".join(request.form.get("reason", "")[:REASON_MAX * 2].split())
    if not reason:
        return _render({meeting.id: ("leave", texts.PAGES_LEAVE_REASON_EMPTY, reason)})
    if len(reason) > REASON_MAX:
        return _render({meeting.id: ("leave", texts.PAGES_LEAVE_REASON_LONG.format(
            limit=REASON_MAX), reason)})
    refusal_goes_to(_back())
    member = current_member()
    services = services_of()
    outcome = ask_leave(session, member_actor(), meeting, member, reason, Method.CODE,
                        services.clock())
    drop_proposal(session, member.id)  # a leave chat asked about is answered
    save()
    flash(texts.LEAVE_ALREADY.format(reason=reason) if outcome is Outcome.ALREADY else
          texts.LEAVE_OK.format(reason=reason, **meeting_fields(meeting, services.settings.tz)))
    return redirect(_back())


def _members_meeting(session: Session, meeting_id: str) -> Meeting:
    """The meeting if the member is invited to it; 404 otherwise (not a number, not
    there, or not theirs: the same page)."""
    if not (meeting_id.isascii() and meeting_id.isdigit() and len(meeting_id) <= ID_DIGITS):
        abort(404)
    meeting = members_meeting(session, current_member(), int(meeting_id))
    if meeting is None:
        abort(404)
    return meeting


def _back() -> str:
    """Where a form goes back to: the list, the result flashed at its top."""
    return url_for("pages.meetings.meetings")


def _number(sent: str | None) -> float | None:
    """A posted coordinate (None: missing or not a number; the action judges the rest)."""
    try:
        return float((sent or "")[:NUMBER_MAX])
    except ValueError:
        return None


def _checked_in(outcome: Outcome, meeting: MeetingLike) -> str:
    """The chat's reply to a check-in (handlers.meetings says the same)."""
    if outcome is Outcome.ALREADY:
        return texts.CHECKIN_ALREADY
    template = texts.CHECKIN_REPLACED_LEAVE if outcome is Outcome.REPLACED_LEAVE \
        else texts.CHECKIN_OK
    return template.format(**meeting_fields(meeting, services_of().settings.tz))


Problems = dict[int, tuple[str, str, str]]  # meeting id -> (form, sentence, what was typed)


def _render(problems: Problems | None = None) -> ResponseReturnValue:
    """The page; with a form's problem, that form open with its sentence (status 400)."""
    services = services_of()
    now, tz = services.clock(), services.settings.tz
    session = db()
    member = current_member()
    cards = upcoming_cards(session, member, now, limit=SHOWN + 1)
    more, cards = len(cards) > SHOWN, cards[:SHOWN]
    start, _ = year_bounds(now.astimezone(tz).year, tz)
    shown = {card.meeting.id for card in cards}
    for meeting_id, (_, sentence, _) in (problems or {}).items():
        if meeting_id not in shown:  # its card is gone (over meanwhile): say it on top
            flash(sentence)
    past = [_past_line(line, tz) for line in meeting_lines(session, member, start, now, now)
            if line.meeting_id not in shown]
    jssdk = jssdk_context(page_url())
    html = render_template(
        "pages/meetings.html", cards=[_card(card, tz) for card in cards], more=more,
        shown=SHOWN, past=past, problems=problems or {}, jssdk_html=jssdk_tags(jssdk),
        located=jssdk["config"] is not None, reason_max=REASON_MAX)
    return html, 400 if problems else 200


def _card(card: UpcomingCard, tz: Any) -> dict[str, Any]:
    """What the template shows of an upcoming meeting."""
    if card.status == AttendanceStatus.PRESENT:
        at = clock_time(card.recorded_at, tz) if card.recorded_at else ""
        state = texts.PAGES_STATE_PROXY.format(name=card.by_name, time=at) if card.by_name \
            else texts.PAGES_STATE_PRESENT.format(
                method=words.METHOD_NAMES.get(card.method or "", card.method or ""), time=at)
    elif card.status == AttendanceStatus.LEAVE:
        state = texts.PAGES_STATE_LEAVE_BY.format(name=card.by_name, reason=card.reason) \
            if card.by_name else texts.PAGES_STATE_LEAVE.format(reason=card.reason)
    else:
        state = texts.PAGES_STATE_NONE
    return {"card": card, "meeting": card.meeting, "when": when(card.meeting.starts_at, tz),
            "state": state, "opens": texts.PAGES_CHECKIN_OPENS_AT.format(
                time=when(card.check_in_opens_at, tz))}


def _past_line(line: MeetingLine, tz: Any) -> dict[str, Any]:
    """What the template shows of a past meeting: my status, and who recorded it."""
    detail = ""
    if line.meeting_status == MeetingStatus.CANCELLED:
        status, mark = words.MEETING_STATUS_NAMES[MeetingStatus.CANCELLED], "cancelled"
        detail = texts.PAGES_PAST_CANCELLED
    elif line.status == UPCOMING:
        status, mark = words.ATTENDANCE_NOT_YET, "none"
        detail = texts.PAGES_PAST_NOT_CLOSED
    else:
        status, mark = words.ATTENDANCE_NAMES.get(line.status, line.status), line.status
        if line.how == HELPER and line.by_name:
            detail = texts.PAGES_PAST_PROXY.format(name=line.by_name)
        elif line.how == ADMIN:
            detail = texts.PAGES_PAST_BACKFILLED.format(name=line.by_name) if line.by_name \
                else texts.PAGES_PAST_BACKFILLED_NOBODY
        elif line.how == SELF and line.method and line.status == AttendanceStatus.PRESENT:
            detail = words.METHOD_NAMES.get(line.method, "")
        if line.status == AttendanceStatus.LEAVE and line.reason:
            reason = texts.PAGES_PAST_REASON.format(reason=line.reason)
            detail = f"{detail} {reason}".strip()
    return {"line": line, "when": when(line.starts_at, tz), "status": status, "mark": mark,
            "detail": detail}
