"""帮扶 in the mini-program, for helpers: the members I help (what waits to be passed on,
what 已转达 would record, their coming meetings), 已转达 (one relay or everything open:
chat's 帮学 <姓名> 完成), 代签 and 代请假 — the helper page's query
(models.pairing.helper_view) and the chat's actions, as the helper, on Surface.API.

Only a helper (models.pairing.queries.is_helper_now, the chat's and the page's test)
gets in: anyone else is a 403 saying it is for helpers. A member I do not help, or a
meeting they are not invited to, is a 404 that reveals nothing.
"""

from __future__ import annotations

from bot.api.problems import Problem
from bot.api.runner import Call, Endpoint
from bot.api.schemas_member import (
    CheckedInOut,
    HelpedMemberOut,
    HelperMeetingOut,
    HelperMembersOut,
    ItemRefOut,
    LeaveIn,
    LeaveOut,
    RelayConfirmedOut,
    RelayConfirmIn,
    RelayWaitingOut,
)
from bot.pages.helper import done_sentence
from core import texts
from core.notices import meeting_fields
from models.errors import PairingError
from models.meetings.actions import Outcome, ask_leave, check_in
from models.meetings.member_page import members_meeting, upcoming_cards
from models.meetings.tables import Meeting, Method
from models.members.tables import Member
from models.pairing.actions import confirm_relay, confirm_relays
from models.pairing.helper_view import helped_member, helper_view
from models.pairing.queries import is_helper_now

MEETINGS_SHOWN = 5  # coming meetings listed per member (for 代签 and 代请假)


def helper_members(call: Call) -> HelperMembersOut:
    """The members I help: for each what waits to be passed on (oldest first), the study
    已转达 would record, and their coming meetings (代签 when check-in is open, 代请假
    until they end)."""
    me = _helper(call)
    tz = call.services.settings.tz
    view = helper_view(call.session, me, call.now)  # drops what no longer matters
    members = []
    for helped in view.members:
        member = call.session.get_one(Member, helped.member_id)
        cards = upcoming_cards(call.session, member, call.now, limit=MEETINGS_SHOWN)
        study = helped.study_to_confirm
        members.append(HelpedMemberOut(
            id=helped.member_id, name=helped.name, needs_help=helped.needs_help,
            needs_help_note=helped.needs_help_note, phone_tail=helped.phone_tail,
            has_wechat=helped.has_wechat,
            relays=[RelayWaitingOut(
                id=relay.relay_id, kind=relay.kind, what=relay.what, text=relay.text,
                happens_at=relay.happens_at.astimezone(tz), about_meeting=relay.about_meeting,
                item_id=relay.item_id, meeting_id=relay.meeting_id) for relay in helped.relays],
            study_to_confirm=ItemRefOut(id=study[0], title=study[1]) if study else None,
            meetings=[HelperMeetingOut(
                id=card.meeting.id, kind_name=card.meeting.kind_name,
                topic=card.meeting.topic or "", place=card.meeting.place,
                starts_at=card.meeting.starts_at.astimezone(tz),
                ends_at=card.meeting.ends_at.astimezone(tz),
                status=card.status if card.status in ("present", "leave") else None,  # type: ignore[arg-type]
                reason=card.reason, recorded_by=card.by_name,
                check_in_open=card.check_in_open and card.status != "present",
                can_leave=card.can_leave) for card in cards]))
    return HelperMembersOut(members=members, waiting=view.waiting)


def helper_relays_confirm(call: Call) -> RelayConfirmedOut:
    """已转达: `{"relay_id": n}` for one line of the list, `{}` for everything open (chat's
    帮学 <姓名> 完成); the study item relayed is recorded as studied via me."""
    me, member = _helper_and_member(call)
    body: RelayConfirmIn = call.body
    if body.relay_id is None:
        done = confirm_relays(call.session, call.actor, me, member, call.now)
    else:
        done = confirm_relay(call.session, call.actor, me, member, body.relay_id, call.now)
    message = done_sentence(member, done) if done.anything or body.relay_id is None \
        else texts.PAGES_RELAY_ALREADY
    item = done.item
    return RelayConfirmedOut(
        member_id=member.id, anything=done.anything,
        studied=ItemRefOut(id=item.id, title=item.title) if item is not None else None,
        notices=done.notices, message=message)


def helper_checkin(call: Call) -> CheckedInOut:
    """代签 for a member I help, in their meeting's check-in window."""
    _, member = _helper_and_member(call)
    meeting = _their_meeting(call, member)
    outcome = check_in(call.session, call.actor, meeting, member, Method.HELPER, call.now)
    message = texts.CHECKIN_ALREADY if outcome is Outcome.ALREADY else \
        texts.PROXY_CHECKIN_OK.format(name=member.name,
                                      **meeting_fields(meeting, call.services.settings.tz))
    return CheckedInOut(meeting_id=meeting.id, member_id=member.id,
                        outcome=outcome.value, method=str(Method.HELPER), message=message)


def helper_leave(call: Call) -> LeaveOut:
    """代请假 for a member I help, with a reason, before the meeting ends."""
    _, member = _helper_and_member(call)
    meeting = _their_meeting(call, member)
    body: LeaveIn = call.body
    reason = " ".join(body.reason.split())
    outcome = ask_leave(call.session, call.actor, meeting, member, reason, Method.HELPER,
                        call.now)
    return LeaveOut(meeting_id=meeting.id, member_id=member.id,
                    outcome="already" if outcome is Outcome.ALREADY else "recorded",
                    message=texts.PROXY_LEAVE_OK.format(
                        name=member.name, reason=reason,
                        **meeting_fields(meeting, call.services.settings.tz)))


def _helper(call: Call) -> Member:
    """The caller, if they have the helper role now (403 otherwise)."""
    me = call.me
    if not is_helper_now(call.session, me):
        raise Problem("not-helper", texts.API_HELPER_ONLY)
    return me


def _helper_and_member(call: Call) -> tuple[Member, Member]:
    """The helper calling and the member in the path: one they help now, else a 404."""
    me = _helper(call)
    try:
        member = helped_member(call.session, me, int(call.path["member_id"]))
    except PairingError:
        raise Problem("not-found", texts.API_NOT_FOUND) from None
    return me, member


def _their_meeting(call: Call, member: Member) -> Meeting:
    """The meeting in the path if the member is invited to it (404 otherwise)."""
    meeting = members_meeting(call.session, member, int(call.path["meeting_id"]))
    if meeting is None:
        raise Problem("not-found", texts.API_NOT_FOUND)
    return meeting


ENDPOINTS = (
    Endpoint("GET", "/helper/members", helper_members,
             "Helpers: the members I help and what waits for them", HelperMembersOut,
             writes=True),  # reading the relay list drops what no longer matters
    Endpoint("POST", "/helper/members/<int:member_id>/relays/confirm", helper_relays_confirm,
             "Helpers: confirm one relay, or everything open", RelayConfirmedOut,
             body=RelayConfirmIn, writes=True, errors=(409,)),
    Endpoint("POST", "/helper/members/<int:member_id>/meetings/<int:meeting_id>/checkin",
             helper_checkin, "Helpers: check in for a member I help", CheckedInOut,
             writes=True, errors=(409,)),
    Endpoint("POST", "/helper/members/<int:member_id>/meetings/<int:meeting_id>/leave",
             helper_leave, "Helpers: ask leave for a member I help", LeaveOut, body=LeaveIn,
             writes=True, errors=(409,)),
)
