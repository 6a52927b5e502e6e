"""`GET /healthz`: is the process up and can it reach the database?"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from bot.services import services_of

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 with {"status": "ok", "db": "ok"}, or 503 with the reason."""
    try:
        with services_of().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database is "unhealthy"
        log.warning("health check: database unreachable: %s", type(exc).__name__)
        return jsonify(status="error", db=f"unreachable: {type(exc).__name__}"), 503
    return jsonify(status="ok", db="ok")
