"""绑定 as people really type it (issue 25, item 11): a whole phone number in any
dress, the last four digits named in words, no command word at all, traditional
characters. A format mistake never costs one of the five tries; only a wrong
name/number pair does."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.members.tables import Member
from tests.factories import make_branch, make_member


@pytest.fixture
def roster(session):
    branch = make_branch(session)
    make_member(session, branch, "陈强", "13800000007")
    make_member(session, branch, "欧阳娜娜", "13912345678")
    make_member(session, branch, "张三", "13700001234")
    make_member(session, branch, "李红", "13900005678", openid="o-lihong")
    session.commit()
    return branch


def _openid_of(session, name: str) -> str | None:
    session.rollback()  # a fresh read transaction sees the webhook's commits
    session.expire_all()
    return session.scalar(select(Member.openid).where(Member.name == name))


def _bound(reply: str, session, name: str, openid: str) -> bool:
    return "绑定成功" in reply and _openid_of(session, name) == openid


@pytest.mark.parametrize("typed", [
    # the issue's own (its full-width number has 10 digits: one 0 dropped; 11 next to it)
    "绑定 陈强 １３８００００００７", "绑定 陈强 １３８０００００００７", "绑定 陈强 138-0000-0007",
    "绑定 陈强 138 0000 0007",
    "绑定 陈强 手机0007", "绑定 陈强 尾号0007", "绑定 陈强 手机尾号是0007",
    # more of each kind: a whole number in other dress, the four digits named in words
    "绑定 陈强 +86 138 0000 0007", "绑定 陈强 138－0000－0007", "绑定陈强13800000007",
    "绑定 陈强 (138)0000-0007", "绑定 陈强 138.0000.0007", "绑定 陈强，电话0007",
    "绑定 陈强 后四位0007", "绑定 陈强 手机后4位是0007", "绑定 陈强 手机号13800000007",
    "绑定：陈强，0007。", "绑定 我是陈强 0007", "绑定 姓名陈强 手机尾号0007",
    "绑定 陈强 尾号 ０００７", "绑定 陈强 手机尾号为0007", "绑定 陈 强 0007",
    "绑定 陈强 零零零七", "绑定 陈强 幺三八零零零零零零零七", "绑定 陈强 008613800000007",
])
def test_a_phone_in_any_dress_binds(chat, session, roster, typed):
    reply = chat.say("o-cq", typed)
    assert _bound(reply, session, "陈强", "o-cq"), reply


@pytest.mark.parametrize("typed", [
    "陈强 0007", "陈强0007", "陈强 13800000007", "陈强 138-0000-0007", "陈强，尾号0007",
    "我是陈强，手机尾号0007", "我叫陈强 手机号138 0000 0007", "姓名：陈强 电话：0007",
    "陈强 零零零七", "陈强 手机0007",
])
def test_a_stranger_binds_without_the_command_word(chat, session, roster, typed):
    reply = chat.say("o-cq", typed)
    assert _bound(reply, session, "陈强", "o-cq"), reply


def test_a_name_of_four_characters_binds_without_the_command_word(chat, session, roster):
    reply = chat.say("o-oy", "欧阳娜娜 5678")
    assert _bound(reply, session, "欧阳娜娜", "o-oy"), reply


def test_a_name_with_a_numeral_in_it_keeps_it(chat, session, roster):
    reply = chat.say("o-zs", "绑定 张三一二三四")
    assert _bound(reply, session, "张三", "o-zs"), reply


@pytest.mark.parametrize("typed", ["我要绑定", "绑定", "我想绑定", "怎么绑定", "绑定一下",
                                   "我要绑定微信", "申请绑定", "綁定"])
def test_wanting_to_bind_is_asked_for_name_and_last_four_digits(chat, roster, typed):
    reply = chat.say("o-new", typed)
    assert "姓名" in reply and "手机后四位" in reply, reply
    assert "没有听懂" not in reply


@pytest.mark.parametrize("typed", ["绑定 陈强", "绑定陈强", "綁定 陳強", "我是陈强，我要绑定"])
def test_a_name_without_the_number_is_asked_for_the_number(chat, session, roster, typed):
    reply = chat.say("o-new", typed)
    assert "手机后四位" in reply and "陈强" in reply, reply
    assert "没有听懂" not in reply and "还可以试" not in reply


@pytest.mark.parametrize("typed", [
    "綁定 陳強 0007", "綁定陳強0007", "陳強 0007", "綁定 陳強 手機尾號0007",
    "綁定 陳強 電話 138-0000-0007",
])
def test_traditional_characters_are_read(chat, session, roster, typed):
    reply = chat.say("o-cq", typed)
    assert _bound(reply, session, "陈强", "o-cq"), reply


@pytest.mark.parametrize("typed", [
    "绑定 陈强 12", "绑定 陈强 000", "绑定 陈强 138000000", "绑定 陈强 123456",
    "绑定 陈强 23800000007",
    "绑定 陈强 1380000000712", "绑定 陈强 0007 1234", "绑定 0007", "绑定 陈强 00O7",
    "绑定 138 0000 0007", "绑定 陈强 尾号", "陈强 12345",
])
def test_format_mistakes_cost_no_try(chat, session, roster, typed):
    for _ in range(6):  # more than the five tries
        reply = chat.say("o-typo", typed)
        assert "还可以试" not in reply and "尝试次数太多" not in reply, reply
        assert "手机后四位" in reply, reply
    # the next real try still has all five
    assert "还可以试4次" in chat.say("o-typo", "绑定 陈强 9999")
    assert _bound(chat.say("o-typo", "绑定 陈强 0007"), session, "陈强", "o-typo")


def test_a_wrong_pair_costs_a_try_with_or_without_the_command_word(chat, session, roster):
    assert "还可以试4次" in chat.say("o-x", "绑定 陈强 1111")
    assert "还可以试3次" in chat.say("o-x", "陈强 2222")
    assert "还可以试2次" in chat.say("o-x", "陈强 尾号3333")
    assert "还可以试1次" in chat.say("o-x", "绑定 王五 138-0000-0007")
    assert "尝试次数太多" in chat.say("o-x", "陈强 4444")
    assert _openid_of(session, "陈强") is None


def test_strangers_other_words_are_not_taken_for_binding(chat, session, roster):
    for said in ("你好", "今天开会吗？", "2026年学习计划", "请问0007是什么", "你好 1234",
                 "我到了 1234", "谢谢 0007", "收到1234"):
        reply = chat.say("o-new", said)
        assert "还可以试" not in reply and "绑定成功" not in reply, (said, reply)
    assert "还可以试4次" in chat.say("o-new", "绑定 陈强 9999")


def test_a_bound_member_saying_name_and_digits_is_not_rebound(chat, session, roster):
    reply = chat.say("o-lihong", "陈强 0007")
    assert "绑定成功" not in reply
    assert _openid_of(session, "陈强") is None
    assert "不用再绑定" in chat.say("o-lihong", "我要绑定")
    assert "不用再绑定" in chat.say("o-lihong", "绑定 李红")
    assert "已经绑定了李红" in chat.say("o-lihong", "绑定 陈强")
    long = "今天学习了党章，懂得了党员和群众要紧紧绑定在一起，很受教育"
    assert "不用再绑定" not in chat.say("o-lihong", long)


def test_a_voice_message_with_name_and_number_binds_a_stranger(chat, session, roster):
    from bot.simulator import message_xml

    reply = chat.send_xml(message_xml("o-cq", "voice", {
        "MediaId": "v1", "Format": "amr", "Recognition": "陈强，手机尾号零零零七。"})).content
    assert _bound(reply, session, "陈强", "o-cq"), reply


@pytest.mark.parametrize(("traditional", "simplified"), [
    ("幫助", "帮助"), ("會議", "会议"), ("我的", "我的"), ("學習", "学习"), ("簽到", "签到"),
    ("請假", "请假"),
])
def test_traditional_command_words_are_the_simplified_ones(chat, session, roster, traditional,
                                                            simplified):
    assert chat.say("o-lihong", traditional) == chat.say("o-lihong", simplified)


def test_the_traditional_table_maps_one_character_to_another():
    from core.simplified import SIMPLIFIED, to_simplified

    assert len(SIMPLIFIED) > 300
    assert all(len(t) == len(s) == 1 and t != s for t, s in SIMPLIFIED.items())
    assert not set(SIMPLIFIED.values()) & set(SIMPLIFIED)  # simplified text stays as it is
    assert to_simplified("綁定 陳強 手機尾號０００７") == "绑定 陈强 手机尾号０００７"
    # characters that are ordinary simplified ones too are never changed
    assert to_simplified("於乾著餘") == "於乾著餘"


def test_binding_goes_on_over_several_messages(chat, session, roster):
    assert "手机后四位" in chat.say("o-cq", "我要绑定")
    reply = chat.say("o-cq", "陈强")  # the name first, as asked
    assert "还差手机后四位" in reply and "绑定 陈强" in reply, reply
    assert _bound(chat.say("o-cq", "陈强 0007"), session, "陈强", "o-cq")


def test_a_name_alone_after_the_welcome_is_the_first_half(chat, roster):
    chat.event("o-new", "subscribe")
    assert "还差手机后四位" in chat.say("o-new", "陳強")


def test_a_name_alone_without_being_asked_is_not_taken_for_binding(chat, roster, clock):
    chat.event("o-new", "subscribe")
    clock.advance(minutes=31)
    assert "还差手机后四位" not in chat.say("o-new", "陈强")
    for said in ("谢谢", "好的", "我到了", "你好吗"):
        chat.event("o-other", "subscribe")
        assert "还差手机后四位" not in chat.say("o-other", said), said
