"""Following, 绑定 with name and phone suffix, the guessing limit, unfollowing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.members.tables import Member
from tests.factories import make_branch, make_member


@pytest.fixture
def roster(session):
    branch = make_branch(session)
    make_member(session, branch, "张明", "13800001234")
    make_member(session, branch, "李红", "13900005678", openid="o-lihong")
    session.commit()
    return branch


def _member(session, name: str) -> Member:
    session.rollback()  # a fresh read transaction sees the webhook's commits
    session.expire_all()
    return session.scalar(select(Member).where(Member.name == name))


def test_subscribe_welcome_explains_binding(chat):
    assert "绑定 姓名 手机后四位" in chat.event("o-new", "subscribe")


def test_bind_success(chat, session, roster, clock):
    reply = chat.say("o-zhang", "绑定 张明 1234")
    assert "成功" in reply and "辽原村党支部" in reply
    member = _member(session, "张明")
    assert member.openid == "o-zhang" and member.subscribed and member.bound_at == clock()


def test_bind_tolerates_fullwidth_and_missing_space(chat, session, roster):
    assert "成功" in chat.say("o-zhang", "绑定　张明１２３４")


def test_wrong_guess_binds_nothing(chat, session, roster):
    reply = chat.say("o-x", "绑定 张明 9999")
    assert "成功" not in reply and "还可以试4次" in reply
    assert _member(session, "张明").openid is None


def test_usage_reply_on_bad_format(chat, roster):
    assert "姓名和手机后四位" in chat.say("o-x", "绑定")
    assert "手机后四位" in chat.say("o-x", "绑定 张明 12")


def test_five_wrong_tries_lock_for_an_hour(chat, session, roster, clock):
    for _ in range(4):
        chat.say("o-brute", "绑定 张明 0000")
    assert "尝试次数太多" in chat.say("o-brute", "绑定 张明 0001")  # the 5th
    clock.advance(minutes=30)
    assert "尝试次数太多" in chat.say("o-brute", "绑定 张明 1234")  # right, but locked
    assert _member(session, "张明").openid is None
    clock.advance(minutes=31)
    assert "成功" in chat.say("o-brute", "绑定 张明 1234")


def test_lock_is_per_openid(chat, roster):
    for i in range(5):
        chat.say("o-brute", f"绑定 张明 000{i}")
    assert "成功" in chat.say("o-honest", "绑定 张明 1234")


def test_failures_spread_over_more_than_an_hour_do_not_lock(chat, roster, clock):
    for _ in range(4):
        chat.say("o-slow", "绑定 张明 0000")
    clock.advance(minutes=61)
    assert "还可以试4次" in chat.say("o-slow", "绑定 张明 0000")


def test_member_bound_elsewhere_is_refused(chat, session, roster):
    reply = chat.say("o-thief", "绑定 李红 5678")
    assert "另一个微信" in reply and "管理员" in reply
    assert _member(session, "李红").openid == "o-lihong"


def test_openid_already_bound(chat, roster):
    assert "不用再绑定" in chat.say("o-lihong", "绑定 李红 5678")
    assert "已经绑定了李红" in chat.say("o-lihong", "绑定 张明 1234")


def test_same_name_and_suffix_twice_needs_admin(chat, session, roster):
    make_member(session, roster, "张明", "13700001234")
    session.commit()
    assert "联系支部管理员" in chat.say("o-x", "绑定 张明 1234")


def test_unsubscribe_unlinks_and_resubscribe_needs_binding(chat, session, roster):
    chat.event("o-lihong", "unsubscribe")
    member = _member(session, "李红")
    assert member.openid is None and not member.subscribed
    assert "绑定" in chat.event("o-lihong", "subscribe")
    assert "成功" in chat.say("o-lihong", "绑定 李红 5678")


def test_bound_member_resubscribing_is_welcomed_back(chat, roster):
    assert "欢迎回来" in chat.event("o-lihong", "subscribe")
