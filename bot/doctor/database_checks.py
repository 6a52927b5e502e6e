"""The doctor's checks of the database and of what runs on it: reachable, at the newest
migration, writable; a scheduler leading; the outbox draining."""

from __future__ import annotations

import os
import pwd
import time
from datetime import timedelta

from sqlalchemy import func, select, text

from bot.doctor.local_checks import sqlite_file
from bot.doctor.runner import Doctor, Finding, describe, fail, ok, warn
from bot.schema_upgrade import revisions
from core.texts import doctor as said
from core.texts.doctor import Said
from models.db.heartbeat import beat
from models.db.locks import lock_is_held
from models.db.write_gate import write_session
from models.delivery.outbox import Outbox, Status
from models.delivery.state import DeliveryPause, paused_channels
from schedules.scheduler import LEADER_LOCK

# A due row waiting longer than these: the delivery loop is slow (warn) or not running
# (fail; the alert rules of issue 27 fire at the same 15 minutes).
OUTBOX_SLOW = timedelta(minutes=5)
OUTBOX_STUCK = timedelta(minutes=15)
# A row still `sending` this long after its lease ended: nobody reaps expired leases.
SENDING_STUCK = timedelta(minutes=5)
HEARTBEAT_NAME = "doctor"


def check_database(doctor: Doctor) -> Finding:
    """A connection opens and answers (a missing SQLite file is not created here)."""
    settings = doctor.ready
    path = sqlite_file(settings.database_url)
    if path is not None and not path.is_file():
        return fail(said.DB_NO_FILE.format(path=path),
                    said.UPGRADE_FIX.format(command=doctor.command))
    if path is not None and path.stat().st_uid != os.getuid():
        # Writing as another user (`sudo partybot doctor`) would leave -wal, -shm and
        # lock files the service's own user cannot open.
        owner = _user_name(path.stat().st_uid)
        return fail(said.DB_OTHER_OWNER.format(path=path, owner=owner),
                    said.DB_OTHER_OWNER_FIX.format(owner=owner, command=doctor.command))
    engine = doctor.runtime.engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error: unreachable, refused, bad password
        return fail(said.DB_UNREACHABLE.format(error=describe(exc)), said.DB_UNREACHABLE_FIX)
    return ok(said.DB_OK.format(url=engine.url.render_as_string(hide_password=True)))


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # no such user in this system's list
        return str(uid)


def check_migrations(doctor: Doctor) -> Finding:
    """The database is at this code's newest migration (bot.schema_upgrade)."""
    current, heads, known = revisions(doctor.runtime.engine)
    shown = ", ".join(sorted(current)) or said.NO_REVISION
    if current == heads:
        return ok(said.MIGRATIONS_OK.format(revision=shown))
    if current - known:
        return fail(said.MIGRATIONS_UNKNOWN.format(current=shown), said.MIGRATIONS_UNKNOWN_FIX)
    return fail(said.MIGRATIONS_BEHIND.format(current=shown, head=", ".join(sorted(heads))),
                said.UPGRADE_FIX.format(command=doctor.command))


def check_writable(doctor: Doctor) -> Finding:
    """A write commits: the heartbeat row `/healthz` writes too, under the doctor's name
    (a rolled-back write would not show a full disk or a read-only replica, which
    fail at commit)."""
    started = time.monotonic()
    try:
        with write_session(doctor.runtime.engine) as session:
            beat(session, HEARTBEAT_NAME, doctor.clock())
            session.commit()
    except Exception as exc:  # locked, read-only, disk full: all "cannot write"
        return fail(said.WRITABLE_FAIL.format(error=describe(exc)), said.WRITABLE_FIX)
    return ok(said.WRITABLE_OK.format(ms=round(1000 * (time.monotonic() - started))))


def check_scheduler(doctor: Doctor) -> Finding:
    """Some `partybot scheduler` (or `run`) holds the leader lock (schedules.scheduler)."""
    if lock_is_held(doctor.runtime.engine, LEADER_LOCK):
        return ok(said.SCHEDULER_OK)
    return fail(said.SCHEDULER_NONE, said.SCHEDULER_FIX.format(command=doctor.command))


def check_outbox(doctor: Doctor) -> Finding:
    """Due rows go out: the oldest due `pending` row's age (channels paused for the day
    by WeChat's quota excepted), and rows left `sending` after their lease."""
    now = doctor.clock()
    runtime = doctor.runtime
    with runtime.sessions() as session:
        paused = paused_channels(session, now)
        due = select(func.count(), func.min(Outbox.send_after)).where(
            Outbox.status == Status.PENDING, Outbox.send_after <= now)
        if paused:
            due = due.where(Outbox.channel.not_in(sorted(paused)))
        pending, oldest = session.execute(due).one()
        stuck, since = session.execute(select(func.count(), func.min(Outbox.lease_until)).where(
            Outbox.status == Status.SENDING, Outbox.lease_until < now - SENDING_STUCK)).one()
        pauses = session.execute(select(DeliveryPause.channel, DeliveryPause.until).where(
            DeliveryPause.until > now).order_by(DeliveryPause.channel)).all()
    age = now - oldest if oldest is not None else timedelta(0)
    values = {"pending": pending, "age": _duration(age)}
    fix = said.OUTBOX_STUCK_FIX.format(command=doctor.command)
    if stuck and since is not None:
        return fail(said.OUTBOX_SENDING.format(count=stuck, age=_duration(now - since)), fix)
    if pending and age > OUTBOX_STUCK:
        return fail(said.OUTBOX_SLOW.format(**values), fix)
    if pauses:
        channel, until = pauses[0]
        return warn(said.OUTBOX_PAUSED.format(
            channel=channel, until=until.astimezone(runtime.settings.tz)
            .strftime("%Y-%m-%d %H:%M")), said.OUTBOX_PAUSED_FIX)
    if pending and age > OUTBOX_SLOW:
        return warn(said.OUTBOX_SLOW.format(**values), said.OUTBOX_SLOW_FIX)
    return ok(said.OUTBOX_OK.format(**values) if pending else said.OUTBOX_EMPTY)


def _duration(age: timedelta) -> Said:
    seconds = max(0, int(age.total_seconds()))
    return said.MINUTES.format(n=seconds // 60) if seconds >= 60 \
        else said.SECONDS.format(n=seconds)

