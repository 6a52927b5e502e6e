"""/m/me (我的): a member's year at a glance — the counts, then every study item, meeting,
leave and relay of the year, each line saying who acted (本人 / 帮扶人 张三 代签 / 管理员
李四 补录) and when, in local time. This year or last year (`?year=`); a long list shows
its newest LIMIT lines, all of them with `?part=<section>`.

Read only: the lines come from models.members.my_year; this module only words them."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from bot.console.request_db import db
from bot.pages.access import current_member, member_required
from bot.services import services_of
from core import texts, words
from core.localtime import when
from models.members.my_year import (
    ADMIN,
    CLOSED,
    HELPER,
    UPCOMING,
    LeaveLine,
    MeetingLine,
    StudyLine,
    my_year,
)
from models.pairing.queries import helper_of

bp = Blueprint("me", __name__)

LIMIT = 30  # lines a section shows before "查看全部"
PART_PAGE = 100  # lines a section shows alone (?part=), page by page: under 60 KB
PARTS = ("study", "meetings", "leave", "relays")


@dataclass(frozen=True)
class Line:
    """One line as the page shows it: what, when it was, and who did what when."""

    title: str
    href: str | None
    detail: str  # when and where it was
    status: str  # 已学 / 出席 / 请假（原因）…
    status_class: str  # ok / leave / absent / todo
    who: str  # 本人 / 帮扶人张三代签 / …
    at: str  # when they acted, local time


@bp.get("/me")
@member_required
def me() -> ResponseReturnValue:
    """我的: this year's (or last year's) record, every line with who acted and when."""
    member = current_member()
    services = services_of()
    now, tz = services.clock(), services.settings.tz
    this_year = now.astimezone(tz).year
    year = this_year - 1 if request.args.get("year") == str(this_year - 1) else this_year
    part = request.args.get("part")
    part = part if part in PARTS else None
    number = request.args.get("page", "1")
    page = int(number) if number.isascii() and number.isdigit() and len(number) < 6 else 1
    start, stop = ((max(page, 1) - 1) * PART_PAGE, max(page, 1) * PART_PAGE) if part \
        else (0, LIMIT)
    session = db()
    record = my_year(session, member, year, tz, now)
    helper = helper_of(session, member.id)
    by_meeting = {line.meeting_id: line for line in record.meetings}
    sections = {
        "study": [study_line(line, tz) for line in record.study],
        "meetings": [meeting_line(line, tz) for line in record.meetings],
        "leave": [leave_line(line, by_meeting[line.meeting_id], tz) for line in record.leave],
        "relays": [Line(line.text.splitlines()[0] if line.text else line.kind, None, "",
                        "", "ok", texts.PAGES_RELAYED_BY.format(name=line.helper_name),
                        when(line.confirmed_at, tz)) for line in record.relays],
    }
    return render_template(
        "pages/me.html", year=year, this_year=this_year, counts=record.counts, part=part,
        sections=sections, start=start, stop=stop, page=max(page, 1),
        helper_name=helper.name if helper is not None else None)


def study_line(line: StudyLine, tz: ZoneInfo) -> Line:
    """学习: studied (by whom, when) or not yet."""
    published = texts.PAGES_STUDY_PUBLISHED.format(when=when(line.published_at, tz))
    title = texts.PAGES_WITHDRAWN_TITLE.format(title=line.title) if line.withdrawn \
        else line.title
    href = None if line.withdrawn else f"/m/study/{line.item_id}"
    if line.studied_at is None:
        return Line(title, href, published, words.PAGE_NOT_STUDIED, "todo", "", "")
    who = texts.PAGES_BY_HELPER_STUDY.format(name=line.helper_name) \
        if line.how == HELPER else texts.PAGES_BY_SELF
    return Line(title, href, published, words.PAGE_STUDIED, "ok", who,
                when(line.studied_at, tz))


def meeting_line(line: MeetingLine, tz: ZoneInfo) -> Line:
    """会议: 出席 / 请假 / 缺席 / 待参加, and who recorded it."""
    title = texts.MEETING_TITLE_WITH_TOPIC.format(kind=line.kind_name, topic=line.topic) \
        if line.topic else line.kind_name
    detail = f"{when(line.starts_at, tz)} · {line.place}"
    if line.meeting_status == "cancelled":
        detail += f" · {words.PAGE_MEETING_CANCELLED}"
    status = texts.PAGES_LEAVE_WITH_REASON.format(reason=line.reason) \
        if line.status == "leave" and line.reason \
        else words.PAGE_ATTENDANCE.get(line.status, line.status)
    css = {"present": "ok", "leave": "leave", "absent": "absent"}.get(line.status, "todo")
    at = when(line.recorded_at, tz) if line.recorded_at is not None \
        and line.status != UPCOMING else ""
    return Line(title, None, detail, status, css, recorded_by(line), at)


def recorded_by(line: MeetingLine) -> str:
    """Who made the meeting record: the member, their helper, an admin, the closing."""
    if line.how is None:
        return ""
    if line.how == HELPER:
        template = texts.PAGES_BY_HELPER_LEAVE if line.status == "leave" \
            else texts.PAGES_BY_HELPER_CHECKIN
        return template.format(name=line.by_name or "")
    if line.how == ADMIN:
        return texts.PAGES_BY_ADMIN.format(name=line.by_name or "")
    if line.how == CLOSED:
        return texts.PAGES_BY_CLOSING
    if line.by_name:
        return texts.PAGES_BY_SOMEONE.format(name=line.by_name)
    method = words.PAGE_CHECKIN_METHODS.get(line.method or "")
    if line.status == "present" and method:
        return texts.PAGES_BY_SELF_CHECKIN.format(method=method)
    return texts.PAGES_BY_SELF


def leave_line(line: LeaveLine, meeting: MeetingLine, tz: ZoneInfo) -> Line:
    """请假: for which meeting, why, who asked and when (as its meeting's line says), and
    where it stands."""
    who = recorded_by(meeting)
    return Line(f"{line.kind_name} {when(line.starts_at, tz)}", None,
                words.PAGE_LEAVE_STATES.get(line.state, line.state),
                texts.PAGES_LEAVE_WITH_REASON.format(reason=line.reason or ""), "leave", who,
                when(line.asked_at, tz))
