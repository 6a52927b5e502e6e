"""What counting costs the webhook: µs per message with and without the metrics.

In process, as benchmarks/webhook_profile.py: the real app on the benchmark's database
(the demo county, 1,000 more members, today's study item, a meeting open for check-in),
pre-signed requests handed to `app.wsgi_app`. "without" answers through
`bot.webhook._answer` directly, the path as it was before the metrics; "with" through
`bot.webhook.answer`, which times and counts each message (core.metrics). Rounds
alternate, so drift on a shared machine hits both alike; the medians are compared.

    python benchmarks/metrics_overhead.py [--messages 2000] [--rounds 7] [--multiprocess]
                                          [--database-url URL]

`--multiprocess` sets PROMETHEUS_MULTIPROC_DIR (a temporary folder) before anything
imports prometheus_client: the values then live in memory-mapped files, as under
gunicorn in production.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="per round and mode")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--multiprocess", action="store_true")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="partybot-metrics-"))
    if args.multiprocess:
        (workdir / "prometheus").mkdir()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(workdir / "prometheus")

    from webhook_profile import environs, run
    from webhook_rps import MEMBERS, MIXED, OPENID, TOKEN, prepare_partybot_db

    env = {"WECHAT_TOKEN": TOKEN, "PARTYBOT_INSTANCE_PATH": str(workdir / "instance"),
           "PARTYBOT_DATABASE_URL": args.database_url or f"sqlite:///{workdir}/bench.db"}
    code = prepare_partybot_db(workdir, env)
    os.environ.update(env)
    os.chdir(workdir)

    import bot.webhook as webhook
    import bot.webhook_wsgi as webhook_wsgi
    from bot import create_app
    from bot.simulator import WeChatSide

    app = create_app()
    side = WeChatSide(TOKEN)
    counted = webhook.answer

    def uncounted(services: Any, query: Any, read_body: Any, remote_addr: Any,
                  listeners: Any = ()) -> Any:
        return webhook._answer(services, query, read_body, remote_addr, listeners,
                               webhook._Seen())

    workloads = {"帮助": [(OPENID, "帮助")],
                 "mixed": [(f"bench-{n % MEMBERS}", MIXED[n % len(MIXED)].format(code=code))
                           for n in range(MEMBERS)]}
    for texts in workloads.values():  # warm up: statements compiled, first 已学 done
        run(app, environs(app, side, texts[:100]))
    mode = "multiprocess" if args.multiprocess else "single process"
    print(f"metrics overhead, {mode}, {args.rounds} rounds x {args.messages} messages, "
          f"database {env['PARTYBOT_DATABASE_URL'].split(':')[0]}")
    print("| message | without (µs) | with (µs) | with / without |")
    print("| --- | ---: | ---: | ---: |")
    for label, texts in workloads.items():
        times: dict[str, list[float]] = {"without": [], "with": []}
        for _ in range(args.rounds):
            for name, function in (("without", uncounted), ("with", counted)):
                webhook_wsgi.answer = function  # what the WSGI fast path calls
                batch = environs(app, side, [texts[n % len(texts)]
                                             for n in range(args.messages)])
                times[name].append(run(app, batch))
        without, with_ = (statistics.median(times[k]) * 1e6 for k in ("without", "with"))
        print(f"| {label} | {without:.0f} | {with_:.0f} | {with_ / without:.3f} |",
              flush=True)
    print(f"counting alone: {observe_cost():.2f} µs a message")


def observe_cost(calls: int = 200_000) -> float:
    """µs one message's counting costs by itself (the counter, the histogram, the clock
    reads), without anything around it: the noise-free part of the comparison."""
    import time

    from core.metrics import WebhookCounts

    counts = WebhookCounts()
    started = time.perf_counter()
    for _ in range(calls):
        begun = time.perf_counter()
        counts.observe("text", "handled", time.perf_counter() - begun)
    return (time.perf_counter() - started) / calls * 1e6


if __name__ == "__main__":
    main()
