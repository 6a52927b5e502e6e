"""订阅通知 as a channel (issue 26 §3): the webhook records what a member accepts, a
notice with no template goes as 订阅通知 while the member holds a credit, one credit per
message (also with two workers racing), 43101 moves on, 47003 fails naming the keyword,
`partybot templates check` checks the subscription templates, 统计 counts the channel."""

from __future__ import annotations

import logging
import threading

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from bot.cli.main import main
from bot.sandbox.fake_subscribe import subscribe
from bot.simulator import subscription_event_xml
from core.subscribe_messages import ACCOUNT, SubscribeSpec
from core.template_messages import Keyword, TemplateSpec
from models.delivery.outbox import Channel, ChannelPolicy, Notice, Outbox, Status
from models.delivery.subscriptions import SubscriptionCredit, subscriptions_of
from models.members.tables import Member
from schedules.delivery_loop import DeliveryWorker
from tests.factories import make_branch, make_member, wrote_to_us

TEMPLATE = "SUB-MEET"
SUB = SubscribeSpec(ACCOUNT, TemplateSpec("meeting_reminder", TEMPLATE, "会议提醒", (
    Keyword("thing1", "meeting", "会议名称"), Keyword("time2", "time", "会议时间"),
    Keyword("thing3", "place", "会议地点"))))
POLICY = ChannelPolicy({}, {"meeting_reminder": (SUB,)})
FIELDS = {"meeting": "支部党员大会", "time": "2026年12月5日 09:00", "place": "村委会"}


def popup(openid: str, *items: tuple[str, str], clock=None) -> str:
    """A subscribe_msg_popup_event: (template id, accept|reject) per item."""
    return subscription_event_xml(openid, "subscribe_msg_popup_event", [
        {"TemplateId": template, "SubscribeStatusString": status, "PopupScene": "0"}
        for template, status in items], create_time=int(clock().timestamp()) if clock else None)


def credits(session, openid: str, template: str = TEMPLATE) -> int | None:
    session.rollback()
    return session.scalar(select(SubscriptionCredit.credits).where(
        SubscriptionCredit.openid == openid, SubscriptionCredit.template_id == template))


def rows(session) -> list[Outbox]:
    session.rollback()
    session.expire_all()
    return list(session.scalars(select(Outbox).order_by(Outbox.id)))


@pytest.fixture
def member(session):
    branch = make_branch(session)
    make_member(session, branch, "李书记", "13800000001", openid="o-admin", is_admin=True)
    found = make_member(session, branch, "张明", "13800000002", openid="o-zm")
    session.commit()
    return found


@pytest.fixture
def worker(services):
    built = DeliveryWorker(services, services.wechat, owner="w1", batch_size=10)
    yield built
    built.close()


def remind(session, clock, member, key: str) -> Status | None:
    status = POLICY.enqueue(session, key, member,
                            Notice("meeting_reminder", "明天上午9点在村委会开支部党员大会",
                                   fields=FIELDS), clock())
    session.commit()
    return status


def accept(chat, fake, clock, openid: str = "o-zm", template: str = TEMPLATE) -> None:
    """The member taps 允许 on the account's page: WeChat tells partybot and counts it."""
    assert chat.send_xml(popup(openid, (template, "accept"), clock=clock)).is_success
    subscribe(fake.state, openid, template, True)
    clock.advance(seconds=1)


# -- the webhook records subscriptions ----------------------------------------------------

def test_popup_change_and_sent_events_are_recorded(chat, session, clock, member):
    reply = chat.send_xml(popup("o-zm", (TEMPLATE, "accept"), ("SUB-OTHER", "reject"),
                                clock=clock))
    assert reply.is_success
    assert credits(session, "o-zm") == 1 and credits(session, "o-zm", "SUB-OTHER") == 0
    clock.advance(seconds=1)
    chat.send_xml(popup("o-zm", (TEMPLATE, "accept"), clock=clock))
    assert credits(session, "o-zm") == 2  # one message per acceptance
    listed = {s.template_id: (s.status, s.credits) for s in
              subscriptions_of(session, member.id, member.openid)}
    assert listed == {TEMPLATE: ("accept", 2), "SUB-OTHER": ("reject", 0)}
    clock.advance(seconds=1)
    change = subscription_event_xml("o-zm", "subscribe_msg_change_event", [
        {"TemplateId": TEMPLATE, "SubscribeStatusString": "reject"}],
        create_time=int(clock().timestamp()))
    assert chat.send_xml(change).is_success
    assert credits(session, "o-zm") == 0


