"""GET /metrics: who may read it, and what it says after messages, deliveries, logins,
imports, jobs and a database outage (counted by the real code paths, read back through
the page as Prometheus would)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import create_app
from bot.roster.importing import RosterRejected, import_roster
from bot.services import services_of
from bot.simulator import WeChatSide, text_xml
from models.db.locks import try_lock
from models.delivery.outbox import ChannelPolicy, Notice
from schedules.delivery_loop import DeliveryWorker
from schedules.job_spec import JobSpec
from schedules.scheduler import LEADER_LOCK, _run_job
from tests.conftest import CONSOLE_PASSWORD, PG_URL, TOKEN, Chat
from tests.factories import make_branch, make_member, wrote_to_us
from tests.test_delivery import MEETING_FIELDS, TEMPLATES
from tests.test_roster import GOOD, write_csv

TOKEN_SETTING = "s3cret-metrics-token-0123456789"


def scrape(client, **kwargs) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """GET /metrics from loopback; {(sample name, sorted labels): value}."""
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def value(samples, name: str, **labels: str) -> float:
    """A sample's value; 0 when absent (a counter never incremented is not shown)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- who may read it ---------------------------------------------------------------


def test_loopback_reads_the_metrics_a_stranger_gets_404(client):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    for outside in ("10.0.0.7", "203.0.113.9", "::ffff:10.0.0.7", "garbage", ""):
        answer = client.get("/metrics", environ_base={"REMOTE_ADDR": outside})
        assert answer.status_code == 404, outside
        assert b"partybot_" not in answer.data
    # without a configured token, no bearer token opens it
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.7"},
                      headers={"Authorization": "Bearer anything"}).status_code == 404


def test_the_bearer_token_opens_it_from_elsewhere(settings, clock):
    app = create_app(settings.with_overrides(metrics_token=TOKEN_SETTING), clock=clock)
    try:
        client = app.test_client()
        outside = {"REMOTE_ADDR": "203.0.113.9"}
        assert client.get("/metrics", environ_base=outside).status_code == 404
        for wrong in ("Bearer nope", f"Bearer {TOKEN_SETTING}x", f"Basic {TOKEN_SETTING}",
                      TOKEN_SETTING):
            assert client.get("/metrics", environ_base=outside,
                              headers={"Authorization": wrong}).status_code == 404, wrong
        samples = scrape(client, environ_base=outside,
                         headers={"Authorization": f"Bearer {TOKEN_SETTING}"})
        assert value(samples, "partybot_database_up") == 1
    finally:
        services_of(app).dispose()


def test_a_short_token_is_a_configuration_error():
    from core.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="PARTYBOT_METRICS_TOKEN"):
        load_settings({"PARTYBOT_METRICS_TOKEN": "short"}, dotenv_path=None,
                      generate_secret=False)
    assert load_settings({"PARTYBOT_METRICS_TOKEN": TOKEN_SETTING}, dotenv_path=None,
                         generate_secret=False).metrics_token == TOKEN_SETTING


# --- the webhook ---------------------------------------------------------------------


def test_webhook_messages_are_counted_by_kind_and_outcome(client, chat, clock):
    before = scrape(client)
    xml = text_xml("o-metrics", "帮助", create_time=int(clock().timestamp()), msg_id=777001)
    chat.send_xml(xml)
    chat.send_xml(xml)  # WeChat's retry: the stored reply again
    bad = WeChatSide("not-the-token").sign_request(xml)
    assert client.post(f"/wechat?{bad.query}", data=bad.body).status_code == 403
    old = chat.post_xml(xml, timestamp=int(clock().timestamp()) - 3600)
    assert old.status_code == 403
    assert client.post(f"/wechat?{chat.side.sign_request('<xml>').query}",
                       data=b"<xml><broken").status_code == 400
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("partybot_webhook_requests_total", kind="text", outcome="handled") == 1
    assert grew("partybot_webhook_requests_total", kind="text", outcome="duplicate") == 1
    assert grew("partybot_webhook_requests_total", kind="unknown",
                outcome="refused_signature") == 1
    assert grew("partybot_webhook_requests_total", kind="unknown",
                outcome="refused_timestamp") == 1
    assert grew("partybot_webhook_requests_total", kind="unknown",
                outcome="refused_malformed") == 1
    assert grew("partybot_webhook_seconds_count", kind="text", outcome="handled") == 1
    assert grew("partybot_webhook_seconds_bucket", kind="text", outcome="handled",
                le="+Inf") == 1


class _BrokenDispatcher:
    """A handler with a bug: the member gets the apology."""

    def dispatch(self, _ctx):
        raise RuntimeError("a bug in a handler")


def test_a_failing_handler_is_counted_as_handler_error(settings, clock):
    app = create_app(settings, clock=clock, dispatcher=_BrokenDispatcher())
    try:
        client = app.test_client()
        before = scrape(client)
        assert Chat(client, WeChatSide(TOKEN), clock).say("o-bug", "帮助")  # the apology
        assert value(scrape(client), "partybot_webhook_requests_total", kind="text",
                     outcome="handler_error") == value(
            before, "partybot_webhook_requests_total", kind="text",
            outcome="handler_error") + 1
    finally:
        services_of(app).dispose()


