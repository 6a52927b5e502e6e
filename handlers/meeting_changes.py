"""改会议: a branch admin moves a meeting or changes its place, as people say it —
"改会议 4587 改到下周四下午三点", "把4587的会改到明天下午3点", "4587 地点改为党员活动室".

The change is the console's (models.meetings.actions.change_meeting): the invitees hear
what changed, from what to what, and the audit log keeps it. A time at night is said
back first, to be confirmed by sending the same change with 确认.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from core import texts, words
from core.dates import read_start, read_when
from core.localtime import when
from core.notices import change_lines, short_when
from core.reading import normalize, read_numerals
from handlers.router import Context, DomainError, Reply, Role, Router
from models.meetings.actions import MeetingChange, change_meeting
from models.meetings.queries import branch_meeting
from models.meetings.rules import is_at_night
from models.meetings.tables import Meeting, MeetingStatus

router = Router("meeting_changes")

_VERBS = sorted(words.MEETING_CHANGE_VERBS, key=len, reverse=True)
_SEPARATORS = words.MEETING_CHANGE_SEPARATORS


def _any_of(options: tuple[str, ...] | str) -> str:
    return "|".join(re.escape(o) for o in sorted(options, key=len, reverse=True))


# Said around the code: "把4587的会…", "会议4587…", "4587号会议…"
_CHANGE_IN_WORDS = re.compile(
    rf"^(?:(?:{_any_of(words.MEETING_CHANGE_BEFORE_CODE)})\s*)*(?P<code>[0-9]{{4,9}})"
    rf"(?:\s*(?:{_any_of(words.MEETING_CHANGE_AFTER_CODE)}))*\s*(?P<what>.+)$")
_CODE_FIRST = re.compile(r"^\s*(?P<code>[0-9]{4,9})\s*[,:.]?\s*(?P<what>\S.*)$")
_LEADING = (*words.MEETING_CHANGE_LEADING[:2], *_VERBS, *words.MEETING_CHANGE_LEADING[2:])
_AFTER_WHAT = (*words.MEETING_CHANGE_AFTER_WHAT, *_LEADING)
_NUMERALS = "0-9" + "".join(words.DIGIT_NUMERALS) + "".join(words.UNIT_NUMERALS)
_DAY_IN_TEXT = re.compile(
    rf"[{_NUMERALS}]+\s*[{words.DAY_MARKS}]"
    rf"|(?:{_any_of(words.WEEK_WORDS)})[{''.join(words.WEEKDAY_NUMBERS)}1-7]")


@dataclass(frozen=True)
class Wanted:
    """What the admin asked to change: a new start and/or place (None: as it is)."""

    starts_at: datetime | None
    place: str | None
    confirmed: bool  # "… 确认": a time at night was meant


def _strip_leading(text: str, prefixes: tuple[str, ...]) -> str:
    """`text` without the connecting words in front ("改到", "地点改为", "在" …)."""
    text = text.strip(_SEPARATORS)
    changed = True
    while changed and text:
        changed = False
        for prefix in prefixes:
            if text.startswith(prefix) and len(text) > len(prefix):
                text = text[len(prefix):].strip(_SEPARATORS)
                changed = True
                break
    return text


def _means_a_time(text: str) -> bool:
    """Whether `text` names a day or an hour (then a missing hour is asked for, rather
    than the words taken as a place)."""
    return bool(_DAY_IN_TEXT.search(text)) or any(
        hint in text for hint in words.MEETING_TIME_HINTS)


def read_wanted(ctx: Context, meeting: Meeting, said: str) -> Wanted:
    """The new start and place in `said` (as typed after the code). A time without a
    day is on the meeting's own day; a day without an hour is asked back
    (DomainError)."""
    text, _ = normalize(said)
    text = text.strip(_SEPARATORS)
    confirmed = text.endswith(words.MEETING_CHANGE_CONFIRM)
    if confirmed:
        text = text[:-len(words.MEETING_CHANGE_CONFIRM)]
    text = _strip_leading(text, _LEADING)
    place_only = any(text.startswith(w) for w in words.MEETING_CHANGE_PLACE_WORDS)
    if place_only:
        return Wanted(None, _place(text), confirmed)
    for word in words.MEETING_CHANGE_TIME_WORDS:
        if text.startswith(word):
            text = _strip_leading(text[len(word):], _AFTER_WHAT)
    starts_at, rest = _read_time(ctx, meeting, text)
    if starts_at is None:
        if _means_a_time(text):
            raise DomainError("MEETING_CHANGE_NEEDS_HOUR", code=meeting.code,
                              example=texts.MEETING_CHANGE_HOUR_EXAMPLE)
        return Wanted(None, _place(text), confirmed)
    return Wanted(starts_at, _place(rest) if rest.strip(_SEPARATORS) else None, confirmed)


def _read_time(ctx: Context, meeting: Meeting, text: str) -> tuple[datetime | None, str]:
    """The start in `text` (core.dates' reader) and what follows it; a clock time alone
    ("下午4点") is on the meeting's day, so it is tried first after that day (a text that
    names its own day does not read after a date)."""
    said = read_when(text, ctx.now, ctx.tz)
    if said is None or not said.has_date:
        # (a weekday after the date would be skipped as one copied from a notice)
        day = f"{meeting.starts_at.astimezone(ctx.tz):%Y-%m-%d} "
        read = read_start(day + text, ctx.now, ctx.tz)
        if read is not None and read.used > len(day):
            return read.starts_at.astimezone(ctx.now.tzinfo), text[read.used - len(day):]
    read = read_start(text, ctx.now, ctx.tz)
    if read is not None:
        return read.starts_at.astimezone(ctx.now.tzinfo), text[read.used:]
    return None, text


def _place(text: str) -> str | None:
    """The place in "地点改为党员活动室", "在村部二楼", "党员活动室"."""
    place = _strip_leading(text, _LEADING)
    for word in sorted(words.MEETING_CHANGE_PLACE_WORDS, key=len, reverse=True):
        if place.startswith(word):
            place = _strip_leading(place[len(word):], _AFTER_WHAT)
            break
    return place[:200] or None


def change_said(ctx: Context, code: str, said: str) -> Reply:
    """Apply the change `said` to the admin's meeting with this code (or 会议编号)."""
    meeting = branch_meeting(ctx.session, ctx.me.member.branch_id, code)
    if meeting is None:
        raise DomainError("MEETING_NOT_IN_BRANCH", number=code[:20])
    wanted = read_wanted(ctx, meeting, said)
    if wanted.starts_at is None and wanted.place is None:
        return texts.MEETING_CHANGE_USAGE
    starts_at = wanted.starts_at or meeting.starts_at
    place = wanted.place or meeting.place
    if starts_at != meeting.starts_at and is_at_night(starts_at, ctx.tz) \
            and not wanted.confirmed and meeting.status == MeetingStatus.PLANNED \
            and ctx.now < min(meeting.starts_at, starts_at):  # else the rules refuse it
        typed = short_when(starts_at, ctx.tz) + (f" {place}" if wanted.place else "")
        return texts.MEETING_CHANGE_NIGHT.format(when=when(starts_at, ctx.tz),
                                                 code=meeting.code, typed=typed)
    changed = change_meeting(ctx.session, ctx.me.actor, meeting,
                             MeetingChange(starts_at, None, place, meeting.topic,
                                           night_confirmed=wanted.confirmed),
                             outbox=ctx.outbox, tz=ctx.tz, now=ctx.now)
    if not changed.anything or changed.was is None:
        return texts.MEETING_CHANGE_NOTHING
    return texts.MEETING_CHANGED.format(
        kind=meeting.kind_name, id=meeting.id, code=meeting.code, count=changed.changed,
        changes="\n".join(change_lines(meeting, changed.was, ctx.tz)))


