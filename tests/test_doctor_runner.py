"""`partybot doctor`'s machinery: a check that crashes or hangs is one failed line, the
disk thresholds, and the command as a process before anything was set up."""

from __future__ import annotations

import threading

import pytest

from bot.doctor.runner import Check, Doctor, Status, ok, run_checks
from core.texts import doctor as said
from tests.procs import free_port


def test_a_check_that_crashes_or_hangs_is_one_failed_line():
    release = threading.Event()

    def crashes(_doctor: Doctor):  # type: ignore[no-untyped-def]
        raise ValueError("boom at https://x/?access_token=SECRET1")

    def hangs(_doctor: Doctor):  # type: ignore[no-untyped-def]
        release.wait(5)
        return ok(said.MODE_SAFE)

    checks = [Check("crashes", crashes), Check("hangs", hangs, time_limit=0.2),
              Check("after", lambda _d: ok(said.MODE_SAFE), needs=("crashes",))]
    try:
        report = run_checks(Doctor(environ={}, dotenv_path=None), checks, time_limit=5)
    finally:
        release.set()
    crashed, hung, after = report.outcomes
    assert crashed.finding.status is Status.FAIL
    assert crashed.finding.detail.en == \
        "the check itself failed: ValueError: boom at https://x/?access_token=***"
    assert hung.finding.status is Status.FAIL
    assert hung.finding.detail.en == "no answer within 0.2 s; gave up"
    assert after.finding.status is Status.SKIP and report.failed


@pytest.mark.parametrize(("free_gb", "mark", "says"), [
    (50.0, Status.OK, "the database and photos: 50.0 GB free (50%)"),
    (5.0, Status.WARN, "the database and photos: only 5.0 GB free (5%)"),
    (0.5, Status.FAIL, "the database and photos: only 512 MB free; new photos are refused"),
])
def test_disk_space_thresholds(tmp_path, monkeypatch, free_gb, mark, says):
    """A full disk cannot be made in a test: the operating system's answer is replaced."""
    from collections import namedtuple

    from bot.doctor import local_checks

    usage = namedtuple("usage", "total used free")
    total, free = 100 * 1024**3, int(free_gb * 1024**3)
    monkeypatch.setattr(local_checks.shutil, "disk_usage",
                        lambda _path: usage(total, total - free, free))
    doctor = Doctor(environ={"PARTYBOT_DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
                             "PARTYBOT_INSTANCE_PATH": str(tmp_path / "inst")},
                    dotenv_path=None)
    assert local_checks.check_config(doctor).status is Status.OK
    found = local_checks.check_disk(doctor)
    assert found.status is mark
    assert found.detail.en.startswith(says)


def test_as_a_process_on_a_fresh_checkout(tmp_path):
    """`partybot doctor` before `partybot run`: it says what to run and creates nothing
    (no database file, no secret key)."""
    import subprocess

    from tests.procs import command_env, partybot

    env = command_env(f"sqlite:///{tmp_path}/inst/partybot.db", tmp_path,
                      WECHAT_API_BASE_URL=f"http://127.0.0.1:{free_port()}/sandbox")
    done = subprocess.run([*partybot("doctor", "--lang", "en")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"✗ database: there is no database file at {tmp_path}/inst/partybot.db" \
        in done.stdout
    assert " db upgrade" in done.stdout
    assert "- migrations: skipped: fix 'database' first" in done.stdout
    assert list(tmp_path.iterdir()) == []  # nothing made: not the database, not inst/
