"""The delivery loop against the fake WeChat API over real HTTP."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.localtime import local_day, next_midnight
from models.delivery.claims import MAX_ATTEMPTS, reap_expired_leases, retry_unknown
from models.delivery.outbox import ChannelPolicy, Notice, Outbox, Status
from models.delivery.state import DeliveryPause, sent_today
from schedules.delivery_loop import DeliveryWorker
from tests.factories import make_branch, make_member, wrote_to_us

TEMPLATES = {"meeting_reminder": "TPL-MEETING"}
MEETING_FIELDS = {"meeting": "支部党员大会", "time": "2026年12月5日 09:00", "place": "村委会",
                  "code": "4821"}


@pytest.fixture
def members(session, clock, fake):
    branch = make_branch(session)
    found = [make_member(session, branch, f"党员{i}", f"1380000{i:04d}", openid=f"o-{i}")
             for i in range(6)]
    for member in found:
        wrote_to_us(session, member.openid, clock(), fake)
    session.commit()
    return found


def queue(session, clock, members, kind="reminder", n=None):
    """One notice per member (custom messages: they all wrote within 48 h)."""
    for member in members[:n]:
        ChannelPolicy(TEMPLATES).enqueue(session, f"{kind}:{member.id}", member,
                                         Notice(kind=kind, text=f"{member.name}，{kind}",
                                                fields=MEETING_FIELDS),
                                         clock())
    session.commit()


def statuses(session):
    session.rollback()  # end the test's read transaction: see what the worker committed
    session.expire_all()
    return {r.dedupe_key: r for r in session.scalars(select(Outbox).order_by(Outbox.id))}


@pytest.fixture
def worker(services):
    built = DeliveryWorker(services, services.wechat, owner="test-worker", batch_size=4)
    yield built
    built.close()


def test_sends_custom_and_template_and_records(worker, session, clock, members, fake):
    queue(session, clock, members, "reminder", 3)
    queue(session, clock, members, "meeting_reminder", 2)
    stats = worker.drain(max_seconds=10)
    assert (stats.claimed, stats.sent) == (5, 5)
    rows = statuses(session)
    assert {r.status for r in rows.values()} == {Status.SENT}
    template_rows = [r for r in rows.values() if r.channel == "template"]
    assert all(r.wechat_msgid for r in template_rows)
    assert sorted(m.text for m in fake.messages() if m.channel == "custom") == \
        ["党员0，reminder", "党员1，reminder", "党员2，reminder"]
    day = local_day(clock(), worker.runtime.settings.tz)
    assert sent_today(session, day, "template") == 2 and sent_today(session, day, "custom") == 3


def test_nothing_due_nothing_claimed(worker, session, clock, members):
    ChannelPolicy({}).enqueue(session, "later", members[0], Notice("reminder", "稍后"),
                              clock(), send_after=clock() + timedelta(hours=1))
    session.commit()
    assert worker.run_once() == 0
    clock.advance(hours=1)
    assert worker.run_once() == 1


@pytest.mark.parametrize("fault", [
    {"errcode": -1}, {"http_status": 503}, {"drop": True}, {"errcode": 45011},
])
def test_transient_failures_back_off_then_succeed(worker, session, clock, members, fake, fault):
    queue(session, clock, members, n=1)
    fake.fail(endpoint="message/custom/send", **fault)
    worker.run_once()
    row = next(iter(statuses(session).values()))
    assert row.status == Status.PENDING and row.attempts == 1
    assert row.send_after > clock()  # backed off
    assert worker.run_once() == 0  # not yet due
    clock.set(row.send_after)
    worker.run_once()
    row = next(iter(statuses(session).values()))
    assert row.status == Status.SENT, (row.attempts, row.last_error, row.send_after, clock())
    assert len(fake.messages()) == 1


def test_timeout_is_transient(worker, session, clock, members, fake):
    queue(session, clock, members, n=1)
    fake.fail(endpoint="message/custom/send", latency=1.0)
    worker.run_once()
    row = next(iter(statuses(session).values()))
    assert row.status == Status.PENDING and "Timeout" in (row.last_error or "")


@pytest.mark.parametrize(("code", "meaning"), [
    (43004, "not following"), (40003, "bad openid"),
    (43019, "blocked us"),
])
def test_permanent_failures_end_as_failed(worker, session, clock, members, fake, code, meaning):
    queue(session, clock, members, n=1)
    fake.fail(endpoint="message/custom/send", errcode=code)
    worker.run_once()
    row = next(iter(statuses(session).values()))
    assert row.status == Status.FAILED, meaning
    assert row.last_error_code == code and str(code) in row.last_error


def test_gives_up_after_max_attempts(worker, session, clock, members, fake):
    queue(session, clock, members, n=1)
    fake.fail(endpoint="message/custom/send", errcode=-1, times=-1)
    for _ in range(MAX_ATTEMPTS):
        clock.advance(hours=2)
        worker.run_once()
    row = next(iter(statuses(session).values()))
    assert row.status == Status.FAILED and "gave up after 8 attempts" in row.last_error


def test_quota_error_pauses_channel_until_local_midnight(worker, session, clock, members, fake):
    queue(session, clock, members, "meeting_reminder", 2)
    queue(session, clock, members, "reminder", 2)
    fake.fail(endpoint="message/template/send", errcode=45009, times=-1)
    worker.drain(max_seconds=10)
    rows = statuses(session)
    templates = [r for r in rows.values() if r.channel == "template"]
    customs = [r for r in rows.values() if r.channel == "custom"]
    assert all(r.status == Status.SENT for r in customs)  # the other channel goes on
    midnight = next_midnight(clock(), worker.runtime.settings.tz)
    assert all(r.status == Status.PENDING and r.send_after == midnight for r in templates)
    assert session.get(DeliveryPause, "template").until == midnight
    local = midnight.astimezone(worker.runtime.settings.tz)
    assert (local.hour, local.minute) == (0, 0)
    fake.state.faults.clear()
    clock.set(midnight + timedelta(seconds=1))
    worker.drain(max_seconds=10)
    assert all(r.status == Status.SENT for r in statuses(session).values())


def test_daily_template_quota_is_respected(services, session, clock, members, fake):
    worker = DeliveryWorker(services.__class__(**{**services.__dict__, "settings":
                            services.settings.with_overrides(template_daily_quota=2)}),
                            services.wechat, owner="quota-worker")
    try:
        queue(session, clock, members, "meeting_reminder", 3)
        worker.drain(max_seconds=10)
        assert sorted(r.status for r in statuses(session).values()) == \
            [Status.PENDING, Status.SENT, Status.SENT]
        clock.set(next_midnight(clock(), worker.runtime.settings.tz))
        worker.drain(max_seconds=10)
        assert {r.status for r in statuses(session).values()} == {Status.SENT}
    finally:
        worker.close()


def test_lost_lease_does_not_overwrite(services, session, clock, members, fake):
    slow = DeliveryWorker(services, services.wechat, owner="slow", lease=timedelta(seconds=30))
    try:
        queue(session, clock, members, n=1)
        rows = slow.claim(clock())
        clock.advance(minutes=1)
        reap_expired_leases(session, clock())
        session.commit()
        assert next(iter(statuses(session).values())).status == Status.UNKNOWN
        from schedules.delivery_loop import DrainStats

        stats = DrainStats()
        slow.record(rows, slow.send(rows), clock(), stats)
        assert stats.lost_lease == 1
        assert next(iter(statuses(session).values())).status == Status.UNKNOWN
    finally:
        slow.close()


def test_unknown_is_retried_once_then_failed(worker, session, clock, members, fake):
    queue(session, clock, members, n=1)
    worker.claim(clock())  # claimed, then the worker "dies"
    clock.advance(minutes=3)
    assert reap_expired_leases(session, clock()) == 1
    assert retry_unknown(session, clock()) == (0, 0)  # too early
    clock.advance(minutes=11)
    assert retry_unknown(session, clock()) == (1, 0)
    session.commit()
    worker.claim(clock())  # dies again
    clock.advance(minutes=3)
    reap_expired_leases(session, clock())
    clock.advance(minutes=11)
    assert retry_unknown(session, clock()) == (0, 1)
    session.commit()
    row = next(iter(statuses(session).values()))
    assert row.status == Status.FAILED and "unknown twice" in row.last_error


def test_rate_limit(services, session, clock, members, fake):
    limited = DeliveryWorker(services.__class__(**{**services.__dict__, "settings":
                             services.settings.with_overrides(send_rate=10.0)}),
                             services.wechat, owner="limited", batch_size=6)
    try:
        queue(session, clock, members, n=6)
        started = time.monotonic()
        limited.drain(max_seconds=10)
        assert time.monotonic() - started >= 0.45  # 6 sends at 10/s
        assert len(fake.messages()) == 6
    finally:
        limited.close()


# Issue 11, item 3: a row sent again after a lost lease or a SIGKILL reaches nobody twice.
def test_a_template_row_sent_twice_reaches_the_member_once(worker, services, session, clock,
                                                           members, fake):
    from models.delivery.claims import claim
    from schedules.delivery_loop import send_row

    queue(session, clock, members, "meeting_reminder", 1)
    claimed = claim(session, "test-worker", clock(), timedelta(minutes=1), ["template"], 1)
    session.commit()
    (row,) = claimed
    first = send_row(services.wechat, row)
    again = send_row(services.wechat, row)  # the process died before marking it sent
    assert first.outcome == again.outcome == "sent" and first.msgid == again.msgid
    sent = fake.messages(members[0].openid)
    assert len(sent) == 1 and sent[0].body["client_msg_id"].startswith("pb-")
    assert fake.state.duplicates_dropped == 1


# Issue 11, item 4: the fake refuses what WeChat refuses since category templates.
@pytest.mark.parametrize("data", [
    {"first": {"value": "您好"}, "thing1": {"value": "支部党员大会"}},
    {"thing1": {"value": "一" * 21}},
    {"character_string2": {"value": "签到码一二"}},
    {"time3": {"value": "12月5日（周五）09:00"}},
])
def test_the_fake_refuses_values_outside_their_keyword_type(services, fake, data):
    from models.delivery.claims import Claimed
    from schedules.delivery_loop import send_row

    row = Claimed(1, "o-x", "template", "meeting_reminder",
                  {"template_id": "TPL", "data": data, "text": "x"}, 1, "k-1")
    result = send_row(services.wechat, row)
    assert (result.outcome, result.code) == ("failed", 47003)
    assert fake.messages("o-x") == []
