"""The scheduler: jobs as configured, one leader with a standby, delivery workers as
processes (several claiming at once; one killed mid-batch)."""

from __future__ import annotations

import signal
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.db.base import utcnow
from models.delivery.claims import reap_expired_leases, retry_unknown
from models.delivery.outbox import ChannelPolicy, Notice, Outbox, Status
from schedules.registry import all_jobs
from schedules.scheduler import make_scheduler
from tests.factories import make_branch, make_member, wrote_to_us
from tests.procs import Proc, command_env, partybot


def test_jobs_are_defined_in_code_with_safe_settings(services):
    scheduler = make_scheduler(services)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert {"delivery.drain", "delivery.reconcile", "wechat.refresh_token",
            "upkeep.prune_inbound", "upkeep.sweep_uploads"} <= set(jobs)
    for job in jobs.values():
        assert job.coalesce and job.max_instances == 1
        assert job.misfire_grace_time >= 3600
    assert str(scheduler.timezone) == "Asia/Shanghai"
    delivery_only = {job.id for job in make_scheduler(services, delivery_only=True).get_jobs()}
    assert delivery_only == {s.id for s in all_jobs() if s.delivery}


def test_second_scheduler_stands_by_and_takes_over(database_url, tmp_path, fake):
    env = command_env(database_url, tmp_path, WECHAT_API_BASE_URL=fake.base_url)
    first = Proc(partybot("scheduler"), env, tmp_path)
    second = None
    try:
        first.wait_for("started (leader)")
        second = Proc(partybot("scheduler"), env, tmp_path)
        second.wait_for("standing by")
        time.sleep(1)
        assert "started (leader)" not in second.output
        first.stop(signal.SIGKILL)
        took = second.wait_for("started (leader)", seconds=30)
        assert took < 30
    finally:
        first.stop(signal.SIGKILL)
        if second is not None:
            assert second.stop() == 0


def _fill_outbox(session, clock, count: int, fake=None) -> None:
    branch = make_branch(session)
    for i in range(count):
        member = make_member(session, branch, f"党员{i}", f"139{i:08d}", openid=f"o-{i}")
        wrote_to_us(session, member.openid, clock(), fake)
        session.flush()
        ChannelPolicy({}).enqueue(session, f"notice:{i}", member, Notice("notice", f"通知{i}"),
                                  clock())
    session.commit()


def _wait_all_sent(session, count: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        session.rollback()
        session.expire_all()
        sent = session.scalar(select(func.count()).select_from(Outbox)
                              .where(Outbox.status == Status.SENT))
        if sent == count:
            return
        time.sleep(0.3)
    raise AssertionError(f"only {sent} of {count} sent")


def test_several_delivery_workers_never_send_a_row_twice(database_url, tmp_path, fake,
                                                         session, clock):
    env = command_env(database_url, tmp_path, WECHAT_API_BASE_URL=fake.base_url,
                      PARTYBOT_SEND_RATE="2000")
    workers = [Proc(partybot("scheduler", "--delivery-only"), env, tmp_path) for _ in range(3)]
    try:
        # All three polling before the rows appear, and one worker alone needing longer
        # than the 2-second poll (6 batches of 50 on 8 threads at 0.1 s a call, ~3.8 s):
        # each of the others then claims batches, however the start-ups were spread.
        for worker in workers:
            worker.wait_for("scheduler: started")
        fake.state.latency = 0.1
        _fill_outbox(session, clock, 300, fake)
        _wait_all_sent(session, 300)
    finally:
        codes = [w.stop() for w in workers]
    assert codes == [0, 0, 0]
    texts = [m.text for m in fake.messages()]
    assert len(texts) == 300 and len(set(texts)) == 300
    busy = [w for w in workers if "claimed" in w.output]
    assert len(busy) >= 2, "the work was not shared"


def test_worker_killed_mid_batch_loses_nothing(database_url, tmp_path, fake, session, clock):
    _fill_outbox(session, clock, 120, fake)
    fake.state.latency = 0.05
    env = command_env(database_url, tmp_path, WECHAT_API_BASE_URL=fake.base_url,
                      PARTYBOT_SEND_RATE="2000", PARTYBOT_DELIVERY_LEASE_SECONDS="5")
    worker = Proc(partybot("scheduler", "--delivery-only"), env, tmp_path)
    deadline = time.monotonic() + 30
    while len(fake.messages()) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.stop(signal.SIGKILL)
    delivered_before = len(fake.messages())
    assert 0 < delivered_before < 120
    # What the dead worker had claimed is reconciled: unknown, then retried once.
    time.sleep(5.5)
    session.rollback()
    session.expire_all()
    reaped = reap_expired_leases(session, utcnow())
    retried, _ = retry_unknown(session, utcnow(), timedelta(0))
    session.commit()
    assert reaped == retried and reaped <= 50  # at most one in-flight batch
    again = Proc(partybot("scheduler", "--delivery-only"), env, tmp_path)
    try:
        _wait_all_sent(session, 120)
    finally:
        again.stop()
    texts = [m.text for m in fake.messages()]
    assert set(texts) == {f"通知{i}" for i in range(120)}  # nothing lost
    assert len(texts) - 120 <= 50  # duplicates: no more than one in-flight batch


@pytest.mark.parametrize("pause", [0.0])
def test_reconcile_job_uses_configured_delay(services, session, clock, fake, pause):
    from schedules.delivery import reconcile_leases

    _fill_outbox(session, clock, 1, fake)
    session.execute(Outbox.__table__.update().values(
        status=Status.UNKNOWN, lease_until=clock() - timedelta(minutes=11)))
    session.commit()
    assert reconcile_leases(services) == (0, 1, 0)
