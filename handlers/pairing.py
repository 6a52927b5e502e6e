"""一帮一 in chat: 帮学 (list, confirm a relay), 代签, 代请假 for helpers;
结对 and 解除结对 for branch admins."""

from __future__ import annotations

from sqlalchemy import select

from handlers import meeting_notices, texts
from handlers.router import Context, DomainError, Reply, Role, Router
from models.meetings import MeetingError, Method, Outcome, ask_leave, check_in, open_meeting_by_code
from models.member import Member
from models.pairing import (
    PairingError,
    Relay,
    end_pair,
    helper_of,
    make_pair,
    members_of,
)
from models.study import (
    FEEDBACK_WINDOW,
    LINK_MAX,
    StudyItem,
    StudyRecord,
    latest_unread,
    record_study,
)

router = Router("pairing")


def _me(ctx: Context) -> Member:
    member = ctx.member
    assert member is not None  # the role check guarantees a bound member
    return member


def _my_member(ctx: Context, name: str) -> Member:
    """One of the caller's members, by name."""
    for member in members_of(ctx.session, _me(ctx).id):
        if member.name == name:
            return member
    raise DomainError(texts.PAIR_NOT_YOURS.format(name=name))


def _open_relays(ctx: Context, member: Member) -> list[Relay]:
    return list(ctx.session.scalars(select(Relay).where(
        Relay.member_id == member.id, Relay.helper_id == _me(ctx).id,
        Relay.confirmed_at.is_(None)).order_by(Relay.id)))


def _short(text: str) -> str:
    first = text.splitlines()[0] if text else ""
    return first if len(first) <= 24 else first[:23] + "…"


@router.command("帮学", Role.HELPER, usage="帮学 [姓名 完成]")
def helping(ctx: Context) -> Reply:
    """我帮扶的党员和待转达的内容；转达后发「帮学 姓名 完成」"""
    if ctx.args:
        if len(ctx.args) != 2 or ctx.args[1] != "完成":
            return texts.PAIR_DONE_USAGE
        return _confirm(ctx, _my_member(ctx, ctx.args[0]))
    members = members_of(ctx.session, _me(ctx).id)
    if not members:
        return texts.PAIR_NONE
    lines = [texts.PAIR_LIST_HEADER]
    for member in members:
        relays = _open_relays(ctx, member)
        tasks = texts.PAIR_LIST_TASKS.format(
            count=len(relays), items="；".join(_short(r.text) for r in relays[:3])) \
            if relays else texts.PAIR_LIST_NO_TASKS
        reason = f"（{member.needs_help}）" if member.needs_help else ""
        lines.append(texts.PAIR_LIST_LINE.format(name=member.name, reason=reason, tasks=tasks))
    return "\n".join(lines)


def _confirm(ctx: Context, member: Member) -> Reply:
    """The helper passed things on to `member`: relays confirmed, the study recorded."""
    helper = _me(ctx)
    relays = _open_relays(ctx, member)
    study_ids = [r.item_id for r in relays if r.item_id is not None]
    item = ctx.session.get(StudyItem, study_ids[-1]) if study_ids else \
        latest_unread(ctx.session, member, ctx.now)
    for relay in relays:
        relay.confirmed_at = ctx.now
    studied = item is not None and record_study(ctx.session, item, member, ctx.now, helper)
    notices = sum(1 for r in relays if r.item_id is None)
    what = [texts.PAIR_DONE_STUDY.format(title=item.title)] if studied and item else []
    if notices:
        what.append(texts.PAIR_DONE_NOTICES.format(count=notices))
    if not what:
        return texts.PAIR_DONE_NOTHING.format(name=member.name)
    return texts.PAIR_DONE_OK.format(name=member.name, what="和".join(what))


def _recent_relay_record(ctx: Context) -> StudyRecord | None:
    caller = ctx.caller
    if caller is None or not caller.is_helper:
        return None
    return ctx.session.scalar(
        select(StudyRecord).where(StudyRecord.helper_id == caller.member_id,
                                  StudyRecord.studied_at >= ctx.now - FEEDBACK_WINDOW)
        .order_by(StudyRecord.studied_at.desc()).limit(1))