def test_the_fast_path_counts_too(settings, clock):
    """A real account's /wechat is answered in front of Flask (bot.webhook_wsgi)."""
    real = settings.with_overrides(app_id="wx0123456789abcdef", app_secret="s",
                                   wechat_token_configured=True)
    app = create_app(real, clock=clock)
    try:
        client = app.test_client()
        chat = Chat(client, WeChatSide(TOKEN), clock)
        before = value(scrape(client), "partybot_webhook_requests_total", kind="text",
                       outcome="handled")
        chat.say("o-fast", "帮助")
        assert value(scrape(client), "partybot_webhook_requests_total", kind="text",
                     outcome="handled") == before + 1
    finally:
        services_of(app).dispose()


# --- the outbox and delivery ------------------------------------------------------------


def test_outbox_depth_age_and_delivery_results_by_errcode(client, session, services, clock,
                                                          fake):
    branch = make_branch(session)
    talking = make_member(session, branch, "党员甲", "13800001001", openid="o-m1")
    blocked = make_member(session, branch, "党员乙", "13800001002", openid="o-m2")
    silent = make_member(session, branch, "党员丙", "13800001003", openid="o-m3")
    for member in (talking, blocked):
        wrote_to_us(session, member.openid, clock(), fake)
    policy = ChannelPolicy({})
    # six for the member who wrote: WeChat allows five customer-service messages after it
    for number, member in enumerate([talking] * 6 + [blocked, silent]):
        policy.enqueue(session, f"metrics:{number}", member,
                       Notice(kind="reminder", text=f"第{number}条通知"), clock())
    session.commit()
    clock.advance(minutes=20)
    before = scrape(client)
    assert value(before, "partybot_outbox_rows", channel="custom", status="pending") == 7
    assert value(before, "partybot_outbox_oldest_due_seconds", channel="custom",
                 status="pending") == 20 * 60

    fake.fail(endpoint="message/custom/send", errcode=43004, openid="o-m2")
    worker = DeliveryWorker(services, services.wechat, owner="metrics-test")
    try:
        worker.drain(max_seconds=10)
    finally:
        worker.close()
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("partybot_delivery_results_total", channel="custom", outcome="sent",
                errcode="none") == 5
    assert grew("partybot_delivery_results_total", channel="custom", outcome="failed",
                errcode="43004") == 1
    # the sixth: not asked of WeChat (which would have said 45047), held for the member
    assert grew("partybot_allowance_refusals_avoided_total") == 1
    assert value(after, "partybot_outbox_rows", channel="custom", status="pending") == 0
    assert value(after, "partybot_held_notices") >= 1
    assert [m.openid for m in fake.messages()].count("o-m1") == 5
    assert grew("partybot_token_fetches_total", token="access_token", outcome="ok") == 1


def test_template_quota_used_today(client, session, services, clock, fake):
    branch = make_branch(session)
    member = make_member(session, branch, "党员丁", "13800001004", openid="o-m4")
    ChannelPolicy(TEMPLATES).enqueue(
        session, "metrics:tpl", member, Notice(kind="meeting_reminder", text="开会",
                                                fields=MEETING_FIELDS), clock())
    session.commit()
    worker = DeliveryWorker(services, services.wechat, owner="metrics-test")
    try:
        worker.drain(max_seconds=10)
    finally:
        worker.close()
    samples = scrape(client)
    assert [m.channel for m in fake.messages("o-m4")] == ["template"]
    assert value(samples, "partybot_template_quota_used_today") == 1
    assert value(samples, "partybot_template_quota_daily") == 100_000


def test_token_refresh_failures_are_counted(client, services, fake):
    fake.fail(endpoint="stable_token", errcode=40125)
    fake.fail(endpoint="token", errcode=40164)
    before = scrape(client)
    from schedules.tokens import refresh_token

    assert refresh_token(services) is False
    after = scrape(client)
    assert value(after, "partybot_token_fetches_total", token="access_token",
                 outcome="failed") == value(before, "partybot_token_fetches_total",
                                            token="access_token", outcome="failed") + 1


# --- the scheduler ----------------------------------------------------------------------


def test_scheduler_leader_and_job_runs(app, client, services, clock):
    samples = scrape(client)
    assert value(samples, "partybot_scheduler_leader") == 0
    lock = try_lock(services_of(app).engine, LEADER_LOCK)
    assert lock is not None
    try:
        assert value(scrape(client), "partybot_scheduler_leader") == 1
    finally:
        lock.release()
    assert value(scrape(client), "partybot_scheduler_leader") == 0

    def broken(_runtime):
        raise RuntimeError("a bug")

    _run_job(JobSpec("metrics.ok", lambda _runtime: 1, "interval"), services)
    _run_job(JobSpec("metrics.broken", broken, "interval"), services)
    samples = scrape(client)
    assert value(samples, "partybot_job_runs_total", job="metrics.ok", outcome="ok") >= 1
    assert value(samples, "partybot_job_runs_total", job="metrics.broken",
                 outcome="failed") >= 1
    assert value(samples, "partybot_job_last_success_timestamp_seconds",
                 job="metrics.ok") > 1.7e9
    assert ("partybot_job_last_success_timestamp_seconds",
            (("job", "metrics.broken"),)) not in samples
    assert 0 <= value(samples, "partybot_job_duration_seconds", job="metrics.ok") < 1


