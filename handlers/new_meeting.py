"""新建会议: a branch admin schedules a meeting, written as people write it, for the
right people — the whole branch, the branch committee (支委会) or one 党小组."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from core import texts, words
from core.dates import read_start
from core.localtime import when
from core.notices import meeting_fields
from core.reading import normalize
from handlers.router import Context, DomainError, Reply, Role, Router
from models.meetings.actions import NewMeeting, create_meeting
from models.meetings.listing import COMMITTEE, EVERYONE, GROUP_PREFIX, invites_for
from models.meetings.tables import KIND_WORDS, MeetingKind
from models.members.orgs import groups_of

router = Router("new_meeting")

COORDINATES = re.compile(r"^(.*)@(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$")
MIN_YEAR = 2000  # a meeting before this is a typo, not history
KIND_WORDS_LONGEST = sorted(KIND_WORDS, key=len, reverse=True)  # "支部党员大会" before "党员大会"


@dataclass(frozen=True)
class MeetingRequest:
    """What 新建会议 asked for, read from the message as typed."""

    kind: MeetingKind
    starts_at: datetime
    place: str
    topic: str


def read_meeting_request(ctx: Context) -> MeetingRequest:
    """The kind, the start (any form core.dates reads), the place and the topic."""
    if not ctx.args or ctx.reading is None:
        raise DomainError("MEETING_NEW_USAGE")
    first = ctx.reading.tokens[0]
    kind_word = next((word for word in KIND_WORDS_LONGEST if ctx.args[0].startswith(word)),
                     None)
    if kind_word is None:
        raise DomainError("MEETING_BAD_KIND", kind=ctx.args[0][:20])
    # kind words are plain Chinese: their length is the same as typed
    remainder = ctx.reading.original[first.start + len(kind_word):].strip()
    normalized, origin = normalize(remainder)
    read = read_start(normalized, ctx.now, ctx.tz)
    if read is None or read.starts_at.year < MIN_YEAR:
        shown = remainder.split()[0][:20] if remainder.split() else ""
        raise DomainError("MEETING_BAD_TIME", text=shown)
    after = remainder[origin[read.used]:] if read.used < len(origin) else ""
    parts = after.split(maxsplit=1)  # the place, then the topic as typed
    if not parts:
        raise DomainError("MEETING_NO_PLACE")
    return MeetingRequest(KIND_WORDS[kind_word], read.starts_at.astimezone(ctx.now.tzinfo),
                          parts[0], parts[1].strip() if len(parts) > 1 else "")


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
            group=named)), MeetingRequest(request.kind, request.starts_at, place, topic.strip())
    return Audience(), request


@router.command("新建会议", Role.ADMIN, usage="新建会议 <类型> <时间> <地点> [主题]")
def new_meeting(ctx: Context) -> Reply:
    """安排一次会议，回复签到码，并通知参会的人"""
    if len(ctx.args) < 2:
        return texts.MEETING_NEW_USAGE
    audience, request = audience_of(ctx, read_meeting_request(ctx))
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
        org_id=admin.branch_id, kind=kind, starts_at=starts_at, place=place,
        topic=request.topic, latitude=latitude, longitude=longitude, host_id=admin.id,
        invite_member_ids=member_ids, invite_org_ids=org_ids,
    ), outbox=ctx.outbox, tz=ctx.tz, now=ctx.now)
    meeting, count = scheduled.meeting, scheduled.notified
    fields = meeting_fields(meeting, ctx.tz)
    if meeting.starts_at.astimezone(ctx.tz).year != ctx.now.astimezone(ctx.tz).year:
        fields["when"] = when(meeting.starts_at, ctx.tz, with_year=True)
    return texts.MEETING_CREATED.format(id=meeting.id, count=count, **fields) + audience.label
