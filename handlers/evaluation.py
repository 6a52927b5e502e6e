"""民主评议党员 in chat: 自评 (words, or a voice after 自评), 评议 (the list; 评议 3 合格 /
评议 张明 合格), 我的评议 for members; 开始评议, 评议进度, 纸质选票, 结束评议 for the
branch secretary. Every change is models.evaluation.actions'."""

from __future__ import annotations

import re
from datetime import timedelta

from core import texts, words
from core.dates import read_when
from core.localtime import day
from core.notices import names_list
from handlers.router import Context, Reply, Role, Router, Takes
from models.evaluation.actions import (
    EvaluationError,
    cast_votes,
    close_round,
    expect_voice,
    grade_name,
    open_round,
    self_assess,
)
from models.evaluation.queries import (
    Subject,
    is_voter,
    latest_round_of,
    my_choices,
    open_round_of,
    progress_of,
    stored_tally,
    subject_row,
    subjects_of,
)
from models.evaluation.tables import GRADES, EvaluationRound, Grade, Method
from models.members.queries import find_member

router = Router("evaluation")

DEFAULT_DAYS = 14  # 开始评议 without a date: two weeks
_GRADE_PATTERN = "|".join(sorted(texts.EVAL_GRADE_WORDS, key=len, reverse=True))
_PAIR = re.compile(rf"\s*(.+?)\s*({_GRADE_PATTERN})")


def _open(ctx: Context) -> EvaluationRound:
    found = open_round_of(ctx.session, ctx.me.branch_id)
    if found is None:
        raise EvaluationError("EVAL_NONE_OPEN")
    return found


def _until(ctx: Context, round_: EvaluationRound) -> str:
    """The last day of voting, local."""
    return day(round_.closes_at - timedelta(seconds=1), ctx.tz)


def read_choices(text: str, subjects: list[Subject]) -> dict[int, Grade]:
    """"3 合格 张明 优秀" → member id → grade; EvaluationError for a name or number not on
    the list, or words that are no choice."""
    found: dict[int, Grade] = {}
    position = 0
    for match in _PAIR.finditer(text):
        if match.start() != position:
            break
        position = match.end()
        who = match.group(1).strip(words.ITEM_SEP + texts.EVAL_CHOICE_PUNCTUATION)
        grade = Grade(texts.EVAL_GRADE_WORDS[match.group(2)])
        number = int(who) if who.isascii() and who.isdigit() else None  # not "²"
        chosen = [s for s in subjects if s.position == number or s.name == who]
        if len(chosen) != 1:
            raise EvaluationError("EVAL_NO_SUCH", name=who[:20])
        found[chosen[0].member_id] = grade
    if not found or text[position:].strip(texts.EVAL_CHOICE_PUNCTUATION):
        raise EvaluationError("EVAL_NOTHING_CHOSEN")
    return found


@router.command("自评", Role.MEMBER, usage="自评 [内容]")
def self_assessment(ctx: Context) -> Reply:
    """民主评议：写自我评价（或发「自评」后说一段语音）"""
    round_ = _open(ctx)
    text = ctx.rest(0).strip()
    if not text:
        expect_voice(ctx.session, round_, ctx.me.member_id, ctx.now)
        return texts.EVAL_SELF_SAY
    self_assess(ctx.session, ctx.me.actor, round_, ctx.me.member_id, ctx.now, text=text)
    return texts.EVAL_SELF_KEPT


def _voice_expected(ctx: Context) -> bool:
    caller = ctx.caller
    if caller is None:
        return False
    round_ = open_round_of(ctx.session, caller.branch_id)
    row = subject_row(ctx.session, round_, caller.member_id) if round_ else None
    return row is not None and row.voice_until is not None and ctx.now < row.voice_until


@router.message("voice", Role.MEMBER, when=_voice_expected)
def self_assessment_voice(ctx: Context) -> Reply:
    """A voice message right after 自评 is the member's self-assessment."""
    self_assess(ctx.session, ctx.me.actor, _open(ctx), ctx.me.member_id, ctx.now,
                text=ctx.message.get("Recognition") or None,
                voice=ctx.message.get("MediaId") or "voice")
    return texts.EVAL_SELF_VOICE_KEPT


