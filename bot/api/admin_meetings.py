"""三会一课 for branch admins in the mini-program: 新建会议, 改会议, 取消会议, 结束会议 and
补录 — the same actions as chat and console (models.meetings.actions) with the caller as
the actor (audit surface "api"), the same role (a branch admin: 403 otherwise) and the
same scope (a meeting of the admin's own branch: 404 otherwise).

Times are ISO-8601 with an offset, in and out (out: in the account's zone). A start at
night is refused with the catalog's sentence (409) until sent with `night_confirmed`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.api import admin_access
from bot.api.admin_access import branch_admin
from bot.api.problems import Problem
from bot.api.runner import Call, Endpoint
from bot.api.schemas_admin import (
    AdminMeetingOut,
    BackfilledOut,
    BackfillIn,
    MeetingCancelledOut,
    MeetingChangedOut,
    MeetingChangeIn,
    MeetingClosedOut,
    MeetingCreatedOut,
    NewMeetingIn,
    NotifiedOut,
)
from core import texts, words
from core.localtime import when
from core.notices import change_lines
from models.errors import MeetingError
from models.meetings.actions import (
    Changed,
    Invites,
    MeetingChange,
    NewMeeting,
    backfill,
    cancel_meeting,
    change_meeting,
    close_meeting,
    create_meeting,
)
from models.meetings.listing import default_audience, invitees_of, invites_for
from models.meetings.notices import Notified
from models.meetings.tables import AttendanceStatus, Meeting, MeetingKind
from models.members.orgs import groups_of
from models.members.tables import Member


def moment(value: str) -> datetime:
    """An ISO-8601 time with offset (its form checked by the schema) as an aware UTC
    datetime; a day the calendar lacks ("2026-02-30") is refused (409)."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise Problem("refused", texts.API_NO_SUCH_DAY.format(text=value[:40])) from None


def meeting_out(meeting: Meeting, tz: ZoneInfo) -> AdminMeetingOut:
    """The meeting as the admin sees it (times in the account's zone)."""
    return AdminMeetingOut(
        id=meeting.id, kind=str(meeting.kind), kind_name=meeting.kind_name,
        topic=meeting.topic or "", starts_at=meeting.starts_at.astimezone(tz),
        ends_at=meeting.ends_at.astimezone(tz), place=meeting.place,
        latitude=meeting.latitude, longitude=meeting.longitude, status=str(meeting.status),
        code=meeting.code, expected=meeting.expected_count, present=meeting.present_count,
        leave=meeting.leave_count, absent=meeting.absent_count)


def notified_out(notified: Notified) -> NotifiedOut:
    """Who a notice reached."""
    return NotifiedOut(reached=notified.reached, held=list(notified.held),
                       unreachable=list(notified.unreachable))


def _admins_meeting(call: Call, admin: Member) -> Meeting:
    """The meeting named in the path, if it is of the admin's branch (404 otherwise)."""
    meeting = call.session.get(Meeting, int(call.path["meeting_id"]))
    if meeting is None or meeting.org_id != admin.branch_id:
        raise admin_access.not_found()
    return meeting


def _night(error: MeetingError, starts_at: datetime, tz: ZoneInfo) -> Problem:
    """The night rule's refusal, saying how to confirm."""
    return Problem("refused", texts.API_MEETING_NIGHT.format(when=when(starts_at, tz)),
                   key=error.key, confirm="night_confirmed")


def _invites(call: Call, admin: Member, body: NewMeetingIn) -> tuple[tuple[int, ...],
                                                                    tuple[int, ...]]:
    """Whom the new meeting invites: as asked, else the kind's default (the console's);
    a 党小组会 of a branch with groups must say which (chat asks it too)."""
    kind = MeetingKind(body.kind)
    choice = body.invitees
    if choice is None:
        groups = groups_of(call.session, admin.branch_id)
        if kind == MeetingKind.GROUP_MEETING and groups:
            raise Problem("refused", texts.API_MEETING_WHICH_GROUP.format(
                groups=words.LIST_SEP.join(texts.API_MEETING_GROUP_CHOICE.format(
                    name=name, id=org_id) for name, org_id in groups.items())),
                          key="MEETING_WHICH_GROUP")
        choice = default_audience(kind)
    return invites_for(call.session, admin.branch_id, choice)


def admin_meeting_create(call: Call) -> MeetingCreatedOut:
    """新建会议: schedule a meeting of my branch; its invitees get the 会议通知, the
    answer carries its 签到码. 409 for a past time, a clash, or a night start not yet
    confirmed (`night_confirmed`)."""
    body: NewMeetingIn = call.body
    admin = branch_admin(call)
    tz = call.services.settings.tz
    if (body.latitude is None) != (body.longitude is None):
        raise Problem("refused", texts.API_MEETING_COORDINATES)
    starts_at = moment(body.starts_at)
    member_ids, org_ids = _invites(call, admin, body)
    new = NewMeeting(org_id=admin.branch_id, kind=MeetingKind(body.kind), starts_at=starts_at,
                     place=body.place, topic=body.topic,
                     ends_at=moment(body.ends_at) if body.ends_at else None,
                     latitude=body.latitude, longitude=body.longitude, host_id=admin.id,
                     invite_member_ids=member_ids, invite_org_ids=org_ids,
                     night_confirmed=body.night_confirmed)
    try:
        scheduled = create_meeting(call.session, call.actor, new, outbox=call.services.outbox,
                                   tz=tz, now=call.now)
    except MeetingError as error:
        if error.key == "MEETING_AT_NIGHT":
            raise _night(error, starts_at, tz) from None
        raise
    meeting = scheduled.meeting
    return MeetingCreatedOut(
        message=texts.CONSOLE_MEETING_CREATED.format(kind=meeting.kind_name, code=meeting.code,
                                                     notified=scheduled.notified),
        meeting=meeting_out(meeting, tz), notified=notified_out(scheduled.notified))


