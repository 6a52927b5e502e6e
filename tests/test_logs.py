"""Logs (issue 27): one line per event, JSON lines with PARTYBOT_LOG_FORMAT=json, and a
request id that follows one notice from the message that caused it, through its outbox
row, to WeChat's answer in the delivery loop's log line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide, text_xml
from core.config import ConfigError, load_settings
from core.request_context import bound, current_request_id, job_request_id
from models.delivery.outbox import ChannelPolicy, Notice, Outbox, Status
from models.members.tables import Member
from schedules.delivery import JOBS as DELIVERY_JOBS
from schedules.job_spec import JobSpec
from schedules.scheduler import _run_job
from tests.conftest import TOKEN
from tests.factories import wrote_to_us
from tests.log_capture import captured_logs
from tests.procs import command_env, partybot
from tests.test_console_meetings import logged_in
from tests.test_meetings import local_text

FRESH_ID = re.compile(r"[0-9a-f]{16}")
DRAIN = next(spec for spec in DELIVERY_JOBS if spec.id == "delivery.drain")


@pytest.fixture
def real_app(api_settings, clock):  # type: ignore[no-untyped-def]
    """The app as a real account serves it: POST /wechat answered in front of Flask
    (bot.webhook_wsgi), the API at the fake over real HTTP."""
    app = create_app(replace(api_settings, app_id="wxlogs000000001", app_secret="s",
                             wechat_token_configured=True), clock=clock)
    yield app
    services_of(app).dispose()


def post(app, clock, openid: str, content: str, **headers: str):  # type: ignore[no-untyped-def]
    signed = WeChatSide(TOKEN).sign_request(
        text_xml(openid, content, create_time=int(clock().timestamp())),
        timestamp=int(clock().timestamp()))
    response = app.test_client().post(f"/wechat?{signed.query}", data=signed.body,
                                      content_type="text/xml", headers=headers)
    assert response.status_code == 200
    return response


def rows(session) -> list[Outbox]:  # type: ignore[no-untyped-def]
    session.rollback()
    session.expire_all()
    return list(session.scalars(select(Outbox).order_by(Outbox.id)))


def test_one_notice_followed_from_the_message_to_wechats_answer(real_app, session, county,
                                                                 clock, fake):
    wrote_to_us(session, "o-zm", clock(), fake)  # 张明 wrote lately: a customer-service message
    session.commit()
    day, at = local_text(clock() + timedelta(hours=26))
    with captured_logs() as logs:
        response = post(real_app, clock, "o-admin", f"新建会议 党员大会 {day} {at} 村委会")
        if "回复「是」" in response.get_data(as_text=True):  # (at night it asks first)
            response = post(real_app, clock, "o-admin", "是")
        request_id = response.headers["X-Request-Id"]
        assert FRESH_ID.fullmatch(request_id)
        row = next(r for r in rows(session) if r.openid == "o-zm")
        assert (row.request_id, row.status) == (request_id, Status.PENDING)
        assert {r.request_id for r in rows(session)} == {request_id}  # every row it queued
        _run_job(DRAIN, services_of(real_app))
    assert next(r for r in rows(session) if r.id == row.id).status == Status.SENT
    traced = [e for e in logs.entries() if e.get("request_id") == request_id]
    assert any(e["logger"] == "bot.webhook" and e["message"] == "text from o-admin answered"
               for e in traced), traced
    answered = [e for e in traced if e["logger"] == "schedules.delivery_loop"
                and e["message"].startswith(f"outbox row {row.id} ")]
    assert [e["message"] for e in answered] == [
        f"outbox row {row.id} (meeting_notice, custom): sent, errcode 0"]
    assert any(e["level"] == "DEBUG" and e["message"].startswith(f"sending outbox row {row.id} ")
               for e in traced)
    # the drain's own lines carry the job run's id
    summary = next(e for e in logs.entries() if e["message"].startswith("delivery: "))
    assert summary["request_id"].startswith("job-delivery.drain-")
    # and the text format ends each of these lines with the same id
    assert any(f"outbox row {row.id} (meeting_notice, custom): sent, errcode 0 "
               f"request_id={request_id}" in line for line in logs.text())


def test_a_refusal_from_wechat_is_logged_with_its_errcode(real_app, session, county, clock,
                                                          fake):
    wrote_to_us(session, "o-zm", clock(), fake)
    zm = session.scalars(select(Member).where(Member.openid == "o-zm")).one()
    with bound("console-req-0001"):
        ChannelPolicy({}).enqueue(session, "k-1", zm, Notice("reminder", "开会"), clock())
    session.commit()
    fake.fail(endpoint="message/custom/send", errcode=43004)
    with captured_logs() as logs:
        _run_job(DRAIN, services_of(real_app))
    line = next(e for e in logs.entries() if e.get("request_id") == "console-req-0001"
                and e["message"].startswith("outbox row "))
    assert "failed, errcode 43004" in line["message"] and line["level"] == "INFO"


def test_a_console_action_tags_its_notice_with_the_request(app, session, county, chat):
    from models.questions.tables import Question

    assert "已转给支部管理员" in chat.say("o-zm", "党费交到哪里？")
    question = session.scalars(select(Question)).one()
    secretary = logged_in(app, "liaoyuan")
    sent = secretary.post(f"/admin/question/{question.id}",
                          data={"answer": "交给组织委员。", "action": "answer",
                                "csrf_token": secretary.token})
    assert sent.status_code == 302
    row = next(r for r in rows(session) if r.kind == "question_answer")
    assert row.request_id == sent.headers["X-Request-Id"]
    assert FRESH_ID.fullmatch(row.request_id)


SANE_AND_NOT = [
    ("nginx-5f2b8c1d9e7a4b60", True),
    ('abc" request_id=forged', False),
    ("short", False),
    ("x" * 65, False),
    ("日志编号一二三四五六七八", False),
]


def test_an_incoming_request_id_is_kept_only_when_sane(real_app, session, county, clock):
    for given, kept in SANE_AND_NOT:
        with captured_logs() as logs:
            webhook = post(real_app, clock, "o-zm", "帮助", **{"X-Request-Id": given})
        health = real_app.test_client().get("/healthz", headers={"X-Request-Id": given})
        login = real_app.test_client().get("/admin/login", headers={"X-Request-Id": given})
        for response in (webhook, health, login):
            answered = response.headers["X-Request-Id"]
            assert answered == given if kept else FRESH_ID.fullmatch(answered), (given, answered)
        line = next(e for e in logs.entries() if e["logger"] == "bot.webhook")
        assert line["request_id"] == webhook.headers["X-Request-Id"]


def test_every_request_gets_its_own_id(client):
    ids = {client.get("/healthz").headers["X-Request-Id"] for _ in range(5)}
    assert len(ids) == 5 and all(FRESH_ID.fullmatch(i) for i in ids)
    assert current_request_id() is None  # nothing left behind after a request


def test_each_job_run_has_its_own_id_and_its_rows_carry_it(services, session, county, clock):
    seen: list[str | None] = []

    def job(runtime) -> None:  # type: ignore[no-untyped-def]
        seen.append(current_request_id())
        zm = session.scalars(select(Member).where(Member.openid == "o-zm")).one()
        runtime.outbox.enqueue(session, f"k-{len(seen)}", zm, Notice("reminder", "开会"),
                               clock())
        session.commit()

    spec = JobSpec("test.sweep", job, "interval", {"seconds": 60})
    _run_job(spec, services)
    _run_job(spec, services)
    assert all(s and re.fullmatch(r"job-test\.sweep-[0-9a-f]{8}", s) for s in seen)
    assert seen[0] != seen[1]
    assert [r.request_id for r in rows(session)] == seen
    assert current_request_id() is None
    assert job_request_id("x").startswith("job-x-")


def test_json_lines_from_a_real_command(tmp_path):
    """`partybot -v db upgrade` writes JSON lines: each parses, with an ISO time in UTC,
    the level, the logger, the message and the command run's id."""
    env = command_env(f"sqlite:///{tmp_path / 'p.db'}", tmp_path, PARTYBOT_LOG_FORMAT="json")
    done = subprocess.run(partybot("-v", "db", "upgrade"), env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    entries = [json.loads(line) for line in done.stderr.splitlines()]
    upgrades = [e for e in entries if e["message"].startswith("Running upgrade")]
    assert len(upgrades) >= 35
    for entry in entries:
        assert {"time", "level", "logger", "message"} <= set(entry)
        assert datetime.fromisoformat(entry["time"]).utcoffset() == timedelta(0)
    assert upgrades[-1]["logger"] == "alembic.runtime.migration"
    assert upgrades[-1]["request_id"].startswith("cli-db-")
    assert "database is up to date" in done.stdout


def test_a_bad_log_format_is_a_configuration_error(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from bot.cli.main import main

    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(main, ["db", "upgrade"], env={"PARTYBOT_LOG_FORMAT": "yaml"})
    assert done.exit_code == 1
    assert "configuration: PARTYBOT_LOG_FORMAT must be text or json; got 'yaml'" in done.output
    with pytest.raises(ConfigError, match="PARTYBOT_LOG_FORMAT"):
        load_settings({"PARTYBOT_LOG_FORMAT": "xml"}, dotenv_path=None, generate_secret=False)
    assert load_settings({"PARTYBOT_LOG_FORMAT": "JSON"}, dotenv_path=None,
                         generate_secret=False).log_format == "json"
    assert load_settings({}, dotenv_path=None, generate_secret=False).log_format == "text"


SCRIPT = """
import logging, sys
from core.logging_setup import configure_logging
from core.request_context import bound
configure_logging(log_format=sys.argv[1])
configure_logging(log_format=sys.argv[1])  # (twice: still one handler, one line each)
log = logging.getLogger("partybot.test")
with bound("req-00000042"):
    log.info("two\\nlines")
    try:
        raise RuntimeError("GET /cgi-bin/token?access_token=TOKEN-XYZ failed\\nbadly")
    except RuntimeError:
        log.exception("it broke")
log.warning("no request here")
"""


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_traceback_stays_on_its_line_and_is_redacted(log_format, tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, log_format], capture_output=True,
                          text=True, timeout=60, cwd=str(tmp_path),
                          env={**command_env("sqlite://", tmp_path),
                               "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 3, lines
    assert "TOKEN-XYZ" not in done.stderr and "access_token=***" in done.stderr
    if log_format == "json":
        first, broke, last = (json.loads(line) for line in lines)
        assert first["message"] == "two\nlines" and first["request_id"] == "req-00000042"
        assert broke["exception"].startswith("Traceback") and "RuntimeError" in \
            broke["exception"] and broke["level"] == "ERROR"
        assert "request_id" not in last
    else:
        assert lines[0].endswith("INFO partybot.test: two\\nlines request_id=req-00000042")
        assert "Traceback" in lines[1] and lines[1].endswith("request_id=req-00000042")
        assert lines[2].endswith("WARNING partybot.test: no request here")
