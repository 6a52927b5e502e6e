"""Posting study content: 发布 in one message or over several (a draft: 预览, 发送,
取消), a forwarded article offered as a post, 确认发布, 推送 and 撤回.

While an admin has a draft open, every text that is not one of the draft's own words
(预览 发送 取消 帮助 更多 发布) goes into it — a body line may well start with a
command word ("学习党章第一章") — and photos and forwarded articles join it too. The
open-draft reply says so, and a line that would have been a command says it was kept
as text.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from core import texts, words
from core.localtime import when
from handlers.args import item_number
from handlers.router import Context, DomainError, Reply, Role, Router, Takes
from models.delivery.outbox import Notice
from models.members.org_tables import Org
from models.study.actions import (
    Published,
    PushTimes,
    publish_held,
    publish_post,
    push_item_now,
    withdraw_item,
)
from models.study.drafts import (
    Addition,
    PostDraft,
    add_image,
    add_to_draft,
    current_draft,
    drop_draft,
    open_draft,
    send_draft,
)
from models.study.posting import URL, Draft, checked_link, make_draft, posting_org
from models.study.rendering import photos_promise, published_sentence, withdrawn_sentence
from models.study.tables import LINK_MAX, TITLE_MAX

router = Router("posting")

UNSAFE_SCHEME = re.compile(r"^(javascript|data|vbscript|file|ftp|about):", re.IGNORECASE)
SCHEDULE = re.compile(rf"^{words.POST_SCHEDULE}\s*(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}})"
                      r"\s+(\d{1,2}):(\d{2})$")


def read_post_lines(lines: list[str], ctx: Context) -> Addition:
    """Body lines, a link, 视频/音频, 来源 and 定时 in the lines of a post.

    Labels and links are recognised in the normalised form; the body is kept exactly
    as typed ("，" stays "，").
    """
    body: list[str] = []
    link = media_link = source = None
    publish_at: datetime | None = None
    for original in (line.strip() for line in lines):
        if not original:
            continue
        line = unicodedata.normalize("NFKC", original)
        label, _, value = line.partition(":")
        if URL.match(line) and link is None:
            link = line
        elif UNSAFE_SCHEME.match(line):
            raise DomainError("POST_BAD_LINK", link=line[:60], limit=LINK_MAX)
        elif label in (words.POST_VIDEO, words.POST_AUDIO) and value.strip():
            media_link = value.strip()
        elif label == words.POST_SOURCE and value.strip():
            source = original[_colon_at(original) + 1:].strip()
        elif match := SCHEDULE.match(line):
            publish_at = _scheduled(match, line, ctx)
        else:
            body.append(original)
    return Addition(tuple(body), link, media_link, source, publish_at)


def _scheduled(match: re.Match[str], line: str, ctx: Context) -> datetime:
    year, month, day_, hour, minute = (int(part) for part in match.groups())
    try:
        moment = datetime(year, month, day_, hour, minute, tzinfo=ctx.tz)
    except ValueError:
        raise DomainError("POST_BAD_TIME", text=line) from None
    if moment <= ctx.now:
        raise DomainError("POST_BAD_TIME", text=line)
    return moment


def parse_post(raw: str, ctx: Context) -> Draft:
    """The post in a one-message 发布: title line, then body, link and labels."""
    raw_lines = raw.splitlines() or [""]
    title = _title_on_first_line(raw_lines[0], ctx)
    rest = [line for line in raw_lines[1:] if line.strip()]
    if not title and rest:
        title = rest.pop(0).strip()
    parts = read_post_lines(rest, ctx)
    return make_draft(title, "\n".join(parts.body_lines), ctx.now, parts.link,
                      parts.media_link, parts.source, parts.publish_at)


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


def _push_times(ctx: Context) -> PushTimes:
    return PushTimes(ctx.tz, ctx.settings.study_push_time)


def _published(ctx: Context, org: Org, published: Published,
               duplicate_sentence: str) -> Reply:
    """The reply to a publish: the one "published" sentence, or the repeat it was."""
    if published.item is None:
        assert published.duplicate is not None
        return duplicate_sentence.format(id=published.duplicate.id,
                                         title=published.duplicate.title)
    return published_sentence(published.item, org.name, ctx.now, ctx.tz)


@router.command("发布", Role.ANY_ADMIN, usage="发布 <标题>（正文可以接着发）")
def post(ctx: Context) -> Reply:
    """发布学习内容给本支部（乡镇、县管理员发给下面所有支部）"""
    raw = ctx.message.content if ctx.message.msg_type == "text" else ctx.text
    org = posting_org(ctx.session, ctx.me.member)
    title = _title_on_first_line((raw.splitlines() or [""])[0], ctx)
    if title and sum(1 for line in raw.splitlines() if line.strip()) == 1:
        # Enter sent the title alone: the rest follows in the next messages
        open_draft(ctx.session, ctx.me.actor, ctx.me.member, org.id, title, ctx.now, ctx.outbox)
        return texts.DRAFT_OPENED.format(title=title)
    open_ = current_draft(ctx.session, ctx.me.member.id, ctx.now)
    if open_ is not None:
        raise DomainError("DRAFT_ALREADY_OPEN", title=open_.title)
    published = publish_post(ctx.session, ctx.me.actor, org, parse_post(raw, ctx), ctx.now,
                             _push_times(ctx), author=ctx.me.member, hold_repeat=True)
    return _published(ctx, org, published, texts.POST_DUPLICATE)


def _draft(ctx: Context) -> PostDraft:
    draft = current_draft(ctx.session, ctx.me.member.id, ctx.now)
    if draft is None:
        raise DomainError("DRAFT_NONE")
    return draft


def _is_poster(ctx: Context) -> bool:
    return Role.ANY_ADMIN.allows(ctx.caller)


def _writing(ctx: Context) -> bool:
    """An admin with a draft open, and a message that is not one of the draft's words."""
    return _is_poster(ctx) and ctx.word not in words.DRAFT_WORDS \
        and current_draft(ctx.session, ctx.me.member_id, ctx.now) is not None


