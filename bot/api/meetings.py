"""会议 in the mini-program: my upcoming meetings, 签到 (by 签到码, by position or with the
meeting's QR scene) and 请假 — the member pages' queries (models.meetings.member_page)
and the chat's actions (models.meetings.actions), as the member, on Surface.API.

A meeting the member is not invited to (or no meeting at all) is a 404; a refusal of the
action (check-in not open, over, leave after check-in, a wrong 签到码 …) is a 409 with
the chat's sentence. A wrong 签到码 counts against the mini-program user's limit
(models.db.guesses.MEETING_CODE), kept although the call is refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.api.problems import Problem
from bot.api.runner import Call, Endpoint
from bot.api.schemas_member import (
    CheckedInOut,
    CheckInByCode,
    CheckInByPosition,
    CheckInIn,
    LeaveIn,
    LeaveOut,
    MeetingOut,
    MeetingsOut,
)
from core import texts
from core.notices import MeetingLike, meeting_fields
from models.meetings.actions import ask_leave, check_in, check_in_by_code, check_in_by_location
from models.meetings.attendance import Outcome
from models.meetings.leave_proposals import drop_proposal
from models.meetings.member_page import members_meeting, upcoming_cards
from models.meetings.tables import QR_SCENE_PREFIX, Meeting, Method

SHOWN = 20  # upcoming meetings listed (a branch has a few a month)


def meetings(call: Call) -> MeetingsOut:
    """My upcoming meetings, soonest first: when, where, who hosts, the 签到码, my record
    (and who made it) and whether 签到 / 请假 is open now."""
    tz = call.services.settings.tz
    cards = upcoming_cards(call.session, call.me, call.now, limit=SHOWN + 1)
    return MeetingsOut(meetings=[MeetingOut(
        id=card.meeting.id, kind=card.meeting.kind, kind_name=card.meeting.kind_name,
        topic=card.meeting.topic or "", place=card.meeting.place,
        starts_at=card.meeting.starts_at.astimezone(tz),
        ends_at=card.meeting.ends_at.astimezone(tz), code=card.meeting.code,
        host=card.host_name,
        located=card.meeting.latitude is not None and card.meeting.longitude is not None,
        status=_status(card.status), method=card.method, reason=card.reason,
        recorded_by=card.by_name, recorded_at=_local(card.recorded_at, call),
        check_in_opens_at=card.check_in_opens_at.astimezone(tz),
        check_in_open=card.check_in_open, can_leave=card.can_leave)
        for card in cards[:SHOWN]], more=len(cards) > SHOWN)


def meeting_checkin(call: Call) -> CheckedInOut:
    """签到: `{"code"}` (chat's 签到 <码>, its wrong-code limit included), `{"latitude",
    "longitude"}` (within the check-in radius of this meeting's place, as a location sent
    in chat) or `{"scene"}` (the scene of this meeting's QR code, as scanning it in
    WeChat). Not near enough, or a meeting without coordinates: a 409 saying so. A code
    names its own meeting, as chat's 签到 <码> (the answer's `meeting_id` says which)."""
    meeting = _my_meeting(call)
    body = call.body.root
    member = call.me
    if isinstance(body, CheckInByCode):
        assert call.caller is not None
        outcome, found = check_in_by_code(call.session, call.actor, call.caller.openid,
                                          body.code, member.id, call.now)
        return _checked_in(call, outcome, found.id, found, Method.CODE)
    if isinstance(body, CheckInByPosition):
        settings = call.services.settings
        result = check_in_by_location(call.session, call.actor, member, body.latitude,
                                      body.longitude, radius_m=settings.checkin_radius_m,
                                      tz=settings.tz, now=call.now, meeting=meeting)
        if result.outcome is None:
            if result.metres is not None:
                raise Problem("refused", result.sentence, distance_m=round(result.metres))
            raise Problem("refused", result.sentence)
        return _checked_in(call, result.outcome, meeting.id, meeting, Method.LOCATION)
    if body.scene != f"{QR_SCENE_PREFIX}{meeting.id}":
        raise Problem("refused", texts.API_SCENE_OTHER_MEETING)
    outcome = check_in(call.session, call.actor, meeting, member, Method.QR, call.now)
    return _checked_in(call, outcome, meeting.id, meeting, Method.QR)


def meeting_leave(call: Call) -> LeaveOut:
    """请假 with a reason (chat's 请假): refused once checked in or once it is over; the
    same reason again changes nothing."""
    meeting = _my_meeting(call)
    body: LeaveIn = call.body
    reason = " ".join(body.reason.split())
    outcome = ask_leave(call.session, call.actor, meeting, call.me, reason, Method.CODE,
                        call.now)
    drop_proposal(call.session, call.me.id)  # a leave chat asked about is answered
    return LeaveOut(meeting_id=meeting.id, member_id=call.me.id,
                    outcome="already" if outcome is Outcome.ALREADY else "recorded",
                    message=leave_sentence(call, meeting, reason, outcome))


def _my_meeting(call: Call) -> Meeting:
    """The meeting in the path if I am invited to it (404 otherwise: not there and not
    mine read the same)."""
    meeting = members_meeting(call.session, call.me, int(call.path["meeting_id"]))
    if meeting is None:
        raise Problem("not-found", texts.API_NOT_FOUND)
    return meeting


def _checked_in(call: Call, outcome: Outcome, meeting_id: int, meeting: MeetingLike,
                method: Method) -> CheckedInOut:
    return CheckedInOut(meeting_id=meeting_id, member_id=call.me.id, outcome=outcome.value,
                        method=str(method), message=checked_in_sentence(call, outcome, meeting))


def checked_in_sentence(call: Call, outcome: Outcome, meeting: MeetingLike) -> str:
    """The chat's reply to a check-in (handlers.meetings says the same)."""
    if outcome is Outcome.ALREADY:
        return texts.CHECKIN_ALREADY
    template = texts.CHECKIN_REPLACED_LEAVE if outcome is Outcome.REPLACED_LEAVE \
        else texts.CHECKIN_OK
    return template.format(**meeting_fields(meeting, call.services.settings.tz))


def leave_sentence(call: Call, meeting: Meeting, reason: str, outcome: Outcome) -> str:
    """The chat's reply to 请假 (handlers.leave says the same)."""
    if outcome is Outcome.ALREADY:
        return texts.LEAVE_ALREADY.format(reason=reason)
    return texts.LEAVE_OK.format(reason=reason,
                                 **meeting_fields(meeting, call.services.settings.tz))


def _status(status: str | None) -> Any:
    return status if status in ("present", "leave") else None


def _local(moment: datetime | None, call: Call) -> datetime | None:
    return moment.astimezone(call.services.settings.tz) if moment is not None else None


ENDPOINTS = (
    Endpoint("GET", "/meetings", meetings, "My upcoming meetings", MeetingsOut),
    Endpoint("POST", "/meetings/<int:meeting_id>/checkin", meeting_checkin,
             "Check in: by code, by position or with the QR scene", CheckedInOut,
             body=CheckInIn, writes=True, errors=(409,)),  # type: ignore[arg-type]
    Endpoint("POST", "/meetings/<int:meeting_id>/leave", meeting_leave,
             "Ask leave, with a reason", LeaveOut, body=LeaveIn, writes=True, errors=(409,)),
)