def test_a_stranger_may_subscribe_before_binding(chat, session, clock, member):
    assert chat.send_xml(popup("o-new", (TEMPLATE, "accept"), clock=clock)).is_success
    row = session.scalar(select(SubscriptionCredit).where(SubscriptionCredit.openid == "o-new"))
    assert row.credits == 1 and row.changed_by == "wechat:o-new" and row.surface == "chat"


def test_the_member_is_the_actor_of_their_choice(chat, session, clock, member):
    chat.send_xml(popup("o-zm", (TEMPLATE, "accept"), clock=clock))
    row = session.scalar(select(SubscriptionCredit))
    assert row.changed_by == f"member:{member.id}"


@pytest.mark.parametrize("inner", [
    "",  # no items at all
    "<SubscribeMsgPopupEvent>oops</SubscribeMsgPopupEvent>",
    "<SubscribeMsgPopupEvent><List><TemplateId></TemplateId>"
    "<SubscribeStatusString>accept</SubscribeStatusString></List></SubscribeMsgPopupEvent>",
    "<SubscribeMsgPopupEvent><List><TemplateId>T</TemplateId>"
    "<SubscribeStatusString>maybe</SubscribeStatusString></List></SubscribeMsgPopupEvent>",
    "<SubscribeMsgPopupEvent><List><TemplateId>" + "x" * 300 + "</TemplateId>"
    "<SubscribeStatusString>accept</SubscribeStatusString></List></SubscribeMsgPopupEvent>",
])
def test_a_malformed_event_is_logged_and_answered_success(chat, session, clock, member, caplog,
                                                          inner):
    xml = popup("o-zm", clock=clock).replace(
        "<SubscribeMsgPopupEvent></SubscribeMsgPopupEvent>", inner)
    with caplog.at_level(logging.WARNING):
        assert chat.send_xml(xml).is_success
    assert "subscribe_msg_popup_event from o-zm without a usable item" in caplog.text
    assert session.scalar(select(SubscriptionCredit)) is None


def test_a_change_event_cannot_grant(chat, session, clock, member):
    xml = subscription_event_xml("o-zm", "subscribe_msg_change_event", [
        {"TemplateId": TEMPLATE, "SubscribeStatusString": "accept"}],
        create_time=int(clock().timestamp()))
    assert chat.send_xml(xml).is_success
    assert credits(session, "o-zm") is None


def test_two_events_in_one_second_are_both_recorded(chat, session, clock, member):
    chat.send_xml(popup("o-zm", (TEMPLATE, "accept"), clock=clock))
    chat.send_xml(popup("o-zm", ("SUB-OTHER", "accept"), clock=clock))  # same CreateTime
    assert credits(session, "o-zm") == 1 and credits(session, "o-zm", "SUB-OTHER") == 1


# -- delivery -----------------------------------------------------------------------------

def test_a_reminder_goes_as_subscription_and_spends_the_credit(chat, session, clock, member,
                                                               worker, fake):
    accept(chat, fake, clock)
    assert remind(session, clock, member, "r1") == Status.PENDING
    (row,) = rows(session)
    assert row.channel == Channel.SUBSCRIBE
    worker.drain(max_seconds=10)
    (sent,) = fake.messages("o-zm")
    assert sent.channel == "subscribe" and sent.body["template_id"] == TEMPLATE
    assert sent.body["data"] == {"thing1": {"value": "支部党员大会"},
                                 "time2": {"value": "2026年12月5日 09:00"},
                                 "thing3": {"value": "村委会"}}
    (row,) = rows(session)
    assert row.status == Status.SENT and row.wechat_msgid == str(sent.msgid)
    assert credits(session, "o-zm") == 0 and fake.state.subscriptions[("o-zm", TEMPLATE)] == 0
    # WeChat's sent event marks it delivered
    event = subscription_event_xml("o-zm", "subscribe_msg_sent_event", [
        {"TemplateId": TEMPLATE, "MsgID": str(sent.msgid), "ErrorCode": "0",
         "ErrorStatus": "success"}], create_time=int(clock().timestamp()))
    assert chat.send_xml(event).is_success
    (row,) = rows(session)
    assert row.report == "delivered"


