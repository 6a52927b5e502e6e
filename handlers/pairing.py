"""一帮一 in chat: 帮学 (list, confirm a relay), 代签, 代请假 for helpers;
结对 and 解除结对 for branch admins."""

from __future__ import annotations

from core import texts, words
from core.notices import meeting_fields
from handlers.args import feedback_of, open_meeting
from handlers.router import Context, Reply, Role, Router
from models.meetings.actions import Outcome, ask_leave, check_in
from models.meetings.tables import Method
from models.members.queries import find_member
from models.pairing.actions import confirm_relays, end_pair, keep_relay_proof, make_pair
from models.pairing.queries import helper_member, members_of
from models.pairing.relay_items import current_relays
from models.study.queries import recent_relay_record

router = Router("pairing")


@router.command("帮学", Role.HELPER, usage="帮学 [姓名 完成]")
def helping(ctx: Context) -> Reply:
    """我帮扶的党员和待转达的内容；转达后发「帮学 姓名 完成」"""
    if ctx.args:
        args = ctx.args
        if len(args) == 1 and args[0].endswith(words.DONE_WORD):  # "帮学 孙奶奶完成"
            args = [args[0].removesuffix(words.DONE_WORD), words.DONE_WORD]
        if len(args) != 2 or args[1] != words.DONE_WORD or not args[0]:
            return texts.PAIR_DONE_USAGE
        return confirm(ctx, args[0])
    members = members_of(ctx.session, ctx.me.member.id)
    if not members:
        return texts.PAIR_NONE
    lines = [texts.PAIR_LIST_HEADER]
    for member in members:
        # the same list as the daily message: what no longer matters is left out
        items = current_relays(ctx.session, ctx.now, [ctx.me.member.id], member.id)
        tasks = texts.PAIR_LIST_TASKS.format(
            count=len(items), items=words.ITEM_SEP.join(item.line(ctx.tz)
                                                        for item in items[:3])) \
            if items else texts.PAIR_LIST_NO_TASKS
        reason = texts.PAIR_LIST_REASON.format(reason=member.needs_help) \
            if member.needs_help else ""
        lines.append(texts.PAIR_LIST_LINE.format(name=member.name, reason=reason, tasks=tasks))
    return "\n".join(lines)


def confirm(ctx: Context, name: str) -> Reply:
    """帮学 <姓名> 完成: the helper passed things on; relays confirmed, the study recorded."""
    member = helper_member(ctx.session, ctx.me.member, name)
    done = confirm_relays(ctx.session, ctx.me.actor, ctx.me.member, member, ctx.now)
    if not done.anything:
        return texts.PAIR_DONE_NOTHING.format(name=member.name)
    what = [texts.PAIR_DONE_STUDY.format(title=done.item.title)] if done.item else []
    if done.notices:
        what.append(texts.PAIR_DONE_NOTICES.format(count=done.notices))
    return texts.PAIR_DONE_OK.format(name=member.name, what=words.AND.join(what))


def _relay_proof_window(ctx: Context) -> bool:
    caller = ctx.caller
    return caller is not None and caller.is_helper and recent_relay_record(
        ctx.session, caller.member_id, ctx.now) is not None


def _keep_proof(ctx: Context, kind: str) -> Reply:
    record = recent_relay_record(ctx.session, ctx.me.member_id, ctx.now)
    if record is None:
        return None
    keep_relay_proof(ctx.session, ctx.me.actor, record, feedback_of(ctx, kind), ctx.now)
    return texts.PAIR_PROOF_OK.format(name=record.member.name)


@router.message("image", Role.HELPER, when=_relay_proof_window)
def relay_photo(ctx: Context) -> Reply:
    """A photo right after 帮学 … 完成 is kept as proof of the relay."""
    return _keep_proof(ctx, "image")


@router.message("voice", Role.HELPER, when=_relay_proof_window)
def relay_voice(ctx: Context) -> Reply:
    """A voice message right after 帮学 … 完成 is kept as proof of the relay."""
    return _keep_proof(ctx, "voice")


@router.command("代签", Role.HELPER, usage="代签 <姓名> <签到码>")
def proxy_check_in(ctx: Context) -> Reply:
    """替我帮扶的党员签到（签到时间内）"""
    if len(ctx.args) != 2:
        return texts.PROXY_USAGE
    member = helper_member(ctx.session, ctx.me.member, ctx.args[0])
    meeting = open_meeting(ctx, ctx.args[1], member)
    outcome = check_in(ctx.session, ctx.me.actor, meeting, member, Method.HELPER, ctx.now)
    if outcome is Outcome.ALREADY:
        return texts.CHECKIN_ALREADY
    return texts.PROXY_CHECKIN_OK.format(name=member.name, **meeting_fields(meeting, ctx.tz))


@router.command("代请假", Role.HELPER, usage="代请假 <姓名> <签到码> <原因>")
def proxy_leave(ctx: Context) -> Reply:
    """替我帮扶的党员请假（会议结束前，要写原因）"""
    if len(ctx.args) < 3:
        return texts.PROXY_LEAVE_USAGE
    member = helper_member(ctx.session, ctx.me.member, ctx.args[0])
    meeting = open_meeting(ctx, ctx.args[1], member)
    reason = ctx.rest(2)
    ask_leave(ctx.session, ctx.me.actor, meeting, member, reason, Method.HELPER, ctx.now)
    return texts.PROXY_LEAVE_OK.format(name=member.name, reason=reason,
                                       **meeting_fields(meeting, ctx.tz))


@router.command("结对", Role.ADMIN, usage="结对 <帮扶人> <对象>")
def pair(ctx: Context) -> Reply:
    """让一名党员帮扶另一名（一帮一）"""
    if len(ctx.args) != 2:
        return texts.PAIR_USAGE
    branch_id = ctx.me.member.branch_id
    helper = find_member(ctx.session, branch_id, ctx.args[0])
    member = find_member(ctx.session, branch_id, ctx.args[1])
    make_pair(ctx.session, ctx.me.actor, helper, member, ctx.now, ctx.settings.helper_capacity)
    return texts.PAIR_MADE.format(helper=helper.name, member=member.name)


@router.command("解除结对", Role.ADMIN, usage="解除结对 <对象>")
def unpair(ctx: Context) -> Reply:
    """结束某位党员的帮扶结对"""
    if len(ctx.args) != 1:
        return texts.UNPAIR_USAGE
    member = find_member(ctx.session, ctx.me.member.branch_id, ctx.args[0])
    pair = end_pair(ctx.session, ctx.me.actor, member, ctx.now)
    return texts.PAIR_ENDED.format(member=member.name, helper=pair.helper.name)
