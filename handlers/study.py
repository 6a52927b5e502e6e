"""Study in chat: 发布 (and 确认发布), 学习, 已学 with feedback, 我的, 未学."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from core import texts, words
from core.conversation import is_reflection
from core.localtime import when
from core.notices import names_list
from core.wxml import Article
from handlers.router import Context, DomainError, News, Reply, Role, Router, Takes
from models.org import Org
from models.posting import (
    URL,
    Draft,
    find_duplicate,
    hold_post,
    make_draft,
    posting_org,
    publish,
    push_now,
    push_time,
    take_pending_post,
)
from models.study import (
    LINK_MAX,
    Feedback,
    StudyItem,
    attach_feedback,
    item_meant_by_studied,
    item_to_read,
    recent_record_for_feedback,
    record_study,
    remember_view,
    visible_item,
)
from models.study_reports import progress_this_week, year_record

router = Router("study")

UNSAFE_SCHEME = re.compile(r"^(javascript|data|vbscript|file|ftp|about):", re.IGNORECASE)
SCHEDULE = re.compile(rf"^{words.POST_SCHEDULE}\s*(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}})"
                      r"\s+(\d{1,2}):(\d{2})$")
NUMBER_IN_WORD = re.compile(r"[0-9]+")
MAX_NUMBER_DIGITS = 9  # an item number longer than this is not one of ours


def parse_post(raw: str, ctx: Context) -> Draft:
    """The draft in a 发布 message: title line, body lines, link / media / source / 定时.

    Labels and links are recognised in the normalised form; the title and the body are
    kept exactly as typed ("，" stays "，").
    """
    raw_lines = raw.splitlines() or [""]
    title = _title_on_first_line(raw_lines[0], ctx)
    rest = [line.strip() for line in raw_lines[1:] if line.strip()]
    if not title and rest:
        title = rest.pop(0)
    body: list[str] = []
    link = media_link = source = None
    publish_at: datetime | None = None
    schedule_text = ""
    for original in rest:
        line = unicodedata.normalize("NFKC", original)
        label, _, value = line.partition(":")
        typed_value = original[_colon_at(original) + 1:].strip()
        if URL.match(line) and link is None:
            link = line
        elif UNSAFE_SCHEME.match(line):
            raise DomainError("POST_BAD_LINK", link=line[:60], limit=LINK_MAX)
        elif label in (words.POST_VIDEO, words.POST_AUDIO) and value.strip():
            media_link = value.strip()
        elif label == words.POST_SOURCE and value.strip():
            source = typed_value
        elif match := SCHEDULE.match(line):
            schedule_text = line
            year, month, day_, hour, minute = (int(part) for part in match.groups())
            try:
                publish_at = datetime(year, month, day_, hour, minute, tzinfo=ctx.tz)
            except ValueError:
                raise DomainError("POST_BAD_TIME", text=line) from None
        else:
            body.append(original)
    return make_draft(title, "\n".join(body), ctx.now, link, media_link, source, publish_at,
                      schedule_text)


def _colon_at(line: str) -> int:
    """Where the first colon is, full-width or not (-1: none)."""
    return next((i for i, char in enumerate(line)
                 if unicodedata.normalize("NFKC", char) == ":"), -1)


def _title_on_first_line(first_line: str, ctx: Context) -> str:
    """What follows the command word on the first line, as typed."""
    reading = ctx.reading
    if reading is None or not reading.tokens or reading.tokens[0].start >= len(first_line):
        return ""
    return first_line[reading.tokens[0].start:].strip()


def _publish(ctx: Context, org: Org, draft: Draft) -> Reply:
    item = publish(ctx.session, org.id, draft, ctx.member, ctx.now,
                   push_time(draft, ctx.now, ctx.tz, ctx.settings.study_push_time))
    moment = texts.POST_OK_NOW if item.push_at <= ctx.now else when(item.push_at, ctx.tz)
    return texts.POST_OK.format(id=item.id, title=item.title, org=org.name, when=moment)


@router.command("发布", Role.ANY_ADMIN, usage="发布 <标题>（下面几行写正文）")
def post(ctx: Context) -> Reply:
    """发布学习内容给本支部（乡镇、县管理员发给下面所有支部）"""
    draft = parse_post(ctx.message.content, ctx)
    org = posting_org(ctx.session, ctx.member)
    duplicate = find_duplicate(ctx.session, org.id, draft, ctx.now)
    if duplicate is not None:
        hold_post(ctx.session, ctx.member, org.id, draft, ctx.now)
        return texts.POST_DUPLICATE.format(id=duplicate.id, title=duplicate.title)
    return _publish(ctx, org, draft)


@router.command("确认发布", Role.ANY_ADMIN, usage="确认发布", takes=Takes.NOTHING)
def confirm_post(ctx: Context) -> Reply:
    """确认再发一次一天内发过的相同内容"""
    held = take_pending_post(ctx.session, ctx.member, ctx.now)
    if held is None:
        return texts.POST_NOTHING_PENDING
    return _publish(ctx, *held)


@router.command("推送", Role.ANY_ADMIN, usage="推送 <编号>", takes=Takes.NUMBER)
def push(ctx: Context) -> Reply:
    """马上通知大家学习某一期（不等到早上8点）"""
    number = _item_number(ctx)
    if number is None:
        return texts.PUSH_USAGE
    item = push_now(ctx.session, posting_org(ctx.session, ctx.member), number, ctx.now)
    return texts.PUSH_OK.format(id=item.id, title=item.title)


def render_item(item: StudyItem, prefix: str = "") -> Reply:
    """A news reply when the item has a link, text otherwise."""
    if item.link:
        description = f"{prefix}{item.summary}\n{texts.STUDY_NEWS_FOOTER}".strip()
        return News([Article(title=texts.STUDY_NEWS_TITLE.format(id=item.id, title=item.title),
                             description=description, url=item.link)])
    media = texts.STUDY_MEDIA_LINE.format(link=item.media_link) if item.media_link else ""
    return prefix + texts.STUDY_TEXT.format(id=item.id, title=item.title, body=item.body,
                                            link="", media=media)


def _item_number(ctx: Context) -> int | None:
    """The 编号 argument (ASCII digits, bounded); DomainError if it is not a number."""
    if not ctx.args:
        return None
    word = ctx.args[0]
    if not word.isdigit():  # "第12期", "12期", "No.12": the number in it
        word = "".join(NUMBER_IN_WORD.findall(word)[:1])
    if not (word.isascii() and word.isdigit()) or len(word) > MAX_NUMBER_DIGITS:
        raise DomainError("STUDY_BAD_NUMBER")
    return int(word)


@router.command("学习", Role.MEMBER, usage="学习 [编号]", takes=Takes.NUMBER)
def study(ctx: Context) -> Reply:
    """今天的学习内容（「学习 编号」看以前的）"""
    caller = ctx.bound_caller
    number = _item_number(ctx)
    if number is not None:
        item = visible_item(ctx.session, caller.branch_id, number, ctx.now)
        remember_view(ctx.session, caller.member_id, item.id, ctx.now)
        return render_item(item)
    reading = item_to_read(ctx.session, caller.branch_id, caller.member_id, ctx.now, ctx.tz)
    if reading.item is not None:
        return render_item(reading.item, texts.STUDY_OLD_UNREAD if reading.older_unread else "")
    if reading.newest_id is not None:
        return texts.STUDY_NOTHING_NEW.format(id=reading.newest_id)
    return texts.STUDY_NOTHING_AT_ALL


@router.command("已学", Role.MEMBER, usage="已学 [编号]", takes=Takes.NUMBER)
def studied(ctx: Context) -> Reply:
    """学完了：记下这一期（之后10分钟内可以发照片或语音作为心得）"""
    caller = ctx.bound_caller
    number = _item_number(ctx)
    item = visible_item(ctx.session, caller.branch_id, number, ctx.now) if number is not None \
        else item_meant_by_studied(ctx.session, caller.branch_id, caller.member_id, ctx.now,
                                   ctx.tz)
    if item is None:
        return texts.STUDY_NOTHING_AT_ALL
    if not record_study(ctx.session, item, caller.member_id, ctx.now):
        return texts.STUDIED_ALREADY.format(title=item.title)
    return texts.STUDIED_OK.format(title=item.title)


def feedback_of(ctx: Context, kind: str) -> Feedback:
    """What the message carries as feedback (a photo, a voice message or words)."""
    message = ctx.message
    # In sandbox mode there is no media download; the picture's URL is the content.
    return Feedback(kind, message.content if kind == "text"
                    else message.get("Recognition") or None,
                    message.get("MediaId") or None, message.get("PicUrl") or None)


def _in_feedback_window(ctx: Context) -> bool:
    caller = ctx.caller
    return caller is not None and recent_record_for_feedback(
        ctx.session, caller.member_id, ctx.now) is not None


def _feedback_words(ctx: Context) -> bool:
    """Words that are a 心得: within the window, and neither a question nor small talk
    (commands never reach here: the dispatcher ran them)."""
    return is_reflection(ctx.text) and _in_feedback_window(ctx)


def _feedback_voice(ctx: Context) -> bool:
    heard = ctx.message.get("Recognition")
    return (not heard or is_reflection(ctx.text)) and _in_feedback_window(ctx)


def _keep_feedback(ctx: Context, kind: str) -> Reply:
    record = recent_record_for_feedback(ctx.session, ctx.bound_caller.member_id, ctx.now)
    if record is None:  # the window closed between the check and now
        return None
    pieces = attach_feedback(ctx.session, record, feedback_of(ctx, kind), ctx.now)
    if pieces > 1:
        return texts.FEEDBACK_MORE.format(title=record.item.title, count=pieces)
    return texts.FEEDBACK_OK.format(title=record.item.title)


@router.message("image", Role.MEMBER, when=_in_feedback_window)
def image_feedback(ctx: Context) -> Reply:
    """A photo right after 已学 is kept as proof of study."""
    return _keep_feedback(ctx, "image")


@router.message("voice", Role.MEMBER, when=_feedback_voice)
def voice_feedback(ctx: Context) -> Reply:
    """A voice message right after 已学 is kept as proof of study."""
    return _keep_feedback(ctx, "voice")


@router.message("text", Role.MEMBER, when=_feedback_words)
def text_feedback(ctx: Context) -> Reply:
    """A few words right after 已学 are kept as the member's reflections."""
    return _keep_feedback(ctx, "text")


@router.command("我的", Role.MEMBER, usage="我的", takes=Takes.NOTHING)
def my_record(ctx: Context) -> Reply:
    """我今年的学习和参会记录"""
    record = year_record(ctx.session, ctx.member, ctx.now, ctx.tz)
    return texts.MY_RECORD.format(name=ctx.member.name, year=record.year,
                                  studies=record.studies, streak=record.streak,
                                  meetings=record.meetings)


@router.command("未学", Role.ADMIN, usage="未学", takes=Takes.NOTHING)
def not_studied(ctx: Context) -> Reply:
    """本周发布的内容，本支部还有谁没学"""
    branch = ctx.member.branch
    progress = progress_this_week(ctx.session, branch.id, ctx.now, ctx.tz)
    if not progress:
        return texts.UNSTUDIED_NONE
    lines = [texts.UNSTUDIED_HEADER.format(branch=branch.name)]
    for entry in progress:
        names = texts.UNSTUDIED_NAMES.format(names=names_list(entry.missing, 20)) \
            if entry.missing else ""
        lines.append(texts.UNSTUDIED_ITEM.format(title=entry.item.title, done=entry.done,
                                                 total=entry.total, names=names))
    return "\n".join(lines)
