"""Changing a meeting in chat (issue 25, item 5): 改会议 and the ways secretaries say it,
for the meeting's branch admins only; the notice says what changed, from what to what,
on every channel (template keywords, the full text, the helper's list); a time at night
is confirmed first; a second 取消会议 says it is already cancelled and tells nobody."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.simulator import message_xml
from models.actors import Actor, Surface
from models.console.audit import AuditEntry
from models.delivery.outbox import Outbox
from models.meetings.rules import is_at_night
from models.meetings.tables import Meeting
from models.pairing.actions import make_pair
from models.pairing.relays import Relay
from schedules.delivery_loop import DeliveryWorker
from schedules.pairing import send_relay_digests
from tests.factories import make_branch, make_member, make_township

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
CREATE = "新建会议 党员大会 2026-12-09 09:00 村委会 学习党章"  # Wednesday


@pytest.fixture
def village(session, clock):
    clock.set(MONDAY)
    township = make_township(session)
    branch = make_branch(session, "辽原村党支部", township)
    other = make_branch(session, "红光村党支部", township)
    people = {
        "admin": make_member(session, branch, "李书记", "13800000001", openid="o-admin",
                             is_admin=True),
        "zm": make_member(session, branch, "张明", "13800000002", openid="o-zm"),
        "helper": make_member(session, branch, "王帮扶", "13800000003", openid="o-helper",
                              is_helper=True),
        "old": make_member(session, branch, "赵大爷", "13800000005", needs_help="老式手机"),
    }
    make_member(session, other, "周书记", "13800000011", openid="o-other-admin",
                is_admin=True)
    make_pair(session, Actor.cli("test"), people["helper"], people["old"], clock(), 3)
    session.commit()
    return branch


@pytest.fixture
def worker(services):
    built = DeliveryWorker(services, services.wechat, owner="test-worker", batch_size=50)
    yield built
    built.close()


def the_meeting(session) -> Meeting:
    session.rollback()
    session.expire_all()
    return session.scalars(select(Meeting).order_by(Meeting.id.desc())).first()


def local(moment: datetime) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def outbox_count(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Outbox)) or 0


def notice_and_change(fake, openid: str) -> list:
    """The 会议通知 and the change, as the member received them (in either order)."""
    sent = fake.messages(openid)
    assert len(sent) == 2 and all(m.channel == "template" for m in sent)
    return sorted(sent, key=lambda m: "改" in m.body["data"]["thing1"]["value"])


def scheduled(chat, session) -> str:
    assert "会议已创建" in chat.say("o-admin", CREATE)
    return the_meeting(session).code


def test_a_change_says_from_what_to_what_on_every_channel(chat, session, clock, village,
                                                           worker, fake, services):
    code = scheduled(chat, session)
    reply = chat.say("o-admin", f"改会议 {code} 改到下周四下午三点")
    assert "时间：12月9日（周三）09:00 改为 12月17日（周四）15:00" in reply
    assert "地点：村委会（不变）" in reply and f"签到码不变：{code}" in reply
    assert "已通知4名党员" in reply  # the admin, 张明 and 王帮扶 by template, 赵大爷 by his helper
    meeting = the_meeting(session)
    assert local(meeting.starts_at) == "2026-12-17 15:00"
    assert local(meeting.ends_at) == "2026-12-17 17:00"  # the length kept
    worker.drain(max_seconds=10)
    first, change = notice_and_change(fake, "o-zm")
    assert first.body["data"]["time2"]["value"] == "2026年12月9日 09:00"
    data = change.body["data"]
    assert data["thing1"]["value"] == "党员大会改期，原12月9日09:00"
    assert data["time2"]["value"] == "2026年12月17日 15:00"
    assert data["thing3"]["value"] == "村委会"
    assert data["character_string4"]["value"] == code
    assert fake.state.refused == {}
    # the full text (customer-service message, sandbox) says it too
    session.rollback()
    row = session.scalars(select(Outbox).where(Outbox.dedupe_key.like("%:changed:%"))
                          .order_by(Outbox.id)).first()
    text = row.payload["text"]
    assert text.startswith("【会议变更】党员大会改期，原12月9日09:00")
    assert "时间：12月9日（周三）09:00 改为 12月17日（周四）15:00" in text
    assert "以本通知为准" in text
    # the helper's list for 赵大爷: the change, from what to what
    (relay,) = session.scalars(select(Relay).where(Relay.text.like("【会议变更】%"))).all()
    assert "改为 12月17日（周四）15:00" in relay.text
    assert send_relay_digests(services) == 1
    session.rollback()
    digest = session.scalars(select(Outbox).where(Outbox.dedupe_key.like("relay-digest:%"))
                             ).one()
    assert "【会议变更】党员大会改期，原12月9日09:00" in digest.payload["text"]
    # the audit log has the change, from the chat
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "meeting.change")
                            ).one()
    assert entry.surface == Surface.CHAT and entry.actor_name == "李书记"


def test_a_new_place_shows_the_old_one_in_the_template(chat, session, clock, village, worker,
                                                       fake):
    code = scheduled(chat, session)
    reply = chat.say("o-admin", f"{code} 地点改为党员活动室")
    assert "地点：村委会 改为 党员活动室" in reply and "时间：12月9日（周三）09:00（不变）" in reply
    assert the_meeting(session).place == "党员活动室"
    worker.drain(max_seconds=10)
    _, change = notice_and_change(fake, "o-zm")
    assert change.body["data"]["thing1"]["value"] == "党员大会改地点"
    assert change.body["data"]["thing3"]["value"] == "党员活动室（原村委会）"
    assert change.body["data"]["time2"]["value"] == "2026年12月9日 09:00"


@pytest.mark.parametrize(("said", "starts", "place"), [
    ("改会议 {code} 改到下周四下午三点", "2026-12-17 15:00", "村委会"),
    ("把{code}的会改到明天下午3点", "2026-12-08 15:00", "村委会"),
    ("{code} 地点改为党员活动室", "2026-12-09 09:00", "党员活动室"),
    ("改会议 {code} 党员活动室", "2026-12-09 09:00", "党员活动室"),
    ("会议{code}推迟到周五上午9点", "2026-12-11 09:00", "村委会"),
    ("{code}改到下午4点", "2026-12-09 16:00", "村委会"),  # no day: the meeting's own day
    ("改会议 {code} 后天下午3点半 在党员活动室", "2026-12-09 15:30", "党员活动室"),
    ("{code}的会议改在村部二楼", "2026-12-09 09:00", "村部二楼"),
    ("把会议{code}提前到明天上午九点", "2026-12-08 09:00", "村委会"),
    ("改会议：{code}，12月10日 14:00", "2026-12-10 14:00", "村委会"),
    ("{code}号会议时间改为12月12日上午10点", "2026-12-12 10:00", "村委会"),
    # more of each class: other verbs, a spoken code, punctuation, place words
    ("把{numerals}的会改到明天下午三点。", "2026-12-08 15:00", "村委会"),
    ("改会议 {numerals} 挪到周四上午十点", "2026-12-10 10:00", "村委会"),
    ("{code}的会延期到下周一下午2点半", "2026-12-14 14:30", "村委会"),
    ("将{code}会议调整到12月11日 19:30", "2026-12-11 19:30", "村委会"),
    ("{code}，会场改成村小学教室", "2026-12-09 09:00", "村小学教室"),
    ("改会议 {code} 地点：党员活动室", "2026-12-09 09:00", "党员活动室"),
    ("{code}改地点为文化广场", "2026-12-09 09:00", "文化广场"),
    ("改会议 {code} 时间改为明天上午10点，地点改为党员活动室", "2026-12-08 10:00",
     "党员活动室"),
    ("会议{code}换到后天上午8点半", "2026-12-09 08:30", "村委会"),
    ("改会议 {code} 9:30", "2026-12-09 09:30", "村委会"),  # a clock alone: the same day
    ("{code}推到晚上7点", "2026-12-09 19:00", "村委会"),
])
def test_the_ways_a_secretary_says_it(chat, session, clock, village, said, starts, place):
    code = scheduled(chat, session)
    numerals = "".join("零一二三四五六七八九"[int(d)] for d in code)
    reply = chat.say("o-admin", said.format(code=code, numerals=numerals))
    assert "已通知" in reply, reply
    meeting = the_meeting(session)
    assert (local(meeting.starts_at), meeting.place) == (starts, place)


def test_a_change_can_be_spoken(chat, session, clock, village):
    code = scheduled(chat, session)
    numerals = "".join("零一二三四五六七八九"[int(d)] for d in code)
    reply = chat.send_xml(message_xml("o-admin", "voice", {
        "MediaId": "v1", "Format": "amr", "Recognition": f"把{numerals}的会改到明天下午三点。"}))
    assert "听到" in reply.content and "改为 12月8日（周二）15:00" in reply.content
    assert local(the_meeting(session).starts_at) == "2026-12-08 15:00"


@pytest.mark.parametrize("said", [
    "{code}", "{code} 这个会几点开", "我改到明天再学", "{code}人参加", "会议",
    "今天的会改到这里", "改天再说",
])
def test_what_is_not_a_change_changes_nothing(chat, session, clock, village, said):
    code = scheduled(chat, session)
    reply = chat.say("o-admin", said.format(code=code))
    assert "已修改" not in reply
    meeting = the_meeting(session)
    assert (local(meeting.starts_at), meeting.place) == ("2026-12-09 09:00", "村委会")


def test_a_day_without_an_hour_is_asked_for(chat, session, clock, village):
    code = scheduled(chat, session)
    before = outbox_count(session)
    reply = chat.say("o-admin", f"把{code}的会改到明天下午")
    assert "几点" in reply and "没有改动" in reply
    assert local(the_meeting(session).starts_at) == "2026-12-09 09:00"
    assert outbox_count(session) == before


def test_only_the_meetings_branch_admins_change_it(chat, session, clock, village):
    code = scheduled(chat, session)
    assert "只有支部管理员" in chat.say("o-zm", f"改会议 {code} 明天下午3点")
    chat.say("o-zm", f"{code} 地点改为党员活动室")  # a member's words change nothing
    assert "没有签到码或会议编号" in chat.say("o-other-admin", f"改会议 {code} 明天下午3点")
    chat.say("o-other-admin", f"{code} 地点改为党员活动室")
    meeting = the_meeting(session)
    assert (local(meeting.starts_at), meeting.place) == ("2026-12-09 09:00", "村委会")


def test_a_held_or_cancelled_meeting_cannot_be_changed(chat, session, clock, village):
    code = scheduled(chat, session)
    assert "已取消" in chat.say("o-admin", f"取消会议 {code}")
    before = outbox_count(session)
    assert "已经取消" in chat.say("o-admin", f"改会议 {code} 明天下午3点")
    again = chat.say("o-admin", f"取消会议 {code}")
    assert "已经取消了" in again and "不会再通知" in again
    assert outbox_count(session) == before  # nobody told twice
    code = scheduled(chat, session)
    clock.set(datetime(2026, 12, 9, 3, 0, tzinfo=UTC))  # under way
    chat.say("o-admin", f"结束会议 {code}")
    meeting_id = session.scalars(select(Meeting.id).order_by(Meeting.id.desc())).first()
    assert "已经开过" in chat.say("o-admin", f"改会议 {meeting_id} 12月20日上午9点")


def test_a_time_at_night_is_confirmed_first(chat, session, clock, village):
    code = scheduled(chat, session)
    before = outbox_count(session)
    ask = chat.say("o-admin", f"改会议 {code} 12月10日 22:30")
    assert "夜里" in ask and f"改会议 {code} 12月10日22:30 确认" in ask
    assert local(the_meeting(session).starts_at) == "2026-12-09 09:00"
    assert outbox_count(session) == before
    done = chat.say("o-admin", f"改会议 {code} 12月10日22:30 确认")
    assert "已通知" in done
    assert local(the_meeting(session).starts_at) == "2026-12-10 22:30"


def test_the_same_time_and_place_is_no_change(chat, session, clock, village):
    code = scheduled(chat, session)
    before = outbox_count(session)
    assert "没有改动" in chat.say("o-admin", f"改会议 {code} 村委会")
    assert "没有改动" in chat.say("o-admin", f"改会议 {code} 12月9日上午9点")
    assert outbox_count(session) == before
    assert "过去" in chat.say("o-admin", f"改会议 {code} 12月7日上午9点")  # this morning


def test_help_and_usage(chat, session, village):
    assert "改会议" in chat.say("o-admin", "帮助")
    assert "改会议" not in chat.say("o-zm", "帮助")
    assert "改会议 签到码" in chat.say("o-admin", "改会议")
    assert "例如" in chat.say("o-admin", "帮助 改会议")


def test_the_longest_change_line_fits_the_helpers_list_and_the_template():
    from core.notices import MeetingWas, change_summary, change_template_fields, meeting_changed
    from core.template_types import fit
    from models.pairing.relay_items import RelayItem

    class Lesson:
        kind_name, place, topic, code = "组织生活会", "村委会", "", "4587"
        starts_at = datetime(2026, 12, 20, 11, 0, tzinfo=UTC)

    was = MeetingWas(datetime(2026, 12, 19, 11, 0, tzinfo=UTC),
                     "红光村村委会二楼东侧第一小会议室", "")
    summary = change_summary(Lesson(), was, TZ)
    assert summary == "组织生活会改期，原12月19日19:00" and fit("thing1", summary) == summary
    fields = change_template_fields(Lesson(), was, TZ)
    assert fields["place"] == "村委会（地点已改）"  # "村委会（原…）" would not fit 20
    relay = Relay(text=meeting_changed(Lesson(), was, TZ))
    line = RelayItem(relay, Lesson.starts_at, True).line(TZ)
    assert line.endswith("【会议变更】组织生活会改期，原12月19日19:00")


def test_is_at_night():
    assert is_at_night(datetime(2026, 12, 9, 14, 0, tzinfo=UTC), TZ)  # 22:00
    assert is_at_night(datetime(2026, 12, 9, 21, 59, tzinfo=UTC), TZ)  # 05:59
    assert not is_at_night(datetime(2026, 12, 9, 22, 0, tzinfo=UTC), TZ)  # 06:00
    assert not is_at_night(datetime(2026, 12, 9, 13, 59, tzinfo=UTC), TZ)  # 21:59
    assert is_at_night(datetime(2026, 12, 9, 18, 0, tzinfo=UTC) + timedelta(0), TZ)  # 02:00
