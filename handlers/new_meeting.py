"""新建会议: a branch admin schedules a meeting, written as people write it, for the
right people — the whole branch, the branch committee (支委会) or one 党小组.

The kind, the start (any form core.dates reads), the place and the topic may be
separated by spaces or commas ("新建会议：支委会，12月11日上午9点，村委会"). When one
thing is missing — the hour ("12月10号"), morning or evening ("9点") — or the start is
at night (models.meetings.rules.is_at_night), nobody is told yet: the secretary is
asked for that one thing, and the answer ("下午3点", "上午", "是") completes it
(models.meetings.pending keeps what was said meanwhile).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from core import texts, words
from core.dates import HALF_DAY_MISSING, HOUR_MISSING, When, read_when
from core.localtime import when
from core.notices import meeting_fields
from core.reading import normalize
from handlers.router import Context, DomainError, Reply, Role, Router
from models.meetings.actions import NewMeeting, create_meeting
from models.meetings.listing import COMMITTEE, EVERYONE, GROUP_PREFIX, invites_for
from models.meetings.pending import (
    WAITING_NIGHT,
    PendingMeeting,
    current_pending,
    drop_pending,
    keep_pending,
)
from models.meetings.rules import is_at_night
from models.meetings.tables import KIND_NAMES, KIND_WORDS, MeetingKind
from models.members.orgs import groups_of

router = Router("new_meeting")

MIN_YEAR = 2000  # a meeting before this is a typo, not history
KIND_WORDS_LONGEST = sorted(KIND_WORDS, key=len, reverse=True)  # "支部党员大会" before "党员大会"
COORDINATES = re.compile(r"^(.*)@(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$")
_SEPARATORS = words.MEETING_PART_SEPARATORS
_LEADING = re.compile(rf"^[\s{re.escape(_SEPARATORS)}]+")
# The place ends at a space or a comma — not at the comma of "村委会@30.12,120.5".
_PLACE_END = re.compile(rf"\s+|[{re.escape(words.PLACE_ENDS)}]|,(?!\d)")


@dataclass(frozen=True)
class MeetingRequest:
    """What 新建会议 asked for, read from the message as typed; `when` says whether the
    start is complete or what is missing."""

    kind: MeetingKind
    when: When
    place: str
    topic: str

    @property
    def starts_at(self) -> datetime:
        """The complete start (only once `when.missing` is empty)."""
        assert self.when.starts_at is not None
        return self.when.starts_at


def read_meeting_request(ctx: Context) -> MeetingRequest:
    """The kind, the start, the place and the topic of a 新建会议; DomainError with the
    one thing that cannot be read."""
    if not ctx.args or ctx.reading is None:
        raise DomainError("MEETING_NEW_USAGE")
    first = ctx.reading.tokens[0]
    kind_word = next((word for word in KIND_WORDS_LONGEST if ctx.args[0].startswith(word)),
                     None)
    if kind_word is None:
        raise DomainError("MEETING_BAD_KIND", kind=ctx.args[0][:20])
    # kind words are plain Chinese: their length is the same as typed
    remainder = ctx.reading.original[first.start + len(kind_word):]
    return read_rest(ctx, KIND_WORDS[kind_word], remainder)


def read_rest(ctx: Context, kind: MeetingKind, remainder: str) -> MeetingRequest:
    """The start, place and topic in `remainder` (as typed)."""
    remainder = _unlabel(remainder, "time")
    normalized, origin = normalize(remainder)
    found = read_when(normalized, ctx.now.astimezone(ctx.tz), ctx.tz)
    if found is None or (found.starts_at is not None and found.starts_at.year < MIN_YEAR):
        shown = _LEADING.sub("", remainder)
        raise DomainError("MEETING_BAD_TIME", text=_PLACE_END.split(shown)[0][:20])
    after = remainder[origin[found.used]:] if found.used < len(origin) else ""
    place, topic = split_place(after)
    if not place:
        raise DomainError("MEETING_NO_PLACE")
    if found.missing and topic:  # "12月10号 村委会 下午3点": the time after the place
        said, *rest = _PLACE_END.split(topic, maxsplit=1)
        later = answer_when(ctx, pending_for(ctx, MeetingRequest(kind, found, place, topic)),
                            unicodedata.normalize("NFKC", said))
        if later is not None:
            found, topic = later, _unlabel("".join(rest), "topic").strip()
    if found.starts_at is not None and found.starts_at <= ctx.now:
        raise DomainError("MEETING_IN_PAST")
    return MeetingRequest(kind, found, place, topic)


def split_place(after: str) -> tuple[str, str]:
    """The place, then the topic as typed (its own commas kept)."""
    rest = _unlabel(after, "place").rstrip()
    if not rest:
        return "", ""
    parts = _PLACE_END.split(rest, maxsplit=1)
    topic = _unlabel(parts[1], "topic").strip() if len(parts) > 1 else ""
    # a voice message ends "…村委会。": the place has no punctuation of its own
    return parts[0].rstrip(words.TRAILING_PUNCTUATION), topic


def _unlabel(text: str, label: str) -> str:
    """`text` without leading separators and a leading label ("地点：村委会" → "村委会")."""
    text = _LEADING.sub("", text)
    for word in words.MEETING_LABELS[label]:
        if text.startswith(word) and _LEADING.match(text[len(word):]):
            return _LEADING.sub("", text[len(word):])
    return text


def pending_for(ctx: Context, request: MeetingRequest) -> PendingMeeting:
    """The waiting 新建会议 for a request that is missing something (or is at night)."""
    when = request.when
    return PendingMeeting(
        member_id=ctx.me.member_id, org_id=ctx.me.branch_id, kind=str(request.kind),
        waiting=when.missing or WAITING_NIGHT, date_text=when.date_text[:40],
        time_text=when.time_text[:40], starts_at=when.starts_at, place=request.place[:200],
        topic=request.topic[:200], created_at=ctx.now)


def question_for(pending: PendingMeeting, when_text: str) -> str:
    """What to ask the secretary about a waiting 新建会议."""
    kind = KIND_NAMES.get(pending.kind, pending.kind)
    day = pending.date_text or texts.MEETING_TODAY
    if pending.waiting == WAITING_NIGHT:
        return texts.MEETING_ASK_NIGHT.format(kind=kind, when=when_text, place=pending.place)
    if pending.waiting == HOUR_MISSING:
        return texts.MEETING_ASK_HOUR.format(kind=kind, day=day, part=pending.time_text,
                                             place=pending.place,
                                             example=words.EXAMPLE_HOURS.get(pending.time_text, 9))
    if pending.waiting == HALF_DAY_MISSING:
        return texts.MEETING_ASK_HALF_DAY.format(kind=kind, day=day, time=pending.time_text,
                                                 place=pending.place)
    return texts.MEETING_ASK_TIME.format(kind=kind, day=day, place=pending.place)


def answer_when(ctx: Context, pending: PendingMeeting, text: str) -> When | None:
    """The start the secretary's answer gives, read together with what they said before:
    "下午3点" after "12月10号", "9点" after "12月20日上午", "上午" after "9点". None when
    the answer is not a time (it is then not an answer)."""
    answer = read_when(text, ctx.now.astimezone(ctx.tz), ctx.tz)
    if answer is None or answer.used < len(text.rstrip(words.TRAILING_PUNCTUATION + " ")):
        return None
    if answer.has_date:
        return answer
    said = text.strip().rstrip(words.TRAILING_PUNCTUATION)
    if pending.waiting == HOUR_MISSING and answer.missing != HOUR_MISSING \
            and not _has_part(said):
        said = pending.time_text + said  # "9点" after "上午"
    elif pending.waiting == HALF_DAY_MISSING and answer.missing == HOUR_MISSING:
        said = said + pending.time_text  # "上午" after "9点"
    return read_when(f"{pending.date_text} {said}", ctx.now.astimezone(ctx.tz), ctx.tz)


def _has_part(text: str) -> bool:
    parts = words.AFTERNOON_WORDS + words.MORNING_WORDS + words.NOON_WORDS + words.NIGHT_WORDS
    return any(part in text for part in parts)


@dataclass(frozen=True)
class Audience:
    """Who a new meeting invites: one of the console form's audience choices
    (models.meetings.listing: everyone, the committee, "group:<id>")."""

    choice: str = EVERYONE
    label: str = ""  # for the admin's reply


def audience_of(ctx: Context, request: MeetingRequest) -> tuple[Audience, MeetingRequest]:
    """支委会: the committee; 党小组会: the group it names (taken out of the place and
    topic); anything else: the whole branch. Names become ids here; whom they invite
    is decided by the console's function (invites_for)."""
    branch_id = ctx.me.member.branch_id
    if request.kind == MeetingKind.COMMITTEE_MEETING:
        committee, _ = invites_for(ctx.session, branch_id, COMMITTEE)
        return Audience(COMMITTEE, texts.MEETING_FOR_COMMITTEE.format(
            count=len(committee))), request
    if request.kind == MeetingKind.GROUP_MEETING:
        groups = groups_of(ctx.session, branch_id)
        if not groups:
            return Audience(), request
        named = next((piece for piece in [request.place, *request.topic.split()]
                      if piece in groups), None)
        if named is None:
            raise DomainError("MEETING_WHICH_GROUP", groups=words.LIST_SEP.join(groups))
        if named == request.place:  # "… 明天9点 第一党小组 村委会 学习党章"
            place, _, topic = request.topic.strip().partition(" ")
        else:  # "… 明天9点 村委会 学习党章 第一党小组"
            place = request.place
            topic = " ".join(piece for piece in request.topic.split() if piece != named)
        if not place:
            raise DomainError("MEETING_NO_PLACE")
        return Audience(f"{GROUP_PREFIX}{groups[named]}", texts.MEETING_FOR_GROUP.format(
            group=named)), MeetingRequest(request.kind, request.when, place, topic.strip())
    return Audience(), request


