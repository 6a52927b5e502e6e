"""Where a webhook message's time goes, in process: µs per message per stage, for each
message of benchmarks/webhook_rps.py's workloads (帮助, 学习, 已学, 签到 <码>, 会议).

The app is the real one (create_app) on the benchmark's database (the demo county,
1,000 more members, today's study item, a meeting open for check-in). Each request is
pre-signed and pre-built as a WSGI environ, then handed to `app.wsgi_app` (no HTTP, no
gunicorn); the stages are timed by wrapping the functions that do them:

    wsgi        WSGI: the request around bot.webhook.answer (total minus it; Flask
                before the fast path of bot.webhook_wsgi)
    signature   the query's signature check (SHA-1)
    parse       XML parse and the Inbound (and AES decrypt in safe mode)
    dedupe      the dedupe claim (INSERT … ON CONFLICT DO NOTHING) and the allowance
    caller      the caller lookup (one statement)
    handler     the handler, its queries and the dispatcher (caller lookup excluded)
    render      the reply XML
    commit      the stored reply (UPDATE) and the commit
    connection  pool checkout and return, the write gate, BEGIN, the Response

    python benchmarks/webhook_profile.py [--messages 2000] [--database-url URL] [--cprofile 学习]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from webhook_rps import (  # noqa: E402
    AES_KEY,
    APP_ID,
    MEMBERS,
    MIXED,
    OPENID,
    TOKEN,
    prepare_partybot_db,
)

STAGES = ("wsgi", "signature", "parse", "dedupe", "caller", "handler", "render", "commit",
          "connection")

spent: dict[str, float] = defaultdict(float)


def timed(stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function`, its time added to `stage` (inclusive)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[stage] += time.perf_counter() - started

    return wrapper


def instrument() -> None:
    """Wrap the functions of each stage (inclusive times, made exclusive in report())."""
    import bot.inbox as inbox
    import bot.webhook as webhook
    from handlers import Dispatcher
    from models.db.webhook_statements import WebhookStatements

    webhook.check_signature = timed("signature", webhook.check_signature)
    webhook.parse_xml = timed("parse", webhook.parse_xml)
    webhook.to_inbound = timed("parse", webhook.to_inbound)
    inbox.Inbox.answer = timed("inbox", inbox.Inbox.answer)  # type: ignore[method-assign]
    WebhookStatements.claim = timed(  # type: ignore[method-assign]
        "dedupe", WebhookStatements.claim)
    inbox.Inbox._open_allowance = timed(  # type: ignore[method-assign]
        "dedupe", inbox.Inbox._open_allowance)
    WebhookStatements.caller = timed(  # type: ignore[method-assign]
        "caller", WebhookStatements.caller)
    Dispatcher.dispatch = timed("dispatch", Dispatcher.dispatch)  # type: ignore[method-assign]
    inbox.render_reply = timed("render", inbox.render_reply)
    WebhookStatements.save_reply = timed(  # type: ignore[method-assign]
        "commit", WebhookStatements.save_reply)
    from sqlalchemy import Connection
    Connection.commit = timed("commit", Connection.commit)  # type: ignore[method-assign]


def environs(app: Any, side: Any, texts: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Pre-built WSGI environs of signed requests (fresh MsgIds)."""
    from werkzeug.test import EnvironBuilder

    from bot.simulator import text_xml

    now = int(time.time())
    built = []
    for openid, text in texts:
        signed = side.sign_request(text_xml(openid, text, create_time=now), timestamp=now)
        builder = EnvironBuilder(path="/wechat", query_string=signed.query,
                                 method="POST", data=signed.body,
                                 content_type="text/xml")
        built.append(builder.get_environ())
    return built


def run(app: Any, requests: list[dict[str, Any]]) -> float:
    """Send every request through the WSGI app; seconds per request."""
    statuses: list[str] = []

    def start_response(status: str, _headers: Any, _exc: Any = None) -> None:
        statuses.append(status)

    started = time.perf_counter()
    for environ in requests:
        for _chunk in app.wsgi_app(environ, start_response):
            pass
    elapsed = time.perf_counter() - started
    assert all(s.startswith("200") for s in statuses), statuses[:3]
    return elapsed / len(requests)


def report(label: str, per_request: float, count: int) -> dict[str, float]:
    """µs per message per stage (exclusive)."""
    us = {k: v / count * 1e6 for k, v in spent.items()}
    view = us.get("view", 0.0)
    inbox = us.get("inbox", 0.0)
    dispatch = us.get("dispatch", 0.0)
    row = {
        "wsgi": per_request * 1e6 - view,
        "signature": us.get("signature", 0.0),
        "parse": us.get("parse", 0.0),
        "dedupe": us.get("dedupe", 0.0),
        "caller": us.get("caller", 0.0),
        "handler": dispatch - us.get("caller", 0.0),
        "render": us.get("render", 0.0),
        "commit": us.get("commit", 0.0),
    }
    row["connection"] = view - sum(row[s] for s in STAGES[1:8])
    row["total"] = per_request * 1e6
    if os.environ.get("PROFILE_DEBUG"):
        print(f"view {view:.0f} inbox {inbox:.0f} dispatch {dispatch:.0f}")
    print(f"| {label} | " + " | ".join(f"{row[s]:.0f}" for s in (*STAGES, "total")) + " |",
          flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="per workload message")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--safe", action="store_true", help="AES (safe mode)")
    parser.add_argument("--cprofile", default=None,
                        help="also cProfile this message (e.g. 学习) and print the top")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="partybot-profile-"))
    env = {"WECHAT_TOKEN": TOKEN, "PARTYBOT_INSTANCE_PATH": str(workdir / "instance"),
           "PARTYBOT_DATABASE_URL": args.database_url or f"sqlite:///{workdir}/bench.db"}
    if args.safe:
        env |= {"WECHAT_ENCODING_AES_KEY": AES_KEY, "ECHO_APP_ID": APP_ID}
    code = prepare_partybot_db(workdir, env)
    os.environ.update(env)
    os.chdir(workdir)

    import bot.webhook as webhook
    import bot.webhook_wsgi as webhook_wsgi
    from bot import create_app
    from bot.simulator import WeChatSide

    instrument()
    app = create_app()
    # the view: bot.webhook.answer, called by the WSGI fast path (or the Flask view)
    webhook_wsgi.answer = timed("view", webhook.answer)
    app.view_functions["webhook.receive"] = webhook.receive
    side = WeChatSide(TOKEN, AES_KEY if args.safe else None, APP_ID)

    workloads = {"帮助": [(OPENID, "帮助")]}
    for text in MIXED:
        workloads[text.split()[0]] = [(f"bench-{n % MEMBERS}", text.format(code=code))
                                      for n in range(MEMBERS)]
    # warm up: every statement compiled and cached, every member's first 已学 done once
    for texts in workloads.values():
        run(app, environs(app, side, texts[:50]))
    print("| message | " + " | ".join(STAGES) + " | total |")
    print("| --- |" + " ---: |" * (len(STAGES) + 1))
    for label, texts in workloads.items():
        requests = environs(app, side, [texts[n % len(texts)] for n in range(args.messages)])
        spent.clear()
        if args.cprofile == label:
            profiler = cProfile.Profile()
            profiler.enable()
        per_request = run(app, requests)
        if args.cprofile == label:
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats(os.environ.get("PROFILE_SORT", "tottime"))
            stats.print_stats(int(os.environ.get("PROFILE_TOP", "35")))
            print(out.getvalue(), file=sys.stderr)
        report(label, per_request, len(requests))


if __name__ == "__main__":
    main()
