"""Joint sessions and changing who is invited, in the console: a meeting of one branch
that invites neighbouring branches (the chat's invitee rules: notices, check-in with the
same code, the attendance list), and a planned meeting whose invitees change — those
added get the 会议通知, those dropped 参会调整, their records stay."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.console.audit import AuditEntry
from models.delivery.outbox import Outbox
from models.meetings.tables import Attendance, Meeting, MeetingInvite
from tests.conftest import Chat
from tests.test_console_meetings import create, local_form, logged_in


@pytest.fixture
def neighbour(session, county):  # type: ignore[no-untyped-def]
    """东村党支部 (王东) beside 辽原村 under 东乡党委."""
    from models.members.org_tables import Org
    from tests.factories import make_branch, make_member

    east = session.get(Org, session.get(Org, county["liaoyuan"]).parent_id)
    branch = make_branch(session, "东村党支部", east)
    make_member(session, branch, "王东", "13800000005", openid="o-wd")
    session.commit()
    return branch.id


def notices_to(session, meeting_id: int, kind: str | None = None) -> set[str]:  # type: ignore[no-untyped-def]
    from models.members.tables import Member

    query = select(Member.name).join(Outbox, Outbox.member_id == Member.id).where(
        Outbox.dedupe_key.like(f"meeting:{meeting_id}:member:%"))
    if kind:
        query = query.where(Outbox.kind == kind)
    return set(session.scalars(query))


def test_a_joint_meeting_invites_the_neighbours_who_check_in_with_the_same_code(
        app, session, county, neighbour, clock, chat: Chat):
    browser = logged_in(app, "liaoyuan")
    page = browser.get(f"/admin/branch/{county['liaoyuan']}/meetings/new").get_data(
        as_text=True)
    assert "联合召开" in page and "东村党支部" in page
    assert "远山村党支部" not in page  # another township's branch is not offered
    answer = create(browser, county["liaoyuan"],
                    {**local_form(clock, app, hours=0.5, kind="theme_day"),
                     "joint": str(neighbour)})
    assert answer.status_code == 302
    meeting = session.scalars(select(Meeting)).one()
    shown = browser.get(answer.location).get_data(as_text=True)
    assert "已通知4名党员" in shown and "全体党员；联合召开：东村党支部" in shown
    assert notices_to(session, meeting.id) == {"李书记", "张明", "刘芳", "王东"}
    assert "签到成功" in chat.say("o-wd", f"签到 {meeting.code}")
    live = browser.get(f"/admin/meeting/{meeting.id}/attendance").get_data(as_text=True)
    assert "王东" in live and "已签到 <b class=\"present\">1</b>" in live
    assert "没有正在签到的会议" in chat.say("o-zy", "签到")  # 远山村 is not invited
    assert "签到成功" not in chat.say("o-zy", f"签到 {meeting.code}")


def test_a_forged_joint_branch_is_refused_and_nothing_is_scheduled(
        app, session, county, neighbour, clock):
    browser = logged_in(app, "liaoyuan")
    answer = create(browser, county["liaoyuan"],
                    {**local_form(clock, app), "joint": str(county["far"])})
    assert answer.status_code == 400
    assert "联合召开只能邀请列表里的支部" in answer.get_data(as_text=True)
    assert session.scalars(select(Meeting)).all() == []


def test_changing_the_invitees_tells_those_added_and_those_dropped(
        app, session, county, neighbour, clock, chat: Chat):
    browser = logged_in(app, "liaoyuan")
    create(browser, county["liaoyuan"], local_form(clock, app, hours=24))
    meeting = session.scalars(select(Meeting)).one()
    assert "请假成功" in chat.say("o-lf", f"请假 {meeting.code} 外出务工")
    # the branch assembly becomes a committee meeting with the neighbours, a day later
    form = {**local_form(clock, app, hours=48), "audience": "committee",
            "joint": str(neighbour)}
    answer = browser.post(f"/admin/meeting/{meeting.id}/edit",
                          data={**form, "csrf_token": browser.token})
    assert answer.status_code == 302
    shown = browser.get(answer.location).get_data(as_text=True)
    assert "已修改会议，已通知1名党员" in shown  # 李书记 stays and hears of the move
    assert "新邀请的人已收到会议通知：1名党员" in shown
    assert "不再参会的人已收到参会调整通知" in shown
    assert "支委会成员；联合召开：东村党支部" in shown
    session.rollback()
    assert notices_to(session, meeting.id, "meeting_uninvited") == {"张明", "刘芳"}
    assert notices_to(session, meeting.id, "meeting_notice") >= {"王东"}
    changed = session.scalars(select(Outbox.member_id).where(
        Outbox.dedupe_key.like(f"meeting:{meeting.id}:member:%:changed:%"))).all()
    assert changed == [county["secretary"]]
    dropped = session.scalars(select(Outbox.payload).where(
        Outbox.kind == "meeting_uninvited")).first()
    assert dropped and "不用参加" in str(dropped)
    # 刘芳's leave stays on record, and she is on the list with it
    assert session.scalars(select(Attendance.status)).all() == ["leave"]
    live = browser.get(f"/admin/meeting/{meeting.id}/attendance").get_data(as_text=True)
    assert "刘芳" in live and "外出务工" in live and "张明" not in live
    # the form reads back what was chosen
    edit = browser.get(f"/admin/meeting/{meeting.id}/edit").get_data(as_text=True)
    assert 'value="committee" selected' in edit
    assert f'value="{neighbour}" checked' in edit
    audit = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "meeting.change")).one()
    assert audit.before and audit.before["invitees"] == "全体党员"
    assert audit.after and audit.after["invitees"] == "支委会成员；联合召开：东村党支部"
    # back to everyone, no joint branch: the invites are gone, 张明 and 刘芳 invited again
    back = browser.post(f"/admin/meeting/{meeting.id}/edit",
                        data={**form, "audience": "all", "joint": [],
                              "csrf_token": browser.token})
    assert back.status_code == 302
    session.rollback()
    assert session.scalars(select(MeetingInvite)).all() == []
    assert notices_to(session, meeting.id, "meeting_uninvited") == {"张明", "刘芳", "王东"}


def test_invitees_cannot_change_once_it_has_started_and_joint_members_are_backfilled(
        app, session, county, neighbour, clock):
    browser = logged_in(app, "liaoyuan")
    create(browser, county["liaoyuan"], {**local_form(clock, app, hours=0.5),
                                         "joint": str(neighbour)})
    meeting = session.scalars(select(Meeting)).one()
    clock.advance(hours=1)
    late = browser.post(f"/admin/meeting/{meeting.id}/edit",
                        data={**local_form(clock, app, hours=3), "audience": "committee",
                              "csrf_token": browser.token})
    assert late.status_code == 400 and "不能再改" in late.get_data(as_text=True)
    browser.post(f"/admin/meeting/{meeting.id}/close", data={"csrf_token": browser.token})
    session.rollback()
    from models.members.tables import Member

    wang = session.scalars(select(Member).where(Member.name == "王东")).one()
    absent = session.scalars(select(Attendance.member_id).where(
        Attendance.status == "absent")).all()
    assert wang.id in absent and len(absent) == 4
    # the secretary sees only their branch, but 王东 was invited: 补录 works for him
    answer = browser.post(f"/admin/meeting/{meeting.id}/backfill",
                          data={"member": str(wang.id), "status": "present",
                                "csrf_token": browser.token})
    assert "已补录：王东 出席" in browser.get(answer.location).get_data(as_text=True)
    # and the far branch's member, never invited, is still 404
    far = session.scalars(select(Member).where(Member.name == "赵远")).one()
    refused = browser.post(f"/admin/meeting/{meeting.id}/backfill",
                           data={"member": str(far.id), "status": "present",
                                 "csrf_token": browser.token})
    assert refused.status_code == 404


def test_a_branch_invited_from_above_stays_when_the_secretary_moves_the_meeting(
        app, session, county, neighbour, clock):
    browser = logged_in(app, "liaoyuan")
    create(browser, county["liaoyuan"], local_form(clock, app, hours=24))
    meeting = session.scalars(select(Meeting)).one()
    # county staff invited 远山村 (another township: outside the secretary's reach)
    session.add(MeetingInvite(meeting_id=meeting.id, org_id=county["far"]))
    session.commit()
    edit = browser.get(f"/admin/meeting/{meeting.id}/edit").get_data(as_text=True)
    assert f'value="{county["far"]}" checked' in edit and "远山村党支部" in edit
    moved = {**local_form(clock, app, hours=30), "joint": str(county["far"])}
    answer = browser.post(f"/admin/meeting/{meeting.id}/edit",
                          data={**moved, "csrf_token": browser.token})
    assert answer.status_code == 302
    session.rollback()
    assert session.scalars(select(MeetingInvite.org_id)).all() == [county["far"]]
    assert notices_to(session, meeting.id, "meeting_uninvited") == set()
    # but the secretary cannot add it anew to another meeting
    refused = create(browser, county["liaoyuan"], {**local_form(clock, app, hours=50),
                                                   "joint": str(county["far"])})
    assert refused.status_code == 400
