"""WeChat's customer-service allowance, end to end: the webhook opens it, the delivery
loop spends it against the fake WeChat API over real HTTP, rows past it go to the
helper or are held, and held notices are combined when the member writes again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.service_allowance import EVENT, MESSAGE
from models.actors import Actor
from models.delivery.allowance import ServiceAllowance
from models.delivery.held import combined_texts
from models.delivery.outbox import ChannelPolicy, Notice, Outbox, Status
from models.meetings.rules import NewMeeting, cancel_meeting, create_meeting
from models.meetings.tables import MeetingKind
from models.pairing.actions import make_pair
from models.pairing.relays import Relay
from models.study.posting import Draft, publish
from models.study.records import record_study
from schedules.delivery_loop import DeliveryWorker
from tests.factories import allowance_of, make_branch, make_member, wrote_to_us

NO_TEMPLATES = ChannelPolicy({})


@pytest.fixture
def worker(services):
    built = DeliveryWorker(services, services.wechat, owner="test-worker", batch_size=20)
    yield built
    built.close()


@pytest.fixture
def village(session):
    branch = make_branch(session)
    people = {
        "li": make_member(session, branch, "李红", "13800000002", openid="o-li"),
        "wang": make_member(session, branch, "王帮扶", "13800000003", openid="o-wang",
                            is_helper=True),
        "zhao": make_member(session, branch, "赵大爷", "13800000004", openid="o-zhao"),
    }
    session.commit()
    return people


def fresh(session):
    session.rollback()
    session.rollback()
    return {r.dedupe_key: r for r in session.scalars(select(Outbox).order_by(Outbox.id))}


def notify(session, clock, member, count, prefix="n", subject=None):
    for i in range(count):
        NO_TEMPLATES.enqueue(session, f"{prefix}{i}", member,
                             Notice("compliance_warning", f"第{i + 1}条通知", subject=subject),
                             clock())
        clock.advance(seconds=1)
    session.commit()


def remaining(session, openid):
    session.rollback()
    return session.scalar(select(ServiceAllowance.remaining).where(
        ServiceAllowance.openid == openid))


def custom_texts(fake, openid):
    return [m.text for m in fake.messages(openid) if m.channel == "custom"]


def test_a_message_opens_five_in_48_hours_and_the_sixth_waits(chat, worker, session, clock,
                                                              village, fake):
    chat.say("o-li", "帮助")  # the webhook opens the allowance in partybot's database
    fake.state.user_acted("o-li", MESSAGE)  # ... and WeChat (the fake) sees the same
    allowance = allowance_of(session, "o-li")
    assert (allowance.remaining, allowance.opened_by) == (5, "message")
    assert allowance.until == clock() + timedelta(hours=48)
    notify(session, clock, village["li"], 6)
    worker.drain(max_seconds=10)
    assert sorted(custom_texts(fake, "o-li")) == [f"第{i}条通知" for i in range(1, 6)]
    rows = fresh(session)
    assert rows["n5"].status == Status.HELD  # no helper: held for the next message
    assert fake.state.refused == {}  # never asked WeChat past the allowance
    assert remaining(session, "o-li") == 0


def test_past_the_allowance_a_paired_member_goes_to_the_helper(chat, worker, session, clock,
                                                               village, fake, services):
    make_pair(session, Actor.cli("test"), village["wang"], village["li"], clock(), 3)
    session.commit()
    wrote_to_us(session, "o-li", clock(), fake)
    session.commit()
    notify(session, clock, village["li"], 6)
    worker.drain(max_seconds=10)
    rows = fresh(session)
    assert (rows["n5"].channel, rows["n5"].status) == ("relay", Status.RELAYED)
    relay = session.scalar(select(Relay).where(Relay.dedupe_key == "n5"))
    assert relay.helper_id == village["wang"].id and relay.text == "第6条通知"


def test_a_click_opens_three_in_a_minute_and_resets_rather_than_adds(chat, session, clock,
                                                                     village):
    chat.say("o-li", "帮助")
    chat.event("o-li", "CLICK", "STUDY")
    allowance = allowance_of(session, "o-li")
    assert (allowance.remaining, allowance.opened_by) == (3, "event")  # not 5 + 3
    assert allowance.until == clock() + timedelta(minutes=1)
    chat.event("o-li", "VIEW", "http://example.com/")  # opening a link opens nothing
    session.rollback()
    assert allowance_of(session, "o-li").opened_by == "event"
    clock.advance(seconds=30)
    chat.say("o-li", "学习")
    session.rollback()
    assert remaining(session, "o-li") == 5


def test_the_fake_counts_like_wechat(fake, services):
    wechat = services.wechat
    fake.state.user_acted("o-x", EVENT)
    for n in range(3):
        wechat.message.send_text("o-x", f"{n}")
    with pytest.raises(Exception, match="45047"):
        wechat.message.send_text("o-x", "fourth")
    with pytest.raises(Exception, match="45015"):
        wechat.message.send_text("o-never", "hello")
    fake.state.clock = lambda: 10**10  # long after: the window is closed
    with pytest.raises(Exception, match="45015"):
        wechat.message.send_text("o-x", "later")


def test_held_notices_are_combined_newest_first_when_the_member_writes(chat, worker, session,
                                                                      clock, village, fake):
    notify(session, clock, village["li"], 3)  # never wrote: all three held
    assert {r.status for r in fresh(session).values()} == {Status.HELD}
    worker.drain(max_seconds=5)
    assert custom_texts(fake, "o-li") == []
    chat.say("o-li", "学习")
    fake.state.user_acted("o-li", MESSAGE)
    worker.drain(max_seconds=10)
    sent = custom_texts(fake, "o-li")
    assert len(sent) == 1
    assert sent[0].startswith("您有3条通知之前没能发给您")
    assert sent[0].index("第3条通知") < sent[0].index("第2条通知") < sent[0].index("第1条通知")
    rows = fresh(session)
    assert {rows[f"n{i}"].status for i in range(3)} == {Status.MERGED}
    carrier = session.get(Outbox, rows["n0"].carried_by)
    assert carrier.status == Status.SENT and remaining(session, "o-li") == 4
    worker.drain(max_seconds=2)
    assert len(custom_texts(fake, "o-li")) == 1  # combined once


def test_notices_that_no_longer_matter_are_dropped_not_sent(chat, worker, session, clock,
                                                           village, fake):
    li, branch_id = village["li"], village["li"].branch_id
    soon = create_meeting(session, NewMeeting(branch_id, MeetingKind.BRANCH_ASSEMBLY,
                                              clock() + timedelta(hours=2), "村委会"),
                          None, clock())
    called_off = create_meeting(session, NewMeeting(branch_id, MeetingKind.PARTY_LECTURE,
                                                    clock() + timedelta(days=2), "村委会"),
                                None, clock())
    later = create_meeting(session, NewMeeting(branch_id, MeetingKind.COMMITTEE_MEETING,
                                               clock() + timedelta(days=3), "村委会"),
                           None, clock())
    item = publish(session, branch_id, Draft("党章第一章", "正文"), None, clock(), clock())
    notify(session, clock, li, 1, "soon", f"meeting:{soon.id}")
    notify(session, clock, li, 1, "off", f"meeting:{called_off.id}")
    NO_TEMPLATES.enqueue(session, "off-cancel", li, Notice(
        "meeting_cancelled", "会议取消", subject=f"meeting:{called_off.id}"), clock())
    notify(session, clock, li, 1, "later", f"meeting:{later.id}")
    notify(session, clock, li, 1, "study", f"study:{item.id}")
    cancel_meeting(session, called_off, clock())
    record_study(session, item, li, clock())
    session.commit()
    clock.advance(hours=3)  # the first meeting has begun
    chat.say("o-li", "会议")
    fake.state.user_acted("o-li", MESSAGE)
    worker.drain(max_seconds=10)
    rows = fresh(session)
    assert rows["soon0"].last_error == "dropped: meeting started"
    assert rows["off0"].last_error == "dropped: meeting cancelled"
    # never told of the meeting, so not told of its cancellation either
    assert rows["off-cancel"].status == Status.DROPPED
    assert rows["study0"].last_error == "dropped: studied"
    assert rows["later0"].status == Status.MERGED
    assert custom_texts(fake, "o-li") == [
        custom_texts(fake, "o-li")[0]] and "第1条通知" in custom_texts(fake, "o-li")[0]
    assert custom_texts(fake, "o-li")[0].startswith("您有1条通知")


def test_a_long_backlog_is_split_within_2048_bytes():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    at = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    items = [(at, f"第{i}条：" + "学" * 150) for i in range(10)]
    parts = combined_texts(items, ZoneInfo("Asia/Shanghai"))
    assert len(parts) >= 2 and sum(count for _, count in parts) == 10
    assert all(len(text.encode()) <= 2048 for text, _ in parts)
    assert parts[0][0].startswith("您有10条通知") and parts[1][0].startswith("（接上条）")


def test_wechat_refusing_moves_the_row_on_instead_of_failing_it(worker, session, clock,
                                                                village, fake):
    wrote_to_us(session, "o-li", clock())  # partybot counts an allowance ...
    session.commit()
    notify(session, clock, village["li"], 1)  # ... but WeChat never saw the message
    worker.drain(max_seconds=5)
    row = fresh(session)["n0"]
    assert row.status == Status.HELD and row.last_error.startswith("45015")
    assert remaining(session, "o-li") == 0
    fake.state.user_acted("o-li", MESSAGE)
    wrote_to_us(session, "o-li", clock())
    session.commit()
    worker.drain(max_seconds=10)
    assert len(custom_texts(fake, "o-li")) == 1


def test_45047_from_wechat_moves_the_rest_to_the_helper(worker, session, clock, village, fake):
    make_pair(session, Actor.cli("test"), village["wang"], village["li"], clock(), 3)
    wrote_to_us(session, "o-li", clock())  # partybot counts 5 ...
    session.commit()
    fake.state.user_acted("o-li", EVENT)  # ... but WeChat saw a click last: 3
    notify(session, clock, village["li"], 5)
    worker.drain(max_seconds=10)
    rows = fresh(session)
    statuses = sorted(row.status for row in rows.values())
    assert statuses == [Status.RELAYED] * 2 + [Status.SENT] * 3
    assert len(custom_texts(fake, "o-li")) == 3 and fake.state.refused[45047] >= 1
    assert all(row.last_error.startswith("45047") for row in rows.values()
               if row.status == Status.RELAYED and row.last_error)
    assert remaining(session, "o-li") == 0


def test_a_held_meeting_notice_is_replaced_by_its_change(chat, worker, session, clock,
                                                         village, fake):
    """Issue 25 item 5: a member whose 会议通知 was still held when the meeting moved
    gets the change only — never two notices with two times."""
    li = village["li"]
    meeting = create_meeting(session, NewMeeting(li.branch_id, MeetingKind.BRANCH_ASSEMBLY,
                                                 clock() + timedelta(days=2), "村委会"),
                             None, clock())
    NO_TEMPLATES.enqueue(session, "notice", li, Notice(
        "meeting_notice", "【会议通知】周三09:00 村委会", subject=f"meeting:{meeting.id}"),
        clock())
    clock.advance(seconds=5)
    NO_TEMPLATES.enqueue(session, "change", li, Notice(
        "meeting_notice", "【会议变更】改到周四15:00 以本通知为准",
        subject=f"meeting:{meeting.id}"), clock())
    notify(session, clock, li, 1, "other")  # something else held beside them
    chat.say("o-li", "学习")
    fake.state.user_acted("o-li", MESSAGE)
    worker.drain(max_seconds=10)
    (sent,) = custom_texts(fake, "o-li")
    assert "【会议变更】改到周四15:00" in sent and "第1条通知" in sent
    assert "周三09:00" not in sent
    rows = fresh(session)
    assert rows["notice"].status == Status.DROPPED
    assert "superseded" in rows["notice"].last_error
