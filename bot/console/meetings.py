"""三会一课 in the console: a branch's meetings by quarter, scheduling one in a form
(with the invitee choice of the chat's 新建会议, and other branches for a joint
session), changing its time, place or invitees before it starts, one meeting's page —
live attendance — and cancelling or closing it. (补录 and the record are in
bot/console/meeting_record.py; the sign-in sheet and photos in meeting_files.py.)

Every change is the chat's action (models.meetings.actions) called with the logged-in
account as its actor: the action applies the rule, queues the notices and writes the
audit entry; the view reads the form, calls it, `save()`s and says what happened. A
refusal is answered by bot/console/request_db.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.console.access import (
    branch_in_scope,
    console_actor,
    current_account,
    form_id,
    login_required,
    org_in_scope,
    quarter_of_query,
)
from bot.console.request_db import db, refusal_form, refusal_goes_to, save
from bot.services import services_of
from core import texts, words
from core.localtime import period_containing, when
from core.notices import change_lines
from models.console.accounts import in_scope, member_of_account, scope_ids
from models.errors import DomainError, JointError
from models.joint.actions import create_joint_meeting
from models.joint.queries import partners_of
from models.meetings.actions import (
    Changed,
    Invites,
    MeetingChange,
    NewMeeting,
    cancel_meeting,
    change_meeting,
    close_meeting,
    create_meeting,
)
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
from models.meetings.rules import is_at_night
from models.meetings.tables import KIND_NAMES, Meeting, MeetingKind, MeetingStatus
from models.members.org_tables import Org
from models.members.tables import Member, live_member

bp = Blueprint("meetings", __name__)  # registered under the console in bot/console/__init__.py

TEXT_MAX = 200
JOINT_MAX = 200  # joint branches one form may invite


def meeting_in_scope(session: Session, meeting_id: int, joint_ok: bool = False) -> Meeting:
    """The meeting, or 404 when its branch is not the account's to see (`joint_ok`: a
    joint meeting (双联双促) is also seen from its paired org's console)."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    if joint_ok and meeting.joint_org_id is not None \
            and not in_scope(session, current_account(), meeting.org_id):
        org_in_scope(session, meeting.joint_org_id)
        return meeting
    org_in_scope(session, meeting.org_id)
    return meeting


def meeting_page(meeting_id: int) -> str:
    """The meeting's page in the console."""
    return url_for("console.meetings.meeting", meeting_id=meeting_id)


@bp.get("/branch/<int:branch_id>/meetings")
@login_required
def meetings(branch_id: int) -> ResponseReturnValue:
    """The branch's meetings this quarter (or ?quarter=YYYY-Q)."""
    services = services_of()
    tz = services.settings.tz
    now = services.clock()
    period = period_containing(quarter_of_query(now), "quarter", tz)
    org = branch_in_scope(db(), branch_id)
    found = meetings_between(db(), branch_id, period.start, period.end)
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
    members = list(session.scalars(select(Member).where(Member.branch_id == branch_id,
                                                        live_member())
                                   .order_by(Member.name)))
    return {"kinds": [(kind, name) for kind, name in KIND_NAMES.items()],
            "members": members, **_invitee_choices(session, branch_id),
            "partners": partners_of(session, branch_id)}


@bp.get("/branch/<int:branch_id>/meetings/new")
@login_required
def new_meeting_form(branch_id: int) -> ResponseReturnValue:
    """The form for scheduling a meeting."""
    session = db()
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


def _typed(*keys: str) -> dict[str, Any]:
    """The form as typed (trimmed), the joint branches as a list."""
    form: dict[str, Any] = {key: (request.form.get(key) or "").strip()[:TEXT_MAX]
                            for key in keys}
    form["joint"] = request.form.getlist("joint")[:JOINT_MAX]
    return form


