"""The rectification sweep runs in the real scheduler process: a problem past its
deadline is warned about (owner and 挂点领导) soon after `partybot scheduler` starts."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from models.delivery.outbox import Outbox
from tests.procs import Proc, command_env, partybot
from tests.rectify_support import build_county, file_problem


def test_the_scheduler_process_warns_about_an_overdue_problem(session, clock, database_url,
                                                              tmp_path, fake):
    ids = build_county(session, clock())
    yesterday = (clock() - timedelta(days=1)).date()
    file_problem(session, ids, "liaoyuan", yesterday.year, yesterday, clock())
    session.commit()
    env = command_env(database_url, tmp_path, WECHAT_API_BASE_URL=fake.base_url)
    scheduler = Proc(partybot("scheduler"), env, tmp_path)
    try:
        scheduler.wait_for("started (leader)")
        deadline = time.monotonic() + 60
        keys: list[str] = []
        while time.monotonic() < deadline and len(keys) < 2:
            session.rollback()
            keys = sorted(session.scalars(select(Outbox.dedupe_key).where(
                Outbox.kind == "rectify_warning")))
            time.sleep(0.5)
        assert keys == sorted(f"rectify:1:overdue:{ids[who]}" for who in ("secretary", "leader"))
        assert "rectification: queued 2 warnings" in scheduler.output
    finally:
        assert scheduler.stop() == 0, scheduler.output
