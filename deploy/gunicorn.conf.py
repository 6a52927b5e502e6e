"""gunicorn settings for partybot's web process: `gunicorn -c deploy/gunicorn.conf.py
'bot:create_app()'` (deploy/partybot-web.service, the benchmarks and
tests/test_deploy_gunicorn.py all start it so).

Every value can be changed for one run on gunicorn's command line (`-w 4`, `-b …`,
`--log-level warning`: the command line wins over this file) or through the environment
variables below, which the systemd unit reads from /etc/partybot/partybot.env:

    PARTYBOT_WEB_BIND        address to listen on (127.0.0.1:8000; nginx is in front)
    PARTYBOT_WEB_WORKERS     worker processes (2 per core, at least 2, at most 8)
    PARTYBOT_WEB_TIMEOUT     seconds one request may take before its worker is replaced (120)
    PARTYBOT_WEB_ACCESS_LOG  where gunicorn's access log goes (empty, the default: none —
                             nginx's access log has the same line, request id included, at
                             no cost to the workers; "-": standard output, the journal)
    PROMETHEUS_MULTIPROC_DIR the workers' metric files (set by the unit; cleared at start)
"""

from __future__ import annotations

import logging
import os
from typing import Any

from gunicorn.glogging import Logger


def _env_int(name: str, default: int, least: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number; got {raw!r}") from None
    if value < least:
        raise SystemExit(f"{name} must be at least {least}; got {value}")
    return value


def default_workers(cores: int | None = None) -> int:
    """2 per core, at least 2 and at most 8.

    partybot's workers are sync workers that wait on the database for part of every
    request, so 2 per core keeps the cores busy; benchmarks/member_screen.py measured 2
    and 4 sync workers on 2 cores as equally fast and 4 gthread workers slower (README,
    "The members' screen under load"), so there is no "+1". Past 8 each worker only adds
    memory (~120 MB) and database connections (a pool of 5 per worker on PostgreSQL).
    """
    if cores is None:
        try:
            cores = len(os.sched_getaffinity(0))  # the cores this service may use
        except AttributeError:  # not Linux
            cores = os.cpu_count() or 1
    return max(2, min(2 * cores, 8))


bind = os.environ.get("PARTYBOT_WEB_BIND", "").strip() or "127.0.0.1:8000"
workers = _env_int("PARTYBOT_WEB_WORKERS", default_workers())
# Sync workers: every benchmark in the README ran them and found nothing better (gthread
# with 4 threads had a worse p99 on the members' pages). nginx in front buffers slow
# clients, which is what sync workers need.
worker_class = "sync"

# WeChat waits 5 s for a reply, but `timeout` is not a deadline for WeChat's requests
# (they take milliseconds, and a reply after 5 s is lost anyway): it is how long one
# request may keep a worker before the master kills and replaces it. The longest
# legitimate request is the console's roster upload, which streams its progress while a
# 200,000-row file is imported (100,000 rows took 10 s on SQLite, 25 s on PostgreSQL in
# benchmarks/import_under_load.py), so 120 s. A pool that serves only /wechat (README,
# "Production layout") can use PARTYBOT_WEB_TIMEOUT=10 to replace a stuck worker sooner.
timeout = _env_int("PARTYBOT_WEB_TIMEOUT", 120)
# On stop or restart the master closes the listening socket at once and gives the
# workers this long to finish: nginx answers 502 meanwhile, and WeChat gives a message
# three tries of 5 s each, so a restart must be over well within 15 s. A webhook request
# finishes in milliseconds; a roster import cut short here is finished by the next one
# (README, "Roster file"). `systemctl reload partybot-web` (HUP) replaces the workers
# with the socket kept open: use it for upgrades.
graceful_timeout = 10

# Replace each worker after about 10,000 requests (jittered, so that they do not all
# restart at once), bounding any slow growth of memory (README benchmark section).
max_requests = 10_000
max_requests_jitter = 1_000

# Not preloaded. The app opens no database connection and starts no thread while it is
# built (tests/test_deploy_gunicorn.py checks), so preloading would be safe with the
# engine disposed after the fork (post_fork below does that if --preload is given), and
# would save each worker ~2 s of start-up. Without it, HUP (`systemctl reload`) loads
# new code into new workers while the socket stays open; with it, HUP would fork the
# old code again and an upgrade would need a restart, which refuses WeChat meanwhile.
preload_app = False

# nginx on this machine speaks to gunicorn: trust its X-Forwarded-Proto (gunicorn's
# wsgi.url_scheme). The client's address comes from PARTYBOT_PROXIES=1 (werkzeug's
# ProxyFix inside the app), not from gunicorn.
forwarded_allow_ips = "127.0.0.1,::1"

# The workers' heartbeat files: in memory rather than on the disk when there is one.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

proc_name = "partybot-web"

# The access log without query strings: a plain-mode webhook's query carries
# `signature`, `timestamp`, `nonce` and `openid` (a signature replays the request within
# its window; an openid is personal data), and the member pages' carries web
# authorization's `code`. %(U)s is the path only; never %(r)s (the request line, with
# its query) or %(f)s (the referer, another page's query). %(h)s is nginx (127.0.0.1);
# nginx sets X-Forwarded-For to the client's address (deploy/nginx/partybot.conf).
access_log_format = ('%(h)s %({x-forwarded-for}i)s %(t)s "%(m)s %(U)s %(H)s" '
                     '%(s)s %(b)s %(L)s "%(a)s" request_id=%({x-request-id}o)s')
# Off by default: gunicorn formats its access line in Python, about a tenth of a 帮助's
# time per request on 2 cores (benchmarks/webhook_rps.py, "partybot with access log");
# nginx writes the same line in C, with partybot's X-Request-Id from the response.
accesslog = os.environ.get("PARTYBOT_WEB_ACCESS_LOG", "").strip() or None
errorlog = "-"
loglevel = "info"


class RedactingLogger(Logger):
    """gunicorn's logger with partybot's filter on its handlers: gunicorn's own error
    lines quote the request URI, query and all ("Error handling request POST
    /wechat?signature=…"); the filter replaces the secret values with ***."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        from core import redact

        for log in (self.error_log, self.access_log):
            redact.install(log)


logger_class = RedactingLogger


def on_starting(server: Any) -> None:
    """Before any worker: the PROMETHEUS_MULTIPROC_DIR folder made, and the files of
    processes that are gone removed (prometheus_client's multiprocess mode sums every file
    there). A live process's files stay: the scheduler shares the folder (the units set
    the same one), and its counts must not vanish because the web server restarted."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip():
        return
    from core.metrics import clean_multiprocess_dir

    removed = clean_multiprocess_dir()
    server.log.info("metrics folder ready (%d files of ended processes removed)", removed)


def when_ready(server: Any) -> None:
    """One line that says how this server runs."""
    server.log.info("partybot-web ready: %s workers (%s), timeout %ss, graceful %ss",
                    server.cfg.workers, server.cfg.worker_class_str, server.cfg.timeout,
                    server.cfg.graceful_timeout)


def post_fork(server: Any, worker: Any) -> None:
    """With --preload the app was built in the master: drop its pooled connections in
    the child (without closing them: they are the master's), so that no two processes
    ever share a database connection."""
    if not server.cfg.preload_app:
        return
    app = getattr(worker.app, "callable", None)
    services = getattr(app, "extensions", {}).get("partybot")
    if services is not None:
        services.engine.dispose(close=False)


def child_exit(server: Any, worker: Any) -> None:
    """A worker ended: its live gauges stop counting (its counters stay counted)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip():
        return
    from core.metrics import process_exited

    try:
        process_exited(worker.pid)
    except OSError as exc:  # the folder was removed under us: nothing to mark
        logging.getLogger("gunicorn.error").warning("metrics: %s", exc)