def admin_meeting_change(call: Call) -> MeetingChangedOut:
    """改会议: move a planned meeting, change its place, topic or invitees. Those who
    stay hear what changed; the newly invited get the 会议通知, those dropped 参会调整."""
    body: MeetingChangeIn = call.body
    admin = branch_admin(call)
    meeting = _admins_meeting(call, admin)
    tz = call.services.settings.tz
    if body.model_dump(exclude={"night_confirmed"}, exclude_none=True) == {}:
        raise Problem("refused", texts.API_NOTHING_TO_CHANGE)
    starts_at = moment(body.starts_at) if body.starts_at else meeting.starts_at
    invites = None
    if body.invitees is not None:
        member_ids, org_ids = invites_for(call.session, meeting.org_id, body.invitees)
        invites = Invites(member_ids, org_ids,
                          invitees_of(call.session, meeting).joint_org_ids)
    wanted = MeetingChange(starts_at, moment(body.ends_at) if body.ends_at else None,
                           body.place or meeting.place,
                           body.topic if body.topic is not None else meeting.topic or "",
                           night_confirmed=body.night_confirmed)
    try:
        changed = change_meeting(call.session, call.actor, meeting, wanted, invites,
                                 outbox=call.services.outbox, tz=tz, now=call.now)
    except MeetingError as error:
        if error.key == "MEETING_AT_NIGHT":
            raise _night(error, starts_at, tz) from None
        raise
    return MeetingChangedOut(
        message=_change_message(changed, meeting, tz), changed=changed.anything,
        meeting=meeting_out(meeting, tz), notified=notified_out(changed.changed),
        invited=notified_out(changed.added), uninvited=notified_out(changed.dropped))


def _change_message(changed: Changed, meeting: Meeting, tz: ZoneInfo) -> str:
    if not changed.anything:
        return texts.CONSOLE_MEETING_UNCHANGED
    parts = []
    if changed.moved and changed.was is not None:
        parts.append(texts.CONSOLE_MEETING_CHANGED_WHAT.format(
            changes=words.ITEM_SEP.join(change_lines(meeting, changed.was, tz)),
            notified=changed.changed))
    if changed.added.total:
        parts.append(texts.CONSOLE_MEETING_INVITED.format(notified=changed.added))
    if changed.dropped.total:
        parts.append(texts.CONSOLE_MEETING_UNINVITED.format(notified=changed.dropped))
    return "".join(parts) or texts.CONSOLE_MEETING_CHANGED.format(notified=changed.changed)


def admin_meeting_cancel(call: Call) -> MeetingCancelledOut:
    """取消会议: cancel a meeting not yet held; every invitee is told."""
    admin = branch_admin(call)
    meeting = _admins_meeting(call, admin)
    tz = call.services.settings.tz
    notified = cancel_meeting(call.session, call.actor, meeting, outbox=call.services.outbox,
                              tz=tz, now=call.now)
    return MeetingCancelledOut(
        message=texts.CONSOLE_MEETING_CANCELLED.format(notified=notified),
        meeting=meeting_out(meeting, tz), notified=notified_out(notified))


def admin_meeting_close(call: Call) -> MeetingClosedOut:
    """结束会议: invitees who neither checked in nor asked leave are marked absent."""
    admin = branch_admin(call)
    meeting = _admins_meeting(call, admin)
    absent = close_meeting(call.session, call.actor, meeting, call.now)
    return MeetingClosedOut(
        message=texts.CONSOLE_MEETING_CLOSED.format(
            expected=meeting.expected_count, present=meeting.present_count,
            leave=meeting.leave_count, absent=meeting.absent_count),
        meeting=meeting_out(meeting, call.services.settings.tz), marked_absent=absent)


def admin_meeting_backfill(call: Call) -> BackfilledOut:
    """补录: a member of my branch present or on leave (with a reason) at a held meeting."""
    body: BackfillIn = call.body
    admin = branch_admin(call)
    meeting = _admins_meeting(call, admin)
    member = call.session.get(Member, body.member_id)
    if member is None or member.branch_id != admin.branch_id:
        raise admin_access.not_found()
    status = AttendanceStatus(body.status)
    record = backfill(call.session, call.actor, meeting, member, status, body.reason, call.now)
    return BackfilledOut(
        message=texts.BACKFILL_OK.format(
            name=member.name, status=words.ATTENDANCE_NAMES[status], id=meeting.id,
            present=meeting.present_count, leave=meeting.leave_count,
            absent=meeting.absent_count),
        member_id=member.id, status=str(record.status), reason=record.reason,
        meeting=meeting_out(meeting, call.services.settings.tz))


MEETING = "/admin/meetings/<int:meeting_id>"

ENDPOINTS = (
    Endpoint("POST", "/admin/meetings", admin_meeting_create, "Schedule a meeting",
             MeetingCreatedOut, body=NewMeetingIn, writes=True, errors=(409,)),
    Endpoint("POST", f"{MEETING}/change", admin_meeting_change, "Change a meeting",
             MeetingChangedOut, body=MeetingChangeIn, writes=True, errors=(409,)),
    Endpoint("POST", f"{MEETING}/cancel", admin_meeting_cancel, "Cancel a meeting",
             MeetingCancelledOut, writes=True, errors=(409,)),
    Endpoint("POST", f"{MEETING}/close", admin_meeting_close, "Close a meeting",
             MeetingClosedOut, writes=True, errors=(409,)),
    Endpoint("POST", f"{MEETING}/backfill", admin_meeting_backfill,
             "Record attendance after a meeting", BackfilledOut, body=BackfillIn,
             writes=True, errors=(404, 409)),
)
