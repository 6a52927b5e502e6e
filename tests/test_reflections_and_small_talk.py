"""What members say that is not a command (issue 25, items 9 and 10): the 心得 window
keeps only photos, voice and words that read as a reflection on the item, and says how
to take one back (撤回心得); small talk and "what should I do" get an answer of their
own; only real questions wait in the secretary's queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.simulator import message_xml
from models.actors import Actor
from models.console.audit import AuditEntry
from models.members.tables import Member
from models.questions.tables import Question
from models.study.actions import withdraw_feedback
from models.study.tables import StudyFeedback
from tests import test_conversation
from tests.factories import make_meeting
from tests.test_conversation import open_meeting, voice

village = test_conversation.village  # the fixture: a branch, its secretary, members

POST = "发布 学习党章\n第一章 总纲。党的性质和宗旨，全心全意为人民服务。"


def feedback_texts(session) -> list[str | None]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(session.scalars(select(StudyFeedback.text).order_by(StudyFeedback.id)))


def queued(session) -> list[str]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(session.scalars(select(Question.text).order_by(Question.id)))


def studied(chat) -> None:  # type: ignore[no-untyped-def]
    chat.say("o-admin", POST)
    assert "已记录" in chat.say("o-zm", "已学")


# Item 9: the 心得 window.
NOT_REFLECTIONS = [
    # the examples
    "我不去了", "今天天气不错", "我想入党",
    # others of the class: plans, errands, daily life, requests, short remarks
    "明天下雨", "我家的牛丢了", "我到家了", "我明天去县里", "我要交党费", "帮我查一下",
    "我还没学", "字太小看不清", "晚上有事", "孙子放假回来了", "地里的苞米收完了",
]


@pytest.mark.parametrize("said", NOT_REFLECTIONS)
def test_ordinary_messages_after_studied_are_not_kept_as_reflections(chat, session, village,
                                                                      said):
    studied(chat)
    reply = chat.say("o-zm", said)
    assert "已记为学习心得" not in reply and "撤回心得" not in reply
    assert feedback_texts(session) == []


def test_words_not_kept_say_how_to_leave_a_reflection(chat, session, village, clock):
    assert "学习心得" not in chat.say("o-zm", "孙子放假回来了")
    studied(chat)
    reply = chat.say("o-zm", "孙子放假回来了")
    assert "没有听懂" in reply and "如果这是学习心得" in reply
    clock.advance(minutes=11)
    assert "学习心得" not in chat.say("o-zm", "孙子放假回来了")


REFLECTIONS = [
    "学习了党章，很受教育。",  # study vocabulary
    "要带头落实",
    "通过这次学习，我认识到了自己的不足",
    "总纲讲得很透彻",  # the item's own words
    "全心全意为人民服务，我记住了",
    "作为一名老党员，我会继续给村里的年轻人做个好样子，不给组织添麻烦",  # long enough
    "我们为什么入党？就是为了让老百姓过上好日子，这一点我始终记在心里。",
]


@pytest.mark.parametrize("said", REFLECTIONS)
def test_a_reflection_is_kept_and_the_reply_says_how_to_take_it_back(chat, session, village,
                                                                      said):
    studied(chat)
    reply = chat.say("o-zm", said)
    assert "已记为学习心得" in reply and "《学习党章》" in reply
    assert "发「撤回心得」可以撤回" in reply
    assert feedback_texts(session) == [said]


def test_questions_small_talk_and_commands_in_the_window_are_handled_as_such(
        chat, session, village, clock):
    meeting = open_meeting(session, village, clock)
    studied(chat)
    assert "签到 [签到码]" in chat.say("o-zm", "怎么签到")
    assert "已转给支部管理员" in chat.say("o-zm", "党费交到哪里？")
    assert chat.say("o-zm", "好的").startswith("好的。")
    assert chat.say("o-zm", "吃了吗").startswith("谢谢关心")
    assert "签到成功" in chat.say("o-zm", f"签到 {meeting.code}")
    assert feedback_texts(session) == []
    # then a real one, and a second
    assert "已记为学习心得" in chat.say("o-zm", "学习了党章，很受教育。")
    reply = chat.say("o-zm", "还要带头落实。")
    assert "共2份" in reply and "撤回心得" in reply
    assert feedback_texts(session) == ["学习了党章，很受教育。", "还要带头落实。"]


def test_photos_and_voice_still_go_in_and_spoken_words_are_judged(chat, session, village):
    studied(chat)
    photo = message_xml("o-zm", "image", {"PicUrl": "http://mmbiz.example/p.jpg",
                                          "MediaId": "photo-1"})
    assert "已记为学习心得" in chat.send_xml(photo).content
    assert "已记为学习心得" in chat.send_xml(voice("o-zm", None)).content  # unheard: kept
    assert "已记为学习心得" in chat.send_xml(voice("o-zm", "这次学习很有收获。")).content
    reply = chat.send_xml(voice("o-zm", "我明天去县里。")).content
    assert "学习心得" not in reply and "听到你说" in reply
    session.rollback()
    kinds = list(session.scalars(select(StudyFeedback.kind).order_by(StudyFeedback.id)))
    assert kinds == ["image", "voice", "voice"]


@pytest.mark.parametrize("undo", ["撤回心得", "撤销心得", "删除心得", "撤回心得。", "撤 回 心 得"])
def test_withdrawing_the_last_reflection(chat, session, village, undo):
    studied(chat)
    chat.say("o-zm", "学习了党章，很受教育。")
    chat.say("o-zm", "总纲讲得很透彻")
    reply = chat.say("o-zm", undo)
    assert "已撤回" in reply and "总纲讲得很透彻" in reply
    assert feedback_texts(session) == ["学习了党章，很受教育。"]
    assert "已撤回" in chat.say("o-zm", undo)
    assert "没有可以撤回的学习心得" in chat.say("o-zm", undo)
    assert feedback_texts(session) == []
    # a member's own change is its own trace: not in the audit log
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action.like("study.feedback%"))) == 0


def test_only_a_recent_reflection_can_be_withdrawn(chat, session, village, clock):
    studied(chat)
    chat.say("o-zm", "总纲讲得很透彻")
    clock.advance(days=2)
    assert "没有可以撤回的学习心得" in chat.say("o-zm", "撤回心得")
    assert feedback_texts(session) == ["总纲讲得很透彻"]
    assert "绑定" in chat.say("o-stranger", "撤回心得")


def test_withdrawing_a_photo_says_what_went(chat, session, village):
    studied(chat)
    photo = message_xml("o-zm", "image", {"PicUrl": "http://mmbiz.example/p.jpg",
                                          "MediaId": "photo-1"})
    chat.send_xml(photo)
    reply = chat.say("o-zm", "撤回心得")
    assert "已撤回" in reply and "照片" in reply
    assert feedback_texts(session) == []


def test_withdrawing_for_someone_else_is_audited(chat, session, village, clock):
    studied(chat)
    chat.say("o-zm", "总纲讲得很透彻")
    session.rollback()
    zm = session.scalars(select(Member).where(Member.name == "张明")).one()
    gone = withdraw_feedback(session, Actor.cli("test"), zm.id, zm.branch_id, clock())
    assert gone is not None and gone.text == "总纲讲得很透彻"
    session.commit()
    entry = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "study.feedback_withdraw")).one()
    assert "学习党章" in entry.target
    assert entry.before == {"kind": "text", "text": "总纲讲得很透彻"}
    from core import words

    assert {"study.feedback_withdraw", "question.dismiss"} <= set(words.AUDIT_ACTION_NAMES)
    assert {"kind", "text"} <= set(words.AUDIT_FIELD_NAMES)


def test_the_admins_withdraw_command_still_works(chat, session, village):
    chat.say("o-admin", POST)
    assert "已撤回第1期" in chat.say("o-admin", "撤回 1")


# Item 10: small talk, "what should I do", and real questions.
SMALL_TALK = [
    # the examples
    "吃了吗", "你好", "谢谢", "好的", "在吗", "辛苦了",
    # others of the class: greetings asked as questions, with a name or a title, thanks
    "吃饭了没", "吃过饭了吗？", "忙吗", "最近身体好吗", "有人吗", "在不在？", "李书记你好",
    "书记辛苦了", "王书记好", "太感谢了", "非常感谢！", "谢谢你们", "早上好啊", "新年好",
    "您辛苦啦", "麻烦你了", "多谢多谢", "好的，谢谢书记", "[握手]",
]


@pytest.mark.parametrize("said", SMALL_TALK)
def test_small_talk_gets_a_friendly_answer_and_is_not_queued(chat, session, village, said):
    reply = chat.say("o-zm", said)
    assert "已转给" not in reply and "没有听懂" not in reply
    assert reply.startswith(("你好", "不客气", "好的", "谢谢关心", "👍", "再见")), reply
    assert queued(session) == []
    assert "党员的提问" not in chat.say("o-admin", "统计")


@pytest.mark.parametrize("said", SMALL_TALK[:6])
def test_spoken_small_talk_is_not_queued(chat, session, village, said):
    reply = chat.send_xml(voice("o-zm", said + "。")).content
    assert "已转给" not in reply and "不是一条命令" not in reply
    assert queued(session) == []


WHAT_TO_DO = ["我该干什么", "我现在要做什么？", "今天干啥", "有什么任务吗", "我需要做些什么",
              "还有啥要做的", "我该做点啥呢"]


@pytest.mark.parametrize("said", WHAT_TO_DO)
def test_asking_what_to_do_lists_what_is_open(chat, session, village, clock, said):
    reply = chat.say("o-zm", said)
    assert "现在没有要办的事" in reply and "已转给" not in reply
    chat.say("o-admin", POST)
    make_meeting(session, village["branch"], clock() + timedelta(days=2), kind="party_lecture")
    session.commit()
    reply = chat.say("o-zm", said)
    assert "《学习党章》" in reply and "党课" in reply and "已转给" not in reply
    chat.say("o-zm", "已学")
    reply = chat.say("o-zm", said)
    assert "《学习党章》" not in reply and "党课" in reply
    assert queued(session) == []
    assert "绑定" in chat.say("o-stranger", said)


def test_asking_what_to_do_while_a_meeting_is_open(chat, session, village, clock):
    meeting = open_meeting(session, village, clock)
    reply = chat.say("o-zm", "我该干什么")
    assert "正在签到" in reply and "签到" in reply
    chat.say("o-zm", f"签到 {meeting.code}")
    assert "已签到" in chat.say("o-zm", "我该干什么")
    assert queued(session) == []


REAL_QUESTIONS = ["党费交到哪里？", "村里的低保怎么申请", "下个月党课讲什么？", "入党申请书交给谁",
                  "你好，党费交到哪里？", "他在干什么", "今年还评不评优秀党员", "咋交党费"]


@pytest.mark.parametrize("said", REAL_QUESTIONS)
def test_real_questions_are_still_queued(chat, session, village, said):
    assert "已转给支部管理员（李书记）" in chat.say("o-zm", said)
    assert queued(session) == [said]
    stats = chat.say("o-admin", "统计")
    assert "党员的提问待回复1条" in stats and said in stats


# The reader itself (core.conversation), on more of each class.
@pytest.mark.parametrize(("said", "kind"), [
    ("吃了吗", "care"), ("吃饭了没有？", "care"), ("您忙不忙", "care"), ("最近还好吗", "care"),
    ("睡了吗", "care"), ("在家吗", "care"), ("李书记你好", "greeting"), ("刘主任好", "greeting"),
    ("张老师早上好", "greeting"), ("过年好！", "greeting"), ("有人吗？", "greeting"),
    ("书记辛苦了", "thanks"), ("真是太感谢了", "thanks"), ("麻烦您了", "thanks"),
    ("谢谢谢谢", "thanks"), ("哈哈", "emoji"), ("呵呵呵！", "emoji"), ("没事了", "ack"),
    ("不用了，谢谢", "thanks"),
    ("吃什么", None), ("党费交了吗", None), ("会议开了吗", None), ("我不去了", None),
    ("你好，党费交到哪里？", None), ("他在干什么", None), ("我不去了好吗", None),
    ("我吃了药还能去吗", None),
])
def test_what_kind_of_small_talk(said, kind):
    from core.conversation import chat_kind

    assert chat_kind(said) == kind


@pytest.mark.parametrize(("said", "asks"), [
    ("我该干什么", True), ("现在要我干啥", True), ("今天有啥安排吗", True),
    ("我要办点什么", True),
    ("有什么任务", True), ("他该干什么", False), ("会议有什么安排", False), ("我要做饭", False),
    ("签到怎么做", False),
])
def test_asking_what_to_do(said, asks):
    from core.conversation import asks_what_to_do

    assert asks_what_to_do(said) is asks


@pytest.mark.parametrize(("said", "kept"), [
    ("很受教育", True), ("今后要更好地为群众办实事", True), ("宗旨这一段写得好", True),
    ("人民服务这几个字分量很重", True),  # two of the body's words
    ("我们村的路修好了以后，老百姓出门方便多了，日子越过越好", True),  # long enough
    ("明天上午我要去乡里开会，后天回来", False), ("今天的内容学完了吗", False),
    ("好的", False), ("👍", False), ("我想请个假", False),
])
def test_what_reads_as_a_reflection(said, kept):
    from core.conversation import reads_as_reflection

    body = "第一章 总纲。党的性质和宗旨，全心全意为人民服务。"
    assert reads_as_reflection(said, "学习党章", body) is kept
