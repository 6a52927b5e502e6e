"""No placeholder ever reaches a person: whatever anyone says, in every role, the replies
(and the notices they cause) carry no unfilled "{field}", no empty 「」 or （）, and no
word repeated as its own explanation ("支部管理员（支部管理员）") (issue 25.6)."""

from __future__ import annotations

import re

from sqlalchemy import select

from models.delivery.outbox import Outbox
from tests.test_overview_arranged import township  # noqa: F401  (the fixture)

LEFTOVERS = [
    re.compile(r"\{[a-z_]*\}"),  # a catalog field never filled
    re.compile(r"「\s*」|（\s*）|\(\s*\)"),  # an empty quote or aside
    re.compile(r"([\u4e00-\u9fff]{2,})（\1）"),  # 支部管理员（支部管理员）
    re.compile(r"(支部管理员|管理员|帮扶人|书记|党员)\1"),  # a role word twice in a row
    re.compile(r"\bNone\b|\bnull\b|\bundefined\b"),
]

SAID = [
    "帮助", "帮助 统计", "帮助 签到", "统计", "统计 本支部", "统计 红光村", "统计 远山村",
    "统计 村", "统计 全部", "哪些支部落后了", "哪个支部还没开党课", "落后的支部",
    "吃了吗", "我该干什么", "怎么签到", "怎么交党费？", "会议", "我的", "学习", "已学",
    "签到", "签到 0000", "请假", "请假 家里有事", "新建会议", "结对", "解除结对", "帮学",
    "代签", "未学", "今天天气不错", "谢谢", "你好", "统计了吗", "我想入党", "绑定",
    "绑定 张三 0000",
]
PEOPLE = {
    "o-officer": "township staff, no admin in their own branch",
    "o-admin": "a branch secretary",
    "o-zm": "a member",
    "o-wh": "another secretary",
    "o-stranger": "someone not bound",
}


def leftovers_in(text: str) -> list[str]:
    return [found.group(0) for pattern in LEFTOVERS for found in pattern.finditer(text)]


def test_the_scan_sees_what_it_looks_for():
    assert leftovers_in("这个问题已转给支部管理员（支部管理员），他们会尽快回复你。")
    assert leftovers_in("你好{name}") and leftovers_in("没有听懂「」")
    assert not leftovers_in("这个问题已转给支部管理员（李书记），他们会尽快回复你。")
    assert not leftovers_in("签到 <签到码>")  # help's usage notation is meant to be read


def test_no_reply_carries_a_placeholder(chat, session, township):  # noqa: F811
    found = []
    for openid, who in PEOPLE.items():
        for text in SAID:
            reply = chat.say(openid, text)
            if leftovers_in(reply):
                found.append((who, text, leftovers_in(reply), reply))
    session.rollback()
    for payload in session.scalars(select(Outbox.payload)):
        body = " ".join(str(value) for value in (payload or {}).values())
        if leftovers_in(body):
            found.append(("notice", "", leftovers_in(body), body))
    assert found == [], "\n".join(map(str, found))


def test_a_lone_question_mark_is_not_echoed_empty(chat, township):  # noqa: F811
    assert not leftovers_in(chat.say("o-zm", "？"))
