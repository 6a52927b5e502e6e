"""Shared argument parsing for the chat routers: reading a 签到码 and finding the
meeting it opens, reading feedback from a message, reading an item number.

Routers never import one another (each feature's router stands alone); what more than
one of them reads from a message lives here, below them all but handlers.router.
"""

from __future__ import annotations

import re

from handlers.router import Context, DomainError
from models.meetings.codes import meeting_for_code
from models.meetings.queries import is_invited
from models.meetings.tables import Meeting
from models.members.tables import Member
from models.study.records import Feedback

NUMBER_IN_WORD = re.compile(r"[0-9]+")
MAX_NUMBER_DIGITS = 9  # an item number longer than this is not one of ours


def open_meeting(ctx: Context, code: str, member: Member | None = None) -> Meeting:
    """The open meeting with this 签到码 that `member` (default: the caller) is invited
    to; any other code gets one refusal and counts as a wrong guess."""
    invited = member or ctx.member
    return meeting_for_code(ctx.session, ctx.openid, code,
                            lambda meeting: is_invited(ctx.session, meeting, invited), ctx.now)


def feedback_of(ctx: Context, kind: str) -> Feedback:
    """What the message carries as feedback (a photo, a voice message or words)."""
    message = ctx.message
    # In sandbox mode there is no media download; the picture's URL is the content.
    return Feedback(kind, message.content if kind == "text"
                    else message.get("Recognition") or None,
                    message.get("MediaId") or None, message.get("PicUrl") or None)


def item_number(ctx: Context) -> int | None:
    """The 编号 argument (ASCII digits, bounded); DomainError if it is not a number."""
    if not ctx.args:
        return None
    word = ctx.args[0]
    if not word.isdigit():  # "第12期", "12期", "No.12": the number in it
        word = "".join(NUMBER_IN_WORD.findall(word)[:1])
    if not (word.isascii() and word.isdigit()) or len(word) > MAX_NUMBER_DIGITS:
        raise DomainError("STUDY_BAD_NUMBER")
    return int(word)