def test_the_second_reminder_falls_to_the_next_channel(chat, session, clock, member, worker,
                                                       fake):
    accept(chat, fake, clock)
    wrote_to_us(session, "o-zm", clock(), fake)
    session.commit()
    remind(session, clock, member, "r1")
    remind(session, clock, member, "r2")  # planned while the one credit is still there
    assert [r.channel for r in rows(session)] == [Channel.SUBSCRIBE, Channel.SUBSCRIBE]
    worker.drain(max_seconds=10)
    assert sorted(m.channel for m in fake.messages("o-zm")) == ["custom", "subscribe"]
    assert [(r.channel, r.status) for r in rows(session)] == [
        (Channel.SUBSCRIBE, Status.SENT), (Channel.CUSTOM, Status.SENT)]
    # a third, with no credit left, is planned as customer service at once
    remind(session, clock, member, "r3")
    assert rows(session)[-1].channel == Channel.CUSTOM


def test_without_credit_or_allowance_the_notice_is_held(chat, session, clock, member, worker,
                                                        fake):
    accept(chat, fake, clock)
    remind(session, clock, member, "r1")
    remind(session, clock, member, "r2")
    worker.drain(max_seconds=10)
    assert [(r.channel, r.status) for r in rows(session)] == [
        (Channel.SUBSCRIBE, Status.SENT), (Channel.CUSTOM, Status.HELD)]


def test_43101_drops_the_credit_and_moves_on(chat, session, clock, member, worker, fake):
    assert chat.send_xml(popup("o-zm", (TEMPLATE, "accept"), clock=clock)).is_success
    wrote_to_us(session, "o-zm", clock(), fake)  # (WeChat itself holds no subscription)
    session.commit()
    remind(session, clock, member, "r1")
    worker.drain(max_seconds=10)
    (row,) = rows(session)
    assert (row.channel, row.status) == (Channel.CUSTOM, Status.SENT)
    assert fake.state.calls["message/subscribe/bizsend"] == 1  # asked, and refused
    assert [m.channel for m in fake.messages("o-zm")] == ["custom"]
    session.rollback()
    credit = session.scalar(select(SubscriptionCredit))
    assert (credit.credits, credit.status) == (0, "refused")


def test_47003_fails_with_a_log_line_naming_the_keyword(chat, session, clock, member, worker,
                                                        fake, caplog):
    accept(chat, fake, clock)
    remind(session, clock, member, "r1")
    (row,) = rows(session)
    payload = {**row.payload}
    payload["subscribe"] = [{**payload["subscribe"][0],
                             "data": {**payload["subscribe"][0]["data"],
                                      "thing3": {"value": "村" * 30}}}]
    session.execute(update(Outbox).where(Outbox.id == row.id).values(payload=payload))
    session.commit()
    with caplog.at_level(logging.WARNING):
        worker.drain(max_seconds=10)
    (row,) = rows(session)
    assert (row.status, row.last_error_code) == (Status.FAILED, 47003)
    assert "47003" in caplog.text and "thing3" in caplog.text and TEMPLATE in caplog.text
    assert fake.messages("o-zm") == []
    assert credits(session, "o-zm") == 1  # WeChat sent nothing: the credit is still theirs