def _summary(draft: PostDraft) -> str:
    parts = [texts.DRAFT_SUMMARY_BODY.format(count=len(draft.body))] if draft.body else []
    if draft.images:
        parts.append(texts.DRAFT_SUMMARY_IMAGES.format(count=len(draft.images)))
    if draft.link:
        parts.append(texts.DRAFT_SUMMARY_LINK)
    return words.LIST_SEP.join(parts) or texts.DRAFT_SUMMARY_EMPTY


@router.capture(Role.ANY_ADMIN, when=_writing)
def draft_text(ctx: Context) -> Reply:
    """Text while a draft is open: it joins the draft."""
    draft = _draft(ctx)
    typed = ctx.message.content.strip()
    if ctx.word and not ctx.args:  # a command word alone is never a line of a post
        return texts.DRAFT_COMMAND_NOT_ADDED.format(title=draft.title, text=typed[:20])
    add_to_draft(draft, read_post_lines(ctx.message.content.splitlines(), ctx), ctx.now)
    reply = texts.DRAFT_ADDED.format(title=draft.title, summary=_summary(draft))
    if ctx.word:  # it read as a command: say why it did not run
        reply += texts.DRAFT_ADDED_COMMAND.format(text=typed[:20])
    return reply


@router.message("image", Role.ANY_ADMIN, when=_writing)
def draft_image(ctx: Context) -> Reply:
    """A photo while a draft is open: it becomes one of the item's photos."""
    draft = _draft(ctx)
    add_image(ctx.session, draft, ctx.message.get("MediaId") or None,
              ctx.message.get("PicUrl") or None, ctx.now)
    return texts.DRAFT_ADDED.format(title=draft.title, summary=_summary(draft))


def _forwarded(ctx: Context) -> tuple[str, str, str]:
    """(title, link, description) of a forwarded article (a link message)."""
    message = ctx.message
    title = " ".join(message.get("Title").split())[:TITLE_MAX] or texts.LINK_UNTITLED
    return title, checked_link(message.get("Url")), message.get("Description").strip()


@router.message("link", Role.ANY_ADMIN, when=_writing)
def draft_link(ctx: Context) -> Reply:
    """A forwarded article while a draft is open: it becomes the item's link."""
    draft = _draft(ctx)
    _, link, _ = _forwarded(ctx)
    add_to_draft(draft, Addition(link=link), ctx.now)
    return texts.DRAFT_ADDED.format(title=draft.title, summary=_summary(draft))


