"""Study in chat: 发布 (and 确认发布), 学习, 已学 with feedback, 我的, 未学."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.wxml import Article
from handlers import texts
from handlers.router import Context, DomainError, News, Reply, Role, Router
from handlers.timefmt import when
from models.meetings import Attendance, AttendanceStatus, Meeting
from models.member import Caller, Member
from models.org import Org, OrgAdmin
from models.study import (
    BODY_MAX,
    LINK_MAX,
    TITLE_MAX,
    Draft,
    ItemView,
    PendingPost,
    StudyItem,
    StudyQueries,
    StudyRecord,
    find_duplicate,
    publish,
    recent_record_for_feedback,
    study_days,
    study_queries,
    visible_items,
    year_summary,
)

router = Router("study")

URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
UNSAFE_SCHEME = re.compile(r"^(javascript|data|vbscript|file|ftp|about):", re.IGNORECASE)
SCHEDULE = re.compile(r"^定时\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s+(\d{1,2}):(\d{2})$")
PENDING_LIFETIME = timedelta(minutes=30)


def _member(ctx: Context) -> Member:
    member = ctx.member
    assert member is not None  # the role check guarantees a bound member
    return member


def _checked_link(raw: str) -> str:
    link = raw.strip()
    if not URL.match(link) or len(link) > LINK_MAX:
        raise DomainError(texts.POST_BAD_LINK.format(link=link[:60], limit=LINK_MAX))
    return link


def parse_post(raw: str, ctx: Context) -> Draft:
    """The draft in a 发布 message: title line, body lines, link / media / source / 定时."""
    lines = [unicodedata.normalize("NFKC", line).strip() for line in raw.splitlines()]
    first = lines[0].removeprefix("发布").strip() if lines else ""
    rest = [line for line in lines[1:] if line]
    title = first or (rest.pop(0) if rest else "")
    if not title:
        raise DomainError(texts.POST_USAGE)
    if len(title) > TITLE_MAX:
        raise DomainError(texts.POST_TITLE_TOO_LONG.format(limit=TITLE_MAX, length=len(title)))
    body: list[str] = []
    link = media_link = source = None
    publish_at = None
    for line in rest:
        label, _, value = line.partition(":")
        if URL.match(line) and link is None:
            link = _checked_link(line)
        elif UNSAFE_SCHEME.match(line):
            raise DomainError(texts.POST_BAD_LINK.format(link=line[:60], limit=LINK_MAX))
        elif label in ("视频", "音频") and value.strip():
            media_link = _checked_link(value)
        elif label == "来源" and value.strip():
            source = value.strip()[:100]
        elif match := SCHEDULE.match(line):
            try:
                local = datetime(*(int(part) for part in match.groups()),  # type: ignore[misc]
                                 tzinfo=ctx.settings.tz)
            except ValueError:
                raise DomainError(texts.POST_BAD_TIME.format(text=line)) from None
            if local <= ctx.now:
                raise DomainError(texts.POST_BAD_TIME.format(text=line))
            publish_at = local.astimezone(ctx.now.tzinfo)
        else:
            body.append(line)
    text = "\n".join(body)
    if len(text) > BODY_MAX:
        raise DomainError(texts.POST_BODY_TOO_LONG.format(limit=BODY_MAX, length=len(text)))
    return Draft(title, text, link, media_link, source, publish_at)


def next_push_time(ctx: Context, draft: Draft) -> datetime:
    """A scheduled item goes out at its time; others at the next daily push."""
    if draft.publish_at is not None:
        return draft.publish_at
    hour, minute = ctx.settings.study_push_time
    local = ctx.now.astimezone(ctx.settings.tz)
    push = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if push <= local:
        push += timedelta(days=1)
    return push.astimezone(ctx.now.tzinfo)


def _audience(ctx: Context, member: Member) -> Org:
    """An org admin posts to their org (township, county); a branch admin to the branch."""
    org_id = ctx.session.scalar(select(OrgAdmin.org_id).where(OrgAdmin.member_id == member.id)
                                .order_by(OrgAdmin.id).limit(1)) or member.branch_id
    org = ctx.session.get(Org, org_id)
    assert org is not None
    return org


def _publish(ctx: Context, org: Org, draft: Draft) -> Reply:
    item = publish(ctx.session, org.id, draft, _member(ctx), ctx.now, next_push_time(ctx, draft))
    moment = texts.POST_OK_NOW if item.push_at <= ctx.now else when(item.push_at, ctx.settings.tz)
    return texts.POST_OK.format(id=item.id, title=item.title, org=org.name, when=moment)


@router.command("发布", Role.ANY_ADMIN, usage="发布 <标题>（下面几行写正文）")
def post(ctx: Context) -> Reply:
    """发布学习内容给本支部（乡镇、县管理员发给下面所有支部）"""
    draft = parse_post(ctx.message.content, ctx)
    member = _member(ctx)
    org = _audience(ctx, member)
    duplicate = find_duplicate(ctx.session, org.id, draft, ctx.now)
    if duplicate is not None:
        pending = ctx.session.get(PendingPost, member.id) or PendingPost(member_id=member.id)
        pending.org_id, pending.title, pending.body = org.id, draft.title, draft.body
        pending.link, pending.media_link, pending.source = draft.link, draft.media_link, \
            draft.source
        pending.publish_at, pending.created_at = draft.publish_at, ctx.now
        ctx.session.add(pending)
        return texts.POST_DUPLICATE.format(id=duplicate.id, title=duplicate.title)
    return _publish(ctx, org, draft)


@router.command("确认发布", Role.ANY_ADMIN, usage="确认发布")
def confirm_post(ctx: Context) -> Reply:
    """确认再发一次一天内发过的相同内容"""
    member = _member(ctx)
    pending = ctx.session.get(PendingPost, member.id)
    if pending is None or ctx.now - pending.created_at > PENDING_LIFETIME:
        return texts.POST_NOTHING_PENDING
    draft = Draft(pending.title, pending.body, pending.link, pending.media_link, pending.source,
                  pending.publish_at)
    org = ctx.session.get(Org, pending.org_id)
    ctx.session.delete(pending)
    assert org is not None
    return _publish(ctx, org, draft)


def render_item(item: ItemView, prefix: str = "") -> Reply:
    """A news reply when the item has a link, text otherwise."""
    if item.link:
        description = f"{prefix}{item.summary}\n{texts.STUDY_NEWS_FOOTER}".strip()
        return News([Article(title=f"【第{item.id}期】{item.title}", description=description,
                             url=item.link)])
    return prefix + texts.STUDY_TEXT.format(
        id=item.id, title=item.title, body=item.body, link="",
        media=f"\n视频/音频：{item.media_link}" if item.media_link else "")


def _caller(ctx: Context) -> Caller:
    caller = ctx.caller
    assert caller is not None  # the role check guarantees a bound member
    return caller


def _item_number(ctx: Context) -> int | None:
    """The 编号 argument; DomainError if it is not a number."""
    if not ctx.args:
        return None
    if not ctx.args[0].isdigit():
        raise DomainError(texts.STUDY_BAD_NUMBER)
    return int(ctx.args[0])


def _published_today(ctx: Context, item: ItemView) -> bool:
    tz = ctx.settings.tz
    return item.publish_at.astimezone(tz).date() == ctx.now.astimezone(tz).date()


def _numbered(ctx: Context, queries: StudyQueries, cursor: Any, caller: Caller,
              number: int) -> ItemView:
    """Item `number`, if the caller's branch sees it; DomainError otherwise."""
    item = queries.visible(cursor, caller.branch_id, number, ctx.now)
    if item is None:
        raise DomainError(texts.STUDY_NO_SUCH_ITEM.format(id=number))
    return item