def _list(ctx: Context, round_: EvaluationRound, subjects: list[Subject]) -> str:
    mine = my_choices(ctx.session, round_, ctx.me.member_id)
    others = [s for s in subjects if s.member_id != ctx.me.member_id]
    lines = [texts.EVAL_LIST_HEADER.format(year=round_.year, until=_until(ctx, round_))]
    lines += [texts.EVAL_LIST_LINE.format(
        number=s.position, name=s.name,
        choice=grade_name(mine[s.member_id]) if s.member_id in mine else texts.EVAL_NOT_RATED)
        for s in others]
    if others and all(s.member_id in mine for s in others):
        lines.append(texts.EVAL_LIST_DONE.format(count=len(others)))
    me = next((s for s in subjects if s.member_id == ctx.me.member_id), None)
    if me is not None and me.row.self_at is None:
        lines.append(texts.EVAL_LIST_SELF_REMINDER)
    return "\n".join(lines)


@router.command("评议", Role.MEMBER, usage="评议 [序号 等次]")
def evaluate(ctx: Context) -> Reply:
    """民主评议：看名单，给党员评等次（不记名）"""
    round_ = _open(ctx)
    if not is_voter(ctx.session, round_, ctx.me.member_id):
        return texts.EVAL_NOT_VOTING
    subjects = subjects_of(ctx.session, round_)
    ctx.secret_reply = True  # the list and the answer name the member's choices
    if not ctx.args:
        return _list(ctx, round_, subjects)
    try:
        choices = read_choices(ctx.rest(0), subjects)
    except EvaluationError as error:
        if error.key == "EVAL_NOTHING_CHOSEN":
            return texts.EVAL_USAGE
        raise
    cast_votes(ctx.session, ctx.me.actor, round_, ctx.me.member, choices, ctx.now)
    names = {s.member_id: s.name for s in subjects}
    lines = words.ITEM_SEP.join(texts.EVAL_CAST_LINE.format(
        name=names[member_id], grade=grade_name(grade)) for member_id, grade in choices.items())
    mine = my_choices(ctx.session, round_, ctx.me.member_id)
    left = sum(1 for s in subjects if s.member_id != ctx.me.member_id and s.member_id not in mine)
    return texts.EVAL_CAST_ALL.format(lines=lines) if not left \
        else texts.EVAL_CAST_OK.format(lines=lines, left=left)


@router.command("我的评议", Role.MEMBER, usage="我的评议", takes=Takes.NOTHING)
def my_evaluation(ctx: Context) -> Reply:
    """民主评议：我投了哪些、截止日期；结束后看我的结果"""
    round_ = latest_round_of(ctx.session, ctx.me.branch_id)
    if round_ is None:
        return texts.EVAL_MINE_NOTHING
    row = subject_row(ctx.session, round_, ctx.me.member_id)
    if round_.closed_at is not None:
        if row is None or row.determination is None:
            return texts.EVAL_MINE_NOTHING
        return texts.EVAL_MINE_RESULT.format(
            year=round_.year, grade=grade_name(row.determination),
            votes=texts.EVAL_TALLY.format(*(stored_tally(row)[g] for g in GRADES)),
            reason=texts.EVAL_RESULT_REASON.format(reason=row.reason) if row.reason else "")
    lines = [texts.EVAL_MINE_HEADER.format(year=round_.year, opened=day(round_.opened_at, ctx.tz),
                                           until=_until(ctx, round_))]
    if row is not None:
        lines.append(texts.EVAL_MINE_SELF.format(
            state=texts.EVAL_MINE_SELF_DONE if row.self_at else texts.EVAL_MINE_SELF_NONE))
    if is_voter(ctx.session, round_, ctx.me.member_id):
        ctx.secret_reply = True  # the member's own choices
        subjects = [s for s in subjects_of(ctx.session, round_) if s.member_id != ctx.me.member_id]
        mine = my_choices(ctx.session, round_, ctx.me.member_id)
        done = words.ITEM_SEP.join(texts.EVAL_CAST_LINE.format(
            name=s.name, grade=grade_name(mine[s.member_id])) for s in subjects
            if s.member_id in mine)
        lines.append(texts.EVAL_MINE_VOTES.format(done=len(mine), due=len(subjects),
                                                  lines=done or texts.EVAL_NOT_RATED))
    return "\n".join(lines)


