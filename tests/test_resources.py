"""Long-running processes must not leak: file descriptors stay bounded under load."""

from __future__ import annotations

import os

import requests

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide, text_xml
from tests.conftest import TOKEN
from tests.live import serving


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_threaded_server_does_not_leak_descriptors(settings, clock):
    """`partybot serve` handles each request in a new thread (werkzeug)."""
    app = create_app(settings, clock=clock)
    side = WeChatSide(TOKEN)
    with serving(app) as base:
        http = requests.Session()

        def send(n: int) -> None:
            for _ in range(n):
                signed = side.sign_request(text_xml("o-fd", "帮助"),
                                           timestamp=int(clock().timestamp()))
                assert http.post(f"{base}/wechat?{signed.query}", data=signed.body,
                                 timeout=10).status_code == 200

        send(20)  # warm up: pooled connections, the write gate
        before = open_fds()
        send(200)
        after = open_fds()
    services_of(app).dispose()
    assert after - before < 20, f"{after - before} descriptors leaked over 200 requests"
