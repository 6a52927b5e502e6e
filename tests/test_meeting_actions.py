"""Issue 24, meetings: every change to a meeting is one action, whatever the surface.

Each action is driven from every surface that offers it — the chat (the admin, a
member, a helper for a member), the console (a password account linked to the
secretary) and the scheduler's closing job — and each change leaves exactly one audit
entry naming the actor and the surface."""

from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import func, select

from core import words
from models.console.accounts import ConsoleUser
from models.console.audit import AuditEntry
from models.meetings.tables import Attendance, Meeting, MeetingStatus
from models.members.tables import Member
from tests.conftest import Chat
from tests.test_console_meetings import create, local_form, logged_in
from tests.test_meetings import create as create_in_chat
from tests.test_upload_quotas import noise_jpeg


def last_entry_id(session) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(func.max(AuditEntry.id))) or 0


def one_new_entry(session, since: int, action: str) -> AuditEntry:  # type: ignore[no-untyped-def]
    """The one audit entry written since `since` (there must be exactly one)."""
    session.rollback()
    entries = session.scalars(select(AuditEntry).where(AuditEntry.id > since)).all()
    assert [e.action for e in entries] == [action]
    return entries[0]


def by_chat(entry: AuditEntry, member: Member) -> None:
    assert (entry.actor_key, entry.actor_name, entry.surface) \
        == (f"member:{member.id}", member.name, "chat")


def by_console(session, entry: AuditEntry, login: str = "liaoyuan") -> None:  # type: ignore[no-untyped-def]
    user_id = session.scalar(select(ConsoleUser.id).where(ConsoleUser.login == login))
    assert (entry.actor_key, entry.actor_name, entry.surface) \
        == (f"user:{user_id}", login, "console")


def member_named(session, name: str) -> Member:  # type: ignore[no-untyped-def]
    return session.scalars(select(Member).where(Member.name == name)).one()


def newest_meeting(session) -> Meeting:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalars(select(Meeting).order_by(Meeting.id.desc())).first()


def post(browser, path: str, **data: object):  # type: ignore[no-untyped-def]
    return browser.post(path, data={**data, "csrf_token": browser.token})


@pytest.fixture
def helped(session, county, clock):  # type: ignore[no-untyped-def]
    """刘芳 helps 赵大爷 (no WeChat) in 辽原村 (一帮一)."""
    from models.actors import Actor
    from models.pairing.actions import make_pair
    from tests.factories import make_member

    branch = session.get(Member, county["secretary"]).branch
    helper = member_named(session, "刘芳")
    helper.is_helper = True
    old = make_member(session, branch, "赵大爷", None, needs_help="老式手机")
    make_pair(session, Actor.cli("test"), helper, old, clock(), 3)
    session.commit()
    return helper, old


def test_create_from_the_chat_and_from_the_console(app, session, county, clock, chat: Chat):
    secretary = session.get(Member, county["secretary"])
    since = last_entry_id(session)
    assert "签到码" in create_in_chat(chat, clock)
    entry = one_new_entry(session, since, "meeting.create")
    by_chat(entry, secretary)
    assert entry.after and entry.after["code"] == newest_meeting(session).code
    browser = logged_in(app, "liaoyuan")
    since = last_entry_id(session)
    assert create(browser, county["liaoyuan"], local_form(clock, app, hours=50)).status_code \
        == 302
    by_console(session, one_new_entry(session, since, "meeting.create"))
    # both chose their invitees by id the same way: the committee, from either surface
    assert "支部委员会（1人）" in chat.say("o-admin", "新建会议 支委会 2030-01-01 09:00 村委会")
    assert create(browser, county["liaoyuan"], local_form(
        clock, app, hours=70, kind="committee_meeting", audience="committee")).status_code \
        == 302
    session.rollback()
    from models.meetings.queries import invitee_ids

    chat_made, console_made = session.scalars(select(Meeting).where(
        Meeting.kind == "committee_meeting").order_by(Meeting.id)).all()
    assert invitee_ids(session, chat_made) == invitee_ids(session, console_made) \
        == [county["secretary"]]


