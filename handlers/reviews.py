"""述职评议 in chat: 测评 (members vote on their secretaries, anonymously: 好 / 较好 /
一般 / 差, one vote each) and 述职 (a secretary's own report: submitted or not, and
the link to the phone page where it is written)."""

from __future__ import annotations

import re

from core import page_links, texts
from core.localtime import when
from core.reading import read_numerals
from handlers.router import Context, DomainError, Reply, Role, Router, Takes
from models.reviews.actions import cast_vote
from models.reviews.queries import my_reports, open_votes
from models.reviews.tables import Grade, ReviewReporter, RoundStatus

router = Router("reviews")

JOINED = re.compile(r"^([0-9]{1,3})(" + "|".join(g.value for g in Grade) + r")$")


def _number(word: str) -> int | None:
    digits = word if word.isascii() and word.isdigit() else read_numerals(word)
    return int(digits) if digits and len(digits) < 4 else None


def _split_joined(args: list[str]) -> list[str]:
    """"测评 1好" as "测评 1 好"."""
    if len(args) == 1:
        found = JOINED.match(args[0])
        if found:
            return [found.group(1), found.group(2)]
    return args


@router.command("测评", Role.MEMBER, usage="测评 [编号] <好/较好/一般/差>")
def vote(ctx: Context) -> Reply:
    """给本支部、本乡镇书记的述职投票（匿名，每人一票）"""
    member = ctx.me.member
    args = _split_joined(ctx.args)
    votes = open_votes(ctx.session, member)
    waiting = [v for v in votes if not v.voted]
    if not args:
        if not votes:
            return texts.REVIEW_VOTE_NONE
        lines = [texts.REVIEW_VOTE_HEADER]
        lines += [texts.REVIEW_VOTE_LINE.format(
            number=i, name=v.name, org=v.org,
            state=texts.REVIEW_VOTE_DONE_MARK if v.voted else "")
            for i, v in enumerate(votes, 1)]
        if len(waiting) == 1:
            lines.append(texts.REVIEW_VOTE_HOW_ONE.format(name=waiting[0].name))
        elif waiting:
            lines.append(texts.REVIEW_VOTE_HOW)
        return "\n".join(lines)
    if len(args) == 1:
        if not waiting:
            return texts.REVIEW_VOTE_NONE if not votes else \
                texts.REVIEW_VOTED_ALREADY.format(name=votes[0].name) if len(votes) == 1 \
                else texts.REVIEW_VOTE_WHICH.format(count=len(votes))
        if len(waiting) > 1:
            return texts.REVIEW_VOTE_WHICH.format(count=len(waiting))
        chosen, given = waiting[0], args[0]
    elif len(args) == 2:
        number = _number(args[0])
        if number is None:
            return texts.REVIEW_VOTE_USAGE
        if not 1 <= number <= len(votes):
            return texts.REVIEW_VOTE_NUMBER_BAD.format(number=number)
        chosen, given = votes[number - 1], args[1]
    else:
        return texts.REVIEW_VOTE_USAGE
    reporter = ctx.session.get(ReviewReporter, chosen.reporter_id)
    if reporter is None:
        return texts.REVIEW_VOTE_NONE
    cast_vote(ctx.session, member.id, reporter, given)
    return texts.REVIEW_VOTE_THANKS.format(name=chosen.name)


@router.command("述职", Role.MEMBER, takes=Takes.NOTHING)
def my_report(ctx: Context) -> Reply:
    """我的述职报告：提交了没有，在哪里写"""
    mine = [r for r in my_reports(ctx.session, ctx.me.member_id)
            if r.round.status == RoundStatus.OPEN]
    if not mine:
        return texts.REVIEW_STATUS_NONE
    reporter = mine[0]
    state = texts.REVIEW_STATUS_SUBMITTED if reporter.submitted_at else \
        texts.REVIEW_STATUS_MISSING
    url = ctx.outbox.page_url(page_links.REVIEW) or page_links.REVIEW
    return texts.REVIEW_STATUS_CHAT.format(year=reporter.round.year, state=state,
                                           deadline=when(reporter.round.deadline, ctx.tz),
                                           url=url)


__all__ = ["DomainError", "router"]