def test_two_workers_racing_for_one_credit_send_once(chat, session, clock, member, services,
                                                     fake):
    accept(chat, fake, clock)
    subscribe(fake.state, "o-zm", TEMPLATE, True, count=5)  # the fake would accept more
    for n in range(4):
        remind(session, clock, member, f"r{n}")
    assert {r.channel for r in rows(session)} == {Channel.SUBSCRIBE}
    workers = [DeliveryWorker(services, services.wechat, owner=f"w{i}", batch_size=1)
               for i in range(4)]
    start = threading.Barrier(len(workers))

    def run(worker: DeliveryWorker) -> None:
        start.wait()
        worker.run_once()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        for worker in workers:
            worker.close()
    assert [m.channel for m in fake.messages("o-zm")] == ["subscribe"]
    found = rows(session)
    assert sum(r.channel == Channel.SUBSCRIBE for r in found) == 1
    assert all(r.channel == Channel.CUSTOM for r in found if r.channel != Channel.SUBSCRIBE)
    session.rollback()
    credit = session.scalar(select(SubscriptionCredit))
    assert (credit.credits, credit.spent) == (0, 1)


def test_a_bad_openid_is_a_permanent_failure(chat, session, clock, member, worker, fake):
    accept(chat, fake, clock)
    fake.state.unknown_openids.add("o-zm")
    remind(session, clock, member, "r1")
    worker.drain(max_seconds=10)
    (row,) = rows(session)
    assert (row.status, row.last_error_code) == (Status.FAILED, 40003)


def test_a_template_still_comes_first(chat, session, clock, member, worker, fake):
    accept(chat, fake, clock)
    policy = ChannelPolicy({"meeting_reminder": "TPL-MEET"}, {"meeting_reminder": (SUB,)})
    policy.enqueue(session, "r1", member, Notice("meeting_reminder", "开会", fields={
        **FIELDS, "code": "4821"}), clock())
    session.commit()
    assert rows(session)[0].channel == Channel.TEMPLATE
    assert credits(session, "o-zm") == 1


def test_a_member_who_unfollowed_is_reached_by_subscription(chat, session, clock, member,
                                                             worker, fake):
    accept(chat, fake, clock)
    session.execute(update(Member).where(Member.id == member.id).values(subscribed=False))
    session.commit()
    policy = ChannelPolicy({"meeting_reminder": "TPL-MEET"}, {"meeting_reminder": (SUB,)})
    policy.enqueue(session, "r1", session.get(Member, member.id), Notice(
        "meeting_reminder", "开会", fields={**FIELDS, "code": "4821"}), clock())
    session.commit()
    assert rows(session)[0].channel == Channel.SUBSCRIBE
    worker.drain(max_seconds=10)
    assert [m.channel for m in fake.messages("o-zm")] == ["subscribe"]


# -- the configuration check ------------------------------------------------------------