def test_cancel_from_the_chat_and_from_the_console(app, session, county, clock, chat: Chat):
    secretary = session.get(Member, county["secretary"])
    create_in_chat(chat, clock)
    code = newest_meeting(session).code
    since = last_entry_id(session)
    assert "已取消" in chat.say("o-admin", f"取消会议 {code}")
    entry = one_new_entry(session, since, "meeting.cancel")
    by_chat(entry, secretary)
    assert entry.after and entry.after["status"] == MeetingStatus.CANCELLED
    browser = logged_in(app, "liaoyuan")
    create(browser, county["liaoyuan"], local_form(clock, app, hours=30))
    meeting_id = newest_meeting(session).id
    since = last_entry_id(session)
    assert post(browser, f"/admin/meeting/{meeting_id}/cancel").status_code == 302
    by_console(session, one_new_entry(session, since, "meeting.cancel"))
    # refused (already cancelled): no entry, the sentence on the meeting's page
    since = last_entry_id(session)
    again = post(browser, f"/admin/meeting/{meeting_id}/cancel")
    assert again.location.endswith(f"/admin/meeting/{meeting_id}")
    assert last_entry_id(session) == since


def test_close_from_the_chat_the_console_and_the_scheduler(app, services, session, county,
                                                          clock, chat: Chat):
    from schedules.meetings import CLOSE_JOB, close_finished

    secretary = session.get(Member, county["secretary"])
    create_in_chat(chat, clock, hours_ahead=0.5)
    code = newest_meeting(session).code
    clock.advance(hours=1)
    since = last_entry_id(session)
    assert "应到" in chat.say("o-admin", f"结束会议 {code}")
    entry = one_new_entry(session, since, "meeting.close")
    by_chat(entry, secretary)
    assert entry.after and entry.after["absent"] == 2
    browser = logged_in(app, "liaoyuan")
    create(browser, county["liaoyuan"], local_form(clock, app, hours=0.5))
    meeting_id = newest_meeting(session).id
    clock.advance(hours=1)
    since = last_entry_id(session)
    post(browser, f"/admin/meeting/{meeting_id}/close")
    by_console(session, one_new_entry(session, since, "meeting.close"))
    create(browser, county["liaoyuan"], local_form(clock, app, hours=0.5))
    clock.advance(hours=12)  # past its end and the grace
    since = last_entry_id(session)
    assert close_finished(services) == 1
    entry = one_new_entry(session, since, "meeting.close")
    assert (entry.actor_key, entry.actor_name, entry.surface) \
        == (f"job:{CLOSE_JOB}", words.ACTOR_JOB, "job")


def test_backfill_from_the_chat_and_from_the_console(app, session, county, clock, chat: Chat):
    secretary = session.get(Member, county["secretary"])
    create_in_chat(chat, clock, hours_ahead=0.5)
    meeting = newest_meeting(session)
    clock.advance(hours=1)
    chat.say("o-admin", f"结束会议 {meeting.code}")
    since = last_entry_id(session)
    assert "已补录" in chat.say("o-admin", f"补录 {meeting.id} 张明 出席")
    entry = one_new_entry(session, since, "attendance.backfill")
    by_chat(entry, secretary)
    assert entry.after and entry.after["member"] == "张明"
    liu = member_named(session, "刘芳")
    browser = logged_in(app, "liaoyuan")
    since = last_entry_id(session)
    post(browser, f"/admin/meeting/{meeting.id}/backfill", member=str(liu.id),
         status="leave", reason="外出务工")
    by_console(session, one_new_entry(session, since, "attendance.backfill"))
    record = session.scalar(select(Attendance).where(Attendance.member_id == liu.id))
    assert record is not None and record.backfilled and record.recorded_by == secretary.id


