"""三会一课 in the console: a branch's meetings by quarter, scheduling one in a form
(with the invitee choice of the chat's 新建会议, and other branches for a joint
session), changing its time, place or invitees before it starts, and one meeting's
page — live attendance, cancel, close, 补录 and the record (minutes, recorder, lecturer).

Every rule is the chat's: create_meeting, cancel_meeting, close_meeting, backfill and
the notices go through the same domain functions; each change is also written to the
audit log in the same transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.access import (
    audit_change,
    branch_in_scope,
    current_account,
    login_required,
    org_in_scope,
    quarter_of_query,
)
from bot.request_guard import upload_limit
from bot.services import services_of
from core import texts, words
from core.localtime import period_containing
from models.console.accounts import member_of_account, scope_ids
from models.errors import DomainError
from models.meetings.actions import (
    NewMeeting,
    cancel_meeting,
    change_invitees,
    change_meeting,
    close_meeting,
    create_meeting,
    invitee_ids,
)
from models.meetings.attendance import backfill
from models.meetings.listing import (
    attendance_list,
    audience_choices,
    default_audience,
    invitee_summary,
    invitees_of,
    invites_for,
    joint_choices,
    joint_ids_for,
    meetings_between,
)
from models.meetings.notices import (
    Notified,
    notify_cancelled,
    notify_changed,
    notify_created,
    notify_invited,
    notify_uninvited,
)
from models.meetings.tables import (
    KIND_NAMES,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from models.members.org_tables import Org
from models.members.tables import Member

bp = Blueprint("meetings", __name__)  # registered under the console in bot/console/__init__.py

log = logging.getLogger(__name__)

TEXT_MAX = 200
MINUTES_MAX = 20_000
# A form sends a Chinese character as 9 bytes (%E7%BA%AA): the record form's body may pass
# the app-wide 64 KiB limit (sized for the webhook) long before MINUTES_MAX.
SAVE_RECORD_BODY_MAX = MINUTES_MAX * 9 + 64 * 1024
JOINT_MAX = 200  # joint branches one form may invite


def meeting_in_scope(session: Session, meeting_id: int) -> Meeting:
    """The meeting, or 404 when its branch is not the account's to see."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    org_in_scope(session, meeting.org_id)
    return meeting


