"""Compliance per branch and period (quarters in Asia/Shanghai), and the roll-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.localtime import period_containing
from models.meetings.attendance import check_in
from models.meetings.compliance import State, compliance
from models.meetings.rules import close_meeting
from models.meetings.tables import AttendanceStatus, Method
from models.members.org_tables import Org, OrgKind
from models.members.orgs import branches_under
from tests.factories import make_branch, make_meeting, make_member, make_township

TZ = ZoneInfo("Asia/Shanghai")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("moment", "label"), [
    (utc(2026, 3, 31, 15, 59), "2026年第1季度"),  # 23:59 on 31 March in Shanghai
    (utc(2026, 3, 31, 16, 0), "2026年第2季度"),  # 00:00 on 1 April in Shanghai
    (utc(2026, 12, 31, 16, 30), "2027年第1季度"),
    (utc(2026, 6, 30, 12, 0), "2026年第2季度"),
])
def test_quarters_follow_shanghai_time(moment, label):
    assert period_containing(moment, "quarter", TZ).label == label


def test_period_bounds_are_local_midnights():
    quarter = period_containing(utc(2026, 11, 26, 3, 0), "quarter", TZ)
    assert quarter.start == utc(2026, 9, 30, 16, 0) and quarter.end == utc(2026, 12, 31, 16, 0)
    month = period_containing(utc(2026, 2, 10), "month", TZ)
    assert month.start == utc(2026, 1, 31, 16) and month.end == utc(2026, 2, 28, 16)
    year = period_containing(utc(2026, 5, 5), "year", TZ)
    assert (year.start, year.end, year.label) == (utc(2025, 12, 31, 16), utc(2026, 12, 31, 16),
                                                  "2026年")


@pytest.fixture
def county(session):
    township = make_township(session)
    a = make_branch(session, "辽原村党支部", township)
    b = make_branch(session, "红光村党支部", township)
    session.add(Org(name="第一党小组", kind=OrgKind.GROUP, parent_id=a.id))
    people = [make_member(session, a, f"甲{i}", f"1380000000{i}") for i in range(4)]
    make_member(session, b, "乙0", "13900000000")
    session.commit()
    return township, a, b, people


def held_meeting(session, branch, starts_at, kind, present, now):
    meeting = make_meeting(session, branch, starts_at, kind=kind, created=starts_at - timedelta(1))
    for member in present:
        check_in(session, meeting, member, Method.ADMIN, member, starts_at)
    close_meeting(session, meeting, now)
    return meeting


def test_states_on_track_at_risk_missed(session, county):
    _township, a, b, people = county
    now = utc(2026, 11, 26, 2, 0)  # Q4, 35 days left
    held_meeting(session, a, utc(2026, 10, 20, 1), "branch_assembly", people[:3], now)
    session.commit()
    found = {c.name: c for c in compliance(session, [a, b], now, TZ)}
    a_kinds = {k.kind: k for k in found["辽原村党支部"].kinds}
    assert a_kinds["branch_assembly"].state == "on_track" and a_kinds["branch_assembly"].held == 1
    assert a_kinds["party_lecture"].state == "at_risk"
    assert a_kinds["party_lecture"].days_left == 35
    assert "group_meeting" in a_kinds  # it has a group
    assert "group_meeting" not in {k.kind for k in found["红光村党支部"].kinds}
    # Judged after the quarter ended, the missing 党课 is missed.
    later = compliance(session, [a], utc(2027, 1, 3), TZ, period_of=now)[0]
    assert {k.kind: k.state for k in later.kinds}["party_lecture"] == "missed"


def test_attendance_rates_equal_the_records(session, county):
    _township, a, _b, people = county
    now = utc(2026, 11, 26, 2, 0)
    held_meeting(session, a, utc(2026, 10, 20, 1), "branch_assembly", people[:3], now)
    held_meeting(session, a, utc(2026, 11, 3, 1), "party_lecture", people[:1], now)
    held_meeting(session, a, utc(2026, 9, 3, 1), "party_lecture", people, now)  # last quarter
    session.commit()
    found = compliance(session, [a], now, TZ)[0]
    assert (found.attendance.expected, found.attendance.present,
            found.attendance.absent) == (8, 4, 4)
    assert found.attendance.rate == 0.5


def test_rollup_covers_the_subtree(session, county):
    township, a, b, people = county
    now = utc(2026, 11, 26, 2, 0)
    held_meeting(session, a, utc(2026, 10, 20, 1), "branch_assembly", people[:2], now)
    held_meeting(session, b, utc(2026, 10, 21, 1), "branch_assembly", [], now)
    session.commit()
    result = compliance(session, branches_under(session, township.id), now, TZ)
    assert {branch.name for branch in result} == {"辽原村党支部", "红光村党支部"}
    assert sum(b.attendance.expected for b in result) == 5
    assert sum(b.attendance.present for b in result) == 2
    on_track = [k for b in result for k in b.kinds if k.state is State.ON_TRACK]
    assert len(on_track) == 2  # the 党员大会 in both
    only_a = compliance(session, branches_under(session, a.id), now, TZ)
    assert [b.name for b in only_a] == ["辽原村党支部"]


def test_stats_reply_for_branch_admin(chat, session, county, clock):
    _township, _a, _b, people = county
    people[0].openid = "o-sec"
    people[0].is_admin = True
    session.commit()
    reply = chat.say("o-sec", "统计")
    assert "辽原村党支部 三会一课落实情况" in reply
    assert "支部党员大会" in reply and "党课" in reply and "暂无出勤数据" in reply


def test_backfill_changes_counts(session, county):
    from models.meetings.attendance import backfill

    _township, a, _b, people = county
    now = utc(2026, 11, 26, 2, 0)
    meeting = held_meeting(session, a, utc(2026, 10, 20, 1), "branch_assembly", people[:2], now)
    backfill(session, meeting, people[3], AttendanceStatus.PRESENT, people[0], now)
    session.commit()
    assert (meeting.present_count, meeting.absent_count) == (3, 1)
