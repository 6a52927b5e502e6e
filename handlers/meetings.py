"""三会一课 in chat: 取消会议, 结束会议, 签到 (code, QR, location, a bare code, "我到了"),
会议, 补录 (新建会议 is in handlers/new_meeting.py, 请假 in handlers/leave.py)."""

from __future__ import annotations

import re

from core import texts, words
from core.conversation import asks_for_code, quoted, says_arrived
from core.notices import MeetingLike, meeting_fields
from core.reading import read_numerals
from handlers.router import Context, DomainError, Reply, Role, Router, Takes
from models.meetings.actions import (
    backfill,
    cancel_meeting,
    check_in,
    check_in_by_code,
    close_meeting,
)
from models.meetings.actions import check_in_by_location as located_check_in
from models.meetings.attendance import Outcome
from models.meetings.queries import (
    branch_meeting,
    is_invited,
    open_for_check_in,
    open_meeting_by_code,
    upcoming_for,
)
from models.meetings.tables import QR_SCENE_PREFIX, AttendanceStatus, Meeting, Method
from models.meetings.upcoming import upcoming_with_records
from models.members.queries import find_member

router = Router("meetings")

MEETING_ID = re.compile(r"^[0-9]{1,9}$")
STATUS_WORDS = {word: AttendanceStatus(status) for word, status in words.ATTENDANCE_WORDS.items()}


def _code_argument(ctx: Context) -> str:
    if not ctx.args or not ctx.args[0].isdigit():
        raise DomainError("MEETING_CODE_USAGE", word=ctx.word)
    return ctx.args[0]


def _admins_meeting(ctx: Context, number: str | None = None) -> Meeting:
    """The admin's own meeting named by its 签到码 or its 会议编号."""
    number = number if number is not None else _code_argument(ctx)
    meeting = branch_meeting(ctx.session, ctx.me.member.branch_id, number)
    if meeting is None:
        raise DomainError("MEETING_NOT_IN_BRANCH", number=number[:20])
    return meeting


@router.command("取消会议", Role.ADMIN, usage="取消会议 <签到码或会议编号>")
def cancel(ctx: Context) -> Reply:
    """取消还没开的会议，并通知参会党员"""
    meeting = _admins_meeting(ctx)
    count = cancel_meeting(ctx.session, ctx.me.actor, meeting, outbox=ctx.outbox, tz=ctx.tz,
                           now=ctx.now)
    return texts.MEETING_CANCELLED.format(count=count, **meeting_fields(meeting, ctx.tz))


@router.command("结束会议", Role.ADMIN, usage="结束会议 <签到码或会议编号>")
def close(ctx: Context) -> Reply:
    """结束会议：没签到也没请假的记为缺席"""
    meeting = _admins_meeting(ctx)
    close_meeting(ctx.session, ctx.me.actor, meeting, ctx.now)
    return texts.MEETING_CLOSED.format(id=meeting.id, expected=meeting.expected_count,
                                       present=meeting.present_count,
                                       leave=meeting.leave_count, absent=meeting.absent_count)


def _check_in_reply(ctx: Context, meeting: Meeting, method: Method) -> Reply:
    outcome = check_in(ctx.session, ctx.me.actor, meeting, ctx.me.member, method, ctx.now)
    return _checked_in(ctx, outcome, meeting)


def _checked_in(ctx: Context, outcome: Outcome, meeting: MeetingLike) -> Reply:
    if outcome is Outcome.ALREADY:
        return texts.CHECKIN_ALREADY
    template = texts.CHECKIN_REPLACED_LEAVE if outcome is Outcome.REPLACED_LEAVE \
        else texts.CHECKIN_OK
    return template.format(**meeting_fields(meeting, ctx.tz))


@router.command("签到", Role.MEMBER, usage="签到 [签到码]")
def check_in_with_code(ctx: Context) -> Reply:
    """到会签到（也可以说「我到了」、扫会议二维码或发送位置）"""
    if not ctx.args or _says_only_arrived(ctx.rest(0)):  # "签到了", "签到，我到了"
        return check_in_to_open_meeting(ctx)
    if asks_for_code(ctx.text):  # "签到码是多少", "签到码忘了": read as 签到 + words
        return code_forgotten(ctx)
    outcome, meeting = check_in_by_code(ctx.session, ctx.me.actor, ctx.openid, _code_argument(ctx),
                                        ctx.me.member_id, ctx.now)
    return _checked_in(ctx, outcome, meeting)


def _says_only_arrived(rest: str) -> bool:
    if any(char.isdigit() for char in rest) or read_numerals(rest.strip()) is not None:
        return False
    return not quoted(rest).strip(words.TRAILING_PARTICLES) or says_arrived(rest)


def check_in_to_open_meeting(ctx: Context) -> Reply:
    """签到 without a code (typed, spoken or the menu's button): the one meeting whose
    check-in is open for this member; with several, which ones; with none, when."""
    member = ctx.me.member
    meetings = open_for_check_in(ctx.session, member, ctx.now)
    if len(meetings) == 1:
        return _check_in_reply(ctx, meetings[0], Method.CODE)
    if meetings:
        lines = [texts.CHECKIN_WHICH]
        lines += [texts.CHECKIN_WHICH_LINE.format(**meeting_fields(m, ctx.tz))
                  for m in meetings]
        return "\n".join(lines)
    upcoming = upcoming_for(ctx.session, member, ctx.now, limit=1)
    if upcoming:
        return texts.CHECKIN_NONE_OPEN_YET.format(**meeting_fields(upcoming[0], ctx.tz))
    return texts.CHECKIN_NONE_OPEN


