"""Everything said that is not a command: small talk, questions, voice, photos and
links outside the 心得 window. Each gets a short answer with the member's most useful
next step; a question no help answers goes to the branch admin's queue.

This router comes after the feature routers (their windows take photos, voice and
words first) and before the catch-all.
"""

from __future__ import annotations

from core import texts, words
from core.conversation import (
    asks_question,
    asks_what_to_do,
    chat_kind,
    question_topic,
    quoted,
)
from core.notices import meeting_fields
from handlers.router import Context, Reply, Role, Router
from models.meetings.attendance import attendance_of
from models.meetings.queries import open_for_check_in, upcoming_for
from models.meetings.tables import CHECK_IN_OPENS, AttendanceStatus
from models.meetings.upcoming import upcoming_with_records
from models.members.queries import branch_admin_names
from models.pairing.relay_items import current_relays
from models.questions.actions import ask_question
from models.study.queries import unread_count, unread_item

router = Router("conversation")


def next_step(ctx: Context) -> str:
    """The one thing this person would most likely want to do now."""
    caller = ctx.caller
    if caller is None:
        return texts.NEXT_BIND
    member = ctx.me.member
    open_now = [meeting for meeting in open_for_check_in(ctx.session, member, ctx.now)
                if attendance_of(ctx.session, meeting, member) is None]
    if open_now:
        return texts.NEXT_CHECK_IN.format(**meeting_fields(open_now[0], ctx.tz))
    if caller.is_helper:
        waiting = current_relays(ctx.session, ctx.now, [caller.member_id])
        if waiting:
            return texts.NEXT_RELAYS.format(count=len(waiting))
    unread = unread_item(ctx.session, caller.branch_id, caller.member_id, ctx.now)
    if unread is not None:
        return texts.NEXT_STUDY.format(title=unread.title)
    upcoming = upcoming_for(ctx.session, member, ctx.now, limit=1)
    if upcoming:
        return texts.NEXT_MEETING.format(**meeting_fields(upcoming[0], ctx.tz))
    return texts.NEXT_HELP


def _is_small_talk(ctx: Context) -> bool:
    return chat_kind(ctx.text) is not None


@router.message("text", Role.ANYONE, when=_is_small_talk)
def small_talk(ctx: Context) -> Reply:
    """Greetings, thanks, "收到", "吃了吗", emoji: one friendly line and the next step
    (never the admin's queue)."""
    kind = chat_kind(ctx.text) or "ack"
    answer = texts.SMALL_TALK_ANSWERS.get(kind) or texts.SMALL_TALK_MORE_ANSWERS[kind]
    return answer + next_step(ctx)


def _asks_what_to_do(ctx: Context) -> bool:
    return asks_what_to_do(ctx.text)


@router.message("text", Role.ANYONE, when=_asks_what_to_do)
def what_to_do(ctx: Context) -> Reply:
    """"我该干什么": what is open for this member now — meetings, study, relays — rather
    than a question for the admin."""
    caller = ctx.caller
    if caller is None:
        return texts.NEXT_BIND
    lines = [texts.TODO_HEADER]
    meetings = upcoming_with_records(ctx.session, caller.member_id, ctx.now, limit=3)
    for meeting, status in meetings:
        fields = meeting_fields(meeting, ctx.tz)
        if status is None and meeting.starts_at - CHECK_IN_OPENS <= ctx.now:
            lines.append(texts.TODO_CHECK_IN.format(**fields))
            continue
        state = "" if status is None else texts.TODO_MEETING_STATE.format(
            state=words.MY_STATE_PRESENT if status == AttendanceStatus.PRESENT
            else words.MY_STATE_LEAVE)
        lines.append(texts.TODO_MEETING.format(state=state, **fields))
    if caller.is_helper:
        waiting = current_relays(ctx.session, ctx.now, [caller.member_id])
        if waiting:
            lines.append(texts.TODO_RELAYS.format(count=len(waiting)))
    unread = unread_item(ctx.session, caller.branch_id, caller.member_id, ctx.now)
    if unread is not None:
        count = unread_count(ctx.session, caller.branch_id, caller.member_id, ctx.now)
        lines.append(texts.TODO_STUDY_MORE.format(title=unread.title, count=count)
                     if count > 1 else texts.TODO_STUDY.format(title=unread.title))
    if len(lines) == 1:
        return texts.TODO_NOTHING
    if meetings:
        lines.append(texts.TODO_MEETINGS_FOOTER)
    return "\n".join(lines)


def _is_question(ctx: Context) -> bool:
    return asks_question(ctx.text)


@router.message("text", Role.ANYONE, when=_is_question)
def question(ctx: Context) -> Reply:
    """A question: answered from the commands' help, or passed to the branch admin."""
    # as typed, or as WeChat heard it (a voice message has no Content)
    asked = ctx.reading.original if ctx.reading is not None else ctx.message.content
    return answer_question(ctx, asked)


def answer_question(ctx: Context, asked: str) -> Reply:
    """The answer to `asked`: run a read-only command it is about, the help of the
    command it names, or forward it to the admin's queue (bound members)."""
    topic = question_topic(asked)
    route = ctx.dispatcher.by_word.get(topic) if topic else None
    caller = ctx.caller
    if route is not None and route.role.allows(caller):
        if topic in words.QUESTION_RUNS:
            ctx.word, ctx.args = route.key, []
            return route.run(ctx)
        return ctx.dispatcher.topic_help(route)
    if caller is None:
        return texts.QUESTION_NEED_BINDING
    ask_question(ctx.session, ctx.me.actor, caller.member_id, caller.branch_id, asked, ctx.now)
    names = branch_admin_names(ctx.session, caller.branch_id)
    if not names:  # "支部管理员（支部管理员）" said nothing: say who will see it
        return texts.QUESTION_FORWARDED_NO_ADMIN
    return texts.QUESTION_FORWARDED.format(admins=words.LIST_SEP.join(names))


@router.message("voice", Role.ANYONE)
def voice(ctx: Context) -> Reply:
    """A voice message that is not a command (those ran already) and not a 心得: say
    what was heard and how to go on."""
    heard = (ctx.message.get("Recognition") or "").strip()
    if not heard:
        return texts.VOICE_NOT_RECOGNISED
    said = texts.VOICE_HEARD.format(text=quoted(heard)[:60])
    # a 签到码 alone ("六四七三"), small talk or a question, as if typed
    answer = ctx.dispatcher.answer_text_routes(ctx)
    if answer is not None:
        return said + "\n" + answer if isinstance(answer, str) else answer
    # not "这不是一条命令": say what can be said instead
    return said + "\n" + (texts.VOICE_WHAT_YOU_CAN_SAY if ctx.caller is not None
                   else texts.VOICE_WHAT_STRANGERS_CAN_SAY)


@router.message("image", Role.ANYONE)
def photo(ctx: Context) -> Reply:
    """A photo outside any window: say where photos count."""
    return texts.PHOTO_OUTSIDE_WINDOW if ctx.caller is not None else texts.NEXT_BIND


@router.message("video", Role.ANYONE)
@router.message("shortvideo", Role.ANYONE)
def video(ctx: Context) -> Reply:
    """A video: kept nowhere; say so."""
    return texts.VIDEO_RECEIVED + next_step(ctx)


@router.message("link", Role.ANYONE)
def link(ctx: Context) -> Reply:
    """A forwarded article from a member: thank them, say how content is posted."""
    return texts.LINK_FROM_MEMBER + next_step(ctx)


__all__ = ["answer_question", "next_step", "router"]
