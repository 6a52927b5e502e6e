"""After a meeting, in the console: 补录 one member's attendance, and the meeting's
record — minutes (纪要), recorder, lecturer. Both are the actions the chat uses
(models.meetings.actions), called with the logged-in account; a refusal is flashed on
the meeting's page (bot/console/request_db.py)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.console.access import console_actor, form_id, login_required, org_in_scope
from bot.console.meetings import TEXT_MAX, meeting_in_scope, meeting_page
from bot.console.request_db import db, refusal_goes_to, save
from bot.request_guard import upload_limit
from bot.services import services_of
from core import texts, words
from models.errors import DomainError
from models.meetings.actions import MINUTES_MAX, MeetingRecord, backfill, record_meeting
from models.meetings.queries import invitee_ids
from models.meetings.tables import AttendanceStatus, Meeting
from models.members.tables import Member

bp = Blueprint("meeting_record", __name__)  # registered under the console in __init__.py

# A form sends a Chinese character as 9 bytes (%E7%BA%AA): the record form's body may pass
# the app-wide 64 KiB limit (sized for the webhook) long before MINUTES_MAX.
SAVE_RECORD_BODY_MAX = MINUTES_MAX * 9 + 64 * 1024


@bp.post("/meeting/<int:meeting_id>/backfill")
@login_required
def backfill_view(meeting_id: int) -> ResponseReturnValue:
    """补录 one member's attendance after the meeting."""
    status = request.form.get("status", "")
    reason = (request.form.get("reason") or "").strip()[:TEXT_MAX]
    found = meeting_in_scope(db(), meeting_id)
    refusal_goes_to(meeting_page(meeting_id))
    if status not in words.ATTENDANCE_NAMES:
        raise DomainError("CONSOLE_FORM_STATUS")
    member = _member_to_backfill(db(), found, request.form.get("member", ""))
    backfill(db(), console_actor(), found, member, AttendanceStatus(status), reason or None,
             services_of().clock())
    save()
    flash(texts.CONSOLE_BACKFILLED.format(name=member.name,
                                          status=words.ATTENDANCE_NAMES[status]))
    return redirect(meeting_page(meeting_id))


def _member_to_backfill(session: Session, meeting: Meeting, value: str) -> Member:
    """A member invited to the meeting (a joint branch's too) or one the account may
    see (backfill then checks they were invited)."""
    member_id = form_id(value)
    member = session.get(Member, member_id) if member_id is not None else None
    if member is None:
        raise DomainError("CONSOLE_FORM_MEMBER")
    if member.id not in invitee_ids(session, meeting):
        org_in_scope(session, member.branch_id)
    return member


def _member_id(field: str) -> int | None:
    """A member chosen in the form (none: nobody); the action checks the branch."""
    value = request.form.get(field, "")
    if not value:
        return None
    member_id = form_id(value)
    if member_id is None:
        raise DomainError("CONSOLE_FORM_MEMBER")
    return member_id


@bp.post("/meeting/<int:meeting_id>/record")
@login_required
@upload_limit(SAVE_RECORD_BODY_MAX)
def save_record(meeting_id: int) -> ResponseReturnValue:
    """The meeting's record: minutes (纪要), recorder, lecturer."""
    found = meeting_in_scope(db(), meeting_id)
    back = meeting_page(meeting_id) + "#record"
    refusal_goes_to(back)
    record_meeting(db(), console_actor(), found, MeetingRecord(
        request.form.get("minutes"), _member_id("recorder"), _member_id("lecturer")),
        services_of().clock())
    save()
    flash(texts.CONSOLE_MINUTES_SAVED)
    return redirect(back)