def audit(session: Session, meeting: Meeting, action: str,
          before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    """Write the change to the audit log (same transaction)."""
    audit_change(session, meeting.org_id, action, f"{meeting.kind_name} #{meeting.id}",
                 before, after)


def snapshot(meeting: Meeting) -> dict[str, Any]:
    """What the audit log keeps of a meeting."""
    return {"kind": meeting.kind, "starts_at": meeting.starts_at.isoformat(),
            "ends_at": meeting.ends_at.isoformat(), "place": meeting.place,
            "topic": meeting.topic, "status": meeting.status, "code": meeting.code}


@bp.get("/branch/<int:branch_id>/meetings")
@login_required
def meetings(branch_id: int) -> ResponseReturnValue:
    """The branch's meetings this quarter (or ?quarter=YYYY-Q)."""
    services = services_of()
    tz = services.settings.tz
    now = services.clock()
    period = period_containing(quarter_of_query(now), "quarter", tz)
    with services.sessions() as session:
        org = branch_in_scope(session, branch_id)
        found = meetings_between(session, branch_id, period.start, period.end)
    local = period.start.astimezone(tz)
    quarter = (local.month - 1) // 3 + 1
    earlier = f"{local.year - (quarter == 1)}-{4 if quarter == 1 else quarter - 1}"
    later = f"{local.year + (quarter == 4)}-{1 if quarter == 4 else quarter + 1}"
    return render_template("console/meetings.html", org=org, meetings=found, period=period,
                           earlier=earlier, later=later, tz=tz, words=words, now=now,
                           this=f"{local.year}-{quarter}")


def _joint_offered(session: Session, branch_id: int,
                   already: tuple[int, ...] = ()) -> list[Org]:
    """Branches the account may invite — and those the meeting already invites, even when
    someone with a wider scope invited them: a form that did not show them would drop
    them on saving."""
    visible = scope_ids(session, current_account()) | set(already)
    return joint_choices(session, branch_id, visible)


def _invitee_choices(session: Session, branch_id: int,
                     already: tuple[int, ...] = ()) -> dict[str, Any]:
    """The audience list and the joint branches (with their committees' names)."""
    offered = _joint_offered(session, branch_id, already)
    parents = {org.id: org.name for org in session.scalars(select(Org).where(
        Org.id.in_({o.parent_id for o in offered if o.parent_id is not None})))}
    return {"audiences": audience_choices(session, branch_id),
            "joint": [(org, parents.get(org.parent_id or 0, "")) for org in offered]}


def _form_choices(session: Session, branch_id: int) -> dict[str, Any]:
    members = list(session.scalars(select(Member).where(Member.branch_id == branch_id)
                                   .order_by(Member.name)))
    return {"kinds": [(kind, name) for kind, name in KIND_NAMES.items()],
            "members": members, **_invitee_choices(session, branch_id)}


@bp.get("/branch/<int:branch_id>/meetings/new")
@login_required
def new_meeting_form(branch_id: int) -> ResponseReturnValue:
    """The form for scheduling a meeting."""
    services = services_of()
    with services.sessions() as session:
        org = branch_in_scope(session, branch_id)
        me = member_of_account(session, current_account())
        kind = request.args.get("kind", MeetingKind.BRANCH_ASSEMBLY)
        kind = kind if kind in KIND_NAMES else MeetingKind.BRANCH_ASSEMBLY
        form: dict[str, Any] = {
            "kind": kind, "audience": default_audience(MeetingKind(kind)), "joint": [],
            "host": str(me.id) if me is not None and me.branch_id == branch_id else ""}
        return render_template("console/meeting_form.html", org=org, form=form, error=None,
                               **_form_choices(session, branch_id))


def _read_time(day: str, clock: str, tz: Any) -> datetime | None:
    try:
        return datetime.combine(datetime.strptime(day, "%Y-%m-%d").date(),
                                time.fromisoformat(clock), tzinfo=tz)
    except ValueError:
        return None


@bp.post("/branch/<int:branch_id>/meetings/new")
@login_required
def create_meeting_from_form(branch_id: int) -> ResponseReturnValue:
    """Schedule the meeting, notify its invitees, show its page."""
    services = services_of()
    tz = services.settings.tz
    now = services.clock()
    form: dict[str, Any] = {key: (request.form.get(key) or "").strip()[:TEXT_MAX] for key in
                            ("kind", "day", "start", "end", "place", "topic", "audience",
                             "host")}
    form["joint"] = request.form.getlist("joint")[:JOINT_MAX]
    with services.sessions() as session:
        org = branch_in_scope(session, branch_id)
        try:
            new = _new_meeting(session, branch_id, form, tz)
            me = member_of_account(session, current_account())
            meeting = create_meeting(session, new, created_by=me.id if me else None, now=now)
            notified = notify_created(session, services.outbox, meeting, tz, now)
            audit(session, meeting, "meeting.create", None, snapshot(meeting))
            session.commit()
        except DomainError as error:
            session.rollback()
            log.info("console: meeting form refused: %s", error.key)
            return render_template("console/meeting_form.html", org=org, form=form,
                                   error=error.render(),
                                   **_form_choices(session, branch_id)), 400
        flash(texts.CONSOLE_MEETING_CREATED.format(kind=meeting.kind_name, code=meeting.code,
                                                   notified=notified))
        return redirect(url_for("console.meetings.meeting", meeting_id=meeting.id))


def _new_meeting(session: Session, branch_id: int, form: dict[str, Any], tz: Any) -> NewMeeting:
    if form["kind"] not in KIND_NAMES:
        raise DomainError("CONSOLE_FORM_KIND")
    starts_at = _read_time(form["day"], form["start"], tz)
    if starts_at is None:
        raise DomainError("CONSOLE_FORM_TIME")
    ends_at = _read_time(form["day"], form["end"], tz) if form["end"] else None
    if form["end"] and (ends_at is None or ends_at <= starts_at):
        raise DomainError("CONSOLE_FORM_END")
    if not form["place"]:
        raise DomainError("CONSOLE_FORM_PLACE")
    member_ids, org_ids = invites_for(session, branch_id, form["audience"] or "all")
    joint_ids = joint_ids_for(form["joint"], _joint_offered(session, branch_id))
    host = _branch_member(session, branch_id, form["host"]) if form["host"] else None
    return NewMeeting(org_id=branch_id, kind=MeetingKind(form["kind"]),
                      starts_at=starts_at.astimezone(services_of().clock().tzinfo),
                      ends_at=ends_at, place=form["place"], topic=form["topic"],
                      host_id=host.id if host else None,
                      invite_member_ids=member_ids, invite_org_ids=org_ids,
                      joint_org_ids=joint_ids)


def _branch_member(session: Session, branch_id: int, value: str) -> Member:
    member = session.get(Member, int(value)) if value.isdigit() else None
    if member is None or member.branch_id != branch_id:
        raise DomainError("CONSOLE_FORM_MEMBER")
    return member


@bp.get("/meeting/<int:meeting_id>")
@login_required
def meeting(meeting_id: int) -> ResponseReturnValue:
    """One meeting: its code, who came (live while it is open), its record."""
    services = services_of()
    with services.sessions() as session:
        found = meeting_in_scope(session, meeting_id)
        org = session.get(Org, found.org_id)
        lines = attendance_list(session, found)
        members = {m.id: m.name for m in session.scalars(
            select(Member).where(Member.branch_id == found.org_id).order_by(Member.name))}
        return render_template("console/meeting.html", meeting=found, org=org, lines=lines,
                               members=members, invitees=invitee_summary(session, found),
                               tz=services.settings.tz, words=words,
                               now=services.clock(), MeetingStatus=MeetingStatus,
                               photos=list(found.photos or []))


@bp.get("/meeting/<int:meeting_id>/attendance")
@login_required
def meeting_attendance(meeting_id: int) -> ResponseReturnValue:
    """The attendance list alone (the meeting page refreshes it while it is open)."""
    services = services_of()
    with services.sessions() as session:
        found = meeting_in_scope(session, meeting_id)
        return render_template("console/attendance.html", meeting=found,
                               lines=attendance_list(session, found),
                               tz=services.settings.tz, words=words)


def _change(meeting_id: int, action: str) -> ResponseReturnValue:
    """Cancel or close, through the chat's functions; a refusal is shown on the page."""
    services = services_of()
    tz = services.settings.tz
    now = services.clock()
    with services.sessions() as session:
        found = meeting_in_scope(session, meeting_id)
        before = snapshot(found)
        try:
            if action == "cancel":
                cancel_meeting(session, found, now)
                notified = notify_cancelled(session, services.outbox, found, tz, now)
                message = texts.CONSOLE_MEETING_CANCELLED.format(notified=notified)
            else:
                close_meeting(session, found, now)
                message = texts.CONSOLE_MEETING_CLOSED.format(
                    expected=found.expected_count, present=found.present_count,
                    leave=found.leave_count, absent=found.absent_count)
            audit(session, found, f"meeting.{action}", before, snapshot(found))
            session.commit()
        except DomainError as error:
            session.rollback()
            message = error.render()
        flash(message)
    return redirect(url_for("console.meetings.meeting", meeting_id=meeting_id))


def _edit_form(session: Session, meeting: Meeting, tz: Any) -> dict[str, Any]:
    start, end = meeting.starts_at.astimezone(tz), meeting.ends_at.astimezone(tz)
    invitees = invitees_of(session, meeting)
    return {"day": f"{start:%Y-%m-%d}", "start": f"{start:%H:%M}", "end": f"{end:%H:%M}",
            "place": meeting.place, "topic": meeting.topic or "",
            "audience": invitees.audience, "joint": [str(i) for i in invitees.joint_org_ids]}


def _render_edit(session: Session, meeting: Meeting, form: dict[str, Any],
                 error: str | None) -> str:
    return render_template("console/meeting_edit.html", meeting=meeting,
                           org=session.get(Org, meeting.org_id), error=error, form=form,
                           **_invitee_choices(session, meeting.org_id,
                                              invitees_of(session, meeting).joint_org_ids))


@bp.get("/meeting/<int:meeting_id>/edit")
@login_required
def edit_meeting_form(meeting_id: int) -> ResponseReturnValue:
    """Change a planned meeting's time, place, topic or invitees."""
    services = services_of()
    with services.sessions() as session:
        found = meeting_in_scope(session, meeting_id)
        return _render_edit(session, found, _edit_form(session, found, services.settings.tz),
                            None)


@bp.post("/meeting/<int:meeting_id>/edit")
@login_required
def edit_meeting(meeting_id: int) -> ResponseReturnValue:
    """Apply the change (the chat's rules): those newly invited get the 会议通知, those
    no longer expected 参会调整, everyone else 会议变更 when the time or place moved."""
    services = services_of()
    tz = services.settings.tz
    now = services.clock()
    form: dict[str, Any] = {key: (request.form.get(key) or "").strip()[:TEXT_MAX] for key in
                            ("day", "start", "end", "place", "topic", "audience")}
    form["joint"] = request.form.getlist("joint")[:JOINT_MAX]
    with services.sessions() as session:
        found = meeting_in_scope(session, meeting_id)
        before = {**snapshot(found), "invitees": invitee_summary(session, found)}
        try:
            starts_at = _read_time(form["day"], form["start"], tz)
            if starts_at is None:
                raise DomainError("CONSOLE_FORM_TIME")
            ends_at = _read_time(form["day"], form["end"], tz) if form["end"] else None
            if form["end"] and ends_at is None:
                raise DomainError("CONSOLE_FORM_END")
            if not form["place"]:
                raise DomainError("CONSOLE_FORM_PLACE")
            member_ids, org_ids = invites_for(session, found.org_id, form["audience"] or "all")
            joint_ids = joint_ids_for(form["joint"], _joint_offered(
                session, found.org_id, invitees_of(session, found).joint_org_ids))
            invitees = change_invitees(session, found, member_ids, org_ids, joint_ids, now)
            # told at the old time: they are not coming to the new one
            dropped = notify_uninvited(session, services.outbox, found, invitees.removed,
                                       tz, now)
            moved = change_meeting(session, found, starts_at.astimezone(now.tzinfo),
                                   ends_at.astimezone(now.tzinfo) if ends_at else None,
                                   form["place"], form["topic"], now)
            added = notify_invited(session, services.outbox, found, invitees.added, tz, now)
            changed = Notified()
            if moved:
                staying = [i for i in invitee_ids(session, found) if i not in invitees.added]
                changed = notify_changed(session, services.outbox, found, tz, now,
                                         member_ids=staying)
            if not (moved or invitees.added or invitees.removed):
                session.rollback()
                flash(texts.CONSOLE_MEETING_UNCHANGED)
                return redirect(url_for("console.meetings.meeting", meeting_id=meeting_id))
            audit(session, found, "meeting.change", before,
                  {**snapshot(found), "invitees": invitee_summary(session, found)})
            session.commit()
        except DomainError as error:
            session.rollback()
            log.info("console: meeting %s not changed: %s", meeting_id, error.key)
            return _render_edit(session, found, form, error.render()), 400
        flash(_change_message(moved, changed, added, dropped))
        return redirect(url_for("console.meetings.meeting", meeting_id=meeting_id))


def _change_message(moved: bool, changed: Notified, added: Notified,
                    dropped: Notified) -> str:
    parts = []
    if moved:
        parts.append(texts.CONSOLE_MEETING_CHANGED.format(notified=changed))
    if added.total:
        parts.append(texts.CONSOLE_MEETING_INVITED.format(notified=added))
    if dropped.total:
        parts.append(texts.CONSOLE_MEETING_UNINVITED.format(notified=dropped))
    return "".join(parts)


@bp.post("/meeting/<int:meeting_id>/cancel")
@login_required
def cancel_meeting_view(meeting_id: int) -> ResponseReturnValue:
    """Cancel a meeting that has not been held; its invitees are told."""
    return _change(meeting_id, "cancel")


@bp.post("/meeting/<int:meeting_id>/close")
@login_required
def close_meeting_view(meeting_id: int) -> ResponseReturnValue:
    """Close a meeting: whoever neither checked in nor asked for leave is absent."""
    return _change(meeting_id, "close")


@bp.post("/meeting/<int:meeting_id>/backfill")
@login_required
def backfill_view(meeting_id: int) -> ResponseReturnValue:
    """补录 one member's attendance after the meeting."""
    services = services_of()
    status = request.form.get("status", "")
    reason = (request.form.get("reason") or "").strip()[:TEXT_MAX]
    with services.sessions() as session:
        found = meeting_in_scope(session, meeting_id)
        try:
            if status not in words.ATTENDANCE_NAMES:
                raise DomainError("CONSOLE_FORM_STATUS")
            member = _member_to_backfill(session, found, request.form.get("member", ""))
            me = member_of_account(session, current_account())
            before = {"member": member.name}
            record = backfill(session, found, member, AttendanceStatus(status), me,
                              services.clock(), reason or None)
            audit(session, found, "attendance.backfill", before,
                  {"member": member.name, "status": record.status, "reason": record.reason})
            session.commit()
            flash(texts.CONSOLE_BACKFILLED.format(name=member.name,
                                                  status=words.ATTENDANCE_NAMES[status]))
        except DomainError as error:
            session.rollback()
            flash(error.render())
    return redirect(url_for("console.meetings.meeting", meeting_id=meeting_id))


def _member_to_backfill(session: Session, meeting: Meeting, value: str) -> Member:
    """A member invited to the meeting (a joint branch's too) or one the account may
    see (backfill then checks they were invited)."""
    member = session.get(Member, int(value)) if value.isdigit() else None
    if member is None:
        raise DomainError("CONSOLE_FORM_MEMBER")
    if member.id not in invitee_ids(session, meeting):
        org_in_scope(session, member.branch_id)
    return member


@bp.post("/meeting/<int:meeting_id>/record")
@login_required
@upload_limit(SAVE_RECORD_BODY_MAX)
def save_record(meeting_id: int) -> ResponseReturnValue:
    """The meeting's record: minutes (纪要), recorder, lecturer."""
    services = services_of()
    with services.sessions() as session:
        found = meeting_in_scope(session, meeting_id)
        before = {"minutes": found.minutes, "recorder_id": found.recorder_id,
                  "lecturer_id": found.lecturer_id}
        try:
            for field in ("recorder", "lecturer"):
                value = request.form.get(field, "")
                chosen = _branch_member(session, found.org_id, value) if value else None
                setattr(found, f"{field}_id", chosen.id if chosen else None)
            found.minutes = (request.form.get("minutes") or "").strip()[:MINUTES_MAX] or None
            audit(session, found, "meeting.record", before,
                  {"minutes": found.minutes, "recorder_id": found.recorder_id,
                   "lecturer_id": found.lecturer_id})
            session.commit()
            flash(texts.CONSOLE_MINUTES_SAVED)
        except DomainError as error:
            session.rollback()
            flash(error.render())
    return redirect(url_for("console.meetings.meeting", meeting_id=meeting_id) + "#record")

