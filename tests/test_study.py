"""Study: posting, reading, 已学 and feedback, 我的, 未学."""

from __future__ import annotations

import threading
from datetime import UTC, timedelta

import pytest
import requests
from sqlalchemy import func, select

from bot.simulator import WeChatSide, message_xml, text_xml
from models.members.org_tables import OrgAdmin
from models.study.tables import StudyItem, StudyRecord
from tests.conftest import TOKEN
from tests.factories import make_branch, make_member, make_township
from tests.live import serving


@pytest.fixture
def people(session):
    township = make_township(session)
    branch = make_branch(session, "辽原村党支部", township)
    other = make_branch(session, "红光村党支部", township)
    make_member(session, branch, "李书记", "13800000001", openid="o-admin", is_admin=True)
    make_member(session, branch, "张明", "13800000002", openid="o-zm")
    make_member(session, branch, "刘芳", "13800000003", openid="o-lf")
    make_member(session, other, "郑伟", "13800000013", openid="o-other")
    officer = make_member(session, make_branch(session, "乡机关党支部", township), "何委员",
                          "13800000021", openid="o-officer")
    session.add(OrgAdmin(org_id=township.id, member_id=officer.id))
    session.commit()
    return branch, other


def items(session) -> list[StudyItem]:
    session.rollback()
    session.expire_all()
    return list(session.scalars(select(StudyItem).order_by(StudyItem.id)))


POST = "发布 学习二十届四中全会精神\n全会审议通过了重要文件。\n大家认真学习。"


def test_admin_posts_and_members_read(chat, session, people):
    reply = chat.say("o-admin", POST)
    assert "已发布（编号 1）" in reply and "辽原村党支部" in reply
    item = items(session)[0]
    assert item.title == "学习二十届四中全会精神" and item.body.endswith("大家认真学习。")
    shown = chat.say("o-zm", "学习")
    assert "学习二十届四中全会精神" in shown and "全会审议通过了重要文件" in shown
    assert "已学" in shown
    assert "还没有发布学习内容" in chat.say("o-other", "学习")  # another branch


def test_post_with_link_is_read_as_news(chat, session, people):
    chat.say("o-admin", "发布 新闻联播\n今日要闻。\nhttps://www.12371.cn/2026/11/26/a.shtml")
    reply = chat.send_xml(text_xml("o-zm", "学习"))
    assert reply.msg_type == "news"
    assert "https://www.12371.cn/2026/11/26/a.shtml" in reply.content


@pytest.mark.parametrize(("text", "expected"), [
    ("发布 " + "长" * 65, "标题太长：最多 64 个字"),
    ("发布 标题\n" + "字" * 601, "正文太长"),
    ("发布 标题\njavascript:alert(1)", "只支持 http:// 或 https://"),
    ("发布 标题\n视频：ftp://example.com/a.mp4", "只支持 http:// 或 https://"),
    ("发布 标题\n定时 2020-01-01 08:00", "已经过去"),
    ("发布", "发布格式"),
])
def test_bad_posts_are_refused_with_the_reason(chat, session, people, text, expected):
    assert expected in chat.say("o-admin", text)
    assert items(session) == []


def test_members_cannot_post(chat, session, people):
    assert "只有支部管理员" in chat.say("o-zm", POST)


def test_markup_is_shown_as_text(chat, session, people):
    chat.say("o-admin", "发布 标题<b>粗</b>\n<script>alert(1)</script>")
    assert "<script>alert(1)</script>" in chat.say("o-zm", "学习")


def test_same_post_twice_asks_for_confirmation(chat, session, people, clock):
    chat.say("o-admin", POST)
    assert "确认发布" in chat.say("o-admin", POST)
    assert len(items(session)) == 1
    assert "已发布（编号 2）" in chat.say("o-admin", "确认发布")
    assert "没有等待确认的发布" in chat.say("o-admin", "确认发布")
    clock.advance(days=1, minutes=1)
    assert "已发布（编号 3）" in chat.say("o-admin", POST)


def test_org_admin_posts_to_the_whole_township(chat, session, people):
    assert "红光乡党委" in chat.say("o-officer", POST)
    assert "学习二十届四中全会精神" in chat.say("o-other", "学习")
    assert "学习二十届四中全会精神" in chat.say("o-zm", "学习")


def test_scheduled_post_is_hidden_until_its_time(chat, session, people, clock):
    local = (clock() + timedelta(hours=8, days=1)).strftime("%Y-%m-%d %H:%M")
    reply = chat.say("o-admin", f"发布 明天学\n内容\n定时 {local}")
    assert "已发布" in reply
    item = items(session)[0]
    assert item.push_at == item.publish_at == clock().replace(second=0) + timedelta(days=1)
    assert "还没有发布学习内容" in chat.say("o-zm", "学习")
    clock.advance(days=1, minutes=1)
    assert "明天学" in chat.say("o-zm", "学习")


def test_reading_old_unread_and_nothing_new(chat, session, people, clock):
    chat.say("o-admin", "发布 第一期\n内容一")
    chat.say("o-admin", "发布 第二期\n内容二")
    clock.advance(days=2)
    assert "这是你还没学的一期" in chat.say("o-zm", "学习") and "第二期" in chat.say("o-zm", "学习")
    chat.say("o-zm", "已学")
    assert "第一期" in chat.say("o-zm", "学习")
    chat.say("o-zm", "已学")
    assert "已经发布的你都学过了" in chat.say("o-zm", "学习")
    assert "第一期" in chat.say("o-zm", "学习 1")
    assert "没有找到第99期" in chat.say("o-zm", "学习 99")
    assert "第一期" in chat.say("o-zm", "学习 一")  # Chinese numerals read as numbers
    assert "编号要写数字" in chat.say("o-zm", "学习 1234567890123")