@router.command("学习", Role.MEMBER, usage="学习 [编号]")
def study(ctx: Context) -> Reply:
    """今天的学习内容（「学习 编号」看以前的）"""
    caller, queries, cursor = _caller(ctx), study_queries(ctx.connection.dialect), ctx.cursor()
    number = _item_number(ctx)
    if number is not None:
        item = _numbered(ctx, queries, cursor, caller, number)
        queries.remember(cursor, caller.member_id, item.id, ctx.now)
        return render_item(item)
    newest = queries.newest(cursor, caller.branch_id, ctx.now)
    if newest is None:
        return texts.STUDY_NOTHING_AT_ALL
    if _published_today(ctx, newest):
        queries.remember(cursor, caller.member_id, newest.id, ctx.now)
        return render_item(newest)
    unread = queries.unread(cursor, caller.branch_id, caller.member_id, ctx.now)
    if unread is None:
        return texts.STUDY_NOTHING_NEW.format(id=newest.id)
    queries.remember(cursor, caller.member_id, unread.id, ctx.now)
    return render_item(unread, texts.STUDY_OLD_UNREAD)


@router.command("已学", Role.MEMBER, usage="已学 [编号]")
def studied(ctx: Context) -> Reply:
    """学完了：记下这一期（之后10分钟内可以发照片或语音作为心得）"""
    caller, queries, cursor = _caller(ctx), study_queries(ctx.connection.dialect), ctx.cursor()
    number = _item_number(ctx)
    if number is not None:
        item = _numbered(ctx, queries, cursor, caller, number)
    else:
        # What 已学 refers to: the item just opened, else today's, else the newest unread.
        item = queries.viewed_since(cursor, caller.member_id, ctx.now - timedelta(days=1))
        if item is None:
            newest = queries.newest(cursor, caller.branch_id, ctx.now)
            item = newest if newest is not None and _published_today(ctx, newest) else \
                queries.unread(cursor, caller.branch_id, caller.member_id, ctx.now)
        if item is None:
            return texts.STUDY_NOTHING_AT_ALL
    if not queries.record(cursor, item.id, caller.member_id, ctx.now):
        return texts.STUDIED_ALREADY.format(title=item.title)
    return texts.STUDIED_OK.format(title=item.title)


