"""/m/helper (帮扶): a helper's page — each member I help as a card, what waits to be passed
on with 已转达 (one line, or 全部已转达, which is chat's 帮学 … 完成), and 代签 / 代请假 for
their meetings. Each button is a small POST form calling the chat's own action with the
page's actor; the sentence flashed is the chat's reply to the same action.

Only a helper (models.pairing.queries.is_helper_now) sees the page: anyone else gets the
Chinese 403 page saying it is for helpers. A form naming a member the helper does not help
(or a meeting or relay that is not theirs) is a 404 that reveals nothing."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.console.request_db import db, save
from bot.pages.access import (
    current_member,
    error_page,
    member_actor,
    member_required,
    refusal_goes_to,
)
from bot.services import services_of
from core import texts, words
from core.localtime import when
from core.notices import meeting_fields
from models.errors import PairingError
from models.meetings.actions import Outcome, ask_leave, check_in
from models.meetings.queries import upcoming_for
from models.meetings.tables import CHECK_IN_OPENS, Meeting, Method
from models.members.tables import Member
from models.pairing.actions import confirm_relay, confirm_relays
from models.pairing.helper_view import helped_member, helper_view
from models.pairing.queries import is_helper_now
from models.pairing.relays import Confirmation

bp = Blueprint("helper", __name__)

LEAVE_AHEAD = 3  # meetings to come (not yet open for check-in) offered for 代请假


@bp.get("/helper")
@member_required
def helper() -> ResponseReturnValue:
    """The members I help, what waits for each, and the meetings I can act on."""
    me = current_member()
    session = db()
    if not is_helper_now(session, me):
        return error_page(texts.PAGES_HELPER_ONLY, 403)
    services = services_of()
    now, tz = services.clock(), services.settings.tz
    view = helper_view(session, me, now)
    ahead = {}
    for helped in view.members:  # check-in not open yet (open ones are in proxy_now)
        member = session.get_one(Member, helped.member_id)
        ahead[helped.member_id] = [
            (meeting, when(meeting.starts_at, tz))
            for meeting in upcoming_for(session, member, now, limit=LEAVE_AHEAD + 5)
            if meeting.starts_at - CHECK_IN_OPENS > now][:LEAVE_AHEAD]
    save()  # reading the relay list drops what no longer matters (as chat's 帮学 does)
    return render_template("pages/helper.html", view=view, ahead=ahead,
                           when=lambda moment: when(moment, tz))


@bp.post("/helper/relay")
@member_required
def relay_done() -> ResponseReturnValue:
    """已转达 for one line of the list."""
    me, member = _helper_and_member()
    relay_id = _number("relay_id")
    done = confirm_relay(db(), member_actor(), me, member, relay_id, services_of().clock())
    save()
    flash(done_sentence(member, done) if done.anything else texts.PAGES_RELAY_ALREADY)
    return _back_to(member)


@bp.post("/helper/done")
@member_required
def all_done() -> ResponseReturnValue:
    """全部已转达 (帮学 <姓名> 完成): every open relay confirmed, the study recorded."""
    me, member = _helper_and_member()
    done = confirm_relays(db(), member_actor(), me, member, services_of().clock())
    save()
    flash(done_sentence(member, done))
    return _back_to(member)


@bp.post("/helper/check-in")
@member_required
def proxy_check_in() -> ResponseReturnValue:
    """代签 for a meeting whose check-in is open."""
    _, member = _helper_and_member()
    session, services = db(), services_of()
    meeting = _meeting(session)
    outcome = check_in(session, member_actor(), meeting, member, Method.HELPER,
                       services.clock())
    save()
    flash(texts.CHECKIN_ALREADY if outcome is Outcome.ALREADY else
          texts.PROXY_CHECKIN_OK.format(name=member.name,
                                        **meeting_fields(meeting, services.settings.tz)))
    return _back_to(member)


@bp.post("/helper/leave")
@member_required
def proxy_leave() -> ResponseReturnValue:
    """代请假 with a reason, before the meeting ends."""
    _, member = _helper_and_member()
    session, services = db(), services_of()
    meeting = _meeting(session)
    reason = request.form.get("reason", "").strip()
    ask_leave(session, member_actor(), meeting, member, reason, Method.HELPER,
              services.clock())
    save()
    flash(texts.PROXY_LEAVE_OK.format(name=member.name, reason=reason[:200],
                                      **meeting_fields(meeting, services.settings.tz)))
    return _back_to(member)


def done_sentence(member: Member, done: Confirmation) -> str:
    """Chat's reply to 帮学 <姓名> 完成 (handlers.pairing.confirm)."""
    if not done.anything:
        return texts.PAIR_DONE_NOTHING.format(name=member.name)
    what = [texts.PAIR_DONE_STUDY.format(title=done.item.title)] if done.item else []
    if done.notices:
        what.append(texts.PAIR_DONE_NOTICES.format(count=done.notices))
    return texts.PAIR_DONE_OK.format(name=member.name, what=words.AND.join(what))


def _helper_and_member() -> tuple[Member, Member]:
    """The helper posting and the member the form names: a helper's own member only
    (anyone else, or a non-helper, is a 404); a refusal is shown on that member's card."""
    me = current_member()
    member_id = _number("member_id")
    try:
        member = helped_member(db(), me, member_id)
    except PairingError:
        abort(404)
    refusal_goes_to(_card_url(member))
    return me, member


def _number(field: str) -> int:
    """A form's id field; anything but a short run of digits is a 404."""
    value = request.form.get(field, "")
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        abort(404)
    return int(value)


def _meeting(session: Session) -> Meeting:
    """The meeting the form names (the action checks the member is invited to it)."""
    meeting = session.get(Meeting, _number("meeting_id"))
    if meeting is None:
        abort(404)
    return meeting


def _card_url(member: Member) -> str:
    return url_for("pages.helper.helper") + f"#m{member.id}"


def _back_to(member: Member) -> ResponseReturnValue:
    return redirect(_card_url(member))