@router.command("开始评议", Role.ADMIN, usage="开始评议 [截止日期]")
def start_evaluation(ctx: Context) -> Reply:
    """民主评议：开始本支部的民主评议党员，通知全体党员"""
    text = ctx.rest(0).strip()
    if text:
        found = read_when(f"{text} 12:00", ctx.now, ctx.tz)
        if found is None or found.starts_at is None:
            return texts.EVAL_OPEN_USAGE
        closes_on = found.starts_at.astimezone(ctx.tz).date()
    else:
        closes_on = ctx.now.astimezone(ctx.tz).date() + timedelta(days=DEFAULT_DAYS)
    round_ = open_round(ctx.session, ctx.me.actor, ctx.me.branch_id, closes_on,
                        outbox=ctx.outbox, tz=ctx.tz, now=ctx.now)
    progress = progress_of(ctx.session, round_)
    return texts.EVAL_OPENED.format(until=day(closes_on),
                                    subjects=len(subjects_of(ctx.session, round_)),
                                    voters=len(progress))


@router.command("评议进度", Role.ADMIN, usage="评议进度", takes=Takes.NOTHING)
def evaluation_progress(ctx: Context) -> Reply:
    """民主评议：谁投了票（只有人数，没有投的内容）"""
    round_ = _open(ctx)
    progress = progress_of(ctx.session, round_)
    subjects = subjects_of(ctx.session, round_)
    lines = [texts.EVAL_PROGRESS.format(
        until=_until(ctx, round_), voted=sum(1 for p in progress if p.rated >= p.due),
        voters=len(progress), selves=sum(1 for s in subjects if s.row.self_at),
        subjects=len(subjects))]
    waiting = [p for p in progress if p.rated < p.due]
    online = [p.name for p in waiting if p.has_phone]
    offline = [p.name for p in waiting if not p.has_phone]
    if online:
        lines.append(texts.EVAL_PROGRESS_WAITING.format(names=names_list(online, 20)))
    if offline:
        lines.append(texts.EVAL_PROGRESS_NO_PHONE.format(names=names_list(offline, 20)))
    return "\n".join(lines)


@router.command("纸质选票", Role.ADMIN, usage="纸质选票 投票人 被评人 等次 …")
def paper_ballot(ctx: Context) -> Reply:
    """民主评议：录入没有手机的党员交的纸质选票"""
    round_ = _open(ctx)
    if len(ctx.args) < 2:
        return texts.EVAL_PAPER_USAGE
    voter = find_member(ctx.session, ctx.me.branch_id, ctx.args[0])
    try:
        choices = read_choices(ctx.rest(1), subjects_of(ctx.session, round_))
    except EvaluationError as error:
        if error.key == "EVAL_NOTHING_CHOSEN":
            return texts.EVAL_PAPER_USAGE
        raise
    cast = cast_votes(ctx.session, ctx.me.actor, round_, voter, choices, ctx.now,
                      method=Method.PAPER)
    return texts.EVAL_PAPER_OK.format(voter=voter.name, count=cast.rated)


@router.command("结束评议", Role.ADMIN, usage="结束评议 [超过优秀比例的理由]")
def end_evaluation(ctx: Context) -> Reply:
    """民主评议：结束评议，统计结果，分别通知本人"""
    round_ = _open(ctx)
    closed = close_round(ctx.session, ctx.me.actor, round_, outbox=ctx.outbox, tz=ctx.tz,
                         now=ctx.now, over_cap_reason=ctx.rest(0))
    return texts.EVAL_CLOSED_OK.format(subjects=closed.subjects, excellent=closed.excellent)