@router.command("改会议", Role.ADMIN, usage="改会议 <签到码> <新时间或地点>")
def change_by_command(ctx: Context) -> Reply:
    """改还没开的会议的时间或地点，并通知参会党员"""
    if len(ctx.args) >= 2 and ctx.args[0].isdigit():
        return change_said(ctx, ctx.args[0], ctx.rest(1))
    found = _CODE_FIRST.match(normalize(ctx.rest(0))[0])  # "改会议：4587，12月10日 14:00"
    if found is None:
        return texts.MEETING_CHANGE_USAGE
    return change_said(ctx, found["code"], found["what"])


_SPOKEN_CODE = re.compile(f"[{''.join(words.DIGIT_NUMERALS)}]{{4,9}}")


def _said(ctx: Context) -> str:
    """The text of the message — typed, or heard in a voice message — with a code spoken
    in numerals ("四五八七") as digits."""
    if ctx.message.msg_type == "voice":
        heard = normalize((ctx.message.get("Recognition") or "").strip())[0]
        text = heard.rstrip(words.TRAILING_PUNCTUATION + " ")
    else:
        text = ctx.text
    return _SPOKEN_CODE.sub(lambda found: read_numerals(found[0]) or found[0], text)


def _change_in(ctx: Context) -> re.Match[str] | None:
    """An admin's "把4587的会改到明天下午3点", "4587 地点改为党员活动室": a code, then
    words that move the meeting or change its place."""
    caller = ctx.caller
    if caller is None or not caller.is_admin:
        return None
    found = _CHANGE_IN_WORDS.match(_said(ctx))
    if found is None:
        return None
    what = found["what"]
    if any(verb in what for verb in _VERBS) or any(
            what.startswith(w) or what.startswith(words.MEETING_CHANGE_WORD + w)
            for w in (*words.MEETING_CHANGE_PLACE_WORDS, *words.MEETING_CHANGE_TIME_WORDS)):
        return found
    return None


def _says_a_change(ctx: Context) -> bool:
    return _change_in(ctx) is not None


@router.message("text", Role.ADMIN, when=_says_a_change)
def change_in_words(ctx: Context) -> Reply:
    """A change said in a sentence, read as 改会议."""
    found = _change_in(ctx)
    if found is None:  # _says_a_change matched it
        return None
    return change_said(ctx, found["code"], found["what"])


@router.message("voice", Role.ADMIN, when=_says_a_change)
def change_spoken(ctx: Context) -> Reply:
    """The same, spoken ("把四五八七的会改到明天下午三点"): the reply says what was heard."""
    reply = change_in_words(ctx)
    heard = (ctx.message.get("Recognition") or "").strip()
    return texts.VOICE_RAN.format(text=heard[:60]) + reply if isinstance(reply, str) \
        else reply
