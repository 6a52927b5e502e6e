"""Reminders, closing and compliance warnings, with a controllable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.delivery.outbox import Outbox
from models.meetings.rules import cancel_meeting
from models.meetings.tables import Attendance, Meeting, MeetingStatus
from models.members.org_tables import OrgAdmin
from schedules.meetings import close_finished, send_reminders, warn_at_risk
from tests.factories import make_branch, make_meeting, make_member, make_township


@pytest.fixture
def setup(session, clock):
    township = make_township(session)
    branch = make_branch(session, "辽原村党支部", township)
    admin = make_member(session, branch, "李书记", "13800000001", openid="o-admin",
                        is_admin=True)
    make_member(session, branch, "张明", "13800000002", openid="o-zm")
    make_member(session, branch, "孙奶奶", None)
    officer_branch = make_branch(session, "乡机关党支部", township)
    officer = make_member(session, officer_branch, "何委员", "13800000021", openid="o-ho")
    session.add(OrgAdmin(org_id=township.id, member_id=officer.id))
    session.commit()
    return branch, admin, officer


def keys(session, suffix: str) -> list[str]:
    session.rollback()
    return sorted(k for k in session.scalars(select(Outbox.dedupe_key)) if k.endswith(suffix))


def test_reminders_24h_then_1h_each_once(services, session, clock, setup):
    branch, *_ = setup
    start = clock() + timedelta(days=3)
    meeting = make_meeting(session, branch, start, created=clock())
    session.commit()
    clock.set(start - timedelta(hours=25))
    assert send_reminders(services) == 0
    clock.set(start - timedelta(hours=23, minutes=59))
    assert send_reminders(services) == 3
    assert send_reminders(services) == 0  # the sweep run twice
    assert len(keys(session, ":remind-24h")) == 3
    clock.set(start - timedelta(minutes=59))
    assert send_reminders(services) == 3
    assert send_reminders(services) == 0
    assert keys(session, ":remind-1h") == sorted(
        f"meeting:{meeting.id}:member:{m}:remind-1h" for m in (1, 2, 3))


def test_scheduler_down_across_the_24h_reminder(services, session, clock, setup):
    branch, *_ = setup
    start = clock() + timedelta(days=3)
    make_meeting(session, branch, start, created=clock())
    session.commit()
    clock.set(start - timedelta(hours=5))  # was down at T-24h: the reminder still goes out
    assert send_reminders(services) == 3
    assert len(keys(session, ":remind-24h")) == 3
    clock.set(start - timedelta(minutes=30))
    send_reminders(services)
    assert len(keys(session, ":remind-1h")) == 3


def test_down_past_both_reminders_sends_only_the_near_one(services, session, clock, setup):
    branch, *_ = setup
    start = clock() + timedelta(days=3)
    make_meeting(session, branch, start, created=clock())
    session.commit()
    clock.set(start - timedelta(minutes=20))
    assert send_reminders(services) == 3
    assert keys(session, ":remind-24h") == [] and len(keys(session, ":remind-1h")) == 3


def test_no_reminder_once_started_or_cancelled(services, session, clock, setup):
    branch, *_ = setup
    start = clock() + timedelta(days=3)
    started = make_meeting(session, branch, start, created=clock())
    cancelled = make_meeting(session, branch, start + timedelta(hours=3), kind="party_lecture",
                             created=clock())
    cancel_meeting(session, cancelled, clock())
    session.commit()
    clock.set(start + timedelta(minutes=1))
    assert send_reminders(services) == 0
    assert started.id and keys(session, ":remind-1h") == []


def test_finished_meetings_close_themselves(services, session, clock, setup):
    branch, *_ = setup
    start = clock() + timedelta(days=1)
    meeting = make_meeting(session, branch, start, created=clock())
    session.commit()
    clock.set(meeting.ends_at + timedelta(minutes=119))
    assert close_finished(services) == 0
    clock.set(meeting.ends_at + timedelta(minutes=121))
    assert close_finished(services) == 1
    assert close_finished(services) == 0
    session.rollback()
    session.expire_all()
    assert session.get(Meeting, meeting.id).status == MeetingStatus.HELD
    assert len(session.scalars(select(Attendance)).all()) == 3


def test_risk_warnings_at_30_14_7_days_and_up_the_tree(services, session, clock, setup):
    quarter_end = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # 2027-01-01 00:00 Shanghai
    clock.set(quarter_end - timedelta(days=29, hours=12))
    assert warn_at_risk(services) > 0
    assert warn_at_risk(services) == 0  # run twice: nothing new
    first = keys(session, ":1")  # the branch admin is member 1
    assert any("branch_assembly" in k and ":warn-30:" in k for k in first)
    assert any("party_lecture" in k and ":warn-30:" in k for k in first)
    assert not any(":up-7:" in k for k in keys(session, ""))
    clock.set(quarter_end - timedelta(days=13, hours=12))
    warn_at_risk(services)
    assert any(":warn-14:" in k for k in keys(session, ""))
    clock.set(quarter_end - timedelta(days=6, hours=12))
    warn_at_risk(services)
    everything = keys(session, "")
    assert any("branch_assembly" in k and ":warn-7:" in k for k in everything)
    up = [k for k in everything if ":up-7:" in k]
    assert up and all(k.endswith(":4") for k in up)  # the township officer


def test_no_warning_when_the_meeting_is_planned_or_held(services, session, clock, setup):
    branch, *_ = setup
    quarter_end = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    clock.set(quarter_end - timedelta(days=10))
    make_meeting(session, branch, quarter_end - timedelta(days=5), created=clock())
    session.commit()
    warn_at_risk(services)
    everything = keys(session, "")
    assert not any(k.startswith(f"compliance:{branch.id}:branch_assembly") for k in everything)
    assert any(k.startswith(f"compliance:{branch.id}:party_lecture") for k in everything)
