"""Slow handlers (answered later through the outbox) and template delivery reports."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from bot import create_app
from bot.delivery import DeliveryWorker
from bot.services import services_of
from bot.simulator import WeChatSide, event_xml
from handlers import Dispatcher, general
from handlers.router import Context, Router
from models.deferred import DeferredTask
from models.outbox import Outbox, Status
from schedules.deferred import run_deferred
from tests.conftest import TOKEN, Chat
from tests.factories import make_branch, make_member

slow_router = Router("slow")


@slow_router.command("年度报表", slow=True)
def yearly_report(ctx: Context) -> str:
    """A report that takes longer than WeChat waits"""
    time.sleep(0.1)
    return f"报表：{ctx.openid} 的年度情况"


@slow_router.command("写数据慢", slow=True)
def slow_writer(ctx: Context) -> str:
    """A slow handler that (wrongly) writes"""
    ctx.session.add(DeferredTask(inbound_key="x", openid="x", fields={}, status="bogus",
                                 attempts=0, created_at=ctx.now))
    return "写了"


@pytest.fixture
def slow_app(api_settings, clock):
    app = create_app(api_settings, clock=clock,
                     dispatcher=Dispatcher([slow_router, general.router]))
    yield app
    services_of(app).dispose()


def test_slow_handler_answers_success_now_and_the_result_later(slow_app, clock, fake, session):
    chat = Chat(slow_app.test_client(), WeChatSide(TOKEN), clock)
    started = time.monotonic()
    assert chat.say("o-slow", "年度报表") == ""  # "success": nothing shown yet
    assert time.monotonic() - started < 0.1
    services = services_of(slow_app)
    assert run_deferred(services) == 1
    assert run_deferred(services) == 0  # done once
    worker = DeliveryWorker(services, services.wechat, owner="t")
    try:
        worker.drain(max_seconds=5)
    finally:
        worker.close()
    assert [m.text for m in fake.messages("o-slow")] == ["报表：o-slow 的年度情况"]


def test_slow_handler_changes_are_discarded_and_logged(slow_app, clock, session, caplog):
    chat = Chat(slow_app.test_client(), WeChatSide(TOKEN), clock)
    chat.say("o-w", "写数据慢")
    run_deferred(services_of(slow_app))
    session.rollback()
    session.expire_all()
    assert session.scalar(select(DeferredTask).where(DeferredTask.status == "bogus")) is None
    assert any("must only read" in r.getMessage() for r in caplog.records)


@pytest.fixture
def sent_template(session, clock):
    branch = make_branch(session)
    member = make_member(session, branch, "张明", "13800000001", openid="o-zm")
    row = Outbox(dedupe_key="k1", kind="meeting_reminder", member_id=member.id, openid="o-zm",
                 channel="template", payload={"text": "x"}, status=Status.SENT,
                 send_after=clock(), attempts=1, wechat_msgid="1000000042",
                 unknown_retried=False, created_at=clock(), sent_at=clock())
    session.add(row)
    session.commit()
    return row


def report(chat, openid: str, msgid: str, status: str) -> str:
    xml = event_xml(openid, "TEMPLATESENDJOBFINISH", create_time=int(chat.clock().timestamp()))
    xml = xml.replace(
        "</xml>", f"<MsgID>{msgid}</MsgID><Status><![CDATA[{status}]]></Status></xml>")
    return chat.send_xml(xml).xml


def test_report_success_marks_delivered(chat, session, sent_template):
    assert report(chat, "o-zm", "1000000042", "success") == "success"
    session.rollback()
    session.expire_all()
    row = session.get(Outbox, sent_template.id)
    assert (row.status, row.report) == (Status.SENT, "delivered")


@pytest.mark.parametrize("status", ["failed:user block", "failed: system failed"])
def test_report_failure_marks_failed(chat, session, sent_template, status):
    report(chat, "o-zm", "1000000042", status)
    session.rollback()
    session.expire_all()
    row = session.get(Outbox, sent_template.id)
    assert row.status == Status.FAILED and row.report == status


def test_report_reconciles_an_unknown_row_by_recipient(chat, session, sent_template):
    sent_template.status, sent_template.wechat_msgid = Status.UNKNOWN, None
    session.commit()
    report(chat, "o-zm", "1000000099", "success")
    session.rollback()
    session.expire_all()
    row = session.get(Outbox, sent_template.id)
    assert (row.status, row.wechat_msgid, row.report) == (Status.SENT, "1000000099", "delivered")


def test_two_reports_in_one_second_are_both_recorded(chat, session, sent_template, clock):
    other = Outbox(dedupe_key="k2", kind="meeting_reminder", member_id=sent_template.member_id,
                   openid="o-zm", channel="template", payload={"text": "y"}, status=Status.SENT,
                   send_after=clock(), attempts=1, wechat_msgid="1000000043",
                   unknown_retried=False, created_at=clock())
    session.add(other)
    session.commit()
    report(chat, "o-zm", "1000000042", "success")
    report(chat, "o-zm", "1000000043", "failed:user block")
    session.rollback()
    session.expire_all()
    assert session.get(Outbox, other.id).status == Status.FAILED
    assert session.get(Outbox, sent_template.id).report == "delivered"
