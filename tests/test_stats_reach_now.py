"""统计 says who cannot be reached now, as the console's delivery page does: members who
have bound since a notice could not reach them are not 联系不上 any more (issue 25.3)."""

from __future__ import annotations

import re
from datetime import UTC, timedelta, timezone

import pytest
from sqlalchemy import select

from models.meetings.tables import Meeting
from tests.conftest import CONSOLE_PASSWORD
from tests.factories import make_branch, make_member, make_township


@pytest.fixture
def branch(session, clock):
    township = make_township(session)
    branch = make_branch(session, "辽原村党支部", township)
    make_member(session, branch, "李书记", "13800000001", openid="o-admin", is_admin=True)
    make_member(session, branch, "张明", "13800000002")  # not bound yet
    make_member(session, branch, "陈强", "13800000005")  # not bound yet
    make_member(session, branch, "孙奶奶", None, needs_help="无手机")  # never reachable
    session.commit()
    return branch


def _local(clock, hours: float) -> str:
    local = clock() + timedelta(hours=hours + 8)
    return local.strftime("%Y-%m-%d %H:%M")


def test_members_bound_since_a_notice_are_not_called_unreachable(chat, session, clock, branch):
    # a working morning: a meeting two hours from a night-time "now" would be asked about
    tomorrow = (clock() + timedelta(days=1)).astimezone(timezone(timedelta(hours=8)))
    clock.set(tomorrow.replace(hour=8, minute=0, second=0).astimezone(UTC))
    created = chat.say("o-admin", f"新建会议 党员大会 {_local(clock, 2)} 村委会")
    assert "张明" in created and "陈强" in created  # at that moment, nobody could reach them
    assert "现在联系不上3人：" in chat.say("o-admin", "统计")
    for openid, name, tail in (("o-zm", "张明", "0002"), ("o-cq", "陈强", "0005")):
        assert "绑定成功" in chat.say(openid, f"绑定 {name} {tail}")
    session.rollback()
    code = session.scalars(select(Meeting.code)).one()
    clock.advance(hours=2)
    for openid in ("o-zm", "o-cq"):
        assert "签到成功" in chat.say(openid, f"签到 {code}")
    assert "已结束" in chat.say("o-admin", f"结束会议 {code}")
    stats = chat.say("o-admin", "统计")
    unreachable = [line for line in stats.splitlines() if "联系不上" in line]
    assert unreachable == [line for line in unreachable if "张明" not in line
                           and "陈强" not in line], stats
    assert any("现在联系不上1人：孙奶奶" in line for line in unreachable), stats
    # a notice still on its way (the secretary's own) is not "not reached"
    assert "李书记" not in stats.split("本月还没联系上")[-1], stats


def test_stats_and_the_delivery_page_name_the_same_people(app, chat, session, clock, branch):
    chat.say("o-admin", f"新建会议 党员大会 {_local(clock, 26)} 村委会")
    chat.say("o-zm", "绑定 张明 0002")
    stats = chat.say("o-admin", "统计")
    named = re.search(r"联系不上(\d+)人：([^（]+)", stats)
    assert named is not None, stats
    from models.console.accounts import add_console_user
    from models.members.tables import Member

    session.rollback()
    secretary = session.scalars(select(Member).where(Member.name == "李书记")).one()
    add_console_user(session, "liaoyuan", CONSOLE_PASSWORD, branch, secretary, clock())
    session.commit()
    browser = app.test_client()
    page = browser.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    browser.post("/admin/login", data={"login": "liaoyuan", "password": CONSOLE_PASSWORD,
                                       "csrf_token": token})
    reach = browser.get(f"/admin/branch/{branch.id}/reach").get_data(as_text=True)
    now_card = reach.split("现在完全联系不上的党员")[1].split("</div>")[0]
    assert named.group(1) == "2" and set(named.group(2).split("、")) == {"陈强", "孙奶奶"}
    assert f"（{named.group(1)}）" in now_card and named.group(2) in now_card
    assert "张明" not in now_card
