"""Finding a meeting by its 签到码 without letting anyone search for codes.

Every code that is not one of the asker's meetings (no such code, closed, another
branch's, not invited) gets the same reply and counts as a wrong guess
(models.db.guesses.MEETING_CODE: 10 in 10 minutes, then a 10-minute pause). Before, one
member tried 9,000 codes in a minute and the differing replies showed which were open
elsewhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from models.db.guesses import MEETING_CODE, locked_until, reserve_guess
from models.errors import GuessRefused
from models.meetings.queries import open_meeting_by_code
from models.meetings.tables import Meeting

CODE = re.compile(r"^[0-9]{4,8}$")  # ASCII digits only: "²" or "١٢٣٤" are not codes


def meeting_for_code(session: Session, openid: str, code: str,
                     accept: Callable[[Meeting], bool], now: datetime) -> Meeting:
    """The open meeting with this code if `accept` says it is the asker's.

    Raises GuessRefused (which keeps the count it added) for anything else, and while
    the openid is paused after too many wrong codes.
    """
    # The hot path of 签到: a right code costs one read. A wrong one is counted after the
    # look-up (a code is checked in microseconds, unlike a password), which lets at most
    # the messages of one openid in flight at once past the limit, never a cleared lock.
    until = locked_until(session, MEETING_CODE, openid, now)
    if until is not None:
        raise _paused(until, now)
    meeting = open_meeting_by_code(session, code) if CODE.match(code) else None
    if meeting is not None and accept(meeting):
        return meeting
    state = reserve_guess(session, MEETING_CODE, openid, now)
    if state.locked_until is not None:
        raise _paused(state.locked_until, now)
    raise GuessRefused("MEETING_NO_SUCH_CODE", code=code[:20])


def _paused(until: datetime, now: datetime) -> GuessRefused:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return GuessRefused("MEETING_CODE_LOCKED", minutes=minutes)
