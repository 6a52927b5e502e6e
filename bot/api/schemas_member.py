"""Request and response bodies of the member endpoints (meetings, 帮扶, 我的, 订阅通知):
pydantic v2, the same classes validate the calls and write the OpenAPI document.

A check-in body is one of three shapes (a 签到码, a position, a scanned QR scene): a
union of three closed models, so the document says `anyOf` and a body that mixes them
or carries none is a 400 before anything runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, RootModel

from bot.api.schemas import ID_MAX, ONE_LINE, Body, Out

# a 签到码 as chat reads it: ASCII digits (a code is 4 to 8 of them; any other run of
# digits is a wrong guess and counted as one, as in chat)
CODE = r"^[0-9]{1,20}$"
REASON_MAX = 200  # characters of a leave's reason (what the record keeps)
TEMPLATE_ID = r"^[A-Za-z0-9_-]{1,128}$"


def _whole_number(value: Any) -> Any:
    """JSON Schema's integer includes 12.0: read it as 12 (a strict field would not)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


WholeNumber = BeforeValidator(_whole_number)

# Requests


class CheckInByCode(Body):
    """签到 with the meeting's 签到码."""

    code: Annotated[str, Field(pattern=CODE)]


class CheckInByPosition(Body):
    """签到 where the member stands (GCJ-02, as wx.getLocation({type: "gcj02"}) gives it)."""

    latitude: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    longitude: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


class CheckInByScene(Body):
    """签到 with the scene of the meeting's QR code (`meeting:<id>`, as printed by
    `partybot qr`)."""

    scene: Annotated[str, Field(min_length=1, max_length=64, pattern=ONE_LINE)]


class CheckInIn(RootModel[CheckInByCode | CheckInByPosition | CheckInByScene]):
    """One of: `{"code"}`, `{"latitude", "longitude"}`, `{"scene"}`."""

    model_config = ConfigDict(strict=True)


class LeaveIn(Body):
    """请假 with a reason."""

    reason: Annotated[str, Field(min_length=1, max_length=REASON_MAX, pattern=ONE_LINE)]


class RelayConfirmIn(Body):
    """已转达: one relay of the list (`relay_id`), or everything open (no `relay_id`)."""

    relay_id: Annotated[int, Field(ge=1, le=ID_MAX), WholeNumber] | None = None


class YearQuery(Body):
    """Which year (default: this one, in local time)."""

    model_config = ConfigDict(extra="forbid", strict=False)  # query values arrive as text

    year: Annotated[int | None, Field(ge=2000, le=2100)] = None


class SubscriptionChoiceIn(Body):
    """What `wx.requestSubscribeMessage` answered for one template."""

    template_id: Annotated[str, Field(pattern=TEMPLATE_ID)]
    status: Literal["accept", "reject"]


class SubscriptionsIn(Body):
    """The answers of one `wx.requestSubscribeMessage` call."""

    choices: Annotated[list[SubscriptionChoiceIn], Field(min_length=1, max_length=20)]


# Responses


class MeetingOut(Out):
    """One upcoming meeting as the member sees it, with their record and what is open."""

    id: int
    kind: str
    kind_name: str
    topic: str
    place: str
    starts_at: datetime
    ends_at: datetime
    code: str  # the 签到码 (chat's 会议 shows it to the invited too)
    host: str | None
    located: bool  # the meeting has coordinates: 签到 by position works
    status: Literal["present", "leave"] | None
    method: str | None  # code / qr / location / helper … of the record
    reason: str | None
    recorded_by: str | None  # who recorded it, when not the member (a helper's 代签)
    recorded_at: datetime | None
    check_in_opens_at: datetime
    check_in_open: bool
    can_leave: bool


class MeetingsOut(Out):
    """My upcoming meetings, soonest first (`more`: there are more than listed)."""

    meetings: list[MeetingOut]
    more: bool


class CheckedInOut(Out):
    """签到 done (`outcome`: recorded, already, replaced_leave) and the chat's sentence."""

    meeting_id: int
    member_id: int
    outcome: Literal["recorded", "already", "replaced_leave"]
    method: str
    message: str


