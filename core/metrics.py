"""partybot's Prometheus metrics: what is counted where things happen.

The counters, histograms and gauges below are made on first use (`metrics()`), never
at import: a module imported by a test or a tool registers nothing. The web view that
serves them (bot.metrics_page) adds the gauges read from the database at scrape time.

Multiprocess mode (prometheus_client's own): when PROMETHEUS_MULTIPROC_DIR is set in a
process's environment before it starts, every value is kept in a file of that folder,
so gunicorn's workers and the scheduler process on the same machine each add their
counts and /metrics, served by any worker, sums them. Without it (`partybot run`, one
process) the values live in this process's registry.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "partybot"
# The kinds of inbound message (and event) WeChat sends; anything else is "other", so
# that a label never takes a value a stranger chose.
MESSAGE_KINDS = frozenset({
    "text", "image", "voice", "video", "shortvideo", "location", "link", "file", "event",
    "unknown"})
WEBHOOK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def multiprocess_dir() -> str | None:
    """The shared folder of multiprocess mode, or None in single-process mode."""
    return os.environ.get(MULTIPROC_ENV) or os.environ.get(MULTIPROC_ENV.lower()) or None


@dataclass(frozen=True)
class Metrics:
    """Every metric counted in code (the gauges read from the database are elsewhere)."""

    registry: Any  # CollectorRegistry: this process's values (single-process mode)
    webhook_requests: Any
    webhook_seconds: Any
    delivery_results: Any
    allowance_refusals_avoided: Any
    token_fetches: Any
    job_runs: Any
    job_last_success: Any
    job_duration: Any
    console_logins: Any
    console_lockouts: Any
    roster_imports: Any


def _build() -> Metrics:
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

    registry = CollectorRegistry(auto_describe=True)

    def name(short: str) -> str:
        return f"{PREFIX}_{short}"

    return Metrics(
        registry=registry,
        webhook_requests=Counter(
            name("webhook_requests"), "POST /wechat messages by kind and outcome "
            "(handled, duplicate, outage, refused_<reason>, error)",
            ["kind", "outcome"], registry=registry),
        webhook_seconds=Histogram(
            name("webhook_seconds"), "Time to answer POST /wechat, by kind and outcome",
            ["kind", "outcome"], buckets=WEBHOOK_BUCKETS, registry=registry),
        delivery_results=Counter(
            name("delivery_results"), "Outbox rows sent to WeChat, by channel, outcome "
            "and WeChat errcode (none when WeChat gave no code)",
            ["channel", "outcome", "errcode"], registry=registry),
        allowance_refusals_avoided=Counter(
            name("allowance_refusals_avoided"), "Customer-service rows moved to a helper "
            "or held without asking WeChat, because the member's allowance was used up "
            "(each would have been a 45047/45015)", registry=registry),
        token_fetches=Counter(
            name("token_fetches"), "Fetches of a shared access token or jsapi_ticket "
            "from WeChat, by token and outcome (ok, failed)", ["token", "outcome"],
            registry=registry),
        job_runs=Counter(
            name("job_runs"), "Scheduler job runs by job and outcome (ok, failed, "
            "database_down)", ["job", "outcome"], registry=registry),
        job_last_success=Gauge(
            name("job_last_success_timestamp_seconds"), "Unix time a job last finished "
            "without an error", ["job"], multiprocess_mode="max", registry=registry),
        job_duration=Gauge(
            name("job_duration_seconds"), "How long a job's most recent run took",
            ["job"], multiprocess_mode="mostrecent", registry=registry),
        console_logins=Counter(
            name("console_logins"), "Console logins by method (password, wechat_scan, "
            "wechat_oauth) and outcome (ok, wrong, locked, busy)", ["method", "outcome"],
            registry=registry),
        console_lockouts=Counter(
            name("console_lockouts"), "Console logins locked after too many wrong "
            "passwords", registry=registry),
        roster_imports=Counter(
            name("roster_imports"), "Roster imports by outcome (imported, rejected, "
            "failed)", ["outcome"], registry=registry),
    )


_made: list[Metrics] = []  # the one Metrics of this process, once asked for
_making = threading.Lock()


def metrics() -> Metrics:
    """This process's metrics (made on the first call)."""
    if _made:
        return _made[0]
    with _making:
        if not _made:
            _made.append(_build())
    return _made[0]


def message_kind(msg_type: str | None) -> str:
    """The kind label of an inbound message."""
    return msg_type if msg_type in MESSAGE_KINDS else "other"


class WebhookCounts:
    """The webhook's two metrics, with their labelled children kept: the hot path pays
    a dict lookup, not prometheus_client's label check, per message."""

    def __init__(self) -> None:
        self._children: dict[tuple[str, str], tuple[Any, Any]] = {}

    def observe(self, kind: str, outcome: str, seconds: float) -> None:
        """One message answered."""
        pair = self._children.get((kind, outcome))
        if pair is None:
            made = metrics()
            pair = (made.webhook_requests.labels(kind, outcome),
                    made.webhook_seconds.labels(kind, outcome))
            self._children[(kind, outcome)] = pair
        pair[0].inc()
        pair[1].observe(seconds)


def count_token_fetch(token: str, ok: bool) -> None:
    """A shared token fetched from WeChat (or not)."""
    metrics().token_fetches.labels(token, "ok" if ok else "failed").inc()


def count_delivery(channel: str, outcome: str, errcode: int | None) -> None:
    """One outbox row's result."""
    metrics().delivery_results.labels(
        channel, outcome, "none" if errcode is None else str(errcode)).inc()


def count_console_login(method: str, outcome: str) -> None:
    """A console login attempt."""
    metrics().console_logins.labels(method, outcome).inc()


@contextmanager
def timed_job(job: str) -> Iterator[dict[str, str]]:
    """Time a scheduler job's run; the caller sets `["outcome"]` ("ok" by default)."""
    result = {"outcome": "ok"}
    started = time.monotonic()
    try:
        yield result
    except BaseException:
        result["outcome"] = "failed"
        raise
    finally:
        made = metrics()
        made.job_runs.labels(job, result["outcome"]).inc()
        made.job_duration.labels(job).set(time.monotonic() - started)
        if result["outcome"] == "ok":
            made.job_last_success.labels(job).set(time.time())


def clean_multiprocess_dir() -> int:
    """Before a server's first worker starts (gunicorn's `on_starting`): make the shared
    folder, and remove the files of processes that are gone. A live process's files stay:
    the scheduler shares the folder, and its counts must not vanish because the web
    server restarted (it keeps writing to its open files). Returns how many were removed.
    """
    folder = multiprocess_dir()
    if folder is None:
        return 0
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    removed = 0
    for file in path.glob("*.db"):  # counter_<pid>.db, gauge_max_<pid>.db, …
        pid = file.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _running(int(pid)):
            file.unlink(missing_ok=True)
            removed += 1
    return removed


def process_exited(pid: int) -> None:
    """A worker ended (gunicorn's `child_exit`): its live gauges stop counting."""
    folder = multiprocess_dir()
    if folder is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, folder)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
