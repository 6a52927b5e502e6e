"""Keep the shared access token fresh, so that no other process ever has to fetch it."""

from __future__ import annotations

import logging

from core.wechat import TokenFetchError
from schedules.job_spec import JobSpec
from schedules.runtime import Runtime

log = logging.getLogger(__name__)


def refresh_token(runtime: Runtime) -> bool:
    """Fetch a new token when the stored one ends within 10 minutes (or is missing)."""
    try:
        return runtime.wechat.keeper.refresh_if_needed()
    except TokenFetchError as exc:
        log.error("access token refresh failed: %s", exc)
        return False


def refresh_jsapi_ticket(runtime: Runtime) -> bool:
    """Fetch a new JS-SDK ticket when the stored one ends within 10 minutes (or is
    missing): the member pages only read it (core.jssdk), so this job is its one source."""
    try:
        return runtime.jsapi_ticket.refresh_if_needed()
    except TokenFetchError as exc:
        log.error("jsapi_ticket refresh failed: %s", exc)
        return False


JOBS = [
    JobSpec("wechat.refresh_token", refresh_token, "interval", {"seconds": 60}),
    JobSpec("wechat.refresh_jsapi_ticket", refresh_jsapi_ticket, "interval", {"seconds": 60}),
]