def test_change_and_invitees_from_the_console(app, session, county, clock):
    browser = logged_in(app, "liaoyuan")
    create(browser, county["liaoyuan"], local_form(clock, app, hours=24))
    meeting_id = newest_meeting(session).id
    since = last_entry_id(session)
    moved = post(browser, f"/admin/meeting/{meeting_id}/edit",
                 **local_form(clock, app, hours=30, place="党员活动室"))
    assert moved.status_code == 302
    entry = one_new_entry(session, since, "meeting.change")
    by_console(session, entry)
    assert entry.after and entry.after["place"] == "党员活动室"
    since = last_entry_id(session)
    narrowed = post(browser, f"/admin/meeting/{meeting_id}/edit",
                    **local_form(clock, app, hours=30, place="党员活动室",
                                 audience="committee"))
    assert narrowed.status_code == 302
    entry = one_new_entry(session, since, "meeting.invitees")
    by_console(session, entry)
    assert entry.before and entry.before["invitees"] == "全体党员"
    assert entry.after and entry.after["invitees"] == "支委会成员"
    assert words.AUDIT_ACTION_NAMES["meeting.invitees"]


def test_record_and_photo_from_the_console(app, session, county, clock):
    browser = logged_in(app, "liaoyuan")
    create(browser, county["liaoyuan"], local_form(clock, app, hours=0.5))
    meeting_id = newest_meeting(session).id
    since = last_entry_id(session)
    post(browser, f"/admin/meeting/{meeting_id}/record", minutes="学习党章。",
         recorder=str(county["secretary"]), lecturer="")
    entry = one_new_entry(session, since, "meeting.record")
    by_console(session, entry)
    assert entry.after == {"minutes": "学习党章。", "recorder_id": county["secretary"],
                           "lecturer_id": None}
    # a recorder from another branch is refused: nothing changes, nothing is audited
    far = member_named(session, "赵远")
    since = last_entry_id(session)
    post(browser, f"/admin/meeting/{meeting_id}/record", minutes="别的", recorder=str(far.id))
    assert last_entry_id(session) == since
    assert session.get(Meeting, meeting_id).minutes == "学习党章。"
    since = last_entry_id(session)
    browser.post(f"/admin/meeting/{meeting_id}/photos", data={
        "csrf_token": browser.token, "photo": (BytesIO(noise_jpeg(200, 150)), "p.jpg")})
    entry = one_new_entry(session, since, "meeting.photo")
    by_console(session, entry)
    assert entry.after and entry.after["photo"] in session.get(Meeting, meeting_id).photos


def test_check_in_and_leave_from_the_chat_by_members_and_by_a_helper(
        app, session, county, clock, chat: Chat, helped):
    helper, old = helped
    zhang = member_named(session, "张明")
    create_in_chat(chat, clock, hours_ahead=0.5)
    code = newest_meeting(session).code
    since = last_entry_id(session)
    # A member's own 签到 and 请假 are their own trace (the attendance record names who,
    # when and how): no audit entry. What a helper does for someone else is audited.
    assert "签到成功" in chat.say("o-zm", f"签到 {code}")
    assert "已签到" in chat.say("o-zm", f"签到 {code}")  # again: nothing changes
    assert "请假成功" in chat.say("o-lf", f"请假 {code} 外出务工")
    assert last_entry_id(session) == since
    session.rollback()
    own = session.scalar(select(Attendance).where(Attendance.member_id == zhang.id))
    assert own is not None and own.recorded_by == zhang.id
    since = last_entry_id(session)
    assert "已替赵大爷请假" in chat.say("o-lf", f"代请假 赵大爷 {code} 腿脚不便")
    entry = one_new_entry(session, since, "attendance.leave")
    by_chat(entry, helper)  # the helper acted, for 赵大爷
    assert entry.after and entry.after["member"] == "赵大爷"
    since = last_entry_id(session)
    assert "已替赵大爷签到" in chat.say("o-lf", f"代签 赵大爷 {code}")
    entry = one_new_entry(session, since, "attendance.check_in")
    by_chat(entry, helper)
    assert entry.after and (entry.after["member"], entry.after["method"]) == ("赵大爷", "helper")
    record = session.scalar(select(Attendance).where(Attendance.member_id == old.id))
    assert record is not None and record.recorded_by == helper.id


def test_a_refused_chat_action_leaves_no_entry(session, county, clock, chat: Chat):
    create_in_chat(chat, clock)
    code = newest_meeting(session).code
    since = last_entry_id(session)
    assert "还没到签到时间" in chat.say("o-zm", f"签到 {code}")
    assert "还没开始" in chat.say("o-admin", f"结束会议 {code}")
    assert last_entry_id(session) == since