def test_templates_check_catches_a_bad_subscription_mapping(tmp_path, monkeypatch):
    path = tmp_path / "t.toml"
    path.write_text('''
[meeting_reminder]
template_id = "T1"
[meeting_reminder.keywords]
thing1 = "meeting"

[subscribe.meeting_reminder]
template_id = "S1"
page = "pages/index"
[subscribe.meeting_reminder.keywords]
thing1 = { field = "meeting", name = "会议名称" }
phrase2 = { field = "place" }
thing3 = { field = "reason" }

[miniprogram_subscribe.study_push]
template_id = "M1"
page = "pages/study/index"
[miniprogram_subscribe.study_push.keywords]
thing1 = "title"
''', encoding="utf-8")
    monkeypatch.setenv("PARTYBOT_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["templates", "check", "--file", str(path)])
    assert result.exit_code == 1, result.output
    assert "meeting_reminder (account)" in result.output
    assert "phrase 类型放不下这个值" in result.output
    assert "这种通知没有这个字段" in result.output
    assert "公众号订阅通知的 page 要写 http(s):// 开头的网址" in result.output
    assert "study_push (miniprogram)" in result.output
    assert "2种通知已配置订阅通知模板" in result.output


def test_a_good_subscription_file_passes(tmp_path, monkeypatch):
    path = tmp_path / "t.toml"
    path.write_text('''
[subscribe.meeting_reminder]
template_id = "S1"
[subscribe.meeting_reminder.keywords]
thing1 = { field = "meeting", name = "会议名称" }
time2 = { field = "time", name = "会议时间" }
''', encoding="utf-8")
    monkeypatch.setenv("PARTYBOT_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["templates", "check", "--file", str(path)])
    assert result.exit_code == 0, result.output
    assert "可用" in result.output.split("meeting_reminder (account)")[1]


# -- 统计 and the console ---------------------------------------------------------------

def test_stats_count_the_channel(chat, session, clock, member, worker, fake):
    accept(chat, fake, clock)
    remind(session, clock, member, "r1")
    worker.drain(max_seconds=10)
    stats = chat.say("o-admin", "统计")
    assert "订阅通知1条" in stats, stats


def test_the_consoles_delivery_page_counts_the_channel(app, chat, session, county, clock,
                                                       services, fake):
    from tests.test_console_meetings import logged_in

    accept(chat, fake, clock)
    zm = session.scalar(select(Member).where(Member.openid == "o-zm"))
    remind(session, clock, zm, "r1")
    worker = DeliveryWorker(services, services.wechat, owner="w", batch_size=5)
    try:
        worker.drain(max_seconds=10)
    finally:
        worker.close()
    page = logged_in(app, "liaoyuan").get(f"/admin/branch/{county['liaoyuan']}/reach")
    assert "<dt>订阅通知送达</dt><dd>1</dd>" in page.get_data(as_text=True)


# -- the mini-program ---------------------------------------------------------------------

MINI = SubscribeSpec("miniprogram", TemplateSpec("meeting_reminder", "MP-MEET", "会议提醒", (
    Keyword("thing1", "meeting", "会议名称"),)), "pages/meetings/index")


def test_a_miniprogram_credit_sends_through_subscribe_send(session, clock, member, services,
                                                           fake):
    from models.actors import Actor, Surface
    from models.delivery.actions import record_subscriptions
    from models.delivery.subscriptions import Choice

    record_subscriptions(session, Actor.member(member.id, member.name, Surface.API), "mp-zm",
                         [Choice("MP-MEET", "accept")], clock(), app="miniprogram",
                         member_id=member.id)
    session.commit()
    subscribe(fake.state, "mp-zm", "MP-MEET", True)
    policy = ChannelPolicy({}, {"meeting_reminder": (SUB, MINI)})
    policy.enqueue(session, "r1", member, Notice("meeting_reminder", "开会", fields=FIELDS),
                   clock())
    session.commit()
    assert rows(session)[0].channel == Channel.SUBSCRIBE
    # a worker without the mini-program's client spends no mini-program credit
    plain = DeliveryWorker(services, services.wechat, owner="plain", batch_size=5)
    try:
        plain.run_once()
    finally:
        plain.close()
    assert rows(session)[0].channel == Channel.CUSTOM and fake.messages() == []
    policy.enqueue(session, "r2", member, Notice("meeting_reminder", "开会", fields=FIELDS),
                   clock())
    session.commit()
    both = DeliveryWorker(services, services.wechat, owner="both", batch_size=5,
                          miniprogram=services.wechat)
    try:
        both.drain(max_seconds=10)
    finally:
        both.close()
    (sent,) = fake.messages("mp-zm")
    assert sent.channel == "subscribe_mp" and sent.body["page"] == "pages/meetings/index"
    assert sent.body["data"] == {"thing1": {"value": "支部党员大会"}}
    mine = {s.template_id: (s.app, s.credits)
            for s in subscriptions_of(session, member.id, member.openid)}
    assert mine == {"MP-MEET": ("miniprogram", 0)}


def test_a_member_with_no_miniprogram_openid_is_skipped_cleanly(session, clock, member):
    policy = ChannelPolicy({}, {"meeting_reminder": (MINI,)})
    status = policy.enqueue(session, "r1", member, Notice("meeting_reminder", "开会",
                                                          fields=FIELDS), clock())
    assert status == Status.HELD  # no credit (no mini-program openid): the usual channels


def test_a_failed_sent_event_marks_the_row_and_a_block_drops_credits(chat, session, clock,
                                                                      member, worker, fake):
    accept(chat, fake, clock)
    accept(chat, fake, clock)  # two acceptances: one left after the send
    remind(session, clock, member, "r1")
    worker.drain(max_seconds=10)
    (sent,) = fake.messages("o-zm")
    event = subscription_event_xml("o-zm", "subscribe_msg_sent_event", [
        {"TemplateId": TEMPLATE, "MsgID": str(sent.msgid), "ErrorCode": "20001",
         "ErrorStatus": "failed:user block"}], create_time=int(clock().timestamp()))
    assert chat.send_xml(event).is_success
    (row,) = rows(session)
    assert row.status == Status.FAILED and row.report == "failed:user block"
    assert credits(session, "o-zm") == 0


def test_what_a_page_offers_and_lists(chat, session, clock, member):
    from core.subscribe_messages import offered_templates

    offered = offered_templates({"meeting_reminder": (SUB, MINI), "study_push": (SUB,)})
    assert [(o.kind, o.template_id, o.title) for o in offered] == [
        ("meeting_reminder", TEMPLATE, "会议提醒")]  # one per template id, the account's
    assert [o.template_id for o in offered_templates({"x": (MINI,)}, "miniprogram")] == \
        ["MP-MEET"]
    assert subscriptions_of(session, member.id, member.openid) == []


def test_lists_nest_one_level_deeper_and_no_more():
    from core.wxml import MalformedXML, parse_xml, to_inbound

    xml = popup("o", ("A", "accept"), ("B", "reject")).encode()
    message = to_inbound(parse_xml(xml))
    assert [i["TemplateId"] for i in message.items("SubscribeMsgPopupEvent")] == ["A", "B"]
    single = to_inbound(parse_xml(popup("o", ("A", "accept")).encode()))
    assert [i["TemplateId"] for i in single.items("SubscribeMsgPopupEvent")] == ["A"]
    with pytest.raises(MalformedXML):
        parse_xml(b"<xml><A><B><C><D>x</D></C></B></A></xml>")


def test_a_sent_event_settles_a_send_whose_outcome_was_unknown(chat, session, clock, member):
    chat.send_xml(popup("o-zm", (TEMPLATE, "accept"), clock=clock))
    remind(session, clock, member, "r1")
    session.execute(update(Outbox).values(status=Status.UNKNOWN))  # the worker died mid-send
    session.commit()
    event = subscription_event_xml("o-zm", "subscribe_msg_sent_event", [
        {"TemplateId": TEMPLATE, "MsgID": "7000000001", "ErrorCode": "0",
         "ErrorStatus": "success"}], create_time=int(clock().timestamp()))
    assert chat.send_xml(event).is_success
    (row,) = rows(session)
    assert (row.status, row.report, row.wechat_msgid) == (Status.SENT, "delivered", "7000000001")


_XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")),  # XML may hold
                    max_size=300)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=st.sampled_from(["subscribe_msg_popup_event", "subscribe_msg_change_event",
                              "subscribe_msg_sent_event"]),
       items=st.lists(st.dictionaries(
           st.sampled_from(["TemplateId", "SubscribeStatusString", "PopupScene", "MsgID",
                            "ErrorCode", "ErrorStatus"]), _XML_TEXT, max_size=6), max_size=4))
def test_any_subscription_event_is_answered_success(chat, clock, event, items):
    clock.advance(seconds=1)
    try:
        xml = subscription_event_xml("o-fuzz", event, items,
                                     create_time=int(clock().timestamp()))
        xml.encode("utf-8")
    except UnicodeEncodeError:
        return
    response = chat.post_xml(xml)
    assert response.status_code == 200
    assert response.get_data() in (b"success", b"")


def test_a_change_made_for_someone_else_is_audited(session, clock, member):
    from models.actors import Actor
    from models.console.audit import AuditEntry
    from models.delivery.actions import record_subscriptions
    from models.delivery.subscriptions import Choice

    record_subscriptions(session, Actor.member(member.id, member.name), "o-zm",
                         [Choice(TEMPLATE, "accept")], clock())
    assert session.scalar(select(AuditEntry)) is None  # their own choice: its own trace
    record_subscriptions(session, Actor.cli("op"), "o-zm", [Choice(TEMPLATE, "reject")],
                         clock())
    entry = session.scalar(select(AuditEntry))
    assert (entry.action, entry.target, entry.after) == ("subscription.change", "张明",
                                                         {TEMPLATE: "reject"})
