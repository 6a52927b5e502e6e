"""Posting from a phone: a post written over several messages (text, photos, a
forwarded article), 预览 / 发送 / 取消, drafts left alone, a forwarded article offered as
a post, and 撤回."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.simulator import message_xml
from models.delivery.outbox import Outbox, Status
from models.pairing.relay_items import current_relays
from models.pairing.tables import HelpPair
from models.study.drafts import PostDraft
from models.study.tables import StudyItem, StudyItemImage, StudyRecord
from schedules.drafts import expire_stale_drafts
from schedules.study import push_due_items
from tests.factories import make_branch, make_member, make_township
from tests.test_study import items


@pytest.fixture
def people(session):
    township = make_township(session)
    branch = make_branch(session, "辽原村党支部", township)
    other = make_branch(session, "红光村党支部", township)
    make_member(session, branch, "李书记", "13800000001", openid="o-admin", is_admin=True)
    make_member(session, branch, "张明", "13800000002", openid="o-zm")
    make_member(session, branch, "刘芳", "13800000003", openid="o-lf")
    make_member(session, other, "郑书记", "13800000013", openid="o-other", is_admin=True)
    session.commit()
    return branch, other


def photo(chat, openid: str, number: int) -> str:
    return chat.send_xml(message_xml(openid, "image", {
        "PicUrl": f"https://mmbiz.qpic.cn/photo{number}.jpg", "MediaId": f"media-{number}"},
        create_time=int(chat.clock().timestamp()))).content


def forward(chat, openid: str, title: str, url: str, description: str = "") -> str:
    return chat.send_xml(message_xml(openid, "link", {
        "Title": title, "Description": description, "Url": url},
        create_time=int(chat.clock().timestamp()))).content


def drafts(session) -> list[PostDraft]:
    session.rollback()
    session.expire_all()
    return list(session.scalars(select(PostDraft)))


def test_title_alone_opens_a_draft_instead_of_publishing_an_empty_item(chat, session, people):
    reply = chat.say("o-admin", "发布 学习党章第一章")
    assert "开始写《学习党章第一章》" in reply and "发送" in reply and "取消" in reply
    assert items(session) == []  # the bug: an empty item was published at once
    assert [d.title for d in drafts(session)] == ["学习党章第一章"]


def test_post_over_several_messages_with_photos_and_a_link(chat, session, people):
    chat.say("o-admin", "发布 学习党章第一章")
    body = "请各位党员认真学习，结合本村实际谈体会。"
    assert "正文20字" in chat.say("o-admin", body)
    # a body line that starts with a command word is text, not 学习
    reply = chat.say("o-admin", "学习党章要逐条读，签到后交流。")
    assert "已加进《学习党章第一章》" in reply
    assert "照片1张" in photo(chat, "o-admin", 1)
    assert "照片2张" in photo(chat, "o-admin", 2)
    reply = forward(chat, "o-admin", "中国共产党章程", "https://www.12371.cn/dangzhang.html")
    assert "文章链接" in reply
    preview = chat.say("o-admin", "预览")
    assert "《学习党章第一章》" in preview and body in preview
    assert "https://www.12371.cn/dangzhang.html" in preview and "附照片2张" in preview
    assert items(session) == []  # 预览 publishes nothing
    reply = chat.say("o-admin", "发送")
    assert "已发布（编号 1）" in reply and "辽原村党支部" in reply
    item = items(session)[0]
    assert item.body == body + "\n学习党章要逐条读，签到后交流。"  # punctuation as typed
    assert item.link == "https://www.12371.cn/dangzhang.html"
    images = list(session.scalars(select(StudyItemImage).order_by(StudyItemImage.id)))
    assert [(i.media_id, i.pic_url) for i in images] == [
        ("media-1", "https://mmbiz.qpic.cn/photo1.jpg"),
        ("media-2", "https://mmbiz.qpic.cn/photo2.jpg")]
    assert drafts(session) == []
    # after 发送, text is chat again
    assert "没有在写" in chat.say("o-admin", "预览")


def test_members_see_the_photos_of_an_item_without_a_link(chat, session, people):
    chat.say("o-admin", "发布 村里的党员活动")
    chat.say("o-admin", "上周六清理了村道。")
    photo(chat, "o-admin", 7)
    chat.say("o-admin", "发送")
    shown = chat.say("o-zm", "学习")
    assert "村里的党员活动" in shown and "上周六清理了村道。" in shown
    assert "照片1：https://mmbiz.qpic.cn/photo7.jpg" in shown


def test_commands_in_a_draft(chat, session, people):
    chat.say("o-admin", "发布 学习党章")
    reply = chat.say("o-admin", "统计")
    assert "「统计」没有加进正文" in reply and "先回复「发送」或「取消」" in reply
    reply = chat.say("o-admin", "请假 1234 外出务工")
    assert "当作正文加进去了" in reply  # said, not silently swallowed
    assert drafts(session)[0].body == "请假 1234 外出务工"
    assert "帮助" in chat.say("o-admin", "帮助")  # the draft's own words still work
    reply = chat.say("o-admin", "发布 另一篇\n正文")
    assert "还有一篇《学习党章》没写完" in reply
    assert "不发了" in chat.say("o-admin", "取消")
    assert drafts(session) == [] and items(session) == []
    assert "没有在写" in chat.say("o-admin", "发送")


def test_an_empty_draft_is_not_sent(chat, session, people):
    chat.say("o-admin", "发布 学习党章")
    assert "还没有正文、照片或链接" in chat.say("o-admin", "发送")
    assert len(drafts(session)) == 1 and items(session) == []


def test_limits_apply_to_a_draft_without_losing_it(chat, session, people):
    chat.say("o-admin", "发布 学习党章")
    chat.say("o-admin", "甲" * 590)
    reply = chat.say("o-admin", "乙" * 20)
    assert "没有加进去" in reply and "600" in reply
    assert len(drafts(session)[0].body) == 590
    assert "不能用" in chat.say("o-admin", "javascript:alert(1)")
    assert "已发布" in chat.say("o-admin", "发送")


def test_a_repeat_in_a_draft_asks_once_more(chat, session, people):
    chat.say("o-admin", "发布 学习党章\n第一章")
    chat.say("o-admin", "发布 学习党章")
    chat.say("o-admin", "第一章")
    assert "一天内已经发布过" in chat.say("o-admin", "发送")
    assert len(items(session)) == 1
    assert "已发布（编号 2）" in chat.say("o-admin", "发送")


def test_a_draft_left_alone_expires_and_its_author_gets_what_it_held(
        chat, session, people, services, clock):
    chat.say("o-admin", "发布 学习党章")
    chat.say("o-admin", "第一段心里话。")
    photo(chat, "o-admin", 1)
    clock.advance(minutes=29)
    assert expire_stale_drafts(services) == 0
    clock.advance(minutes=2)
    assert expire_stale_drafts(services) == 1
    assert drafts(session) == []
    notice = session.scalar(select(Outbox).where(Outbox.kind == "draft"))
    assert notice is not None and "30分钟没有继续" in notice.payload["text"]
    assert "第一段心里话。" in notice.payload["text"] and "照片1张" in notice.payload["text"]
    # the admin's next words are chat again, not part of a dead draft
    assert "没有在写" in chat.say("o-admin", "发送")


def test_a_stale_draft_is_expired_when_its_author_starts_a_new_one(
        chat, session, people, clock):
    chat.say("o-admin", "发布 旧的")
    chat.say("o-admin", "旧的正文")
    clock.advance(minutes=31)  # no scheduler ran
    assert "开始写《新的》" in chat.say("o-admin", "发布 新的")
    notice = session.scalar(select(Outbox).where(Outbox.kind == "draft"))
    assert notice is not None and "旧的正文" in notice.payload["text"]


def test_a_forwarded_article_from_an_admin_is_offered_as_a_post(chat, session, people):
    reply = forward(chat, "o-admin", "学习贯彻二十届四中全会精神",
                    "https://www.12371.cn/2026/11/26/a.shtml", "全会审议通过了重要文件。")
    assert "收到文章《学习贯彻二十届四中全会精神》" in reply and "发送" in reply
    assert items(session) == []
    chat.say("o-admin", "请大家本周内学完。")
    assert "已发布" in chat.say("o-admin", "发送")
    item = items(session)[0]
    assert item.title == "学习贯彻二十届四中全会精神"
    assert item.link == "https://www.12371.cn/2026/11/26/a.shtml"
    assert item.body == "全会审议通过了重要文件。\n请大家本周内学完。"


def test_a_forwarded_article_from_a_member_is_thanked(chat, session, people):
    reply = forward(chat, "o-zm", "好文章", "https://www.12371.cn/b.shtml")
    assert "谢谢分享" in reply
    assert drafts(session) == []


def test_the_one_message_form_still_publishes_at_once(chat, session, people):
    assert "已发布（编号 1）" in chat.say("o-admin", "发布 学习党章\n第一章 总纲")
    assert drafts(session) == []


# 撤回


def test_withdrawn_item_leaves_unread_members_and_keeps_records(chat, session, people):
    chat.say("o-admin", "发布 发错的一期\n正文")
    chat.say("o-zm", "学习")
    chat.say("o-zm", "已学")
    reply = chat.say("o-admin", "撤回 1")
    assert "已撤回第1期《发错的一期》" in reply and "已学的记录保留" in reply
    assert "还没有发布学习内容" in chat.say("o-lf", "学习")
    assert "已被撤回" in chat.say("o-lf", "学习 1")
    assert session.scalar(select(func.count()).select_from(StudyRecord)) == 1
    assert "撤回过了" in chat.say("o-admin", "撤回 1")
    assert "没有找到你发布的第1期" in chat.say("o-other", "撤回 1")


def test_withdrawal_stops_the_push_and_drops_queued_notices(chat, session, people, services,
                                                            clock):
    chat.say("o-admin", "发布 还没推送的\n正文")
    chat.say("o-admin", "撤回 1")
    assert push_due_items(services) == 0  # never pushed
    chat.say("o-admin", "发布 已经排队的\n正文")
    chat.say("o-admin", "推送 2")
    assert push_due_items(services) > 0
    assert "条待发通知已取消" in chat.say("o-admin", "撤回 2")
    session.rollback()
    rows = list(session.scalars(select(Outbox).where(Outbox.subject == "study:2")))
    assert rows and all(row.status == Status.DROPPED for row in rows)


def test_a_relay_of_a_withdrawn_item_is_dropped(chat, session, people, services, clock):
    branch, _ = people
    helper = make_member(session, branch, "王帮扶", "13800000009", openid="o-helper")
    elder = make_member(session, branch, "赵大爷", None)
    session.add(HelpPair(helper_id=helper.id, member_id=elder.id, created_at=clock()))
    session.commit()
    chat.say("o-admin", "发布 给赵大爷的\n正文")
    chat.say("o-admin", "推送 1")
    push_due_items(services)
    session.rollback()
    assert len(current_relays(session, clock(), [helper.id])) == 1
    chat.say("o-admin", "撤回 1")
    session.rollback()
    assert current_relays(session, clock(), [helper.id]) == []
    assert session.get(StudyItem, 1).withdrawn_at is not None
