"""The WeChat client against the fake API over real HTTP: base URL, shared token,
bounded retries, timeouts."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from sqlalchemy import select
from wechatpy.exceptions import WeChatClientException

from core.wechat import TokenFetchError, TokenKeeper, WeChatAPI
from models.delivery.access_token import AccessToken, DatabaseTokenStore


def another_process(services) -> WeChatAPI:
    """A client with its own token cache, as another process would have."""
    store = DatabaseTokenStore(services.engine, services.settings.effective_app_id)
    return WeChatAPI(services.settings, TokenKeeper(store, services.settings, services.clock))


def token_calls(fake) -> int:
    return fake.state.calls["stable_token"] + fake.state.calls["token"]


@pytest.fixture(autouse=True)
def _any_user_may_be_messaged(fake):
    """These tests are about tokens: the fake lets every customer-service message through."""
    fake.state.enforce_allowance = False


def test_every_call_goes_to_the_configured_base_url(services, fake):
    services.wechat.message.send_text("o-1", "你好")
    assert fake.state.calls["stable_token"] == 1  # the token came from the fake too
    assert [m.text for m in fake.messages("o-1")] == ["你好"]


def test_hardcoded_wechat_urls_are_rebased(services, fake):
    # customservice URLs are absolute https://api.weixin.qq.com/... in wechatpy 1.8.18
    assert services.wechat.rebase("https://api.weixin.qq.com/customservice/kfaccount/add") \
        == f"{fake.base_url}/customservice/kfaccount/add"


def test_token_is_stored_and_shared(services, fake, session):
    services.wechat.message.send_text("o-1", "一")
    other = another_process(services)
    other.message.send_text("o-1", "二")
    assert token_calls(fake) == 1 and other.keeper.fetches == 0
    row = session.scalar(select(AccessToken))
    assert row.source == "stable_token" and row.token.startswith("fake-")


def test_falls_back_to_classic_token_endpoint(services, fake):
    fake.fail(endpoint="stable_token", http_status=404)
    services.wechat.message.send_text("o-1", "你好")
    assert fake.state.calls["token"] == 1
    assert services.wechat.keeper.store.read() is not None


def test_token_error_rereads_shared_token_without_fetching(services, fake):
    first = another_process(services)
    first.message.send_text("o-1", "a")  # caches token 1
    services.wechat.keeper.refresh_if_needed(ahead=__import__("datetime").timedelta(days=1))
    # WeChat now rejects token 1 (as if another process's fetch had replaced it)
    fake.state.tokens = {t: e for t, e in fake.state.tokens.items() if t == fake.state.stable_token}
    before = token_calls(fake)
    first.message.send_text("o-1", "b")
    assert token_calls(fake) == before  # it found the newer token in the database
    assert [m.text for m in fake.messages("o-1")] == ["a", "b"]


def test_token_storm_is_bounded(services, fake):
    clients = [another_process(services) for _ in range(4)]
    clients[0].message.send_text("o-warm", "warm up")
    for client in clients[1:]:
        client.keeper.current()
    fake.state.expire_tokens()  # every cached token now answers 42001
    before = token_calls(fake)
    errors: list[Exception] = []

    def send(client: WeChatAPI, n: int) -> None:
        try:
            client.message.send_text(f"o-{n}", f"消息{n}")
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(clients[n % 4], n)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert token_calls(fake) - before == 1  # one fetch served all 40 calls in 4 "processes"
    assert len(fake.messages()) == 41


def test_persistent_token_error_retries_once_then_raises(services, fake):
    services.wechat.keeper.current()
    fake.fail(endpoint="message/custom/send", errcode=40001, times=-1)
    with pytest.raises(WeChatClientException) as caught:
        services.wechat.message.send_text("o-1", "x")
    assert caught.value.errcode == 40001
    assert fake.state.calls["message/custom/send"] == 2  # the call and one retry
    assert token_calls(fake) <= 2  # at most one forced refresh
    with pytest.raises(WeChatClientException):
        services.wechat.message.send_text("o-1", "y")
    assert token_calls(fake) <= 2  # refreshed recently: no second forced refresh


def test_every_call_has_a_timeout(services, fake):
    services.wechat.keeper.current()
    fake.fail(endpoint="message/custom/send", latency=1.5)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        services.wechat.message.send_text("o-1", "slow")
    assert time.monotonic() - started < 1.4


def test_token_refused_is_a_clear_error(services, fake):
    fake.fail(endpoint="stable_token", errcode=40125, times=1)
    fake.fail(endpoint="token", errcode=40164, times=1)
    with pytest.raises(TokenFetchError, match="40164"):
        services.wechat.message.send_text("o-1", "x")


def test_refresh_if_needed_only_near_expiry(services, fake, clock):
    fake.state.clock = lambda: clock().timestamp()
    assert services.wechat.keeper.refresh_if_needed() is True  # nothing stored yet
    assert services.wechat.keeper.refresh_if_needed() is False  # fresh
    clock.advance(seconds=7200 - 300)
    assert services.wechat.keeper.refresh_if_needed() is True
