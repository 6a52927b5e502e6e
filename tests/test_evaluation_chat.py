"""民主评议党员 over chat: the secretary opens the round, members write their
self-assessment (words or voice) and rate each other (by number or name, changeable),
paper ballots for members without a phone (never entered by their own helper; one way
of voting only), progress without choices, the cap on 优秀 at close, each result to its
member alone — and no reply, notice, audit entry or log line puts a voter next to a
choice."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, select

from bot.simulator import message_xml
from models.console.audit import AuditEntry
from models.delivery.outbox import Outbox
from models.evaluation.tables import (
    EvaluationBallot,
    EvaluationRound,
    EvaluationSubject,
    EvaluationVoted,
)
from tests.conftest import Chat
from tests.evaluation_support import evaluation_branch, flat_lines, linked_lines


@pytest.fixture
def branch(session, county, clock):  # type: ignore[no-untyped-def]
    return evaluation_branch(session, county, clock)


def all_pages(chat: Chat, openid: str, text: str) -> str:
    """A long reply with every page 更多 brings."""
    pages = [chat.say(openid, text)]
    while "更多" in pages[-1][-20:] and len(pages) < 10:
        pages.append(chat.say(openid, "更多"))
    return "\n".join(pages)


def test_help_lists_the_evaluation_commands(chat: Chat, branch):  # type: ignore[no-untyped-def]
    everything = all_pages(chat, "o-admin", "帮助 全部")
    for word in ("开始评议", "评议进度", "纸质选票", "结束评议", "自评", "评议", "我的评议"):
        assert word in everything
    member = all_pages(chat, "o-zm", "帮助 全部")
    assert "自评" in member and "我的评议" in member and "开始评议" not in member
    assert "管理员" in chat.say("o-zm", "开始评议")


def test_a_whole_round_over_chat(chat: Chat, session, branch, clock, caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    replies: list[str] = []  # what others than the voter see (a voter's own list is theirs)

    def say(openid: str, text: str) -> str:
        reply = chat.say(openid, text)
        if not text.startswith(("评议", "我的评议")):
            replies.append(reply)
        return reply

    assert "没有进行中的民主评议" in say("o-zm", "评议")
    opened = say("o-admin", "开始评议")
    assert "民主评议已开始" in opened and "评6人，6人投票" in opened
    session.rollback()
    notices = session.scalars(select(Outbox).where(Outbox.kind == "evaluation_open")).all()
    assert len(notices) == 6 and "自评" in notices[0].payload["text"]
    assert "已经开始" in say("o-admin", "开始评议")

    # self-assessment: words, and a voice after 自评
    assert "已收到" in say("o-zm", "自评 今年按时参加组织生活，带头学习。")
    assert "语音" in say("o-lf", "自评")
    voice = chat.send_xml(message_xml("o-lf", "voice", {
        "MediaId": "media-lf-1", "Format": "amr", "Recognition": ""},
        create_time=int(clock().timestamp()))).content
    assert "语音自我评价已收到" in voice
    session.rollback()
    rows = {r.member_id: r for r in session.scalars(select(EvaluationSubject))}
    assert rows[branch["张明"]].self_text == "今年按时参加组织生活，带头学习。"
    assert rows[branch["刘芳"]].self_voice == "media-lf-1"

    # rating: the list with numbers, by number and by name, changed later
    listing = say("o-zm", "评议")
    assert "1. 李书记：未评" in listing and "张明：" not in listing
    assert "你还没写自我评价" not in listing  # 张明 wrote his
    assert "你还没写自我评价" in say("o-wang", "评议")
    numbers = {line.split(". ")[1].split("：")[0]: line.split(". ")[0]
               for line in listing.splitlines()[1:] if ". " in line}
    first = say("o-zm", f"评议 {numbers['李书记']} 优秀")
    assert "李书记优秀" in first and "还有4人没评" in first
    done = say("o-zm", "评议 刘芳 优秀 王帮扶 合格 赵大爷 基本合格 孙奶奶 合格")
    assert "你已经评完了" in done
    assert "李书记合格" in say("o-zm", f"评议 {numbers['李书记']}合格")
    assert "不能给自己评" in say("o-zm", "评议 张明 合格")
    assert "没有「王五」" in say("o-zm", "评议 王五 合格")
    assert "格式" in say("o-zm", "评议 李书记 很好")
    mine = say("o-zm", "我的评议")
    assert "已评5/5人" in mine and "李书记合格" in mine and "截止" in mine
    say("o-lf", "评议 李书记 优秀 张明 优秀 王帮扶 合格 赵大爷 合格 孙奶奶 合格")
    say("o-wang", "评议 李书记 优秀 张明 优秀 刘芳 合格")
    say("o-admin", "评议 张明 优秀 刘芳 优秀 王帮扶 合格 赵大爷 合格 孙奶奶 合格")

    # paper ballots: the secretary is 赵大爷's helper, so 刘芳 (组织委员) enters his
    refused = say("o-admin", "纸质选票 赵大爷 李书记 优秀 张明 合格")
    assert "你是赵大爷的帮扶人，不能替赵大爷投票" in refused
    assert "已录入赵大爷的纸质选票：2人" in say("o-lf", "纸质选票 赵大爷 李书记 优秀 张明 合格")
    assert "已录入孙奶奶的纸质选票：1人" in say("o-admin", "纸质选票 孙奶奶 李书记 优秀")
    assert "已经在网上投过票" in say("o-admin", "纸质选票 张明 李书记 优秀")
    assert "格式" in say("o-admin", "纸质选票 赵大爷")

    progress = say("o-admin", "评议进度")
    assert "3/6人投完了票" in progress and "2/6人写了自我评价" in progress
    assert "王帮扶" in progress and "孙奶奶" in progress
    assert not any(word in progress for word in ("优秀", "基本合格", "不合格"))

    # one vote per voter per member, whatever was sent
    session.rollback()
    voted = session.scalars(select(EvaluationVoted)).all()
    assert len({(v.voter_id, v.subject_id) for v in voted}) == len(voted) == 5 + 5 + 3 + 5 + 2 + 1
    paper = [v for v in voted if v.method == "paper"]
    assert {v.entered_by for v in paper} == {"刘芳", "李书记"}
    assert "纸质" not in str([c.name for c in inspect(EvaluationBallot).columns])

    # the close: 李书记, 张明 and 刘芳 lead with 优秀 — 3 of 6 is over 30%
    over = say("o-admin", "结束评议")
    assert "认定优秀的有3人，占6人的50%，超过了规定的30%（最多1人）" in over
    session.rollback()
    assert session.scalars(select(EvaluationRound)).one().closed_at is None
    closed = say("o-admin", "结束评议 三人都是全县优秀党员，乡镇党委同意")
    assert "民主评议已结束：6人，认定优秀3人" in closed
    session.rollback()
    round_ = session.scalars(select(EvaluationRound)).one()
    assert round_.secret is None and round_.closed_on is not None
    assert round_.over_cap_reason == "三人都是全县优秀党员，乡镇党委同意"
    subjects = {r.member_id: r for r in session.scalars(select(EvaluationSubject))}
    li = subjects[branch["李书记"]]
    assert (li.excellent, li.qualified, li.determination) == (4, 1, "excellent")
    assert subjects[branch["赵大爷"]].basic == 1
    results = session.scalars(select(Outbox).where(Outbox.kind == "evaluation_result")).all()
    assert len(results) == 6
    assert {r.member_id for r in results} == set(subjects)
    for row in results:  # a member with a helper: the notice may be relayed, so no result
        text = row.payload["text"]
        if row.member_id in (branch["赵大爷"], branch["孙奶奶"]):
            assert "当面了解" in text and not any(g in text for g in ("优秀", "合格"))
            assert row.status == "relayed"
        else:
            assert "只发给你本人" in text and "大家的评议" in text
    mine = say("o-zm", "我的评议")
    assert "结果：优秀" in mine and "优秀3票、合格1票" in mine
    assert "已经结束" in say("o-zm", "评议 李书记 合格") or "没有进行中" in say("o-zm", "评议")

    # nothing puts a voter next to a choice
    votes = [("张明", "o-zm", "李书记", "合格"), ("张明", "o-zm", "赵大爷", "基本合格"),
             ("刘芳", "o-lf", "张明", "优秀"), ("王帮扶", "o-wang", "刘芳", "合格"),
             ("李书记", "o-admin", "刘芳", "优秀"), ("赵大爷", None, "张明", "合格"),
             ("孙奶奶", None, "李书记", "优秀")]
    audit = [line for e in session.scalars(select(AuditEntry))
             for line in [e.target, e.actor_name, *flat_lines(e.before), *flat_lines(e.after)]]
    notices = [r.payload.get("text", "") for r in session.scalars(select(Outbox))]
    logs = [record.getMessage() for record in caplog.records]
    assert linked_lines(replies + audit + notices + logs, votes) == []
    assert any("纸质选票：赵大爷" in line for line in audit)


def test_votes_end_at_the_deadline(chat: Chat, session, branch, clock):  # type: ignore[no-untyped-def]
    assert "截止日期要在今天以后" in chat.say("o-admin", "开始评议 昨天")
    assert "格式" in chat.say("o-admin", "开始评议 下雨天")
    day = (clock() + timedelta(days=14)).astimezone(ZoneInfo("Asia/Shanghai"))
    opened = chat.say("o-admin", f"开始评议 {day.month}月{day.day}日")
    assert f"{day.year}年{day.month}月{day.day}日" in opened
    chat.say("o-zm", "评议 李书记 合格")
    clock.advance(days=15)
    assert "投票已经截止" in chat.say("o-zm", "评议 李书记 优秀")
    assert "投票已经截止" in chat.say("o-zm", "自评 补写")
    assert "民主评议已结束：6人，认定优秀0人" in chat.say("o-admin", "结束评议")
    session.rollback()
    li = session.scalars(select(EvaluationSubject).where(
        EvaluationSubject.member_id == branch["李书记"])).one()
    assert (li.qualified, li.determination) == (1, "qualified")
    # nobody voted on 刘芳: 合格 as a default
    assert all(r.determination == "qualified" for r in session.scalars(select(EvaluationSubject)))