def _in_feedback_window(ctx: Context) -> bool:
    caller = ctx.caller
    return caller is not None and recent_record_for_feedback(
        ctx.session, caller.member_id, ctx.now) is not None


def _keep_feedback(ctx: Context, kind: str) -> Reply:
    caller = ctx.caller
    assert caller is not None
    record = recent_record_for_feedback(ctx.session, caller.member_id, ctx.now)
    assert record is not None
    message = ctx.message
    record.feedback_kind = kind
    record.feedback_text = ctx.text[:1000] if kind == "text" else (
        message.get("Recognition") or None)
    record.feedback_media_id = message.get("MediaId") or None
    # In sandbox mode there is no media download; the picture's URL is the content.
    record.feedback_url = message.get("PicUrl")[:LINK_MAX] or None
    record.feedback_at = ctx.now
    item = ctx.session.get(StudyItem, record.item_id)
    return texts.FEEDBACK_OK.format(title=item.title if item else "")


@router.message("image", Role.MEMBER, when=_in_feedback_window)
def image_feedback(ctx: Context) -> Reply:
    """A photo right after 已学 is kept as proof of study."""
    return _keep_feedback(ctx, "image")


@router.message("voice", Role.MEMBER, when=_in_feedback_window)
def voice_feedback(ctx: Context) -> Reply:
    """A voice message right after 已学 is kept as proof of study."""
    return _keep_feedback(ctx, "voice")


@router.message("text", Role.MEMBER, when=_in_feedback_window)
def text_feedback(ctx: Context) -> Reply:
    """A few words right after 已学 are kept as the member's reflections."""
    return _keep_feedback(ctx, "text")


def current_streak(days: list[datetime], today: datetime, ctx: Context) -> int:
    """Consecutive local days with a study, ending today (or yesterday)."""
    tz = ctx.settings.tz
    studied_days = {moment.astimezone(tz).date() for moment in days}
    day = today.astimezone(tz).date()
    if day not in studied_days:
        day -= timedelta(days=1)
    streak = 0
    while day in studied_days:
        streak += 1
        day -= timedelta(days=1)
    return streak


@router.command("我的", Role.MEMBER, usage="我的")
def my_record(ctx: Context) -> Reply:
    """我今年的学习和参会记录"""
    member = _member(ctx)
    local = ctx.now.astimezone(ctx.settings.tz)
    year_start = local.replace(month=1, day=1, hour=0, minute=0, second=0,
                               microsecond=0).astimezone(ctx.now.tzinfo)
    meetings = ctx.session.scalar(
        select(func.count()).select_from(Attendance).join(Meeting,
                                                          Attendance.meeting_id == Meeting.id)
        .where(Attendance.member_id == member.id,
               Attendance.status == AttendanceStatus.PRESENT,
               Meeting.starts_at >= year_start)) or 0
    streak = current_streak(study_days(ctx.session, member, ctx.now - timedelta(days=400)),
                            ctx.now, ctx)
    return texts.MY_RECORD.format(name=member.name, year=local.year,
                                  studies=year_summary(ctx.session, member, year_start),
                                  streak=streak, meetings=meetings)


@router.command("未学", Role.ADMIN, usage="未学")
def not_studied(ctx: Context) -> Reply:
    """本周发布的内容，本支部还有谁没学"""
    admin = _member(ctx)
    local = ctx.now.astimezone(ctx.settings.tz)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0,
                                                               microsecond=0)
    items = list(ctx.session.scalars(visible_items(ctx.session, admin.branch_id, ctx.now)
                                     .where(StudyItem.publish_at >= monday)))
    if not items:
        return texts.UNSTUDIED_NONE
    branch = ctx.session.get(Org, admin.branch_id)
    members = list(ctx.session.scalars(select(Member).where(Member.branch_id == admin.branch_id)
                                       .order_by(Member.id)))
    lines = [texts.UNSTUDIED_HEADER.format(branch=branch.name if branch else "")]
    for item in items:
        done = set(ctx.session.scalars(select(StudyRecord.member_id).where(
            StudyRecord.item_id == item.id)))
        missing = [m.name for m in members if m.id not in done]
        names = texts.UNSTUDIED_NAMES.format(
            names="、".join(missing[:20]) + ("等" if len(missing) > 20 else "")) if missing else ""
        lines.append(texts.UNSTUDIED_ITEM.format(title=item.title, done=len(members) -
                                                 len(missing), total=len(members), names=names))
    return "\n".join(lines)