@bp.post("/branch/<int:branch_id>/meetings/new")
@login_required
def create_meeting_from_form(branch_id: int) -> ResponseReturnValue:
    """Schedule the meeting, notify its invitees, show its page."""
    services = services_of()
    tz = services.settings.tz
    now = services.clock()
    form = _typed("kind", "day", "start", "end", "place", "topic", "audience", "host",
                  "night_ok", "paired", "paired_org")
    session = db()
    org = branch_in_scope(session, branch_id)
    refusal_form(lambda sentence: render_template(
        "console/meeting_form.html", org=org, form=form, error=sentence,
        **_form_choices(db(), branch_id)))
    new = _new_meeting(session, branch_id, form, tz)
    if is_at_night(new.starts_at, tz) and form["night_ok"] != "1" and new.starts_at > now:
        # nobody is told of a meeting at night before the secretary confirms the time
        return render_template(
            "console/meeting_form.html", org=org, form=form, error=None,
            night_question=texts.CONSOLE_MEETING_NIGHT.format(when=when(new.starts_at, tz)),
            night_confirm=texts.CONSOLE_MEETING_NIGHT_CONFIRM,
            **_form_choices(session, branch_id))
    new = replace(new, night_confirmed=form["night_ok"] == "1")
    partner = _paired_partner(session, branch_id, form) if form["paired"] == "1" else None
    if partner is not None:
        scheduled = create_joint_meeting(session, console_actor(), new, partner.id,
                                         outbox=services.outbox, tz=tz, now=now)
    else:
        scheduled = create_meeting(session, console_actor(), new, outbox=services.outbox,
                                   tz=tz, now=now)
    save()
    meeting = scheduled.meeting
    flash(texts.CONSOLE_MEETING_CREATED.format(kind=meeting.kind_name, code=meeting.code,
                                               notified=scheduled.notified))
    return redirect(meeting_page(meeting.id))


def _paired_partner(session: Session, branch_id: int, form: dict[str, Any]) -> Org:
    """The paired org a joint meeting (双联双促) is held with: the one pair, or the one
    chosen when there are several; JointError when there is none."""
    partners = partners_of(session, branch_id)
    if not partners:
        raise JointError("JOINT_NOT_PAIRED")
    if len(partners) == 1:
        return partners[0]
    chosen = form_id(form["paired_org"])
    for partner in partners:
        if partner.id == chosen:
            return partner
    raise JointError("JOINT_PICK_PARTNER")


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
    member_id = form_id(value)
    member = session.get(Member, member_id) if member_id is not None else None
    if member is None or member.branch_id != branch_id:
        raise DomainError("CONSOLE_FORM_MEMBER")
    return member


@bp.get("/meeting/<int:meeting_id>")
@login_required
def meeting(meeting_id: int) -> ResponseReturnValue:
    """One meeting: its code, who came (live while it is open), its record."""
    services = services_of()
    session = db()
    found = meeting_in_scope(session, meeting_id, joint_ok=True)
    org = found.org
    lines = attendance_list(session, found)
    # who can be named recorder or lecturer: live members, and whoever is named already
    named = [i for i in (found.recorder_id, found.lecturer_id) if i is not None]
    members = {m.id: m.name for m in session.scalars(
        select(Member).where(Member.branch_id == found.org_id,
                             or_(live_member(), Member.id.in_(named))).order_by(Member.name))}
    return render_template("console/meeting.html", meeting=found, org=org, lines=lines,
                           members=members, invitees=invitee_summary(session, found),
                           tz=services.settings.tz, words=words,
                           now=services.clock(), MeetingStatus=MeetingStatus,
                           photos=list(found.photos or []))


@bp.get("/meeting/<int:meeting_id>/attendance")
@login_required
def meeting_attendance(meeting_id: int) -> ResponseReturnValue:
    """The attendance list alone (the meeting page refreshes it while it is open)."""
    found = meeting_in_scope(db(), meeting_id, joint_ok=True)
    return render_template("console/attendance.html", meeting=found,
                           lines=attendance_list(db(), found),
                           tz=services_of().settings.tz, words=words)


def _edit_form(session: Session, meeting: Meeting, tz: Any) -> dict[str, Any]:
    start, end = meeting.starts_at.astimezone(tz), meeting.ends_at.astimezone(tz)
    invitees = invitees_of(session, meeting)
    return {"day": f"{start:%Y-%m-%d}", "start": f"{start:%H:%M}", "end": f"{end:%H:%M}",
            "place": meeting.place, "topic": meeting.topic or "",
            "audience": invitees.audience, "joint": [str(i) for i in invitees.joint_org_ids]}


def _render_edit(session: Session, meeting: Meeting, form: dict[str, Any],
                 error: str | None) -> str:
    return render_template("console/meeting_edit.html", meeting=meeting,
                           org=meeting.org, error=error, form=form,
                           **_invitee_choices(session, meeting.org_id,
                                              invitees_of(session, meeting).joint_org_ids))


@bp.get("/meeting/<int:meeting_id>/edit")
@login_required
def edit_meeting_form(meeting_id: int) -> ResponseReturnValue:
    """Change a planned meeting's time, place, topic or invitees (a cancelled or held
    one: its page, saying why not)."""
    found = meeting_in_scope(db(), meeting_id)
    if found.status != MeetingStatus.PLANNED:
        flash(texts.MEETING_CHANGE_CANCELLED if found.status == MeetingStatus.CANCELLED
              else texts.MEETING_CHANGE_HELD)
        return redirect(meeting_page(meeting_id))
    return _render_edit(db(), found, _edit_form(db(), found, services_of().settings.tz), None)


