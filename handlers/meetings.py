"""三会一课 in chat: 新建会议, 取消会议, 结束会议, 签到 (code, QR, location), 请假,
会议, 补录, 统计."""

from __future__ import annotations

import math
import re
from datetime import datetime

from sqlalchemy import select

from handlers import meeting_notices, texts
from handlers.router import Context, DomainError, Reply, Role, Router
from handlers.timefmt import day
from models.compliance import compliance, period_containing
from models.meetings import (
    CHECK_IN_OPENS,
    KIND_WORDS,
    QR_SCENE_PREFIX,
    AttendanceStatus,
    Meeting,
    MeetingError,
    Method,
    NewMeeting,
    Outcome,
    ask_leave,
    attendance_of,
    backfill,
    cancel_meeting,
    check_in,
    close_meeting,
    create_meeting,
    open_meeting_by_code,
    upcoming_for,
)
from models.member import Member
from models.org import Org
from models.pairing import branch_pair_report

router = Router("meetings")

DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
COORDINATES = re.compile(r"^(.*)@(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$")
STATUS_WORDS = {"出席": AttendanceStatus.PRESENT, "签到": AttendanceStatus.PRESENT,
                "请假": AttendanceStatus.LEAVE, "缺席": AttendanceStatus.ABSENT}
STATUS_NAMES = {AttendanceStatus.PRESENT: "出席", AttendanceStatus.LEAVE: "请假",
                AttendanceStatus.ABSENT: "缺席"}


def _member(ctx: Context) -> Member:
    member = ctx.member
    assert member is not None  # the route's role check guarantees a bound member
    return member


def _parse_start(ctx: Context, date_text: str, time_text: str) -> datetime:
    date_match, time_match = DATE.match(date_text), TIME.match(time_text)
    if not date_match or not time_match:
        raise DomainError(texts.MEETING_BAD_TIME.format(text=f"{date_text} {time_text}"))
    try:
        local = datetime(int(date_match[1]), int(date_match[2]), int(date_match[3]),
                         int(time_match[1]), int(time_match[2]), tzinfo=ctx.settings.tz)
    except ValueError:
        raise DomainError(texts.MEETING_BAD_TIME.format(text=f"{date_text} {time_text}")) \
            from None
    return local.astimezone(ctx.now.tzinfo)


def _by_code(ctx: Context, word: str) -> Meeting:
    if not ctx.args or not ctx.args[0].isdigit():
        raise DomainError(texts.MEETING_CODE_USAGE.format(word=word))
    meeting = open_meeting_by_code(ctx.session, ctx.args[0])
    if meeting is None:
        raise DomainError(texts.MEETING_NO_SUCH_CODE.format(code=ctx.args[0]))
    return meeting


def _admins_meeting(ctx: Context, word: str) -> Meeting:
    meeting = _by_code(ctx, word)
    if meeting.org_id != _member(ctx).branch_id:
        raise DomainError(texts.MEETING_NOT_YOURS)
    return meeting


def _fields(ctx: Context, meeting: Meeting) -> dict[str, str]:
    return meeting_notices.meeting_fields(meeting, ctx.settings)


@router.command("新建会议", Role.ADMIN, usage="新建会议 <类型> <YYYY-MM-DD HH:MM> <地点> [主题]")
def new_meeting(ctx: Context) -> Reply:
    """安排一次会议，回复签到码，并通知全体党员"""
    if len(ctx.args) < 4:
        return texts.MEETING_NEW_USAGE
    kind_word, date_text, time_text, place, *topic = ctx.args
    kind = KIND_WORDS.get(kind_word)
    if kind is None:
        raise DomainError(texts.MEETING_BAD_KIND.format(kind=kind_word))
    starts_at = _parse_start(ctx, date_text, time_text)
    latitude = longitude = None
    if found := COORDINATES.match(place):  # 地点@纬度,经度 enables location check-in
        place, latitude, longitude = found[1] or "会议地点", float(found[2]), float(found[3])
    admin = _member(ctx)
    try:
        meeting = create_meeting(ctx.session, NewMeeting(
            org_id=admin.branch_id, kind=kind, starts_at=starts_at, place=place,
            topic=" ".join(topic), latitude=latitude, longitude=longitude, host_id=admin.id,
        ), created_by=admin.id, now=ctx.now)
    except MeetingError as exc:
        raise DomainError(str(exc)) from None
    count = meeting_notices.notify_created(ctx.session, meeting, ctx.settings, ctx.now)
    return texts.MEETING_CREATED.format(id=meeting.id, count=count, **_fields(ctx, meeting))


