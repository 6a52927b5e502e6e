"""`GET /healthz`: is the process up, and does a write to the database commit?

The probe writes one heartbeat row (models.db.heartbeat) at most once a second per
process; a load balancer polling faster gets the last answer again.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from bot.services import services_of
from core.outage import describe
from models.db.heartbeat import beat
from models.db.write_gate import write_session

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

PROBE_INTERVAL_SECONDS = 1.0


class _LastProbe:
    """The app's last probe: when, and the error (None when the write committed)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.at = -PROBE_INTERVAL_SECONDS
        self.error: str | None = None


def _probe() -> str | None:
    """None if a write commits, else why not."""
    services = services_of()
    try:
        with write_session(services.engine) as session:
            beat(session, "web", services.clock())
            session.commit()
    except Exception as exc:  # any failure to write is "unhealthy"
        return describe(exc)
    return None


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 with {"status": "ok", "db": "ok"}, or 503 with the reason."""
    last: _LastProbe = current_app.extensions.setdefault("partybot.health", _LastProbe())
    with last.lock:
        if time.monotonic() - last.at >= PROBE_INTERVAL_SECONDS:
            error = _probe()
            if error is not None and last.error is None:
                log.warning("health check: database write failed: %s", error)
            elif error is None and last.error is not None:
                log.info("health check: database writes again")
            last.at, last.error = time.monotonic(), error
        error = last.error
    if error is not None:
        return jsonify(status="error", db=f"write failed: {error}"), 503
    return jsonify(status="ok", db="ok")
