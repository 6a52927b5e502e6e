"""The conversation as members and secretaries actually have it (issue 12): natural
phrasing, a bare 签到码, plain 签到, voice, small talk, questions, 心得 that does not
swallow commands, free text kept exactly as typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.simulator import message_xml, text_xml
from models.actors import Actor
from models.meetings.tables import Attendance, Meeting
from models.members.tables import Member
from models.questions.tables import Question
from models.study.tables import StudyItem, StudyRecord
from tests.factories import make_branch, make_meeting, make_member, make_township


@pytest.fixture
def village(session, clock):
    township = make_township(session)
    branch = make_branch(session, "辽原村党支部", township)
    other = make_branch(session, "红光村党支部", township)
    admin = make_member(session, branch, "李书记", "13800000001", openid="o-admin",
                        is_admin=True)
    make_member(session, branch, "张明", "13800000002", openid="o-zm")
    make_member(session, branch, "刘芳", "13800000003", openid="o-lf")
    helper = make_member(session, branch, "王帮扶", "13800000004", openid="o-helper",
                         is_helper=True)
    old = make_member(session, branch, "赵大爷", None, needs_help="无手机")
    make_member(session, other, "郑伟", "13800000013", openid="o-other")
    session.commit()
    return {"branch": branch, "other": other, "admin": admin, "helper": helper, "old": old}


def open_meeting(session, village, clock, minutes_ahead: int = 30) -> Meeting:
    meeting = make_meeting(session, village["branch"], clock() + timedelta(minutes=minutes_ahead))
    meeting.host_id = village["admin"].id
    session.commit()
    return meeting


def attendance(session, meeting: Meeting, name: str) -> Attendance | None:
    session.rollback()
    session.expire_all()
    return session.scalar(select(Attendance).join(Member, Attendance.member_id == Member.id)
                          .where(Attendance.meeting_id == meeting.id, Member.name == name))


def voice(openid: str, recognition: str | None) -> str:
    fields = {"MediaId": "voice-1", "Format": "amr"}
    if recognition is not None:
        fields["Recognition"] = recognition
    return message_xml(openid, "voice", fields)


@pytest.mark.parametrize("typed", [
    "签到：{code}", "签到 {code}。", "签 到 {code}", "签道 {code}", "签到，{numerals}。",
    "{code}", "{numerals}", "我要签到{code}", "签到{code}！",
])
def test_an_elderly_members_ways_of_checking_in(chat, session, village, clock, typed):
    meeting = open_meeting(session, village, clock)
    numerals = "".join("零一二三四五六七八九"[int(d)] for d in meeting.code)
    reply = chat.say("o-zm", typed.format(code=meeting.code, numerals=numerals))
    assert "签到成功" in reply
    assert attendance(session, meeting, "张明").status == "present"


def test_plain_check_in_with_one_several_or_no_open_meeting(chat, session, village, clock):
    assert "现在没有正在签到的会议" in chat.say("o-zm", "签到")
    later = make_meeting(session, village["branch"], clock() + timedelta(hours=5))
    session.commit()
    reply = chat.say("o-zm", "签到")
    assert "还没到签到时间" in reply and "开始前 1 小时" in reply
    first = open_meeting(session, village, clock, 30)
    assert "签到成功" in chat.say("o-zm", "签到")
    assert attendance(session, first, "张明").status == "present"
    second = make_meeting(session, village["branch"], clock() + timedelta(minutes=40),
                          kind="party_lecture")
    session.commit()
    reply = chat.say("o-lf", "签到")
    assert "几场会议正在签到" in reply and f"签到 {first.code}" in reply \
        and f"签到 {second.code}" in reply
    assert attendance(session, first, "刘芳") is None
    assert later.code not in reply


def test_a_bare_number_that_is_no_open_code_is_not_a_guess(chat, session, village, clock):
    meeting = open_meeting(session, village, clock)
    wrong = "0000" if meeting.code != "0000" else "1111"
    for _ in range(12):  # more than the wrong-code limit: a number alone is no guess
        assert "签到成功" not in chat.say("o-zm", wrong)
    assert "签到成功" in chat.say("o-zm", f"签到 {meeting.code}")
    assert "签到成功" not in chat.say("o-other", meeting.code)  # another branch's code


def test_leave_and_proxy_commands_without_spaces(chat, session, village, clock):
    meeting = open_meeting(session, village, clock, 90)
    reply = chat.say("o-zm", f"请假{meeting.code}有事，去县医院复查。")
    assert "请假" in reply
    record = attendance(session, meeting, "张明")
    assert (record.status, record.reason) == ("leave", "有事，去县医院复查。")
    session.add(village["old"])
    from models.pairing.actions import make_pair

    make_pair(session, Actor.cli("test"), session.get(Member, village["helper"].id),
              session.get(Member, village["old"].id), clock(), 3)
    session.commit()
    clock.advance(minutes=40)
    assert "已替赵大爷签到" in chat.say("o-helper", f"代签 赵大爷{meeting.code}")
    assert "格式" not in chat.say("o-helper", "帮学 赵大爷完成")


@pytest.mark.parametrize("typed", ["已学", "已学习", "学习了", "学完了", "学好了！", "以学"])
def test_ways_of_saying_studied(chat, session, village, typed):
    chat.say("o-admin", "发布 学习党章\n第一章 总纲。")
    assert "已记录：你学习了《学习党章》" in chat.say("o-zm", typed)


def test_post_keeps_its_own_punctuation(chat, session, village):
    text = "请各位党员认真学习，结合本村实际谈体会。"
    chat.say("o-admin", f"发布：两学一做（第一讲）\n{text}\n来源：人民网，2026年")
    session.rollback()
    item = session.scalars(select(StudyItem)).one()
    assert (item.title, item.body, item.source) == ("两学一做（第一讲）", text, "人民网，2026年")
    assert text in chat.say("o-zm", "学习")


def test_feedback_window_does_not_swallow_commands_or_questions(chat, session, village,
                                                                 clock):
    meeting = open_meeting(session, village, clock)
    chat.say("o-admin", "发布 学习党章\n第一章 总纲。")
    chat.say("o-zm", "已学")
    reply = chat.say("o-zm", "怎么签到")
    assert "学习心得" not in reply and "签到" in reply
    assert "签到成功" in chat.say("o-zm", f"签到 {meeting.code}")
    assert "不客气" in chat.say("o-zm", "谢谢")
    assert "已记为学习心得" in chat.say("o-zm", "学习了党章，很受教育。")
    assert "共2份" in chat.say("o-zm", "还要带头落实。")
    session.rollback()
    record = session.scalars(select(StudyRecord)).one()
    assert [f.text for f in record.feedback] == ["学习了党章，很受教育。", "还要带头落实。"]


@pytest.mark.parametrize(("said", "kind"), [
    ("你好", "你好！"), ("谢谢", "不客气！"), ("收到", "好的。"), ("👍", "👍"),
    ("[强]", "👍"), ("好的呀！", "好的。"), ("收到，谢谢李书记", "好的。"),
])
def test_small_talk_gets_a_friendly_line_and_the_next_step(chat, session, village, clock,
                                                           said, kind):
    assert chat.say("o-zm", said).startswith(kind)
    assert "回复「帮助」" in chat.say("o-zm", said)
    meeting = open_meeting(session, village, clock)
    reply = chat.say("o-zm", said)
    assert "正在签到，回复「签到」" in reply
    chat.say("o-zm", "签到")
    assert attendance(session, meeting, "张明").status == "present"
    chat.say("o-admin", "发布 学习党章\n第一章 总纲。")
    assert "还有《学习党章》没学" in chat.say("o-zm", said)
    assert "绑定" in chat.say("o-stranger", said)


def test_questions_are_answered_or_forwarded_to_the_admin(chat, session, village, clock):
    reply = chat.say("o-zm", "怎么签到")
    assert "签到 [签到码]" in reply and "例如" in reply
    open_meeting(session, village, clock, 300)
    assert "近期" in chat.say("o-zm", "会议什么时候开？")  # runs 会议
    assert "年的记录" in chat.say("o-zm", "我学了没有")  # runs 我的
    reply = chat.say("o-zm", "党费交到哪里？")
    assert "已转给支部管理员（李书记）" in reply
    session.rollback()
    question = session.scalars(select(Question)).one()
    assert question.text == "党费交到哪里？"
    stats = chat.say("o-admin", "统计")
    assert "党员的提问待回复1条" in stats and "张明" in stats and "党费交到哪里？" in stats
    assert "绑定" in chat.say("o-stranger", "党费交到哪里？")


def test_voice_runs_a_recognised_command(chat, session, village, clock):
    meeting = open_meeting(session, village, clock)
    numerals = "".join("零一二三四五六七八九"[int(d)] for d in meeting.code)
    reply = chat.send_xml(voice("o-zm", f"签到，{numerals}。")).content
    assert reply.startswith(f"（听到：签到，{numerals}。）") and "签到成功" in reply
    assert attendance(session, meeting, "张明").method == "code"
    # a code alone, spoken
    reply = chat.send_xml(voice("o-lf", f"{numerals}。")).content
    assert "签到成功" in reply


def test_voice_without_a_command(chat, session, village):
    assert "没能听出文字" in chat.send_xml(voice("o-zm", None)).content
    assert "没能听出文字" in chat.send_xml(voice("o-zm", "")).content
    reply = chat.send_xml(voice("o-zm", "今天天气不错。")).content
    assert "听到你说：「今天天气不错」。" in reply and "不是一条命令" not in reply
    assert "我到了" in reply and "请假" in reply  # what can be said instead (issue 25)
    reply = chat.send_xml(voice("o-zm", "你好。")).content
    assert "听到你说" in reply and "你好！" in reply


def test_voice_in_the_feedback_window_is_a_reflection_unless_a_command(chat, session,
                                                                       village, clock):
    meeting = open_meeting(session, village, clock)
    chat.say("o-admin", "发布 学习党章\n第一章 总纲。")
    chat.say("o-zm", "已学")
    assert "已记为学习心得" in chat.send_xml(voice("o-zm", "这次学习很有收获。")).content
    assert "学习心得" in chat.send_xml(voice("o-zm", None)).content
    assert "签到成功" in chat.send_xml(voice("o-zm", f"签到{meeting.code}")).content


def test_binding_with_the_full_number(chat, session, village):
    make_member(session, village["branch"], "韩梅", "13800000015")
    make_member(session, village["branch"], "孙丽", "13800000016")
    session.commit()
    assert "绑定成功" in chat.say("o-new", "绑定 韩梅 13800000015")
    assert "绑定成功" in chat.say("o-new-2", "绑定：孙丽，138 0000 0016。")


def test_closing_before_the_start_is_refused(chat, session, village, clock):
    meeting = open_meeting(session, village, clock, 30)
    reply = chat.say("o-admin", f"结束会议 {meeting.code}")
    assert f"取消会议 {meeting.code}" in reply
    assert attendance(session, meeting, "张明") is None
    assert f"编号 {meeting.id}" not in reply
    clock.advance(minutes=31)
    assert "应到" in chat.say("o-admin", f"结束会议 {meeting.id}")  # the 会议编号 works too
    assert attendance(session, meeting, "李书记").status == "present"  # the host


def test_rebinding_after_a_new_phone(chat, session, village, clock):
    assert "解绑 张明" in chat.say("o-zm-new", "绑定 张明 0002")
    assert "解绑 张明" in chat.say("o-zm-new", "绑定 张明 0002")  # told what to ask for
    reply = chat.say("o-admin", "解绑 张明")
    assert "已解除张明原来的微信" in reply
    session.rollback()
    from models.delivery.outbox import Outbox

    notice = session.scalars(select(Outbox).where(Outbox.openid == "o-zm")).one()
    assert notice.kind == "account" and "解除张明和这个微信的绑定" in str(notice.payload)
    assert "请先绑定" in chat.say("o-zm", "会议")  # the old phone is no longer 张明
    assert "绑定成功" in chat.say("o-zm-new", "绑定 张明 13800000002")
    assert "还没有绑定微信" in chat.say("o-admin", "解绑 赵大爷")
    assert "没有叫「王五」" in chat.say("o-admin", "解绑 王五")
    assert "支部管理员" in chat.say("o-zm-new", "解绑 刘芳")  # members may not


def test_member_unbind_cli(database_url, tmp_path, monkeypatch, session, village):
    from click.testing import CliRunner

    from bot.cli.main import main
    from tests.procs import command_env

    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["member", "unbind", "刘芳", "--branch", "辽原村党支部"])
    assert result.exit_code == 0, result.output
    assert "已解除刘芳（辽原村党支部）的微信绑定" in result.output
    session.expire_all()
    assert session.scalars(select(Member).where(Member.name == "刘芳")).one().openid is None
    result = CliRunner().invoke(main, ["member", "unbind", "刘芳", "--branch", "辽原村党支部"])
    assert "没有绑定微信" in result.output
    result = CliRunner().invoke(main, ["member", "unbind", "王五", "--branch", "辽原村党支部"])
    assert result.exit_code != 0 and "王五" in result.output


# Short replies (issue 12, item 9).
def test_help_fits_an_old_phone_and_is_per_role(chat, session, village):
    for openid in ("o-stranger", "o-zm", "o-helper", "o-admin"):
        lines = chat.say(openid, "帮助").split("\n")
        assert len(lines) <= 8, (openid, lines)
    assert "绑定" in chat.say("o-stranger", "帮助")
    assert "绑定" not in chat.say("o-zm", "帮助")  # bound members are not offered binding
    assert "代签" in chat.say("o-helper", "帮助") and "新建会议" in chat.say("o-admin", "帮助")
    reply = chat.say("o-zm", "帮助 签到")
    assert "签到 [签到码]" in reply and "例如" in reply
    assert "代请假 赵大爷" in chat.say("o-helper", "帮助 代请假")
    assert "解除结对" in chat.say("o-admin", "帮助 全部")
    assert "没有「吃饭」这个命令" in chat.say("o-zm", "帮助 吃饭")


def test_a_long_reply_is_cut_with_more(chat, session, village):
    for number in range(12):
        chat.say("o-admin", f"发布 第{number}期 学习二十届四中全会精神关于全面深化改革的重要论述"
                            f"和乡村振兴战略的具体部署要求\n正文。")
    first = chat.say("o-admin", "未学")
    assert len(first.encode()) <= 2048 and first.endswith("回复「更多」看后面的）")
    second = chat.say("o-admin", "更多")
    assert len(second.encode()) <= 2048 and "第11期" in first + second
    while "回复「更多」" in second:
        second = chat.say("o-admin", "更多")
    assert chat.say("o-admin", "更多") == "没有更多了。"


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=st.sampled_from(sorted(__import__("handlers").dispatcher.by_word)),
       tail=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=900))
def test_every_reply_fits_one_message(chat, village, word, tail):
    for openid in ("o-admin", "o-zm", "o-helper"):
        reply = chat.send_xml(text_xml(openid, f"{word} {tail}"))
        assert len(reply.content.encode()) <= 2048


def test_a_spoken_question_is_forwarded_with_what_was_heard(chat, session, village):
    reply = chat.send_xml(voice("o-zm", "党费交到哪里？")).content
    assert "听到你说" in reply and "已转给支部管理员" in reply
    session.rollback()
    assert session.scalars(select(Question)).one().text == "党费交到哪里？"
