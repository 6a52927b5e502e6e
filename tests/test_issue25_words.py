"""Words elderly members say that the bot did not hear (issue 25, items 7, 8 and the "？"
of 18): "I'm here" in any words checks in like 签到; leave said in sentences is asked
back ("请假参加 … 吗？原因：… 回复「是」确认") and 「是」 records it; a forgotten 签到码;
help's placeholders copied with their brackets; "？" alone. Typed and spoken (WeChat
voice messages carry the recognised text in `Recognition`)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.simulator import message_xml
from core import texts
from core.conversation import answers_no, answers_yes, asks_for_code, leave_said, says_arrived
from models.meetings.tables import Attendance, Meeting
from models.members.tables import Member
from tests.factories import make_branch, make_meeting, make_member, make_township

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def village(session, clock):
    # 10:00 local on a fixed day: "今天", "明天" and a meeting in 30 minutes stay on the
    # days the tests mean, whenever they run
    day = datetime.now(SHANGHAI).date() + timedelta(days=1)
    clock.set(datetime.combine(day, time(10, 0), SHANGHAI).astimezone(ZoneInfo("UTC")))
    township = make_township(session)
    branch = make_branch(session, "辽原村党支部", township)
    make_member(session, branch, "李书记", "13800000001", openid="o-admin", is_admin=True)
    make_member(session, branch, "张明", "13800000002", openid="o-zm")
    make_member(session, branch, "刘芳", "13800000003", openid="o-lf")
    session.commit()
    return {"branch": branch}


def meeting_in(session, village, clock, **delta: float) -> Meeting:
    meeting = make_meeting(session, village["branch"], clock() + timedelta(**delta))
    session.commit()
    return meeting


def record(session, meeting: Meeting, name: str) -> Attendance | None:
    session.rollback()
    session.expire_all()
    return session.scalar(select(Attendance).join(Member, Attendance.member_id == Member.id)
                          .where(Attendance.meeting_id == meeting.id, Member.name == name))


def voice(openid: str, recognition: str) -> str:
    return message_xml(openid, "voice", {"MediaId": "voice-1", "Format": "amr",
                                         "Recognition": recognition})


def no_doubled_punctuation(reply: str) -> bool:
    return not any(f"{mark}」{after}" in reply for mark in "。！!，,？?.~"
                   for after in "。，！？.")


# Item 7: "I'm here" ---------------------------------------------------------------

ARRIVALS = ["我到了", "到了", "来了", "已到", "报到", "我来了", "到啦", "我已经到了",
            # more of the same class
            "到", "到！", "我到了。", "我也到了", "我已到", "我到会场了", "我已经到村委会了",
            "我来开会了", "我在会场", "我来报到", "李书记，我到了！", "好的，我到了", "俺到了",
            "我 到 了", "我到了呀", "到了到了", "来啦来啦", "我到位了", "报道", "我已经签到了",
            "刚到", "签到了", "我签到了", "签到啦", "签到，我到了"]


@pytest.mark.parametrize("said", ARRIVALS)
def test_im_here_typed_checks_in_like_签到(chat, session, village, clock, said):
    meeting = meeting_in(session, village, clock, minutes=30)
    reply = chat.say("o-zm", said)
    assert reply == chat.say("o-lf", "签到")  # the same reply as 签到 gives
    assert reply.startswith("签到成功")
    assert record(session, meeting, "张明").status == "present"


@pytest.mark.parametrize("said", ["我到了。", "到了。", "来了。", "已到。", "报到。", "我来了。",
                                  "到啦！", "我已经到了。", "我已经到会场了。", "书记，我到了。"])
def test_im_here_spoken_checks_in_like_签到(chat, session, village, clock, said):
    meeting = meeting_in(session, village, clock, minutes=30)
    reply = chat.send_xml(voice("o-zm", said)).content
    spoken = chat.send_xml(voice("o-lf", "签到。")).content
    assert reply.replace(said, "签到。") == spoken  # 签到 spoken: the same, but for the words
    assert "签到成功" in reply and no_doubled_punctuation(reply)
    assert record(session, meeting, "张明").status == "present"


@pytest.mark.parametrize("said", ["快到了", "马上到", "我到家了", "到了吗？", "还没到", "张明到了",
                                  "我到不了", "到家了", "你到了吗"])
def test_words_near_im_here_do_not_check_in(chat, session, village, clock, said):
    meeting = meeting_in(session, village, clock, minutes=30)
    chat.say("o-zm", said)
    assert record(session, meeting, "张明") is None


def test_im_here_without_an_open_meeting_says_what_to_do(chat, session, village, clock):
    reply = chat.say("o-zm", "我到了")
    assert "现在没有正在签到的会议" in reply and "会议" in reply
    meeting_in(session, village, clock, hours=5)
    reply = chat.send_xml(voice("o-zm", "我到了。")).content
    assert "还没到签到时间" in reply and "开始前 1 小时" in reply
    assert no_doubled_punctuation(reply)
    assert "绑定" in chat.say("o-stranger", "我到了")


def test_im_here_with_two_open_meetings_lists_them(chat, session, village, clock):
    first = meeting_in(session, village, clock, minutes=20)
    second = meeting_in(session, village, clock, minutes=40)
    reply = chat.say("o-zm", "我到了")
    assert f"签到 {first.code}" in reply and f"签到 {second.code}" in reply


@pytest.mark.parametrize("heard", ["今天天气不错。", "我想问一下那个事情。", "嗯嗯嗯啊。"])
def test_voice_that_is_no_command_says_what_can_be_said(chat, session, village, heard):
    reply = chat.send_xml(voice("o-zm", heard)).content
    assert "这不是一条命令" not in reply and no_doubled_punctuation(reply)
    assert f"「{heard.rstrip('。')}」。" in reply or "学习心得" in reply or "支部" in reply
    if "听到你说" in reply and "可以这样说" in reply:
        assert "我到了" in reply and "请假" in reply
    stranger = chat.send_xml(voice("o-stranger", "今天天气不错。")).content
    assert "这不是一条命令" not in stranger and "绑定" in stranger


# Item 8: leave without a code, and said in sentences -----------------------------------

def test_leave_without_a_code_for_the_one_coming_meeting(chat, session, village, clock):
    meeting = meeting_in(session, village, clock, days=2)
    reply = chat.say("o-zm", "请假 家里有事")
    assert reply.startswith("请假成功") and "原因：家里有事" in reply
    assert record(session, meeting, "张明").reason == "家里有事"
    reply = chat.say("o-lf", "我要请假，孙子发烧了")
    assert reply.startswith("请假成功") and record(session, meeting, "刘芳").status == "leave"


SENTENCES = [
    ("我今天去不了了，家里有事", "家里有事"),
    ("身体不舒服来不了", "身体不舒服"),
    ("我想请个假，孙子发烧了", "孙子发烧了"),
    ("家里有事去不了", "家里有事"),
    ("老伴住院了我去不了了", "老伴住院了"),
    ("因为下地干活，今天的会来不了", "下地干活"),
    ("书记，今天要去县医院复查，参加不了会议", "今天要去县医院复查"),
    ("不好意思，我腰疼，今天不去了", "腰疼"),
    ("我今天赶不回来，在外地打工", "在外地打工"),
    ("下午要去镇上，开不了会", "下午要去镇上"),
    ("今天有事不能参加", "今天有事"),
    ("孩子结婚，今天参加不了", "孩子结婚"),
]


@pytest.mark.parametrize(("said", "reason"), SENTENCES)
def test_leave_said_in_a_sentence_is_asked_back_then_recorded(chat, session, village, clock,
                                                              said, reason):
    meeting = meeting_in(session, village, clock, hours=3)
    reply = chat.say("o-zm", said)
    assert reply.startswith("请假参加") and "吗？" in reply
    assert f"原因：{reason}" in reply and "回复「是」确认" in reply
    assert record(session, meeting, "张明") is None  # nothing before the 「是」
    reply = chat.say("o-zm", "是")
    assert reply.startswith("请假成功") and reason in reply
    assert record(session, meeting, "张明").reason == reason


def test_a_leave_sentence_after_checking_in_is_not_asked_back(chat, session, village, clock):
    """Found using it: a member already checked in who says she cannot come is told she
    is checked in, not asked "请假参加 … 吗？" for a 「是」 that would then be refused."""
    meeting = meeting_in(session, village, clock, minutes=30)
    assert chat.say("o-zm", "我到了").startswith("签到成功")
    assert chat.say("o-zm", "我今天去不了了，家里有事") == texts.LEAVE_AFTER_CHECKIN
    assert chat.say("o-zm", "是") != texts.LEAVE_AFTER_CHECKIN  # no question was left open
    assert record(session, meeting, "张明").status == "present"


@pytest.mark.parametrize("said", ["我想请个假", "明天的会我参加不了", "我不去了", "我来不了",
                                  "请假", "我去不成了", "俺参加不了", "我走不开", "没时间参加",
                                  "这次会议我就不参加了", "我得请假"])
def test_leave_without_a_reason_asks_for_one(chat, session, village, clock, said):
    meeting = meeting_in(session, village, clock, days=1)
    reply = chat.say("o-zm", said)
    assert reply.startswith("请假参加") and "请说一下原因" in reply
    assert "没有听懂" not in reply
    reply = chat.say("o-zm", "是")  # a yes without a reason: the reason is asked again
    assert "请说一下原因" in reply and record(session, meeting, "张明") is None
    reply = chat.say("o-zm", "家里来客人")
    assert "原因：家里来客人" in reply and "回复「是」确认" in reply
    assert chat.say("o-zm", "好的").startswith("请假成功")
    assert record(session, meeting, "张明").reason == "家里来客人"


def test_leave_spoken_is_asked_back_and_a_spoken_yes_records_it(chat, session, village, clock):
    meeting = meeting_in(session, village, clock, hours=3)
    reply = chat.send_xml(voice("o-zm", "我今天去不了了，家里有事。")).content
    assert "请假参加" in reply and "原因：家里有事" in reply and no_doubled_punctuation(reply)
    reply = chat.send_xml(voice("o-zm", "是的。")).content
    assert "请假成功" in reply
    assert record(session, meeting, "张明").reason == "家里有事"


@pytest.mark.parametrize("no", ["不", "不用了", "算了", "不请了"])
def test_no_to_the_question_records_nothing(chat, session, village, clock, no):
    meeting = meeting_in(session, village, clock, hours=3)
    chat.say("o-zm", "身体不舒服来不了")
    assert chat.say("o-zm", no) == "好的，没有请假。"
    chat.say("o-zm", "是")
    assert record(session, meeting, "张明") is None


def test_a_late_yes_answers_nothing(chat, session, village, clock):
    meeting = meeting_in(session, village, clock, hours=3)
    chat.say("o-zm", "身体不舒服来不了")
    clock.advance(minutes=11)
    chat.say("o-zm", "是")
    assert record(session, meeting, "张明") is None
    chat.say("o-lf", "是")  # no question was asked of 刘芳
    assert record(session, meeting, "刘芳") is None


def test_the_day_said_picks_the_meeting(chat, session, village, clock):
    today = meeting_in(session, village, clock, hours=3)
    tomorrow = meeting_in(session, village, clock, days=1)
    reply = chat.say("o-zm", "明天的会我参加不了，要去医院")
    assert reply.startswith("请假参加") and "原因：要去医院" in reply
    chat.say("o-zm", "是")
    assert record(session, tomorrow, "张明").status == "leave"
    assert record(session, today, "张明") is None


def test_several_meetings_are_listed_with_their_codes(chat, session, village, clock):
    first = meeting_in(session, village, clock, hours=3)
    second = meeting_in(session, village, clock, days=3)
    for said in ("请假 家里有事", "我想请个假"):
        reply = chat.say("o-zm", said)
        assert f"请假 {first.code}" in reply and f"请假 {second.code}" in reply
    assert record(session, first, "张明") is None and record(session, second, "张明") is None
    reply = chat.say("o-zm", "后天的会来不了")  # none that day: the ones there are
    assert "那天没有" in reply and f"请假 {second.code}" in reply


def test_leave_with_no_meeting_coming(chat, session, village):
    for said in ("请假 家里有事", "我今天去不了了，家里有事"):
        assert "近期没有需要你参加的会议" in chat.say("o-zm", said)


def test_a_question_about_leave_is_answered_not_proposed(chat, session, village, clock):
    meeting_in(session, village, clock, hours=3)
    reply = chat.say("o-zm", "请假怎么请？")
    assert "请假参加" not in reply and "请假" in reply


@pytest.mark.parametrize("asked", ["签到码是多少", "我忘了签到码", "签到码忘了", "不知道签到码",
                                   "签到码是啥？", "签到码在哪看", "码是多少", "签到码没收到"])
def test_a_forgotten_code_is_explained(chat, session, village, clock, asked):
    meeting = meeting_in(session, village, clock, minutes=30)
    reply = chat.say("o-zm", asked)
    assert "不用签到码也能签到" in reply and "我到了" in reply and "二维码" in reply
    assert "书记" in reply and meeting.code in reply
    spoken = chat.send_xml(voice("o-lf", asked + "。")).content
    assert "不用签到码也能签到" in spoken and no_doubled_punctuation(spoken)


def test_help_placeholders_copied_with_their_brackets(chat, session, village, clock):
    meeting = meeting_in(session, village, clock, minutes=30)
    code = meeting.code
    reply = chat.say("o-zm", f"请假 <{code}> ‹家里有事>")
    assert reply.startswith("请假成功") and "原因：家里有事" in reply
    assert record(session, meeting, "张明").reason == "家里有事"
    reply = chat.say("o-lf", f"请假〈{code}〉《孩子生病》")
    assert reply.startswith("请假成功") and record(session, meeting, "刘芳").reason == "孩子生病"
    assert "签到成功" in chat.say("o-lf", f"签到 【{code}】")
    assert "签到成功" in chat.say("o-zm", f"签到＜{code}＞")
    assert "请假格式" in chat.say("o-admin", "请假 <签到码> <原因>")


def test_other_commands_copied_with_help_brackets(chat, session, village, clock):
    branch = village["branch"]
    make_member(session, branch, "孙丽", "13800000016")
    make_member(session, branch, "王帮扶", "13800000004", openid="o-helper", is_helper=True)
    make_member(session, branch, "赵大爷", None, needs_help="无手机")
    session.commit()
    assert chat.say("o-new", "绑定 <孙丽> ‹0016›").startswith("绑定成功")
    chat.say("o-admin", "结对 王帮扶 赵大爷")
    meeting = meeting_in(session, village, clock, minutes=30)
    reply = chat.say("o-helper", f"代请假 〈赵大爷〉 〈{meeting.code}〉 〈腿脚不便〉")
    assert "腿脚不便" in reply and record(session, meeting, "赵大爷").reason == "腿脚不便"


# Item 18: "？" alone -----------------------------------------------------------------------

@pytest.mark.parametrize("said", ["？", "?", "？？", "。", "??!", " ？ "])
def test_a_question_mark_alone_gets_a_short_help(chat, village, said):
    for openid in ("o-zm", "o-stranger"):
        reply = chat.say(openid, said)
        assert "「」" not in reply and "没有听懂" not in reply
        assert "可以发送以下命令" in reply


def test_replies_never_double_the_punctuation_of_what_they_quote(chat, village):
    for said in ("嗯嗯那个。", "随便说说！"):
        reply = chat.say("o-zm", said)
        assert no_doubled_punctuation(reply), reply


def test_refusals_quoting_the_user_keep_one_full_stop(chat, village):
    reply = chat.say("o-admin", "新建会议 大会！ 明天上午9点 村委会")
    assert "「大会」。" in reply and no_doubled_punctuation(reply)


# The reader itself: more of each class --------------------------------------------------

def test_the_reader_classes():
    assert all(says_arrived(text) for text in ARRIVALS if not text.startswith(("签到", "我签")))
    assert not any(says_arrived(text) for text in ("快到了", "到家了", "到了吗", "我不到", ""))
    assert all(leave_said(said) for said, _ in SENTENCES)
    assert leave_said("请假怎么请？") is None and leave_said("党员不能忘记初心") is None
    assert leave_said("离不开党的领导") is None and leave_said("能请假吗？") is None
    assert leave_said("明天的会我参加不了").day == 1
    assert all(asks_for_code(text) for text in ("签到码是多少", "我忘了签到码"))
    assert not asks_for_code("签到 1234")
    assert all(answers_yes(text) for text in ("是", "是的", "是的。", "对", "确认", "好的"))
    assert all(answers_no(text) for text in ("不", "不用了", "算了"))
    assert not answers_yes("不是") and not answers_yes("是我")
    assert answers_yes("好的，谢谢书记") and answers_no("不用了，谢谢")


def test_yes_with_thanks_records_the_leave(chat, session, village, clock):
    meeting = meeting_in(session, village, clock, hours=3)
    chat.say("o-zm", "身体不舒服来不了")
    assert chat.say("o-zm", "好的，谢谢书记！").startswith("请假成功")
    assert record(session, meeting, "张明").reason == "身体不舒服"


def test_a_helper_saying_their_member_cannot_come_is_shown_代请假(chat, session, village, clock):
    branch = village["branch"]
    make_member(session, branch, "王帮扶", "13800000004", openid="o-helper", is_helper=True)
    make_member(session, branch, "赵大爷", None, needs_help="无手机")
    session.commit()
    assert "结对成功" in chat.say("o-admin", "结对 王帮扶 赵大爷")
    meeting = meeting_in(session, village, clock, hours=3)
    reply = chat.say("o-helper", "赵大爷今天来不了，腿疼")
    assert "代请假 赵大爷" in reply and record(session, meeting, "王帮扶") is None
    reply = chat.say("o-helper", "我今天去不了了，家里有事")  # their own leave
    assert reply.startswith("请假参加")


def test_right_after_已学_leave_and_arrival_are_not_kept_as_心得(chat, session, village, clock):
    meeting = meeting_in(session, village, clock, minutes=30)
    chat.say("o-admin", "发布 学习党章\n第一章 总纲。")
    chat.say("o-zm", "已学")
    chat.say("o-lf", "已学")
    reply = chat.say("o-zm", "我今天去不了了，家里有事")
    assert reply.startswith("请假参加") and "心得" not in reply
    assert chat.say("o-zm", "不") == "好的，没有请假。"
    assert chat.say("o-zm", "我到了").startswith("签到成功")
    assert "签到成功" in chat.send_xml(voice("o-lf", "我到了。")).content
    assert record(session, meeting, "张明").status == "present"
    assert record(session, meeting, "刘芳").status == "present"
