"""我的 in the mini-program: my year at a glance (models.members.my_year, what the 我的
page shows) — every study item of the year (studied or not, by me or through my
helper), every meeting (出席 / 请假 and why / 缺席, 代签 by which helper, 补录 by which
admin), my leave, what my helper passed on, and the counts. Times in local time."""

from __future__ import annotations

from bot.api.runner import Call, Endpoint
from bot.api.schemas_member import (
    LeaveLineOut,
    MeetingLineOut,
    MyYearOut,
    RelayLineOut,
    StudyLineOut,
    YearCountsOut,
    YearQuery,
)
from models.members.my_year import my_year


def my_record(call: Call) -> MyYearOut:
    """My record of a year (`?year=`, default this year): study, meetings, leave,
    relays, newest first, each line saying who acted."""
    query: YearQuery = call.query
    tz = call.services.settings.tz
    year = query.year if query.year is not None else call.now.astimezone(tz).year
    record = my_year(call.session, call.me, year, tz, call.now)
    counts = record.counts
    return MyYearOut(
        year=year,
        counts=YearCountsOut(
            items=counts.items, studied=counts.studied,
            studied_by_helper=counts.studied_by_helper, meetings=counts.meetings,
            present=counts.present, present_by_helper=counts.present_by_helper,
            leave=counts.leave, absent=counts.absent, upcoming=counts.upcoming),
        study=[StudyLineOut(
            item_id=line.item_id, title=line.title,
            published_at=line.published_at.astimezone(tz), withdrawn=line.withdrawn,
            studied_at=line.studied_at.astimezone(tz) if line.studied_at else None,
            how=line.how if line.how in ("self", "helper") else None,  # type: ignore[arg-type]
            helper=line.helper_name) for line in record.study],
        meetings=[MeetingLineOut(
            meeting_id=line.meeting_id, kind=line.kind, kind_name=line.kind_name,
            topic=line.topic, place=line.place, starts_at=line.starts_at.astimezone(tz),
            meeting_status=str(line.meeting_status), status=str(line.status),
            reason=line.reason,
            recorded_at=line.recorded_at.astimezone(tz) if line.recorded_at else None,
            how=line.how, method=str(line.method) if line.method is not None else None,
            by=line.by_name, backfilled=line.backfilled) for line in record.meetings],
        leave=[LeaveLineOut(
            meeting_id=line.meeting_id, kind_name=line.kind_name,
            starts_at=line.starts_at.astimezone(tz), reason=line.reason,
            asked_at=line.asked_at.astimezone(tz), by=line.by_name, state=line.state)
            for line in record.leave],
        relays=[RelayLineOut(kind=line.kind, text=line.text, helper=line.helper_name,
                             confirmed_at=line.confirmed_at.astimezone(tz))
                for line in record.relays])


ENDPOINTS = (
    Endpoint("GET", "/me/year", my_record, "My record of a year", MyYearOut, query=YearQuery),
)