def _names_open_meeting(ctx: Context) -> bool:
    """A bare four-digit number that is the 签到码 of one of the member's open meetings
    (anything else falls through: a number alone is not a guess at a code)."""
    code = ctx.reading.bare_code if ctx.reading is not None else None
    if code is None or ctx.caller is None:
        return False
    meeting = open_meeting_by_code(ctx.session, code)
    return meeting is not None and is_invited(ctx.session, meeting, ctx.me.member)


@router.message("text", Role.MEMBER, when=_names_open_meeting)
def check_in_by_bare_code(ctx: Context) -> Reply:
    """"6473" alone, from a member whose open meeting has that code, checks in."""
    code = ctx.reading.bare_code if ctx.reading is not None else None
    meeting = open_meeting_by_code(ctx.session, code or "")
    if meeting is None:  # closed between the check and now
        return texts.CHECKIN_NONE_OPEN
    return _check_in_reply(ctx, meeting, Method.CODE)


@router.scene(QR_SCENE_PREFIX, Role.MEMBER, refusal="SCAN_NEED_BINDING")
def check_in_by_qr(ctx: Context) -> Reply:
    """Scanning the meeting's QR code (also scanning to follow) checks in."""
    meeting_id = ctx.scene[len(QR_SCENE_PREFIX):]
    meeting = ctx.session.get(Meeting, int(meeting_id)) if MEETING_ID.match(meeting_id) \
        else None
    if meeting is None:
        raise DomainError("MEETING_NOT_FOUND", id=meeting_id[:20])
    return _check_in_reply(ctx, meeting, Method.QR)


@router.message("location", Role.MEMBER)
def check_in_by_location(ctx: Context) -> Reply:
    """A location sent during a meeting's check-in window, close enough, checks in."""
    try:
        latitude = float(ctx.message.get("Location_X"))
        longitude = float(ctx.message.get("Location_Y"))
    except ValueError:
        return None
    return located_check_in(ctx.session, ctx.me.actor, ctx.me.member, latitude, longitude,
                            radius_m=ctx.settings.checkin_radius_m, tz=ctx.tz,
                            now=ctx.now).sentence


MEETINGS_PER_PAGE = 5
MEETINGS_COUNTED = 100  # beyond the page, how many more are counted for "还有N个"


@router.command("会议", Role.MEMBER, usage="会议", takes=Takes.NUMBER)
def my_meetings(ctx: Context) -> Reply:
    """我近期要参加的会议"""
    page = _page(ctx)
    skipped = (page - 1) * MEETINGS_PER_PAGE
    found = upcoming_with_records(ctx.session, ctx.me.member_id, ctx.now,
                                  limit=skipped + MEETINGS_PER_PAGE + MEETINGS_COUNTED)
    meetings = found[skipped:skipped + MEETINGS_PER_PAGE]
    if not meetings:
        return texts.MY_MEETINGS_NO_MORE if page > 1 else texts.MY_MEETINGS_NONE
    lines = [texts.MY_MEETINGS_HEADER]
    for meeting, status in meetings:
        state = words.MY_STATE_NONE if status is None else (
            words.MY_STATE_PRESENT if status == AttendanceStatus.PRESENT
            else words.MY_STATE_LEAVE)
        lines.append(texts.MY_MEETING_LINE.format(state=state, **meeting_fields(meeting, ctx.tz)))
    more = len(found) - skipped - len(meetings)
    if more > 0:  # say so: a member must not think the list is all there is
        lines.append(texts.MY_MEETINGS_MORE.format(count=more, page=page + 1))
    return "\n".join(lines)


def _page(ctx: Context) -> int:
    """会议 2: the second page (any number that is not a page: the first)."""
    digits = "".join(char for char in (ctx.args[0] if ctx.args else "") if char.isdigit())
    return int(digits) if digits.isascii() and 0 < len(digits) <= 3 and int(digits) > 0 else 1


@router.command("补录", Role.ADMIN,
                usage="补录 <签到码或会议编号> <姓名> <出席|请假|缺席> [原因]")
def backfill_record(ctx: Context) -> Reply:
    """会后补录某人的出席或请假"""
    if len(ctx.args) < 3 or not MEETING_ID.match(ctx.args[0]) \
            or ctx.args[2] not in STATUS_WORDS:
        return texts.BACKFILL_USAGE
    admin = ctx.me.member
    meeting = _admins_meeting(ctx, ctx.args[0])
    member = find_member(ctx.session, admin.branch_id, ctx.args[1])
    status = STATUS_WORDS[ctx.args[2]]
    backfill(ctx.session, ctx.me.actor, meeting, member, status, ctx.rest(3) or None, ctx.now)
    return texts.BACKFILL_OK.format(name=member.name, status=words.ATTENDANCE_NAMES[status],
                                    id=meeting.id, present=meeting.present_count,
                                    leave=meeting.leave_count, absent=meeting.absent_count)


def _asks_for_code(ctx: Context) -> bool:
    return ctx.caller is not None and asks_for_code(ctx.text)


@router.message("text", Role.MEMBER, when=_asks_for_code)
def code_forgotten(ctx: Context) -> Reply:
    """"签到码是多少", "我忘了签到码": how to check in without it, and the code of the
    member's next meeting (the invitee sees it in 会议 too)."""
    upcoming = upcoming_for(ctx.session, ctx.me.member, ctx.now, limit=1)
    if not upcoming:
        return texts.CODE_NOT_NEEDED
    return texts.CODE_NOT_NEEDED + texts.CODE_OF_MEETING.format(
        **meeting_fields(upcoming[0], ctx.tz))
