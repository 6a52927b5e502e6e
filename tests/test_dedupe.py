"""Dedupe before dispatch: WeChat's retries get the first reply; the handler runs once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import func, select

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide, event_xml, text_xml
from handlers import Dispatcher
from handlers.router import Context, Router
from models.db.guesses import GuessGuard
from models.db.inbound import InboundMessage
from tests.conftest import TOKEN
from tests.factories import last_message_at
from tests.live import serving


def test_sequential_retry_gets_same_reply_and_runs_once(chat, session):
    xml = text_xml("o-guess", "绑定 张三 9999", msg_id="777001")
    first = chat.send_xml(xml)
    second = chat.send_xml(xml)
    third = chat.send_xml(xml)
    assert "还可以试4次" in first.content
    assert first.xml == second.xml == third.xml
    guard = session.get(GuessGuard, ("o-guess", "bind"))
    assert guard is not None and guard.failures == 1  # counted once, not three times


def test_event_retry_deduplicated_by_sender_time_event(chat, session):
    xml = event_xml("o-ev", "subscribe", create_time=1_700_000_000)
    chat.send_xml(xml)
    chat.send_xml(xml)
    count = session.scalar(select(func.count()).select_from(InboundMessage)
                           .where(InboundMessage.openid == "o-ev"))
    assert count == 1


def test_distinct_messages_are_not_deduplicated(chat, session):
    chat.say("o-two", "绑定 张三 1111")
    chat.say("o-two", "绑定 张三 1111")
    assert session.get(GuessGuard, ("o-two", "bind")).failures == 2


def test_last_message_time_recorded(chat, session, clock):
    chat.say("o-window", "你好")
    assert last_message_at(session, "o-window") == clock()


def test_concurrent_retries_run_handler_once(settings, clock):
    calls: list[int] = []
    lock = threading.Lock()
    router = Router("slow")

    @router.command("慢")
    def slow(ctx: Context) -> str:
        """A handler slower than WeChat's patience."""
        with lock:
            calls.append(1)
        time.sleep(0.4)
        return f"第{len(calls)}次"

    app = create_app(settings, clock=clock, dispatcher=Dispatcher([router]))
    side = WeChatSide(TOKEN)
    signed = side.sign_request(text_xml("o-slow", "慢", msg_id="880001"),
                               timestamp=int(clock().timestamp()))
    with serving(app) as base:
        def post(_: int) -> bytes:
            response = requests.post(f"{base}/wechat?{signed.query}", data=signed.body,
                                     timeout=30)
            assert response.status_code == 200
            return response.content

        with ThreadPoolExecutor(max_workers=6) as pool:
            replies = list(pool.map(post, range(6)))
    services_of(app).dispose()
    assert len(calls) == 1
    assert len({side.open_reply(r).content for r in replies}) == 1
    assert side.open_reply(replies[0]).content == "第1次"
