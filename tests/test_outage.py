"""Issue 10, items 8 and 9: a PostgreSQL outage under the webhook and two schedulers.

Each test runs its own PostgreSQL cluster (tests/throwaway_pg.py), stops it under the
running code and starts it again.
"""

from __future__ import annotations

import logging
import signal
import time

import pytest
from sqlalchemy import func, select

from bot import create_app
from bot.schema_upgrade import upgrade_database
from bot.services import services_of
from bot.simulator import WeChatSide, text_xml
from core import texts
from models.db.engine import make_engine, make_session_factory
from models.delivery.outbox import ChannelPolicy, Notice, Outbox, Status
from tests.conftest import AES_KEY, TOKEN, Chat
from tests.factories import make_branch, make_member, wrote_to_us
from tests.procs import Proc, command_env, partybot
from tests.throwaway_pg import ThrowawayPostgres

APP_ID = "wx0123456789abcdef"


@pytest.fixture
def cluster():
    pg = ThrowawayPostgres()
    pg.start()
    engine = make_engine(pg.url)
    upgrade_database(engine)
    engine.dispose()
    yield pg
    pg.remove()


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_webhook_answers_briefly_while_the_database_is_down(cluster, settings, clock, caplog,
                                                            mode):
    overrides = {"database_url": cluster.url}
    side = WeChatSide(TOKEN)
    if mode == "safe":
        overrides.update(encoding_aes_key=AES_KEY, app_id=APP_ID, app_secret="s")
        side = WeChatSide(TOKEN, AES_KEY, APP_ID)
    app = create_app(settings.with_overrides(**overrides), clock=clock)
    chat = Chat(app.test_client(), side, clock)
    try:
        assert "帮助" in chat.say("o-1", "帮助") or chat.say("o-1", "帮助")
        assert app.test_client().get("/healthz").status_code == 200
        cluster.stop()
        caplog.clear()
        with caplog.at_level(logging.INFO):
            replies = []
            for i in range(5):
                response = chat.post_xml(text_xml("o-1", "帮助", msg_id=f"90000{i}"))
                assert response.status_code == 200
                if mode == "safe":
                    assert b"<Encrypt>" in response.data
                replies.append(side.open_reply(response.data).content)
            app.extensions["partybot.health"].at -= 5
            health = app.test_client().get("/healthz")
        assert replies == [texts.DATABASE_DOWN] * 5
        assert health.status_code == 503
        warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
        assert len(warnings) == 1, [r.getMessage() for r in caplog.records]
        assert not any(r.exc_info for r in caplog.records)  # no tracebacks
        cluster.start()
        caplog.clear()
        with caplog.at_level(logging.INFO):
            assert chat.say("o-1", "你好") != texts.DATABASE_DOWN
        assert any("reachable again" in r.getMessage() for r in caplog.records)
        app.extensions["partybot.health"].at -= 5
        assert app.test_client().get("/healthz").status_code == 200
    finally:
        services_of(app).dispose()


def _queue_notice(url: str, openid: str, fake) -> None:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        branch = make_branch(session, f"支部-{openid}")
        member = make_member(session, branch, "韩梅", "13800000015", openid=openid)
        wrote_to_us(session, openid, _now(), fake)
        session.flush()
        ChannelPolicy({}).enqueue(session, f"notice:{openid}", member,
                                  Notice("notice", "明天上午九点开支部党员大会"), _now())
        session.commit()
    engine.dispose()


def _now():
    from models.db.base import utcnow

    return utcnow()


def _sent(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(Outbox).where(
                Outbox.status == Status.SENT)).scalar_one())
    finally:
        engine.dispose()


def _leaders(procs: list[Proc]) -> int:
    """How many processes' latest state line says they lead."""
    states = ("started (leader)", "stepped down", "standing by", "unreachable")
    count = 0
    for proc in procs:
        lines = [line for line in proc.lines if any(s in line for s in states)]
        count += bool(lines) and "started (leader)" in lines[-1]
    return count


def test_schedulers_survive_an_outage_and_one_leads_afterwards(cluster, tmp_path, fake):
    env = command_env(cluster.url, tmp_path, WECHAT_API_BASE_URL=fake.base_url)
    first = Proc(partybot("scheduler"), env, tmp_path)
    second = Proc(partybot("scheduler"), env, tmp_path)
    procs = [first, second]
    try:
        deadline = time.monotonic() + 30
        while _leaders(procs) != 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        second.wait_for("standing by") if "leader" in first.output else first.wait_for(
            "standing by")
        cluster.stop()
        time.sleep(12)  # longer than the leader's lock check: both notice
        assert all(p.process.poll() is None for p in procs), first.output + second.output
        cluster.start()
        _queue_notice(cluster.url, "o-after", fake)
        deadline = time.monotonic() + 60
        while _sent(cluster.url) < 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _sent(cluster.url) == 1, first.output + second.output
        deadline = time.monotonic() + 20
        while _leaders(procs) != 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _leaders(procs) == 1, first.output + second.output
        for proc in procs:
            assert "Traceback" not in proc.output, proc.output
            assert proc.output.count("database unreachable") <= 2, proc.output
    finally:
        codes = [p.stop(signal.SIGTERM) for p in procs]
    assert codes == [0, 0], first.output + second.output
    assert fake.messages("o-after")


@pytest.mark.parametrize("ping_after", [0.0, 3600.0], ids=["pinged", "unpinged"])
def test_a_message_right_after_a_server_restart_gets_its_real_reply(
        cluster, settings, clock, monkeypatch, ping_after):
    """Issue 24: the pool no longer pings every checkout. A connection that sat idle is
    pinged and replaced; one used a moment before the restart is found dead at the
    message's first statement and the message runs again on a new one."""
    import models.db.engine as engine_module

    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", ping_after)
    app = create_app(settings.with_overrides(database_url=cluster.url), clock=clock)
    chat = Chat(app.test_client(), WeChatSide(TOKEN), clock)
    try:
        first = chat.say("o-1", "帮助")
        assert first != texts.DATABASE_DOWN
        cluster.stop()
        cluster.start()
        assert chat.say("o-1", "帮助") == first
    finally:
        services_of(app).dispose()
