"""Domain functions called directly, with a Session and no Flask: the rules the chat and
(later) the console share, and the one local-time module."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core import localtime, texts
from core.geo import distance_m
from models.actors import Actor
from models.db.engine import make_engine, make_session_factory
from models.errors import DomainError, MemberLookupError, PairingError, StudyError
from models.meetings.queries import meeting_near
from models.meetings.rules import close_meeting
from models.meetings.tables import Attendance, AttendanceStatus, Method
from models.members.org_tables import OrgAdmin
from models.members.orgs import make_org_admin
from models.members.queries import find_member
from models.pairing.actions import confirm_relays, make_pair
from models.pairing.queries import helper_member
from models.pairing.relays import Relay
from models.study.posting import (
    Draft,
    hold_post,
    make_draft,
    posting_org,
    publish,
    take_pending_post,
)
from models.study.queries import recent_record_for_feedback
from models.study.records import (
    Feedback,
    attach_feedback,
    item_meant_by_studied,
    item_to_read,
    record_study,
)
from models.study.reports import progress_this_week, year_record
from models.study.tables import StudyRecord
from tests.factories import make_branch, make_meeting, make_member, make_township

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai


@pytest.fixture
def db(database_url):
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


@pytest.fixture
def village(db):
    township = make_township(db)
    branch = make_branch(db, parent=township)
    people = {
        "admin": make_member(db, branch, "李书记", "13800000001", is_admin=True),
        "helper": make_member(db, branch, "王帮扶", "13800000002", openid="o-helper",
                              is_helper=True),
        "old": make_member(db, branch, "赵大爷", None, needs_help="无手机"),
        "zm": make_member(db, branch, "张明", "13800000003"),
    }
    db.commit()
    return township, branch, people


def test_domain_errors_render_from_the_catalog():
    error = PairingError("PAIR_HELPER_FULL", name="王帮扶", load=3)
    assert error.render() == texts.PAIR_HELPER_FULL.format(name="王帮扶", load=3)
    assert isinstance(error, DomainError)
    with pytest.raises(ValueError):
        DomainError("NO_SUCH_SENTENCE")


def test_find_member_refuses_two_with_the_same_name(db, village):
    _township, branch, people = village
    assert find_member(db, branch.id, "张明").id == people["zm"].id
    make_member(db, branch, "张明", "13900000009")
    with pytest.raises(MemberLookupError) as refused:
        find_member(db, branch.id, "张明")
    assert refused.value.key == "MEMBER_AMBIGUOUS" and refused.value.fields["count"] == 2
    with pytest.raises(MemberLookupError) as missing:
        find_member(db, branch.id, "无此人")
    assert missing.value.key == "MEMBER_NOT_FOUND"


def test_backfill_with_two_members_of_one_name_asks_instead_of_guessing(chat, session, clock):
    """Regression: 补录 used to record the first of two 张明 silently."""
    branch = make_branch(session)
    make_member(session, branch, "李书记", "13800000001", openid="o-admin", is_admin=True)
    first = make_member(session, branch, "张明", "13800000003")
    make_member(session, branch, "张明", "13900000009")
    meeting = make_meeting(session, branch, clock() - timedelta(hours=3))
    close_meeting(session, meeting, clock())
    session.commit()
    reply = chat.say("o-admin", f"补录 {meeting.id} 张明 出席")
    assert reply == texts.MEMBER_AMBIGUOUS.format(name="张明", count=2)
    session.rollback()
    status = session.scalar(select(Attendance.status).where(
        Attendance.meeting_id == meeting.id, Attendance.member_id == first.id))
    assert status == AttendanceStatus.ABSENT  # unchanged


def test_confirm_relays_records_the_study_via_the_helper(db, village):
    _township, branch, people = village
    make_pair(db, Actor.cli("test"), people["helper"], people["old"], NOW, 3)
    item = publish(db, branch.id, Draft("学习党章", "第一章"), None, NOW, NOW)
    db.add(Relay(dedupe_key="k", helper_id=people["helper"].id, member_id=people["old"].id,
                 kind="study_push", subject=f"study:{item.id}", text="学习党章",
                 created_at=NOW))
    db.flush()
    done = confirm_relays(db, Actor.cli("test"), people["helper"], people["old"], NOW)
    assert done.item is not None and done.item.id == item.id and done.notices == 0
    record = db.scalar(select(StudyRecord).where(StudyRecord.member_id == people["old"].id))
    assert record is not None and (record.via, record.helper_id) == ("helper",
                                                                     people["helper"].id)
    assert not confirm_relays(db, Actor.cli("test"), people["helper"], people["old"], NOW).anything
    with pytest.raises(PairingError):
        helper_member(db, people["helper"], "张明")


def test_post_limits_and_the_duplicate_hold(db, village):
    _township, branch, people = village
    with pytest.raises(StudyError) as too_long:
        make_draft("标" * 65, "", NOW)
    assert too_long.value.key == "POST_TITLE_TOO_LONG"
    with pytest.raises(StudyError):
        make_draft("标题", "", NOW, link="javascript:alert(1)")
    draft = make_draft("标题", "正文", NOW, link="https://www.12371.cn/a")
    hold_post(db, people["admin"], branch.id, draft, NOW)
    assert take_pending_post(db, people["admin"], NOW + timedelta(minutes=31)) is None
    hold_post(db, people["admin"], branch.id, draft, NOW)
    org, held = take_pending_post(db, people["admin"], NOW + timedelta(minutes=5)) or (None, None)
    assert org is not None and org.id == branch.id and held == draft


def test_org_admins_post_to_their_org(db, village):
    township, branch, people = village
    assert posting_org(db, people["admin"]).id == branch.id
    assert make_org_admin(db, township, people["admin"].id)
    assert not make_org_admin(db, township, people["admin"].id)  # once
    assert len(list(db.scalars(select(OrgAdmin)))) == 1
    assert posting_org(db, people["admin"]).id == township.id


def test_reading_and_studying_and_feedback(db, village):
    township, branch, people = village
    zm = people["zm"]
    yesterday = publish(db, township.id, Draft("昨天", "旧"), None, NOW - timedelta(days=1),
                        NOW)
    assert item_to_read(db, branch.id, zm.id, NOW, TZ).older_unread
    today = publish(db, branch.id, Draft("今天", "新"), None, NOW, NOW)
    reading = item_to_read(db, branch.id, zm.id, NOW, TZ)
    assert reading.item is not None and reading.item.id == today.id
    meant = item_meant_by_studied(db, branch.id, zm.id, NOW, TZ)
    assert meant is not None and meant.id == today.id
    assert record_study(db, today, zm, NOW) and not record_study(db, today, zm, NOW)
    record = recent_record_for_feedback(db, zm.id, NOW + timedelta(minutes=5))
    assert record is not None
    assert attach_feedback(db, record, Feedback("text", "很受教育"), NOW) == 1
    assert attach_feedback(db, record, Feedback("image", None, "m1"), NOW) == 2
    assert [(f.kind, f.text) for f in record.feedback] == [("text", "很受教育"), ("image", None)]
    assert recent_record_for_feedback(db, zm.id, NOW + timedelta(minutes=11)) is None
    progress = {p.item.id: p for p in progress_this_week(db, branch.id, NOW, TZ)}
    assert progress[today.id].done == 1 and "张明" not in progress[today.id].missing
    assert yesterday.id in progress  # Thursday is this week too
    mine = year_record(db, zm, NOW, TZ)
    assert (mine.year, mine.studies, mine.streak) == (2026, 1, 1)


def test_location_finds_the_nearest_open_meeting_in_the_radius(db, village):
    _township, branch, people = village
    meeting = make_meeting(db, branch, NOW + timedelta(minutes=30), latitude=47.92,
                           longitude=129.58)
    near = meeting_near(db, people["zm"], 47.921, 129.58, NOW, 300)
    assert near.meeting is not None and near.meeting.id == meeting.id
    assert meeting_near(db, people["zm"], 47.95, 129.58, NOW, 300).meeting is None
    assert round(distance_m(47.92, 129.58, 47.921, 129.58)) == 111
    assert AttendanceStatus.PRESENT == "present" and Method.LOCATION == "location"


@pytest.mark.parametrize(("moment", "kind", "start", "label"), [
    (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), "month", datetime(2026, 12, 31, 16, 0,
                                                                    tzinfo=UTC), "2027年1月"),
    (datetime(2026, 11, 27, 2, 0, tzinfo=UTC), "quarter", datetime(2026, 9, 30, 16, 0,
                                                                    tzinfo=UTC), "2026年第4季度"),
    (datetime(2026, 11, 27, 2, 0, tzinfo=UTC), "year", datetime(2025, 12, 31, 16, 0,
                                                                 tzinfo=UTC), "2026年"),
])
def test_periods_begin_at_local_midnight(moment, kind, start, label):
    period = localtime.period_containing(moment, kind, TZ)
    assert (period.start, period.label) == (start, label)
    assert period.contains(moment) and not period.contains(period.end)


def test_local_time_helpers():
    assert localtime.start_of_day(NOW, TZ) == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    assert localtime.start_of_week(NOW, TZ) == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    assert localtime.start_of_month(NOW, TZ) == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert localtime.next_midnight(NOW, TZ) == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    assert localtime.next_at(NOW, TZ, (8, 0)) == datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    assert localtime.next_at(NOW, TZ, (11, 0)) == datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    week = localtime.last_week(NOW, TZ)
    assert (week.start, week.label) == (datetime(2026, 11, 15, 16, 0, tzinfo=UTC),
                                        "11月16日—22日")
    days = [NOW, NOW - timedelta(days=1), NOW - timedelta(days=3)]
    assert localtime.current_streak(days, NOW, TZ) == 2
    assert localtime.current_streak(days[1:], NOW, TZ) == 1  # yesterday still counts
    assert localtime.when(NOW, TZ) == "11月27日（周五）10:00"


def test_write_tracking_tells_reads_from_writes(database_url):
    """The inbox commits read-only messages without waiting for PostgreSQL's WAL flush;
    what counts as a write is decided here."""
    from sqlalchemy import text

    from models.db.engine import WROTE, track_writes

    engine = make_engine(database_url)
    track_writes(engine)
    with engine.connect() as connection:
        connection.execute(select(OrgAdmin.id))
        connection.execute(text("WITH x AS (SELECT 1 AS n) SELECT n FROM x"))
        assert not connection.info.get(WROTE)
        connection.execute(text("UPDATE member SET name = name WHERE id = -1"))
        assert connection.info.get(WROTE)
        connection.rollback()
    engine.dispose()