def test_studied_once_per_member_and_item(chat, session, people):
    chat.say("o-admin", POST)
    assert "已记录" in chat.say("o-zm", "已学")
    assert "已经学过" in chat.say("o-zm", "已学")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(StudyRecord)) == 1


def test_studied_refers_to_the_item_just_opened(chat, session, people):
    chat.say("o-admin", "发布 第一期\n内容一")
    chat.say("o-admin", "发布 第二期\n内容二")
    chat.say("o-zm", "学习 1")
    assert "第一期" in chat.say("o-zm", "已学")


def test_concurrent_studied_retries_record_once(settings, clock, session, people):
    from bot import create_app
    from bot.services import services_of

    app = create_app(settings, clock=clock)
    side = WeChatSide(TOKEN)
    with serving(app) as base:
        side_post = side.sign_request(text_xml("o-admin", POST),
                                      timestamp=int(clock().timestamp()))
        requests.post(f"{base}/wechat?{side_post.query}", data=side_post.body, timeout=10)
        bodies = [side.sign_request(text_xml("o-zm", "已学"), timestamp=int(clock().timestamp()))
                  for _ in range(8)]  # different MsgIds: the member tapped eight times
        replies = []

        def send(signed) -> None:
            response = requests.post(f"{base}/wechat?{signed.query}", data=signed.body,
                                     timeout=30)
            replies.append(side.open_reply(response.content).content)

        threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    services_of(app).dispose()
    assert sum("已记录" in r for r in replies) == 1
    assert sum("已经学过" in r for r in replies) == 7
    session.rollback()
    assert session.scalar(select(func.count()).select_from(StudyRecord)) == 1


def image(openid: str) -> str:
    return message_xml(openid, "image", {"PicUrl": "http://sandbox/pic.jpg",
                                         "MediaId": "media-123"})


def test_feedback_within_ten_minutes(chat, session, people, clock):
    chat.say("o-admin", POST)
    chat.say("o-zm", "已学")
    clock.advance(minutes=9)
    assert "已记为学习心得" in chat.send_xml(image("o-zm")).content
    session.rollback()
    record = session.scalars(select(StudyRecord)).one()
    assert [(f.kind, f.media_id, f.url) for f in record.feedback] == [
        ("image", "media-123", "http://sandbox/pic.jpg")]
    # a second piece is added, not written over the first; words kept exactly as typed
    assert "共2份" in chat.say("o-zm", "这次学习很有收获，结合本村实际谈体会。")
    session.rollback()
    session.expire_all()
    record = session.scalars(select(StudyRecord)).one()
    assert [(f.kind, f.text) for f in record.feedback] == [
        ("image", None), ("text", "这次学习很有收获，结合本村实际谈体会。")]


def test_no_feedback_after_ten_minutes(chat, session, people, clock):
    chat.say("o-admin", POST)
    chat.say("o-zm", "已学")
    clock.advance(minutes=11)
    assert "先发送「已学」" in chat.send_xml(image("o-zm")).content
    assert "没有听懂" in chat.say("o-zm", "这次学习很有收获")


def test_my_record_counts_and_streak(chat, session, people, clock):
    for day in range(3):
        chat.say("o-admin", f"发布 第{day + 1}期\n内容{day}")
        chat.say("o-zm", f"已学 {day + 1}")
        clock.advance(days=1)
    reply = chat.say("o-zm", "我的")
    assert "学习 3 期" in reply and "连续学习 3 天" in reply and "参加会议 0 次" in reply


def test_admin_sees_who_has_not_studied(chat, session, people):
    chat.say("o-admin", POST)
    chat.say("o-zm", "已学")
    reply = chat.say("o-admin", "未学")
    assert "已学 1/3" in reply and "刘芳" in reply and "李书记" in reply and "张明" not in reply


def test_study_after_studied_shows_the_next_unread(chat, session, people):
    chat.say("o-admin", "发布 第一篇\n内容一")
    chat.say("o-admin", "发布 第二篇\n内容二")
    assert "第二篇" in chat.say("o-zm", "学习")
    chat.say("o-zm", "已学")
    assert "第一篇" in chat.say("o-zm", "学习")  # not 第二篇 again
    chat.say("o-zm", "已学")
    assert "都学过了" in chat.say("o-zm", "学习")


def test_push_now(chat, session, people, clock):
    from datetime import datetime

    clock.set(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))  # 20:00 in Shanghai
    reply = chat.say("o-admin", "发布 学习党章\n第一章")
    assert "11月28日" in reply  # at the next 08:00
    item_id = items(session)[0].id
    assert "一分钟内推送" in chat.say("o-admin", f"推送 {item_id}")
    assert items(session)[0].push_at == clock()
    session.get(StudyItem, item_id).pushed_at = clock()
    session.commit()
    assert "已经推送过了" in chat.say("o-admin", f"推送 {item_id}")
    assert "没有找到你发布的第99期" in chat.say("o-admin", "推送 99")
    assert "管理员" in chat.say("o-zm", f"推送 {item_id}")