def _keep_proof(ctx: Context, kind: str) -> Reply:
    record = _recent_relay_record(ctx)
    assert record is not None
    record.feedback_kind = kind
    record.feedback_media_id = ctx.message.get("MediaId") or None
    record.feedback_url = ctx.message.get("PicUrl")[:LINK_MAX] or None
    record.feedback_text = ctx.message.get("Recognition") or None
    record.feedback_at = ctx.now
    member = ctx.session.get(Member, record.member_id)
    return texts.PAIR_PROOF_OK.format(name=member.name if member else "")


@router.message("image", Role.HELPER, when=lambda ctx: _recent_relay_record(ctx) is not None)
def relay_photo(ctx: Context) -> Reply:
    """A photo right after 帮学 … 完成 is kept as proof of the relay."""
    return _keep_proof(ctx, "image")


@router.message("voice", Role.HELPER, when=lambda ctx: _recent_relay_record(ctx) is not None)
def relay_voice(ctx: Context) -> Reply:
    """A voice message right after 帮学 … 完成 is kept as proof of the relay."""
    return _keep_proof(ctx, "voice")


def _meeting(ctx: Context, code: str):  # type: ignore[no-untyped-def]
    meeting = open_meeting_by_code(ctx.session, code) if code.isdigit() else None
    if meeting is None:
        raise DomainError(texts.MEETING_NO_SUCH_CODE.format(code=code))
    return meeting


@router.command("代签", Role.HELPER, usage="代签 <姓名> <签到码>")
def proxy_check_in(ctx: Context) -> Reply:
    """替我帮扶的党员签到（签到时间内）"""
    if len(ctx.args) != 2:
        return texts.PROXY_USAGE
    member = _my_member(ctx, ctx.args[0])
    meeting = _meeting(ctx, ctx.args[1])
    try:
        outcome = check_in(ctx.session, meeting, member, Method.HELPER, _me(ctx), ctx.now)
    except MeetingError as exc:
        raise DomainError(str(exc)) from None
    if outcome is Outcome.ALREADY:
        return texts.CHECKIN_ALREADY
    fields = meeting_notices.meeting_fields(meeting, ctx.settings)
    return texts.PROXY_CHECKIN_OK.format(name=member.name, **fields)


@router.command("代请假", Role.HELPER, usage="代请假 <姓名> <签到码> <原因>")
def proxy_leave(ctx: Context) -> Reply:
    """替我帮扶的党员请假（会议结束前，要写原因）"""
    if len(ctx.args) < 3:
        return texts.PROXY_LEAVE_USAGE
    member = _my_member(ctx, ctx.args[0])
    meeting = _meeting(ctx, ctx.args[1])
    reason = " ".join(ctx.args[2:])
    try:
        ask_leave(ctx.session, meeting, member, reason, Method.HELPER, _me(ctx), ctx.now)
    except MeetingError as exc:
        raise DomainError(str(exc)) from None
    fields = meeting_notices.meeting_fields(meeting, ctx.settings)
    return texts.PROXY_LEAVE_OK.format(name=member.name, reason=reason, **fields)


def _branch_member(ctx: Context, name: str) -> Member:
    found = list(ctx.session.scalars(select(Member).where(
        Member.name == name, Member.branch_id == _me(ctx).branch_id)))
    if len(found) != 1:
        raise DomainError(texts.MEMBER_NOT_FOUND.format(name=name))
    return found[0]


@router.command("结对", Role.ADMIN, usage="结对 <帮扶人> <对象>")
def pair(ctx: Context) -> Reply:
    """让一名党员帮扶另一名（一帮一）"""
    if len(ctx.args) != 2:
        return texts.PAIR_USAGE
    helper, member = _branch_member(ctx, ctx.args[0]), _branch_member(ctx, ctx.args[1])
    try:
        make_pair(ctx.session, helper, member, ctx.now, _me(ctx), ctx.settings.helper_capacity)
    except PairingError as exc:
        raise DomainError(str(exc)) from None
    return texts.PAIR_MADE.format(helper=helper.name, member=member.name)


@router.command("解除结对", Role.ADMIN, usage="解除结对 <对象>")
def unpair(ctx: Context) -> Reply:
    """结束某位党员的帮扶结对"""
    if len(ctx.args) != 1:
        return texts.UNPAIR_USAGE
    member = _branch_member(ctx, ctx.args[0])
    helper = helper_of(ctx.session, member.id)
    try:
        end_pair(ctx.session, member, ctx.now)
    except PairingError as exc:
        raise DomainError(str(exc)) from None
    return texts.PAIR_ENDED.format(member=member.name, helper=helper.name if helper else "")