# --- the console and the roster --------------------------------------------------------


def _login(client, password: str) -> int:
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, page
    return client.post("/admin/login", data={"login": "east-it", "password": password,
                                              "csrf_token": token.group(1)}).status_code


def test_console_logins_and_lockouts(client, county):
    before = scrape(client)
    assert _login(client, CONSOLE_PASSWORD) == 302
    for _ in range(10):
        assert _login(client, "wrong guess") == 401
    assert _login(client, CONSOLE_PASSWORD) == 401  # locked now
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("partybot_console_logins_total", method="password", outcome="ok") == 1
    assert grew("partybot_console_logins_total", method="password", outcome="wrong") == 9
    assert grew("partybot_console_logins_total", method="password", outcome="locked") == 2
    assert grew("partybot_console_lockouts_total") == 1


def test_roster_imports(client, session, tmp_path: Path):
    before = scrape(client)
    import_roster(session.get_bind(), write_csv(tmp_path / "good.csv", GOOD))
    with pytest.raises(RosterRejected):
        import_roster(session.get_bind(), write_csv(tmp_path / "bad.csv", [
            ["钱七", "辽原村党支部", "", "12345", "", "", ""]]))
    after = scrape(client)
    for outcome in ("imported", "refused"):
        assert value(after, "partybot_roster_imports_total", outcome=outcome) == value(
            before, "partybot_roster_imports_total", outcome=outcome) + 1


# --- a database outage -----------------------------------------------------------------


def test_a_database_outage_is_reported_not_a_500(settings, clock, tmp_path):
    gone = "postgresql+psycopg://postgres@127.0.0.1:1/none" if PG_URL \
        else f"sqlite:///{tmp_path}/no/such/folder/partybot.db"
    app = create_app(settings.with_overrides(database_url=gone), clock=clock)
    try:
        client = app.test_client()
        before = scrape(client)
        assert value(before, "partybot_database_up") == 0
        assert ("partybot_outbox_rows", ()) not in before
        assert 0 <= value(before, "partybot_uploads_disk_used_ratio") <= 1
        chat = Chat(client, WeChatSide(TOKEN), clock)
        assert chat.say("o-outage", "帮助")  # the outage reply
        after = scrape(client)
        assert value(after, "partybot_webhook_requests_total", kind="text",
                     outcome="outage") == value(before, "partybot_webhook_requests_total",
                                                kind="text", outcome="outage") + 1
    finally:
        services_of(app).dispose()


# --- multiprocess mode -----------------------------------------------------------------

COUNT_IN_A_PROCESS = """
from core.metrics import count_delivery, timed_job
count_delivery("template", "failed", 40037)
with timed_job("delivery.drain"):
    pass
print("counted")
"""


def test_multiprocess_mode_sums_every_process(client, tmp_path, monkeypatch):
    """Two processes (as two gunicorn workers, or a worker and the scheduler) count into
    PROMETHEUS_MULTIPROC_DIR; /metrics, served by a third, shows their sum."""
    import os
    import subprocess
    import sys

    shared = tmp_path / "prometheus"
    shared.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    both = [subprocess.Popen([sys.executable, "-c", COUNT_IN_A_PROCESS], env=env,
                             cwd=Path(__file__).resolve().parent.parent, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)]
    for process in both:
        out, err = process.communicate(timeout=60)
        assert out.strip() == "counted", err
    assert len(list(shared.glob("*.db"))) >= 2  # one file per process and kind
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))
    samples = scrape(client)
    assert value(samples, "partybot_delivery_results_total", channel="template",
                 outcome="failed", errcode="40037") == 2
    assert value(samples, "partybot_job_runs_total", job="delivery.drain", outcome="ok") == 2
    assert value(samples, "partybot_job_last_success_timestamp_seconds",
                 job="delivery.drain") > 1.7e9  # the latest of the two ("max")
    assert 0 <= value(samples, "partybot_job_duration_seconds", job="delivery.drain") < 1
    assert value(samples, "partybot_database_up") == 1  # the database gauges still there


def test_a_restart_removes_the_files_of_gone_processes_only(tmp_path, monkeypatch):
    """gunicorn's on_starting cleans the shared folder; the scheduler's files (a live
    process) stay, so its counts survive a restart of the web server."""
    import os

    from core.metrics import clean_multiprocess_dir

    shared = tmp_path / "prometheus"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))
    assert clean_multiprocess_dir() == 0 and shared.is_dir()
    gone = 2**22 + 12345  # above Linux's default pid_max: no such process
    for name in (f"counter_{gone}.db", f"gauge_max_{gone}.db", f"counter_{os.getpid()}.db"):
        (shared / name).write_bytes(b"")
    assert clean_multiprocess_dir() == 2
    assert [p.name for p in shared.iterdir()] == [f"counter_{os.getpid()}.db"]
