"""The overview's quarterly trend (an SVG drawn on the server) and its per-branch columns
beyond 三会一课: last week's study rate (the digest's number) and members nothing can
reach — each cell leading to the branch's page for it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.config import DEFAULT_CADENCE
from core.localtime import last_week
from models.meetings.rules import close_meeting
from models.meetings.trends import last_quarters, quarter_trends
from models.members.org_tables import Org
from models.members.tables import Member
from models.study.tables import StudyItem, StudyRecord
from tests.factories import make_meeting, make_member
from tests.test_console_meetings import logged_in

TZ = ZoneInfo("Asia/Shanghai")


def held(session, branch, when, kind, present: int = 0):  # type: ignore[no-untyped-def]
    """A meeting of `kind` at `when`, closed with `present` of its invitees checked in."""
    from models.meetings.attendance import check_in
    from models.meetings.tables import Method

    meeting = make_meeting(session, branch, when, kind=kind)
    members = session.scalars(select(Member).where(Member.branch_id == branch.id)
                              .order_by(Member.id)).all()
    for member in members[:present]:
        check_in(session, meeting, member, Method.CODE, member, when)
    close_meeting(session, meeting, when + timedelta(hours=3))
    return meeting


def test_the_trend_counts_what_each_quarter_asked_for(session, county, clock):
    branch = session.get(Org, county["liaoyuan"])
    quarters = last_quarters(clock(), TZ, 4)
    assert [q.end for q in quarters[:-1]] == [q.start for q in quarters[1:]]
    last = quarters[2]
    middle = last.start + (last.end - last.start) / 2
    held(session, branch, middle, "branch_assembly", present=3)
    for day in range(4):  # four 支委会: a quarter asks for three, so three count
        held(session, branch, middle + timedelta(days=day + 1), "committee_meeting", present=1)
    session.commit()
    trends = quarter_trends(session, [branch.id], quarters, DEFAULT_CADENCE)
    # asked: 党员大会 1, 支委会 3, 党小组会 3 (it has a group), 党课 1 = 8; held 1 + 3
    assert [(t.held, t.required) for t in trends] == [(0, 8), (0, 8), (4, 8), (0, 8)]
    assert trends[2].completion == 0.5
    # attendance: 3 of 3 invitees at the assembly, 1 of 3 at each 支委会 (whole branch)
    assert (trends[2].present, trends[2].expected) == (3 + 4, 3 + 4 * 3)
    assert trends[0].attendance is None


def test_the_overview_draws_the_trend_and_shows_study_and_reach(app, session, county,
                                                                 clock):
    branch = session.get(Org, county["liaoyuan"])
    quarters = last_quarters(clock(), TZ, 4)
    held(session, branch, quarters[2].start + timedelta(days=20), "branch_assembly",
         present=3)
    make_member(session, branch, "孙奶奶", None)  # no WeChat, no helper
    week = last_week(clock(), TZ)
    item = StudyItem(org_id=branch.id, title="上周的学习", body="", content_hash="x" * 64,
                     publish_at=week.start + timedelta(days=1),
                     push_at=week.start + timedelta(days=1))
    session.add(item)
    session.flush()
    first = session.scalars(select(Member).where(Member.branch_id == branch.id)
                            .order_by(Member.id)).first()
    assert first is not None
    session.add(StudyRecord(item_id=item.id, member_id=first.id,
                            studied_at=week.start + timedelta(days=2)))
    session.commit()
    page = logged_in(app, "east-it").get("/admin/").get_data(as_text=True)
    chart = page[page.index('<figure class="card trend"'):page.index("</figure>")]
    # a completion bar every quarter (0% too), attendance only where meetings were held
    assert chart.count('fill="#b71c1c" rx') == 4 and chart.count('fill="#1565c0" rx') == 1
    local = quarters[2].start.astimezone(TZ)
    assert f"{local.year}年{(local.month - 1) // 3 + 1}季度" in chart
    assert "完成率13%" in chart or "完成率12%" in chart  # 1 of 8 asked for
    assert "出勤率100%" in chart
    # columns: last week's study (1 of 4 members, one item) and who cannot be reached
    assert "上周学习率" in page and "25%" in page
    assert f'href="/admin/branch/{county["liaoyuan"]}/reach">1人</a>' in page
    assert f'href="/admin/branch/{county["liaoyuan"]}/meetings"' in page
