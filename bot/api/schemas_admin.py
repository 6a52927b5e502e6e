"""Request and response bodies of the branch admins' endpoints (/api/v1/admin/...): the
chat's 新建会议 / 改会议 / 取消会议 / 结束会议 / 补录, 发布 / 推送 / 撤回 and 统计.

Times go in and out as ISO-8601 with an offset ("2026-12-10T15:00:00+08:00"); a time
without one is refused (400), never guessed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field

from bot.api.schemas import ID_MAX, LINES, ONE_LINE, Body, Out

# RFC 3339 with an offset, years 2000-2099 (a meeting before 2000 is a typo; chat's rule)
ISO_MOMENT = (r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
              r"T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
              r"(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])$")
URL = r"^https?://[^\s<>\"']+$"


# (a day the calendar lacks, "02-30", fits the pattern: refused as a time, 409)
Moment = Annotated[str, Field(pattern=ISO_MOMENT, max_length=40,
                              json_schema_extra={"format": "date-time"})]


def _whole(value: object) -> object:
    """JSON Schema's integer takes 32.0 as 32: so does the body."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


BodyId = Annotated[int, Field(ge=1, le=ID_MAX), BeforeValidator(_whole)]
Place = Annotated[str, Field(min_length=1, max_length=200, pattern=ONE_LINE)]
Topic = Annotated[str, Field(max_length=200, pattern=ONE_LINE)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
# whom a meeting invites: the whole branch, its committee (支委), or one of its 党小组
Invitees = Annotated[str, Field(pattern=r"^(all|committee|group:[1-9][0-9]{0,9})$")]
MeetingKindName = Literal["branch_assembly", "committee_meeting", "group_meeting",
                          "party_lecture", "theme_day", "life_meeting", "other"]


# Requests


class NewMeetingIn(Body):
    """新建会议. `invitees`: "all", "committee" or "group:<id>" (default: the committee
    for a committee_meeting, else the whole branch; a group_meeting of a branch with
    groups must name one). A start between 22:00 and 06:00 local is refused (409) until
    sent again with `night_confirmed: true`."""

    kind: MeetingKindName
    topic: Topic = ""
    starts_at: Moment
    ends_at: Moment | None = None
    place: Place
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    invitees: Invitees | None = None
    night_confirmed: bool = False


class MeetingChangeIn(Body):
    """改会议: what changes (anything left out stays as it is; the end keeps the
    meeting's length unless given). A new start at night needs `night_confirmed`."""

    starts_at: Moment | None = None
    ends_at: Moment | None = None
    place: Place | None = None
    topic: Topic | None = None
    invitees: Invitees | None = None
    night_confirmed: bool = False


class BackfillIn(Body):
    """补录: a member's attendance at a held meeting (leave needs a reason)."""

    member_id: BodyId
    status: Literal["present", "leave"]
    reason: Annotated[str, Field(max_length=200, pattern=ONE_LINE)] | None = None


class NewStudyIn(Body):
    """发布: an item for my branch (township / county staff: every branch below them),
    told to members at the next daily push, or at `publish_at`. A repeat of an item
    posted within a day is refused (409) unless `repeat_confirmed`."""

    title: Annotated[str, Field(min_length=1, max_length=64, pattern=ONE_LINE)]
    body: Annotated[str, Field(max_length=600, pattern=LINES)] = ""
    link: Annotated[str, Field(max_length=500, pattern=URL)] | None = None
    publish_at: Moment | None = None
    repeat_confirmed: bool = False


class StatsQuery(Body):
    """Which branch (default: my own; township / county staff: their whole area)."""

    model_config = ConfigDict(extra="forbid", strict=False)  # query values arrive as text

    branch_id: Annotated[int, Field(ge=1, le=ID_MAX)] | None = None


# Responses


class NotifiedOut(Out):
    """Who a notice reached now, and who it did not (held for their next message, or
    with no channel at all), by name."""

    reached: int
    held: list[str]
    unreachable: list[str]


class AdminMeetingOut(Out):
    """A meeting as its branch admin sees it."""

    id: int
    kind: str
    kind_name: str
    topic: str
    starts_at: datetime
    ends_at: datetime
    place: str
    latitude: float | None
    longitude: float | None
    status: str
    code: str
    expected: int
    present: int
    leave: int
    absent: int


class MeetingCreatedOut(Out):
    """The meeting scheduled (its 签到码 in `meeting.code`) and who was told."""

    message: str
    meeting: AdminMeetingOut
    notified: NotifiedOut


class MeetingChangedOut(Out):
    """What a change did: moved (time, place or topic) and who heard of it, who was
    newly invited and who is no longer expected. `changed` false: nothing to change."""

    message: str
    changed: bool
    meeting: AdminMeetingOut
    notified: NotifiedOut
    invited: NotifiedOut
    uninvited: NotifiedOut


class MeetingCancelledOut(Out):
    """The meeting cancelled, and who was told."""

    message: str
    meeting: AdminMeetingOut
    notified: NotifiedOut


class MeetingClosedOut(Out):
    """The meeting closed: invitees with no record are now absent."""

    message: str
    meeting: AdminMeetingOut
    marked_absent: int


class BackfilledOut(Out):
    """The member's record after 补录, and the meeting's counts."""

    message: str
    member_id: int
    status: str
    reason: str | None
    meeting: AdminMeetingOut


class AdminStudyItemOut(Out):
    """A study item as the admin who posted it sees it."""

    id: int
    title: str
    org: str
    publish_at: datetime
    push_at: datetime
    pushed_at: datetime | None
    withdrawn_at: datetime | None


class StudyPublishedOut(Out):
    """The item published; `message` says when members are told."""

    message: str
    item: AdminStudyItemOut


class StudyPushedOut(Out):
    """Members are told within a minute."""

    message: str
    item: AdminStudyItemOut


class StudyWithdrawnOut(Out):
    """The item withdrawn: members who have not studied it no longer get it."""

    message: str
    item: AdminStudyItemOut
    dropped_notices: int


class KindStatsOut(Out):
    """One kind of meeting in its period (state: on_track, at_risk or missed)."""

    kind: str
    name: str
    period: str
    state: str
    held: int
    days_left: int
    next_planned: datetime | None


class AttendanceOut(Out):
    """Attendance at the held meetings of the quarter."""

    expected: int
    present: int
    leave: int
    absent: int
    rate: float | None


class ReachOut(Out):
    """How the branch's notices of the last 30 days reached members."""

    days: int
    template: int
    customer_service: int
    helper: int
    subscription: int
    in_flight: int
    dropped: int
    unreachable_notices: int
    held: list[str]
    failed: dict[str, int]
    unreachable_members: list[str]


class PairsOut(Out):
    """一帮一 this month."""

    pairs: int
    relays: int
    confirmed: int
    rate: float | None
    not_reached: list[str]
    idle_helpers: list[str]


class BranchStatsOut(Out):
    """统计 for one branch: the numbers of the chat's reply."""

    id: int
    name: str
    kinds: list[KindStatsOut]
    attendance: AttendanceOut
    reach: ReachOut
    pairs: PairsOut
    open_questions: int


class OrgStatsOut(Out):
    """统计 for township / county staff: their branches in three numbers."""

    id: int
    name: str
    branches: int
    on_track: int
    at_risk: int
    missed: int
    unarranged: int
    empty: list[str]
    attendance: AttendanceOut
    lagging: list[str]
    branch_ids: list[int]


class StatsOut(Out):
    """统计: a branch (`branch`) or, for township / county staff asking for no branch,
    their area (`org`); the other is null."""

    today: str
    quarter: str
    branch: BranchStatsOut | None
    org: OrgStatsOut | None


__all__ = ["AdminMeetingOut", "AdminStudyItemOut", "AttendanceOut", "BackfillIn",
           "BackfilledOut", "BranchStatsOut", "KindStatsOut", "MeetingCancelledOut",
           "MeetingChangeIn", "MeetingChangedOut", "MeetingClosedOut", "MeetingCreatedOut",
           "NewMeetingIn", "NewStudyIn", "NotifiedOut", "OrgStatsOut", "PairsOut", "ReachOut",
           "StatsOut", "StatsQuery", "StudyPublishedOut", "StudyPushedOut", "StudyWithdrawnOut"]