@router.command("取消会议", Role.ADMIN, usage="取消会议 <签到码>")
def cancel(ctx: Context) -> Reply:
    """取消还没开的会议，并通知参会党员"""
    meeting = _admins_meeting(ctx, "取消会议")
    try:
        cancel_meeting(ctx.session, meeting, ctx.now)
    except MeetingError as exc:
        raise DomainError(str(exc)) from None
    count = meeting_notices.notify_cancelled(ctx.session, meeting, ctx.settings, ctx.now)
    return texts.MEETING_CANCELLED.format(count=count, **_fields(ctx, meeting))


@router.command("结束会议", Role.ADMIN, usage="结束会议 <签到码>")
def close(ctx: Context) -> Reply:
    """结束会议：没签到也没请假的记为缺席"""
    meeting = _admins_meeting(ctx, "结束会议")
    close_meeting(ctx.session, meeting, ctx.now)
    return texts.MEETING_CLOSED.format(id=meeting.id, expected=meeting.expected_count,
                                       present=meeting.present_count,
                                       leave=meeting.leave_count, absent=meeting.absent_count)


def _check_in_reply(ctx: Context, meeting: Meeting, method: Method) -> Reply:
    member = _member(ctx)
    try:
        outcome = check_in(ctx.session, meeting, member, method, member, ctx.now)
    except MeetingError as exc:
        raise DomainError(str(exc)) from None
    if outcome is Outcome.ALREADY:
        return texts.CHECKIN_ALREADY
    template = texts.CHECKIN_REPLACED_LEAVE if outcome is Outcome.REPLACED_LEAVE \
        else texts.CHECKIN_OK
    return template.format(**_fields(ctx, meeting))


@router.command("签到", Role.MEMBER, usage="签到 <签到码>")
def check_in_by_code(ctx: Context) -> Reply:
    """到会签到（也可以扫会议二维码或发送位置）"""
    return _check_in_reply(ctx, _by_code(ctx, "签到"), Method.CODE)


@router.command("请假", Role.MEMBER, usage="请假 <签到码> <原因>")
def leave(ctx: Context) -> Reply:
    """不能参会时请假，要写明原因"""
    if len(ctx.args) < 2:
        return texts.LEAVE_USAGE
    meeting = _by_code(ctx, "请假")
    member = _member(ctx)
    reason = " ".join(ctx.args[1:])
    try:
        outcome = ask_leave(ctx.session, meeting, member, reason, Method.CODE, member, ctx.now)
    except MeetingError as exc:
        raise DomainError(str(exc)) from None
    if outcome is Outcome.ALREADY:
        return texts.LEAVE_ALREADY.format(reason=reason)
    return texts.LEAVE_OK.format(reason=reason, **_fields(ctx, meeting))


@router.scene(QR_SCENE_PREFIX)
def check_in_by_qr(ctx: Context) -> Reply:
    """Scanning the meeting's QR code (also scanning to follow) checks in."""
    if ctx.caller is None:
        return texts.SCAN_NEED_BINDING
    meeting_id = ctx.scene[len(QR_SCENE_PREFIX):]
    meeting = ctx.session.get(Meeting, int(meeting_id)) if meeting_id.isdigit() else None
    if meeting is None:
        raise DomainError(texts.MEETING_NOT_FOUND.format(id=meeting_id[:20]))
    return _check_in_reply(ctx, meeting, Method.QR)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


@router.message("location", Role.MEMBER)
def check_in_by_location(ctx: Context) -> Reply:
    """A location sent during a meeting's check-in window, close enough, checks in."""
    try:
        latitude = float(ctx.message.get("Location_X"))
        longitude = float(ctx.message.get("Location_Y"))
    except ValueError:
        return None
    member = _member(ctx)
    radius = ctx.settings.checkin_radius_m
    candidates = [m for m in upcoming_for(ctx.session, member, ctx.now, limit=20)
                  if m.starts_at - ctx.now <= CHECK_IN_OPENS]
    if not candidates:
        return texts.LOCATION_NO_MEETING.format(radius=radius)
    located = [m for m in candidates if m.latitude is not None and m.longitude is not None]
    if not located:
        return texts.LOCATION_NO_COORDINATES
    nearest = min(located, key=lambda m: distance_m(latitude, longitude, m.latitude or 0.0,
                                                     m.longitude or 0.0))
    if distance_m(latitude, longitude, nearest.latitude or 0.0, nearest.longitude or 0.0) \
            > radius:
        return texts.LOCATION_NO_MEETING.format(radius=radius)
    return _check_in_reply(ctx, nearest, Method.LOCATION)


