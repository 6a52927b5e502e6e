"""帮助 and the catch-all. This router is included last."""

from __future__ import annotations

from core import texts, words
from core.conversation import question_topic, quoted, tidy_quotes
from handlers.router import Context, Reply, Role, Router, Takes
from models.delivery.reply_rest import read_secret_rest, take_rest
from models.study.queries import recent_record_for_feedback

router = Router("general")


@router.command("帮助", Role.ANYONE, usage="帮助", takes=Takes.TOPIC)
def show_help(ctx: Context) -> Reply:
    """查看你可以使用的命令（「帮助 签到」看某个命令）"""
    if not ctx.args:
        return ctx.dispatcher.help_text(ctx)
    if ctx.args[0] == words.HELP_ALL:
        return ctx.dispatcher.help_text(ctx, everything=True)
    topic = ctx.dispatcher.read(ctx.args[0]).word or question_topic(ctx.args[0])
    route = ctx.dispatcher.by_word.get(topic or "")
    if route is None:
        return texts.HELP_NO_TOPIC.format(topic=ctx.args[0][:10])
    return ctx.dispatcher.topic_help(route)


@router.command("更多", Role.ANYONE, usage="更多", takes=Takes.NOTHING)
def more(ctx: Context) -> Reply:
    """看长消息后面的部分"""
    rest = take_rest(ctx.session, ctx.openid, ctx.now)
    secret = read_secret_rest(rest) if rest else None
    if secret is not None:  # a secret reply's rest: made again, from where it stopped
        return _secret_more(ctx, *secret)
    return rest if rest else texts.MORE_NOTHING


def _secret_more(ctx: Context, command: str, shown: int) -> Reply:
    route = ctx.dispatcher.command_for(ctx, command)
    if route is None:
        return texts.MORE_NOTHING
    ctx.word, ctx.args = command, []
    again = route.run(ctx)
    if not isinstance(again, str) or not ctx.secret_reply:
        return again
    left = tidy_quotes(again)[shown:]
    page = left.lstrip("\n")
    ctx.secret_shown, ctx.secret_command = shown + len(left) - len(page), command
    return page or texts.MORE_NOTHING


@router.fallback()
def not_understood(ctx: Context) -> Reply:
    """Any other text: say so, and point to 帮助."""
    if not quoted(ctx.text):  # "？", "??", "。": nothing to quote back; offer help
        return texts.EMPTY_MESSAGE_HELP + ctx.dispatcher.help_text(ctx)
    shown = ctx.text if len(ctx.text) <= 20 else ctx.text[:20] + "…"
    return texts.NOT_UNDERSTOOD.format(text=shown) + _not_kept_hint(ctx)


def _not_kept_hint(ctx: Context) -> str:
    """Right after 已学, words that did not read as a 心得 were not kept: say how to
    leave one, in case that is what they were."""
    caller = ctx.caller
    if caller is None or recent_record_for_feedback(ctx.session, caller.member_id,
                                                    ctx.now) is None:
        return ""
    return texts.FEEDBACK_NOT_KEPT_HINT