@bp.post("/meeting/<int:meeting_id>/edit")
@login_required
def edit_meeting(meeting_id: int) -> ResponseReturnValue:
    """Apply the change (the chat's rules): those newly invited get the 会议通知, those
    no longer expected 参会调整, everyone else 会议变更 when the time or place moved."""
    services = services_of()
    tz = services.settings.tz
    now = services.clock()
    form = _typed("day", "start", "end", "place", "topic", "audience", "night_ok")
    session = db()
    found = meeting_in_scope(session, meeting_id)
    refusal_form(lambda sentence: _render_edit(db(), found, form, sentence))
    starts_at = _read_time(form["day"], form["start"], tz)
    if starts_at is None:
        raise DomainError("CONSOLE_FORM_TIME")
    # The end as the form showed it, untouched: it moves with the start (same length)
    shown_end = f"{found.ends_at.astimezone(tz):%H:%M}"
    end = form["end"] if form["end"] != shown_end else ""
    ends_at = _read_time(form["day"], end, tz) if end else None
    if end and ends_at is None:
        raise DomainError("CONSOLE_FORM_END")
    if not form["place"]:
        raise DomainError("CONSOLE_FORM_PLACE")
    if starts_at != found.starts_at and is_at_night(starts_at, tz) and not form["night_ok"] \
            and found.status == MeetingStatus.PLANNED and now < min(found.starts_at, starts_at):
        form["night_ask"] = True
        raise DomainError("CONSOLE_MEETING_CHANGE_NIGHT", when=when(starts_at, tz))
    member_ids, org_ids = invites_for(session, found.org_id, form["audience"] or "all")
    joint_ids = joint_ids_for(form["joint"], _joint_offered(
        session, found.org_id, invitees_of(session, found).joint_org_ids))
    if found.joint_org_id is not None:  # a joint meeting (双联双促) keeps its paired org
        joint_ids = tuple(sorted({*joint_ids, found.joint_org_id}))
    change = MeetingChange(starts_at.astimezone(now.tzinfo),
                           ends_at.astimezone(now.tzinfo) if ends_at else None,
                           form["place"], form["topic"], night_confirmed=bool(form["night_ok"]))
    changed = change_meeting(session, console_actor(), found, change,
                             Invites(member_ids, org_ids, joint_ids),
                             outbox=services.outbox, tz=tz, now=now)
    if not changed.anything:
        flash(texts.CONSOLE_MEETING_UNCHANGED)
        return redirect(meeting_page(meeting_id))
    save()
    flash(_change_message(changed, found, tz))
    return redirect(meeting_page(meeting_id))


def _change_message(changed: Changed, meeting: Meeting, tz: Any) -> str:
    parts = []
    if changed.moved and changed.was is not None:
        parts.append(texts.CONSOLE_MEETING_CHANGED_WHAT.format(
            changes=words.ITEM_SEP.join(change_lines(meeting, changed.was, tz)),
            notified=changed.changed))
    elif changed.moved:
        parts.append(texts.CONSOLE_MEETING_CHANGED.format(notified=changed.changed))
    if changed.added.total:
        parts.append(texts.CONSOLE_MEETING_INVITED.format(notified=changed.added))
    if changed.dropped.total:
        parts.append(texts.CONSOLE_MEETING_UNINVITED.format(notified=changed.dropped))
    return "".join(parts)


@bp.post("/meeting/<int:meeting_id>/cancel")
@login_required
def cancel_meeting_view(meeting_id: int) -> ResponseReturnValue:
    """Cancel a meeting that has not been held; its invitees are told."""
    services = services_of()
    found = meeting_in_scope(db(), meeting_id)
    refusal_goes_to(meeting_page(meeting_id))
    notified = cancel_meeting(db(), console_actor(), found, outbox=services.outbox,
                              tz=services.settings.tz, now=services.clock())
    save()
    flash(texts.CONSOLE_MEETING_CANCELLED.format(notified=notified))
    return redirect(meeting_page(meeting_id))


@bp.post("/meeting/<int:meeting_id>/close")
@login_required
def close_meeting_view(meeting_id: int) -> ResponseReturnValue:
    """Close a meeting: whoever neither checked in nor asked for leave is absent."""
    found = meeting_in_scope(db(), meeting_id)
    refusal_goes_to(meeting_page(meeting_id))
    close_meeting(db(), console_actor(), found, services_of().clock())
    save()
    flash(texts.CONSOLE_MEETING_CLOSED.format(
        expected=found.expected_count, present=found.present_count,
        leave=found.leave_count, absent=found.absent_count))
    return redirect(meeting_page(meeting_id))
