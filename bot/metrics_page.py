"""`GET /metrics`: Prometheus' text format, for loopback clients or a bearer token.

Anyone else gets 404, as if there were no such page: the counts say how busy the
account is and which WeChat codes it meets, which is nobody's business outside. Behind
a reverse proxy every request comes from loopback, so the proxy must keep /metrics
internal (or PARTYBOT_PROXIES must be set, so that the client's own address is seen).

The counters and histograms come from core.metrics (in multiprocess mode: from every
process writing to PROMETHEUS_MULTIPROC_DIR, read afresh at each scrape, as
prometheus_client's documentation prescribes). The gauges of what is in the database
are read at each scrape by `DatabaseGauges`: two statements; when the database does
not answer, `partybot_database_up` is 0 and the page is still served.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, request

from bot.services import Services, services_of
from core.localtime import local_day
from core.metrics import PREFIX, metrics, multiprocess_dir
from core.outage import OutageLog
from models.db.locks import lock_is_held
from models.db.outage import is_database_outage
from models.db.stored_files import UPLOADS
from models.delivery.scrape import read
from schedules.scheduler import LEADER_LOCK

log = logging.getLogger(__name__)

bp = Blueprint("metrics", __name__)
# The classic text format, which every Prometheus reads (our names need none of 1.0.0's
# escaping, so the body is the same either way).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _allowed(services: Services) -> bool:
    """A loopback client, or the right bearer token (compared in constant time)."""
    token = services.settings.metrics_token
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(
            given[len("Bearer "):].strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


@bp.get("/metrics")
def metrics_page() -> Response:
    """The metrics of every process of this machine (multiprocess mode) or this one."""
    from prometheus_client import generate_latest

    services = services_of()
    if not _allowed(services):
        abort(404)
    outage = current_app.extensions.setdefault(
        "partybot.metrics_outage", OutageLog(log, "metrics: database"))
    sources: list[Any] = [DatabaseGauges(services, outage)]
    if multiprocess_dir() is not None:
        from prometheus_client import CollectorRegistry
        from prometheus_client.multiprocess import MultiProcessCollector

        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        sources.insert(0, registry)
    else:
        sources.insert(0, metrics().registry)
    body = generate_latest(_Together(sources))
    return Response(body, mimetype=None, headers={"Content-Type": CONTENT_TYPE})


class _Together:
    """Several collectors as one, for generate_latest."""

    def __init__(self, sources: Iterable[Any]) -> None:
        self.sources = sources

    def collect(self) -> Iterator[Any]:
        for source in self.sources:
            yield from source.collect()


class DatabaseGauges:
    """Gauges read at scrape time: the outbox, today's template quota, the scheduler
    leader, the database itself, and the disk the uploads are on."""

    def __init__(self, services: Services, outage: OutageLog) -> None:
        self.services = services
        self.outage = outage  # one log line when the database goes, one when it is back

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        def gauge(name: str, doc: str, labels: list[str] | None = None) -> GaugeMetricFamily:
            return GaugeMetricFamily(f"{PREFIX}_{name}", doc, labels=labels)

        services = self.services
        started = time.perf_counter()
        up = gauge("database_up", "1 if this scrape's reads of the database succeeded")
        try:
            yield from self._from_database(gauge)
            up.add_metric([], 1)
            self.outage.succeeded()
        except Exception as exc:  # a scrape reports the outage; it never fails on it
            if is_database_outage(exc):
                self.outage.failed(exc, "partybot_database_up is 0")
            else:
                log.exception("metrics: reading the database failed")
            up.add_metric([], 0)
        yield up
        took = gauge("database_scrape_seconds", "Time this scrape spent reading the database")
        took.add_metric([], time.perf_counter() - started)
        yield took
        ratio = _disk_used_ratio(services.settings.instance_path / UPLOADS)
        if ratio is not None:
            disk = gauge("uploads_disk_used_ratio",
                         "Used share (0-1) of the file system holding uploaded photos")
            disk.add_metric([], ratio)
            yield disk

    def _from_database(self, gauge: Any) -> Iterator[Any]:
        services = self.services
        settings = services.settings
        now = services.clock()
        with services.sessions() as session:
            readings = read(session, now, local_day(now, settings.tz))
            leader = _leader(services, session.connection())
            session.rollback()
        rows = gauge("outbox_rows", "Open outbox rows (pending, sending, unknown, held)",
                     ["channel", "status"])
        age = gauge("outbox_oldest_due_seconds", "How long the oldest due row of each "
                    "channel and status has waited to be sent", ["channel", "status"])
        for group in readings.outbox:
            rows.add_metric([group.channel, group.status], group.rows)
            age.add_metric([group.channel, group.status], group.oldest_due_seconds)
        held = gauge("held_notices", "Notices held for members who cannot be reached now")
        held.add_metric([], readings.held)
        used = gauge("template_quota_used_today", "Template messages sent today (local day)")
        used.add_metric([], readings.template_sent_today)
        limit = gauge("template_quota_daily", "The account's daily template quota "
                      "(PARTYBOT_TEMPLATE_DAILY_QUOTA)")
        limit.add_metric([], settings.template_daily_quota)
        yield from (rows, age, held, used, limit)
        if leader is not None:
            leading = gauge("scheduler_leader", "1 if a scheduler holds the leader lock")
            leading.add_metric([], 1 if leader else 0)
            yield leading


def _leader(services: Services, connection: Any) -> bool | None:
    """Whether a scheduler leads; None when it cannot be known (an in-memory database)."""
    try:
        return lock_is_held(services.engine, LEADER_LOCK, connection)
    except ValueError:
        return None


def _disk_used_ratio(folder: Path) -> float | None:
    """Used share of the folder's file system, as `df` counts it (the space kept for
    root is not free for us); None if no folder on the way exists."""
    for path in (folder, *folder.parents):
        if path.exists():
            usage = shutil.disk_usage(path)
            return usage.used / (usage.used + usage.free) if usage.total else None
    return None