class LeaveOut(Out):
    """请假 recorded (or `already` with the same reason) and the chat's sentence."""

    meeting_id: int
    member_id: int
    outcome: Literal["recorded", "already"]
    message: str


class StudyLineOut(Out):
    """An item of the year: studied (how, by whom, when) or not."""

    item_id: int
    title: str
    published_at: datetime
    withdrawn: bool
    studied_at: datetime | None
    how: Literal["self", "helper"] | None
    helper: str | None


class MeetingLineOut(Out):
    """A meeting of the year and my record there, with who made it."""

    meeting_id: int
    kind: str
    kind_name: str
    topic: str
    place: str
    starts_at: datetime
    meeting_status: str  # planned / held / cancelled
    status: str  # present / leave / absent / upcoming
    reason: str | None
    recorded_at: datetime | None
    how: str | None  # self / helper (代签, 代请假) / admin (补录) / closed
    method: str | None
    by: str | None  # who recorded it, when not the member
    backfilled: bool


class LeaveLineOut(Out):
    """A leave of the year (`state`: before, granted, cancelled)."""

    meeting_id: int
    kind_name: str
    starts_at: datetime
    reason: str | None
    asked_at: datetime
    by: str | None
    state: str


class RelayLineOut(Out):
    """Something my helper passed on to me (已转达)."""

    kind: str
    text: str
    helper: str
    confirmed_at: datetime


class YearCountsOut(Out):
    """The year's counts (the 我的 page's header)."""

    items: int
    studied: int
    studied_by_helper: int
    meetings: int
    present: int
    present_by_helper: int
    leave: int
    absent: int
    upcoming: int


class MyYearOut(Out):
    """我的: the year's study, meetings, leave and relays, newest first, and the counts."""

    year: int
    counts: YearCountsOut
    study: list[StudyLineOut]
    meetings: list[MeetingLineOut]
    leave: list[LeaveLineOut]
    relays: list[RelayLineOut]


class RelayWaitingOut(Out):
    """One thing waiting to be passed on (`happens_at`: the meeting's start, else when
    it was sent)."""

    id: int
    kind: str
    what: str
    text: str
    happens_at: datetime
    about_meeting: bool
    item_id: int | None
    meeting_id: int | None


class ItemRefOut(Out):
    """A study item, by id and title."""

    id: int
    title: str


class HelperMeetingOut(Out):
    """A coming meeting of the member I help, as they see it: their record (and who
    made it), `check_in_open` (代签 possible now) and `can_leave` (代请假 possible)."""

    id: int
    kind_name: str
    topic: str
    place: str
    starts_at: datetime
    ends_at: datetime
    status: Literal["present", "leave"] | None
    reason: str | None
    recorded_by: str | None
    check_in_open: bool
    can_leave: bool


class HelpedMemberOut(Out):
    """A member I help, what waits for them and the meetings I can act on."""

    id: int
    name: str
    needs_help: str | None
    needs_help_note: str | None
    phone_tail: str | None
    has_wechat: bool
    relays: list[RelayWaitingOut]
    study_to_confirm: ItemRefOut | None
    meetings: list[HelperMeetingOut]


class HelperMembersOut(Out):
    """帮扶: the members I help and how many things wait in all."""

    members: list[HelpedMemberOut]
    waiting: int


class RelayConfirmedOut(Out):
    """已转达: what was recorded (`studied`: the item recorded as studied; `notices`:
    notices confirmed) and the chat's sentence."""

    member_id: int
    anything: bool
    studied: ItemRefOut | None
    notices: int
    message: str


class OfferedTemplateOut(Out):
    """A mini-program subscription template, and my answer to it so far."""

    kind: str
    template_id: str
    title: str
    status: Literal["accept", "reject", "refused"] | None
    credits: int  # messages it still allows


class SubscriptionOut(Out):
    """One template I have answered (the account's and the mini-program's)."""

    app: str
    template_id: str
    status: str
    credits: int
    changed_at: datetime


class SubscriptionsOut(Out):
    """The templates to pass to `wx.requestSubscribeMessage`, with my answers."""

    templates: list[OfferedTemplateOut]
    subscriptions: list[SubscriptionOut]


class SubscriptionsSavedOut(SubscriptionsOut):
    """Answers recorded (`stored`), and the state after."""

    stored: int