@router.message("link", Role.ANY_ADMIN, when=_is_poster)
def offered_link(ctx: Context) -> Reply:
    """A forwarded article from an admin: offered as a post (a draft to 发送)."""
    title, link, description = _forwarded(ctx)
    org = posting_org(ctx.session, ctx.me.member)
    draft = open_draft(ctx.session, ctx.me.actor, ctx.me.member, org.id, title, ctx.now, ctx.outbox)
    add_to_draft(draft, Addition(body_lines=(description,) if description else (), link=link),
                 ctx.now)
    return texts.LINK_OFFER.format(title=title, org=org.name)


@router.command("预览", Role.ANY_ADMIN, usage="预览", takes=Takes.NOTHING)
def preview(ctx: Context) -> Reply:
    """看一看正在写的内容"""
    draft = _draft(ctx)
    org = draft.org
    lines = [texts.DRAFT_PREVIEW_HEADER.format(org=org.name if org else "", title=draft.title)]
    lines += [value for value in (draft.body, draft.link) if value]
    if draft.media_link:
        lines.append(texts.STUDY_MEDIA_LINE.format(link=draft.media_link).strip())
    if draft.publish_at is not None:
        lines.append(f"{words.POST_SCHEDULE} {when(draft.publish_at, ctx.tz)}")
    images = ""
    if draft.images:  # and what members will get of them
        by_template = ctx.outbox.template_of(Notice("study_push", "")) is not None
        images = texts.DRAFT_PREVIEW_IMAGES.format(count=len(draft.images)) + "\n" \
            + photos_promise(draft.link, draft.images, by_template)
    return "\n".join(lines) + images + texts.DRAFT_PREVIEW_FOOTER


@router.command("发送", Role.ANY_ADMIN, usage="发送", takes=Takes.NOTHING)
def send(ctx: Context) -> Reply:
    """发布正在写的内容"""
    draft = _draft(ctx)
    org, published = send_draft(
        ctx.session, ctx.me.actor, draft, ctx.me.member, ctx.now, _push_times(ctx),
        when(draft.publish_at, ctx.tz) if draft.publish_at else "")
    return _published(ctx, org, published, texts.DRAFT_DUPLICATE)


@router.command("取消", Role.ANY_ADMIN, usage="取消", takes=Takes.NOTHING)
def cancel(ctx: Context) -> Reply:
    """不发正在写的内容了"""
    draft = _draft(ctx)
    title = draft.title
    drop_draft(ctx.session, draft)
    return texts.DRAFT_CANCELLED.format(title=title)


@router.command("确认发布", Role.ANY_ADMIN, usage="确认发布", takes=Takes.NOTHING)
def confirm_post(ctx: Context) -> Reply:
    """确认再发一次一天内发过的相同内容"""
    held = publish_held(ctx.session, ctx.me.actor, ctx.me.member, ctx.now, _push_times(ctx))
    if held is None:
        return texts.POST_NOTHING_PENDING
    return _published(ctx, *held, texts.POST_DUPLICATE)


@router.command("推送", Role.ANY_ADMIN, usage="推送 <编号>", takes=Takes.NUMBER)
def push(ctx: Context) -> Reply:
    """马上通知大家学习某一期（不等到早上8点）"""
    number = item_number(ctx)
    if number is None:
        return texts.PUSH_USAGE
    item = push_item_now(ctx.session, ctx.me.actor, posting_org(ctx.session, ctx.me.member), number,
                         ctx.now)
    return texts.PUSH_OK.format(id=item.id, title=item.title)


@router.command("撤回", Role.ANY_ADMIN, usage="撤回 <编号>", takes=Takes.NUMBER)
def withdraw(ctx: Context) -> Reply:
    """撤回发错的一期（没学的人不再收到）"""
    number = item_number(ctx)
    if number is None:
        return texts.WITHDRAW_USAGE
    done = withdraw_item(ctx.session, ctx.me.actor, posting_org(ctx.session, ctx.me.member), number,
                         ctx.now)
    return withdrawn_sentence(done.item, done.dropped)
