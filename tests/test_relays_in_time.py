"""Relays that arrive in time (issue 11, item 5) and what the admin sees (item 6): urgent
meeting notices reach the helper within one delivery cycle, combined; the admin's
count names who is not reached; helpers' lists are dated, collapse a notice and its
cancellation, drop what is over, and agree with 帮学; 统计 shows reach per channel."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide
from core.localtime import when
from models.actors import Actor
from models.delivery.outbox import Outbox
from models.meetings.tables import Meeting
from models.pairing.actions import make_pair
from models.pairing.relays import Relay
from schedules.delivery_loop import DeliveryWorker
from schedules.pairing import send_relay_digests, send_urgent_relays
from tests.conftest import TOKEN, Chat
from tests.factories import make_branch, make_member, wrote_to_us

TZ = ZoneInfo("Asia/Shanghai")  # the settings' default zone


@pytest.fixture
def village(session, clock):
    branch = make_branch(session, "辽原村党支部")
    people = {
        "admin": make_member(session, branch, "李书记", "13800000001", openid="o-admin",
                             is_admin=True),
        "helper": make_member(session, branch, "王帮扶", "13800000002", openid="o-helper",
                              is_helper=True),
        "old": make_member(session, branch, "赵大爷", "13800000005", needs_help="老式手机"),
        "nophone": make_member(session, branch, "孙奶奶", None, needs_help="无手机"),
        "quiet": make_member(session, branch, "张明", "13800000006", openid="o-zm"),
        "gone": make_member(session, branch, "钱多", "13800000007"),
    }
    for key in ("old", "nophone"):
        make_pair(session, Actor.cli("test"), people["helper"], people[key], clock(), 3)
    session.commit()
    return branch, people


@pytest.fixture
def worker(services):
    built = DeliveryWorker(services, services.wechat, owner="test-worker", batch_size=20)
    yield built
    built.close()


def create(chat, clock, hours: float) -> str:
    start = (clock() + timedelta(hours=hours)).astimezone(TZ)
    reply = chat.say("o-admin", f"新建会议 党员大会 {start:%Y-%m-%d %H:%M} 村委会")
    if "回复「是」" in reply:  # the clock follows the real time: at night, confirm it
        reply = chat.say("o-admin", "是")
    return reply


def meeting_of(session) -> Meeting:
    session.rollback()
    return session.scalars(select(Meeting).order_by(Meeting.id.desc())).first()


def helper_messages(fake):
    return fake.messages("o-helper")


def test_an_urgent_meeting_reaches_the_helper_within_one_delivery_cycle(
        chat, session, clock, village, worker, fake, services):
    reply = create(chat, clock, hours=10)
    # 赵大爷 and 孙奶奶 through their helper; the sandbox has a template for every kind,
    # so 王帮扶, 张明 and 李书记 by template; 钱多 has no WeChat and no helper
    assert "已通知5名党员" in reply
    assert "1人联系不上：钱多（没有绑定微信，也没有帮扶人" in reply
    worker.drain(max_seconds=10)  # one delivery cycle
    (urgent,) = [m for m in helper_messages(fake)
                 if m.body.get("template_id") == "sandbox-relay_digest"]
    data = urgent.body["data"]
    assert data["thing1"]["value"] == "2项待转达"  # both members, one message
    assert data["thing2"]["value"] == "赵大爷、孙奶奶"
    session.rollback()
    full = session.scalar(select(Outbox).where(Outbox.dedupe_key.like("relay-urgent:%")))
    meeting = meeting_of(session)
    assert "【紧急转达】" in full.payload["text"]
    assert when(meeting.starts_at, services.settings.tz) in full.payload["text"]
    clock.advance(hours=1)
    assert send_relay_digests(services) == 0  # the 09:00 message does not repeat them
    assert send_urgent_relays(services) == 0


def test_a_meeting_days_away_waits_for_the_daily_message(chat, session, clock, village,
                                                        services):
    create(chat, clock, hours=72)
    assert send_urgent_relays(services) == 0
    assert send_relay_digests(services) == 1


def test_held_members_are_named_in_the_admins_reply(settings, session, clock, village):
    # a real account with no templates: only allowances and helpers reach members
    app = create_app(settings.with_overrides(configured_template_ids={"unused": "T"}),
                     clock=clock)
    chat = Chat(app.test_client(), WeChatSide(TOKEN), clock)
    try:
        wrote_to_us(session, "o-admin", clock())
        session.commit()
        reply = create(chat, clock, hours=48)
    finally:
        services_of(app).dispose()
    assert "已通知3名党员" in reply  # the admin (wrote), and two through the helper
    assert "2人暂时收不到：王帮扶、张明（他们下次给公众号发消息时自动补发" in reply
    assert "1人联系不上：钱多" in reply


def test_a_notice_and_its_cancellation_collapse_before_the_helper_hears(
        chat, session, clock, village, services):
    create(chat, clock, hours=72)
    meeting = meeting_of(session)
    assert "已取消" in chat.say("o-admin", f"取消会议 {meeting.code}")
    assert send_relay_digests(services) == 0  # nothing left to pass on
    assert "没有待转达的内容" in chat.say("o-helper", "帮学")
    session.rollback()
    assert all(r.dropped_at is not None for r in session.scalars(select(Relay)))


def test_a_cancellation_after_the_helper_was_told_replaces_the_notice(
        chat, session, clock, village, services):
    create(chat, clock, hours=72)
    assert send_relay_digests(services) == 1  # the helper hears of the meeting
    clock.advance(days=1)
    meeting = meeting_of(session)
    chat.say("o-admin", f"取消会议 {meeting.code}")
    clock.advance(hours=1)
    assert send_relay_digests(services) == 1
    session.rollback()
    digest = session.scalars(select(Outbox).where(Outbox.dedupe_key.like("relay-digest:%"))
                             .order_by(Outbox.id.desc())).first()
    text = digest.payload["text"]
    assert "【会议取消】" in text and "【会议通知】" not in text
    assert text.count("【会议取消】") == 2  # one line per member
    listed = chat.say("o-helper", "帮学")
    assert listed.count("1项待转达") == 2 and "【会议取消】" in listed  # the same list


def test_items_whose_meeting_is_over_are_dropped(chat, session, clock, village, services):
    create(chat, clock, hours=30)
    clock.advance(hours=31)
    assert send_relay_digests(services) == 0
    assert "没有待转达的内容" in chat.say("o-helper", "帮学")


def test_stats_show_reach_per_channel_with_names_and_reasons(chat, session, clock, village,
                                                             worker, fake):
    fake.fail(endpoint="message/template/send", errcode=43004, openid="o-zm", times=-1)
    create(chat, clock, hours=72)
    worker.drain(max_seconds=10)
    stats = chat.say("o-admin", "统计")
    assert "近30天的通知：模板消息送达2条，客服消息0条，帮扶人转达2条" in stats
    assert "现在联系不上1人：钱多" in stats
    assert "发送失败1条：未关注公众号1条" in stats
