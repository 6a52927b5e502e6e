"""请假 in chat: with a 签到码, without one (the member's one coming meeting), and said
in sentences ("我今天去不了了，家里有事"), which the bot asks back before recording:
"请假参加 <会议> 吗？原因：… 回复「是」确认". Every leave is recorded by
models.meetings.actions.ask_leave, whichever way it was asked.

The text routes here come right after the meetings router's, before the 心得 window and
small talk: "我不去了" ten minutes after 已学 is a leave, and 「是」 answers our question.
"""

from __future__ import annotations

from core import texts, words
from core.conversation import (
    answers_no,
    answers_yes,
    is_question,
    leave_said,
    said_day,
    small_talk_kind,
)
from core.notices import meeting_fields
from handlers.args import open_meeting
from handlers.router import Context, Reply, Role, Router
from models.meetings.actions import ask_leave
from models.meetings.attendance import Outcome, attendance_of
from models.meetings.leave_proposals import (
    LeaveProposal,
    drop_proposal,
    leave_candidates,
    propose_leave,
    waiting_proposal,
)
from models.meetings.queries import upcoming_for
from models.meetings.tables import AttendanceStatus, Meeting, Method
from models.pairing.queries import members_of

router = Router("leave")


@router.command("请假", Role.MEMBER, usage="请假 <签到码> <原因>")
def leave(ctx: Context) -> Reply:
    """不能参会时请假，要写明原因"""
    if not ctx.args or not ctx.args[0].isdigit():
        return _leave_without_code(ctx)
    if len(ctx.args) < 2:
        return texts.LEAVE_USAGE
    return _record(ctx, open_meeting(ctx, ctx.args[0]), ctx.rest(1))


def _record(ctx: Context, meeting: Meeting, reason: str) -> Reply:
    outcome = ask_leave(ctx.session, ctx.me.actor, meeting, ctx.me.member, reason, Method.CODE,
                        ctx.now)
    drop_proposal(ctx.session, ctx.me.member_id)
    if outcome is Outcome.ALREADY:
        return texts.LEAVE_ALREADY.format(reason=reason)
    return texts.LEAVE_OK.format(reason=reason, **meeting_fields(meeting, ctx.tz))


def _leave_without_code(ctx: Context) -> Reply:
    """请假 <原因> or 请假 alone: the one meeting it can be for is asked for at once (with
    a reason) or asked back (without); several are listed with their codes."""
    if any(arg in words.PLACEHOLDER_NAMES for arg in ctx.args):
        return texts.LEAVE_USAGE  # help's "请假 签到码 原因" copied word for word
    reason = ctx.rest(0) or None
    meeting = _the_one_meeting(ctx, said_day(reason or ""), reason)
    if not isinstance(meeting, Meeting):
        return meeting
    if reason is None:
        return _propose(ctx, meeting, None)
    return _record(ctx, meeting, reason)


def _the_one_meeting(ctx: Context, day: int | None, reason: str | None) -> Meeting | str:
    """The member's one meeting a leave is for, or what to say instead (none, several)."""
    member = ctx.me.member
    meetings = leave_candidates(ctx.session, member, ctx.now, ctx.tz, day)
    if len(meetings) == 1:
        return meetings[0]
    if not meetings:
        others = upcoming_for(ctx.session, member, ctx.now) if day is not None else []
        if not others:
            return texts.LEAVE_NO_MEETING
        return "\n".join([texts.LEAVE_NO_MEETING_THAT_DAY, *_lines(ctx, others)])
    example = reason or texts.LEAVE_REASON_EXAMPLE
    first = texts.LEAVE_WHICH.format(code=meetings[0].code, reason=example)
    return "\n".join([first, *_lines(ctx, meetings)])


def _lines(ctx: Context, meetings: list[Meeting]) -> list[str]:
    return [texts.LEAVE_WHICH_LINE.format(**meeting_fields(m, ctx.tz)) for m in meetings]


def _propose(ctx: Context, meeting: Meeting, reason: str | None) -> Reply:
    record = attendance_of(ctx.session, meeting, ctx.me.member)
    if record is not None and record.status == AttendanceStatus.PRESENT:
        return texts.LEAVE_AFTER_CHECKIN  # asking for a 「是」 the action would refuse
    propose_leave(ctx.session, ctx.me.member, meeting, reason, ctx.now)
    fields = meeting_fields(meeting, ctx.tz)
    if reason is None:
        return texts.LEAVE_ASK_REASON.format(**fields)
    return texts.LEAVE_PROPOSE.format(reason=reason, **fields)


def _says_leave(ctx: Context) -> bool:
    return ctx.caller is not None and leave_said(_said(ctx)) is not None


def _said(ctx: Context) -> str:
    """The words as typed, or as WeChat heard them (a voice message has no Content)."""
    return ctx.reading.original if ctx.reading is not None else ctx.text


@router.message("text", Role.MEMBER, when=_says_leave)
def leave_in_words(ctx: Context) -> Reply:
    """"我想请个假", "身体不舒服来不了": ask back which meeting, with the reason heard."""
    said = leave_said(_said(ctx))
    assert said is not None  # the route's condition
    if ctx.me.is_helper:  # "赵大爷今天来不了": the member they help, not themselves
        named = [m.name for m in members_of(ctx.session, ctx.me.member_id)
                 if m.name in _said(ctx)]
        if named:
            return texts.LEAVE_FOR_HELPED.format(name=named[0])
    meeting = _the_one_meeting(ctx, said.day, said.reason)
    if not isinstance(meeting, Meeting):
        return meeting
    return _propose(ctx, meeting, said.reason)


def _waiting(ctx: Context) -> LeaveProposal | None:
    if ctx.caller is None:
        return None
    return waiting_proposal(ctx.session, ctx.caller.member_id, ctx.now)


def _answers_proposal(ctx: Context) -> bool:
    return (answers_yes(ctx.text) or answers_no(ctx.text)) and _waiting(ctx) is not None


@router.message("text", Role.MEMBER, when=_answers_proposal)
def answer_proposal(ctx: Context) -> Reply:
    """「是」 records the leave the bot asked about; 「不」 forgets it."""
    proposal = _waiting(ctx)
    assert proposal is not None  # the route's condition
    meeting = ctx.session.get(Meeting, proposal.meeting_id)
    assert meeting is not None  # waiting_proposal checked it
    if answers_no(ctx.text):
        drop_proposal(ctx.session, proposal.member_id)
        return texts.LEAVE_NOT_ASKED
    if proposal.reason is None:
        return texts.LEAVE_ASK_REASON.format(**meeting_fields(meeting, ctx.tz))
    return _record(ctx, meeting, proposal.reason)


def _gives_reason(ctx: Context) -> bool:
    """Words after "请说一下原因": not small talk, not a question."""
    said = _said(ctx).strip()
    if len(said) < 2 or small_talk_kind(said) is not None or is_question(said):
        return False
    proposal = _waiting(ctx)
    return proposal is not None and proposal.reason is None


@router.message("text", Role.MEMBER, when=_gives_reason)
def reason_for_leave(ctx: Context) -> Reply:
    """The reason asked for: ask once more, with it, before recording."""
    proposal = _waiting(ctx)
    meeting = ctx.session.get(Meeting, proposal.meeting_id) if proposal else None
    if meeting is None:  # gone between the check and now
        return texts.LEAVE_NO_MEETING
    return _propose(ctx, meeting, _said(ctx).strip())