def _ask_or_schedule(ctx: Context, request: MeetingRequest, night_confirmed: bool = False,
                     ) -> Reply:
    """Ask for what is missing (or a yes to a night start), else schedule it."""
    audience_of(ctx, request)  # a 党小组会 must name its group before anything is asked
    if request.when.missing or (is_at_night(request.starts_at, ctx.tz) and not night_confirmed):
        pending = keep_pending(ctx.session, pending_for(ctx, request))
        shown = when(pending.starts_at, ctx.tz) if pending.starts_at is not None else ""
        return question_for(pending, shown)
    drop_pending(ctx.session, ctx.me.member_id)
    return _schedule(ctx, request, night_confirmed)


def _schedule(ctx: Context, request: MeetingRequest, night_confirmed: bool) -> Reply:
    audience, request = audience_of(ctx, request)
    kind, starts_at, place = request.kind, request.starts_at, request.place
    latitude = longitude = None
    if found := COORDINATES.match(place):  # 地点@纬度,经度 enables location check-in
        latitude, longitude = float(found[2]), float(found[3])
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise DomainError("MEETING_NEW_USAGE")
        place = found[1] or words.DEFAULT_PLACE
    admin = ctx.me.member
    member_ids, org_ids = invites_for(ctx.session, admin.branch_id, audience.choice)
    scheduled = create_meeting(ctx.session, ctx.me.actor, NewMeeting(
        org_id=admin.branch_id, kind=kind, starts_at=starts_at.astimezone(ctx.now.tzinfo),
        place=place, topic=request.topic, latitude=latitude, longitude=longitude,
        host_id=admin.id, invite_member_ids=member_ids, invite_org_ids=org_ids,
        night_confirmed=night_confirmed,
    ), outbox=ctx.outbox, tz=ctx.tz, now=ctx.now)
    meeting, count = scheduled.meeting, scheduled.notified
    fields = meeting_fields(meeting, ctx.tz)
    if meeting.starts_at.astimezone(ctx.tz).year != ctx.now.astimezone(ctx.tz).year:
        fields["when"] = when(meeting.starts_at, ctx.tz, with_year=True)
    reply = texts.MEETING_CREATED.format(id=meeting.id, count=count, **fields) + audience.label
    if request.when.afternoon_assumed:  # "两点": say how it was read, and how to change it
        local = meeting.starts_at.astimezone(ctx.tz)
        reply += texts.MEETING_AFTERNOON_ASSUMED.format(
            time=request.when.time_text, clock=f"{local:%H:%M}", code=meeting.code,
            hour=local.hour - 12)
    return reply


