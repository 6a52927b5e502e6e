"""The photos of a study item reach members as promised: a draft's photo with a link is
the news card's picture (in 学习 and in the push), several photos go as links, and the
preview says exactly what members will get — also that a template notice shows none."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest

from core.service_allowance import MESSAGE
from models.delivery.outbox import ChannelPolicy
from schedules.delivery_loop import DeliveryWorker
from schedules.study import push_due_items
from tests.test_posting import forward, people, photo  # noqa: F401  (fixture)

ARTICLE = "https://www.12371.cn/dangzhang.html"
NO_TEMPLATES = ChannelPolicy({})
pytestmark = pytest.mark.usefixtures("people")  # the village of tests/test_posting.py


@pytest.fixture
def worker(services):
    built = DeliveryWorker(services, services.wechat, owner="test-worker", batch_size=20)
    yield built
    built.close()


def pictures(xml: str) -> list[str]:
    """The PicUrl of each article of a news reply."""
    return [item.findtext("PicUrl") or "" for item in ET.fromstring(xml).iter("item")]


def write_with_photos_and_link(chat, photos: int) -> str:
    """发布 over several messages: words, photos, a forwarded article; the 预览."""
    chat.say("o-admin", "发布 学习党章第一章")
    chat.say("o-admin", "请各位党员认真学习。")
    for number in range(1, photos + 1):
        photo(chat, "o-admin", number)
    forward(chat, "o-admin", "中国共产党章程", ARTICLE)
    return chat.say("o-admin", "预览")


def test_a_drafts_photo_is_the_picture_of_the_card_members_get(chat, session,
                                                                services, worker, fake):
    preview = write_with_photos_and_link(chat, 1)
    assert "附照片1张" in preview
    assert "图文卡片" in preview and "卡片上的图片就是这张照片" in preview
    assert "已发布" in chat.say("o-admin", "发送")
    # in chat: 学习 is the card, with the photo as its picture
    reply = chat.send_xml(chat_text("o-zm", "学习", chat))
    fake.state.user_acted("o-zm", MESSAGE)  # WeChat saw the member write too
    assert reply.msg_type == "news"
    assert pictures(reply.xml) == ["https://mmbiz.qpic.cn/photo1.jpg"]
    assert "图片：https://mmbiz.qpic.cn/photo1.jpg" in reply.content  # terminal, sandbox
    # the push, as a customer-service message: the same card, the picture on it
    chat.say("o-admin", "推送 1")
    assert push_due_items(dataclasses.replace(services, outbox=NO_TEMPLATES)) > 0
    worker.drain(max_seconds=10)
    [card] = [m for m in fake.messages("o-zm") if m.body.get("msgtype") == "news"]
    [article] = card.body["news"]["articles"]
    assert article["picurl"] == "https://mmbiz.qpic.cn/photo1.jpg"
    assert article["url"] == ARTICLE and "学习党章第一章" in article["title"]
    assert "图片：https://mmbiz.qpic.cn/photo1.jpg" in card.text  # the sandbox's chat page


def test_several_photos_and_a_link_go_as_links_every_one_of_them(chat, session,
                                                                  services, worker, fake):
    preview = write_with_photos_and_link(chat, 3)
    assert "附照片3张" in preview and "3张照片各有一个链接" in preview
    assert "图文卡片只能放一张图" in preview
    chat.say("o-admin", "发送")
    shown = chat.say("o-lf", "学习")
    fake.state.user_acted("o-lf", MESSAGE)
    for number in (1, 2, 3):
        assert f"照片{number}：https://mmbiz.qpic.cn/photo{number}.jpg" in shown
    assert f"原文：{ARTICLE}" in shown  # the article is not lost either
    chat.say("o-admin", "推送 1")
    push_due_items(dataclasses.replace(services, outbox=NO_TEMPLATES))
    worker.drain(max_seconds=10)
    [push] = [m.text for m in fake.messages("o-lf")]
    assert all(f"https://mmbiz.qpic.cn/photo{n}.jpg" in push for n in (1, 2, 3))


def test_a_template_push_cannot_show_a_photo_and_the_preview_says_so(chat, session,
                                                                     services, worker, fake):
    preview = write_with_photos_and_link(chat, 1)
    # the sandbox has a template for 学习提醒: a template message holds no picture
    assert "服务通知" in preview and "不带照片" in preview and "发送「学习」" in preview
    chat.say("o-admin", "发送")
    chat.say("o-admin", "推送 1")
    push_due_items(services)
    worker.drain(max_seconds=10)
    [notice] = fake.messages("o-zm")
    assert notice.channel == "template"
    assert pictures(chat.send_xml(chat_text("o-zm", "学习", chat)).xml) == \
        ["https://mmbiz.qpic.cn/photo1.jpg"]


def test_an_item_without_a_link_keeps_its_photos_in_the_push_text(chat, session,
                                                                  services, worker, fake):
    chat.say("o-admin", "发布 村里的党员活动")
    chat.say("o-admin", "上周六清理了村道。")
    photo(chat, "o-admin", 5)
    assert "1张照片各有一个链接" in chat.say("o-admin", "预览")
    chat.say("o-admin", "发送")
    chat.say("o-admin", "推送 1")
    chat.say("o-zm", "你好")  # opens the customer-service allowance
    fake.state.user_acted("o-zm", MESSAGE)
    push_due_items(dataclasses.replace(services, outbox=NO_TEMPLATES))
    worker.drain(max_seconds=10)
    texts = [m.text for m in fake.messages("o-zm")]
    assert any("照片1：https://mmbiz.qpic.cn/photo5.jpg" in text for text in texts)


def chat_text(openid: str, content: str, chat) -> str:  # type: ignore[no-untyped-def]
    from bot.simulator import message_xml

    return message_xml(openid, "text", {"Content": content},
                       create_time=int(chat.clock().timestamp()))
