"""Study in chat: 学习, 已学 with feedback, 我的, 未学 (posting is handlers.posting)."""

from __future__ import annotations

from core import texts
from core.conversation import could_be_reflection, reads_as_reflection
from core.notices import names_list
from handlers.args import feedback_of, item_number
from handlers.router import Context, News, Reply, Role, Router, Takes
from models.study.actions import give_feedback, mark_studied, withdraw_feedback
from models.study.hot_statements import ItemText
from models.study.queries import recent_record_for_feedback, visible_item
from models.study.records import item_meant_by_studied, item_to_read, remember_view
from models.study.rendering import item_message
from models.study.reports import progress_this_week, year_record
from models.study.tables import StudyItem

router = Router("study")


def render_item(item: StudyItem | ItemText, prefix: str = "") -> Reply:
    """The item as a chat reply (models.study.rendering: the console shows the same)."""
    message = item_message(item, prefix)
    return message if isinstance(message, str) else News(message.articles)


@router.command("学习", Role.MEMBER, usage="学习 [编号]", takes=Takes.NUMBER)
def study(ctx: Context) -> Reply:
    """今天的学习内容（「学习 编号」看以前的）"""
    caller = ctx.me
    number = item_number(ctx)
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
    caller = ctx.me
    number = item_number(ctx)
    item = visible_item(ctx.session, caller.branch_id, number, ctx.now) if number is not None \
        else item_meant_by_studied(ctx.session, caller.branch_id, caller.member_id, ctx.now,
                                   ctx.tz)
    if item is None:
        return texts.STUDY_NOTHING_AT_ALL
    if not mark_studied(ctx.session, ctx.me.actor, item, caller.member_id,
                        caller.branch_id, ctx.now):
        return texts.STUDIED_ALREADY.format(title=item.title)
    return texts.STUDIED_OK.format(title=item.title)


def _in_feedback_window(ctx: Context) -> bool:
    caller = ctx.caller
    return caller is not None and recent_record_for_feedback(
        ctx.session, caller.member_id, ctx.now) is not None


def _reads_as_reflection(ctx: Context) -> bool:
    """Within the window, words that read as a reflection on the item just studied (its
    own words, study words, or long enough) and not a question, small talk or a request
    (commands never reach here: the dispatcher ran them)."""
    caller = ctx.caller
    if caller is None:
        return False
    record = recent_record_for_feedback(ctx.session, caller.member_id, ctx.now)
    return record is not None and reads_as_reflection(ctx.text, record.item.title,
                                                      record.item.body or "")


def _feedback_words(ctx: Context) -> bool:
    # the words first: most text that reaches here is small talk or a question, and
    # needs no look-up of the member's 已学
    return could_be_reflection(ctx.text) and _reads_as_reflection(ctx)


def _feedback_voice(ctx: Context) -> bool:
    heard = ctx.message.get("Recognition")
    return _reads_as_reflection(ctx) if heard else _in_feedback_window(ctx)


def _keep_feedback(ctx: Context, kind: str) -> Reply:
    caller = ctx.me
    kept = give_feedback(ctx.session, ctx.me.actor, caller.member_id, caller.branch_id,
                         feedback_of(ctx, kind), ctx.now)
    if kept is None:  # the window closed between the check and now
        return None
    record, pieces = kept
    if pieces > 1:
        return texts.FEEDBACK_KEPT_MORE.format(title=record.item.title, count=pieces)
    return texts.FEEDBACK_KEPT.format(title=record.item.title)


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


@router.command("撤回心得", Role.MEMBER, usage="撤回心得", takes=Takes.NOTHING)
def withdraw_reflection(ctx: Context) -> Reply:
    """撤回刚发的学习心得（一天内）"""
    gone = withdraw_feedback(ctx.session, ctx.me.actor, ctx.me.member_id, ctx.me.branch_id,
                             ctx.now)
    if gone is None:
        return texts.FEEDBACK_NOTHING_TO_WITHDRAW
    what = texts.FEEDBACK_WITHDRAWN_TEXT.format(text=gone.text[:60]) if gone.text \
        else texts.FEEDBACK_WITHDRAWN_KINDS.get(gone.kind, gone.kind)
    return texts.FEEDBACK_WITHDRAWN.format(title=gone.title, what=what)


@router.command("我的", Role.MEMBER, usage="我的", takes=Takes.NOTHING)
def my_record(ctx: Context) -> Reply:
    """我今年的学习和参会记录"""
    record = year_record(ctx.session, ctx.me.member, ctx.now, ctx.tz)
    return texts.MY_RECORD.format(name=ctx.me.member.name, year=record.year,
                                  studies=record.studies, streak=record.streak,
                                  meetings=record.meetings)


@router.command("未学", Role.ADMIN, usage="未学", takes=Takes.NOTHING)
def not_studied(ctx: Context) -> Reply:
    """本周发布的内容，本支部还有谁没学"""
    branch = ctx.me.member.branch
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