@router.command("会议", Role.MEMBER, usage="会议")
def my_meetings(ctx: Context) -> Reply:
    """我近期要参加的会议"""
    member = _member(ctx)
    meetings = upcoming_for(ctx.session, member, ctx.now)
    if not meetings:
        return texts.MY_MEETINGS_NONE
    lines = [texts.MY_MEETINGS_HEADER]
    for meeting in meetings:
        record = attendance_of(ctx.session, meeting, member)
        state = ("已签到" if record.status == AttendanceStatus.PRESENT else "已请假") \
            if record else "未签到"
        lines.append(texts.MY_MEETING_LINE.format(state=state, **_fields(ctx, meeting)))
    return "\n".join(lines)


@router.command("补录", Role.ADMIN, usage="补录 <会议编号> <姓名> <出席|请假|缺席> [原因]")
def backfill_record(ctx: Context) -> Reply:
    """会后补录某人的出席或请假"""
    if len(ctx.args) < 3 or not ctx.args[0].isdigit() or ctx.args[2] not in STATUS_WORDS:
        return texts.BACKFILL_USAGE
    admin = _member(ctx)
    meeting = ctx.session.get(Meeting, int(ctx.args[0]))
    if meeting is None:
        raise DomainError(texts.MEETING_NOT_FOUND.format(id=ctx.args[0]))
    if meeting.org_id != admin.branch_id:
        raise DomainError(texts.MEETING_NOT_YOURS)
    name = ctx.args[1]
    member = ctx.session.scalar(select(Member).where(Member.name == name,
                                                     Member.branch_id == admin.branch_id))
    if member is None:
        raise DomainError(texts.MEMBER_NOT_FOUND.format(name=name))
    status = STATUS_WORDS[ctx.args[2]]
    try:
        backfill(ctx.session, meeting, member, status, admin, ctx.now,
                 " ".join(ctx.args[3:]) or None)
    except MeetingError as exc:
        raise DomainError(str(exc)) from None
    return texts.BACKFILL_OK.format(name=member.name, status=STATUS_NAMES[status], id=meeting.id,
                                    present=meeting.present_count, leave=meeting.leave_count,
                                    absent=meeting.absent_count)


def stats_lines(ctx: Context, branch: Org) -> list[str]:
    """This quarter's picture of one branch (统计), as reply lines."""
    tz = ctx.settings.tz
    found = compliance(ctx.session, [branch], ctx.now, tz, ctx.settings.cadence)[0]
    lines = [texts.STATS_HEADER.format(branch=branch.name, today=day(ctx.now, tz))]
    for item in found.kinds:
        if item.state == "on_track":
            lines.append(texts.STATS_KIND_DONE.format(kind=item.name, period=item.period.label,
                                                      held=item.held))
        elif item.state == "at_risk":
            planned = "，已安排" if item.planned else ""
            lines.append(texts.STATS_KIND_RISK.format(kind=item.name, period=item.period.label,
                                                      days=item.days_left, planned=planned))
        else:
            lines.append(texts.STATS_KIND_MISSED.format(kind=item.name,
                                                        period=item.period.label))
    counts = found.attendance
    quarter = period_containing(ctx.now, "quarter", tz).label
    if counts.expected:
        lines.append(texts.STATS_ATTENDANCE.format(
            period=quarter, expected=counts.expected, present=counts.present,
            leave=counts.leave, absent=counts.absent, rate=f"{counts.rate:.0%}"))
    else:
        lines.append(texts.STATS_NO_MEETINGS.format(period=quarter))
    local = ctx.now.astimezone(tz)
    month_start = local.replace(day=1, hour=0, minute=0, second=0,
                                microsecond=0).astimezone(ctx.now.tzinfo)
    pairs = branch_pair_report(ctx.session, branch.id, month_start, ctx.now)
    if pairs.pairs or pairs.relays:
        rate = "—" if pairs.rate is None else f"{pairs.rate:.0%}"
        lines.append(texts.STATS_PAIRS.format(pairs=pairs.pairs, done=pairs.confirmed,
                                              total=pairs.relays, rate=rate))
    if pairs.not_reached:
        lines.append(texts.STATS_NOT_REACHED.format(names="、".join(pairs.not_reached[:20])))
    if pairs.idle_helpers:
        lines.append(texts.STATS_IDLE_HELPERS.format(names="、".join(pairs.idle_helpers)))
    return lines


@router.command("统计", Role.ADMIN, usage="统计")
def stats(ctx: Context) -> Reply:
    """本季度三会一课落实情况和出勤率"""
    branch = ctx.session.get(Org, _member(ctx).branch_id)
    assert branch is not None
    return "\n".join(stats_lines(ctx, branch))

