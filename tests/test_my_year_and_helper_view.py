"""The queries behind the member pages' 我的 and 帮扶: a member's year with who acted on
every line (themselves, their helper's 帮学 and 代签, an admin's 补录, the closing), and a
helper's members with what waits to be passed on and what can be 代签'd now — and the
page's own actions (已转达, 代签) are the chat's, audited as the page's."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from models.actors import Actor, Surface
from models.console.audit import AuditEntry
from models.delivery.outbox import ChannelPolicy
from models.errors import PairingError
from models.meetings.actions import ask_leave, backfill, check_in, close_meeting
from models.meetings.tables import AttendanceStatus, Method
from models.members.my_year import my_year
from models.pairing.actions import confirm_relays
from models.pairing.helper_view import helped_member, helper_view
from models.study.posting import Draft, publish, withdraw_item
from models.study.records import record_study
from schedules.study import push_due_items
from tests.factories import make_meeting
from tests.test_pairing import village  # noqa: F401  (fixture)

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def june(clock):
    """A fixed day well inside the year (local 2026-06-15 10:00)."""
    clock.set(datetime(2026, 6, 15, 2, 0, tzinfo=UTC))
    return clock


def page_actor(member) -> Actor:  # type: ignore[no-untyped-def]
    return Actor.member(member.id, member.name, Surface.PAGE)


def push(services) -> None:  # type: ignore[no-untyped-def]
    """The scheduled push, templates configured (the offline members' go to helpers)."""
    push_due_items(dataclasses.replace(services, outbox=ChannelPolicy({"x": "y"})))


@pytest.mark.usefixtures("june")
def test_the_helpers_page_lists_what_waits_and_the_page_actions_are_the_chats(
        session, clock, services, village):  # noqa: F811
    branch, people = village
    helper, old, nophone = people["helper"], people["old"], people["nophone"]
    item = publish(session, branch.id, Draft("学习四中全会", "内容"), None, clock(), clock())
    meeting = make_meeting(session, branch, clock() + timedelta(hours=3), created=clock(),
                           topic="民主评议")
    session.commit()
    push(services)
    session.expire_all()
    view = helper_view(session, helper, clock())
    session.commit()
    assert [m.name for m in view.members] == ["赵大爷", "孙奶奶"]
    first = view.members[0]
    assert (first.needs_help, first.phone_tail, first.has_wechat) == ("老式手机", "0005", False)
    assert view.members[1].phone_tail is None
    assert [r.item_id for r in first.relays] == [item.id]
    assert "学习四中全会" in first.relays[0].what and not first.relays[0].about_meeting
    assert first.study_to_confirm == (item.id, "学习四中全会")
    assert first.proxy_now == []  # three hours before: check-in is not open yet
    assert view.waiting == 2
    # an hour before the start: 代签 is possible, for the one not on leave first
    ask_leave(session, page_actor(helper), meeting, nophone, "腿脚不便", Method.HELPER,
              clock())
    clock.advance(hours=2, minutes=30)
    view = helper_view(session, helper, clock())
    [chance] = view.members[0].proxy_now
    assert (chance.meeting_id, chance.topic, chance.on_leave) == (meeting.id, "民主评议", False)
    assert view.members[1].proxy_now[0].on_leave is True
    # 已转达 and 代签 from the page: the chat's actions, with the page's actor
    done = confirm_relays(session, page_actor(helper), helper, old, clock())
    check_in(session, page_actor(helper), meeting, old, Method.HELPER, clock())
    session.commit()
    assert done.item is not None and done.item.id == item.id
    view = helper_view(session, helper, clock())
    assert view.members[0].relays == [] and view.members[0].proxy_now == []
    surfaces = {(e.action, e.surface) for e in session.scalars(select(AuditEntry))}
    assert {("relay.confirm", "page"), ("attendance.check_in", "page"),
            ("attendance.leave", "page")} <= surfaces
    # a page's form carries a member id: only the helper's own members
    assert helped_member(session, helper, old.id).id == old.id
    with pytest.raises(PairingError) as refused:
        helped_member(session, helper, people["plain"].id)
    assert refused.value.render() == "张明不是你帮扶的党员。"


@pytest.mark.usefixtures("june")
def test_my_year_names_who_acted_on_every_line(session, clock, services,
                                               village):  # noqa: F811
    branch, people = village
    helper, old, plain, admin = people["helper"], people["old"], people["plain"], \
        people["admin"]
    last_year = publish(session, branch.id, Draft("去年的", "内容"), None,
                        clock() - timedelta(days=200), clock() - timedelta(days=200))
    read_myself = publish(session, branch.id, Draft("第一期", "内容"), None,
                          clock() - timedelta(days=30), clock() - timedelta(days=30))
    relayed = publish(session, branch.id, Draft("第二期", "内容"), None,
                      clock() - timedelta(days=20), clock() - timedelta(days=20))
    not_read = publish(session, branch.id, Draft("第三期", "内容"), None,
                       clock() - timedelta(days=10), clock() - timedelta(days=10))
    gone_unread = publish(session, branch.id, Draft("撤回的", "内容"), None,
                          clock() - timedelta(days=5), clock() - timedelta(days=5))
    gone_read = publish(session, branch.id, Draft("撤回但学过", "内容"), None,
                        clock() - timedelta(days=4), clock() - timedelta(days=4))
    record_study(session, read_myself, old, clock() - timedelta(days=29))
    record_study(session, gone_read, old, clock() - timedelta(days=4))
    withdraw_item(session, branch, gone_unread.id, clock())
    withdraw_item(session, branch, gone_read.id, clock())
    session.commit()
    push(services)
    session.expire_all()
    confirm_relays(session, page_actor(helper), helper, old, clock())  # 帮学: 第三期
    # meetings: one 代签, one 请假, one absent at closing, one 补录, one to come
    held = [make_meeting(session, branch, clock() - timedelta(days=d), topic=f"会{d}")
            for d in (40, 30, 20)]
    for meeting in held:
        meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    session.flush()
    at = held[0].starts_at + timedelta(minutes=10)
    check_in(session, page_actor(helper), held[0], old, Method.HELPER, at)
    ask_leave(session, Actor.member(old.id, old.name), held[1], old, "住院", Method.CODE,
              held[1].starts_at - timedelta(days=1))
    check_in(session, Actor.member(plain.id, plain.name), held[1], plain, Method.CODE,
             held[1].starts_at)
    for meeting in held:
        close_meeting(session, Actor.cli("test"), meeting, meeting.ends_at + timedelta(minutes=5))
    backfill(session, Actor.member(admin.id, admin.name), held[2], old,
             AttendanceStatus.PRESENT, None, clock())
    coming = make_meeting(session, branch, clock() + timedelta(days=3), created=clock())
    cancelled = make_meeting(session, branch, clock() + timedelta(days=4), created=clock())
    ask_leave(session, page_actor(helper), cancelled, old, "走亲戚", Method.HELPER, clock())
    cancelled.status = "cancelled"
    session.commit()

    year = my_year(session, old, 2026, TZ, clock())
    study = {line.title: line for line in year.study}
    assert list(study) == ["撤回但学过", "第三期", "第二期", "第一期"]  # newest first
    assert "去年的" not in study and "撤回的" not in study and last_year.id
    assert (study["第一期"].how, study["第一期"].helper_name) == ("self", None)
    assert (study["第三期"].how, study["第三期"].helper_name) == ("helper", "王帮扶")
    assert study["第二期"].studied_at is None and study["第二期"].how is None
    assert study["撤回但学过"].withdrawn and not_read.id and relayed.id
    lines = {line.meeting_id: line for line in year.meetings}
    assert [line.meeting_id for line in year.meetings] == \
        [cancelled.id, coming.id, held[2].id, held[1].id, held[0].id]
    proxy = lines[held[0].id]
    assert (proxy.status, proxy.how, proxy.by_name, proxy.method) == \
        ("present", "helper", "王帮扶", "helper")
    leave = lines[held[1].id]
    assert (leave.status, leave.reason, leave.how, leave.by_name) == \
        ("leave", "住院", "self", None)
    backfilled = lines[held[2].id]
    assert (backfilled.status, backfilled.how, backfilled.by_name, backfilled.backfilled) == \
        ("present", "admin", "李书记", True)
    assert (lines[coming.id].status, lines[coming.id].how) == ("upcoming", None)
    assert [(line.reason, line.state, line.by_name) for line in year.leave] == \
        [("走亲戚", "cancelled", "王帮扶"), ("住院", "granted", None)]
    # 已转达: each item pushed to him through his helper (last year's too, told now)
    assert [r.helper_name for r in year.relays] == ["王帮扶"] * 3
    assert sorted(r.text.splitlines()[0] for r in year.relays) == \
        ["【今日学习】去年的", "【今日学习】第三期", "【今日学习】第二期"]
    assert year.counts == dataclasses.replace(
        year.counts, items=4, studied=3, studied_by_helper=1, meetings=4, present=2,
        present_by_helper=1, leave=1, absent=0, upcoming=1)
    # 张明: present himself; 孙奶奶 had no record and was marked absent at closing
    nophone = my_year(session, people["nophone"], 2026, TZ, clock())
    closed = {line.meeting_id: line for line in nophone.meetings}[held[0].id]
    assert (closed.status, closed.how, closed.by_name) == ("absent", "closed", None)
    assert nophone.counts.absent == 3
    mine = {line.meeting_id: line for line in my_year(session, plain, 2026, TZ,
                                                       clock()).meetings}[held[1].id]
    assert (mine.status, mine.how, mine.method) == ("present", "self", "code")
    before = my_year(session, old, 2025, TZ, clock())
    assert [(line.title, line.how) for line in before.study] == [("去年的", None)]
    assert before.meetings == [] and before.relays == []