@router.command("新建会议", Role.ADMIN, usage="新建会议 <类型> <时间> <地点> [主题]")
def new_meeting(ctx: Context) -> Reply:
    """安排一次会议，回复签到码，并通知参会的人"""
    if len(ctx.args) < 2:
        return texts.MEETING_NEW_USAGE
    return _ask_or_schedule(ctx, read_meeting_request(ctx))


def _answer_text(ctx: Context) -> str:
    return ctx.text.strip()


def _answering(ctx: Context) -> bool:
    """An admin with a 新建会议 waiting, and a message that answers its question: a
    time, a part of the day, or (for a start at night) a yes."""
    if not Role.ADMIN.allows(ctx.caller):
        return False
    pending = current_pending(ctx.session, ctx.me.member_id, ctx.now)
    if pending is None:
        return False
    text = _answer_text(ctx)
    if (pending.waiting == WAITING_NIGHT and _is_yes(text)) or _is_drop(text):
        return True
    return answer_when(ctx, pending, text) is not None


def _is_drop(text: str) -> bool:
    return text.rstrip(words.TRAILING_PUNCTUATION + " ") in words.MEETING_PENDING_DROP


def _is_yes(text: str) -> bool:
    return text.rstrip(words.TRAILING_PUNCTUATION + " ") in words.YES_WORDS


@router.capture(Role.ADMIN, when=_answering)
def answer_pending(ctx: Context) -> Reply:
    """The answer to 新建会议's question: the meeting is scheduled (or asked again)."""
    pending = current_pending(ctx.session, ctx.me.member_id, ctx.now)
    assert pending is not None  # _answering checked
    kind = MeetingKind(pending.kind)
    text = _answer_text(ctx)
    if _is_drop(text):
        drop_pending(ctx.session, ctx.me.member_id)
        return texts.MEETING_PENDING_DROPPED.format(kind=KIND_NAMES[kind])
    if pending.waiting == WAITING_NIGHT and _is_yes(text) and pending.starts_at is not None:
        request = MeetingRequest(kind, When(pending.starts_at, "", 0), pending.place,
                                 pending.topic)
        if pending.starts_at <= ctx.now:
            drop_pending(ctx.session, ctx.me.member_id)
            raise DomainError("MEETING_IN_PAST")
        return _ask_or_schedule(ctx, request, night_confirmed=True)
    found = answer_when(ctx, pending, text)
    assert found is not None  # _answering checked
    if found.starts_at is not None and found.starts_at <= ctx.now:
        raise DomainError("MEETING_IN_PAST")  # the question stays: answer with a later time
    return _ask_or_schedule(ctx, MeetingRequest(kind, found, pending.place, pending.topic))
