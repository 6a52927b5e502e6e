"""What a request id and the per-message log line cost the webhook, in process.

Runs benchmarks/webhook_profile.py (the real app, pre-signed messages handed to the
WSGI app, logging set up as `bot:create_app()` does, its lines written to a pipe) from
a checkout without the change (`--base`) and from this one, alternately, and prints each
workload's best (min) and median µs per message over the rounds, and the ratios
after/before. Then the parts alone (best of 7 repeats): an id made and bound, and one
INFO line through the filters in text and in JSON.

    python benchmarks/request_id_cost.py --base /path/to/checkout/of/main [--rounds 3]
    python benchmarks/request_id_cost.py --in-process [--rounds 20]

`--in-process` compares, in one process and alternating batch by batch (so that a shared
machine's noise falls on both alike), this checkout's 帮助 with and without the new work:
"without" takes a fixed id and keeps the log at WARNING (no per-message line).

The machine running it is usually shared: compare the ratio, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import subprocess
import sys
import timeit
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def profile(tree: Path, messages: int) -> dict[str, float]:
    """Total µs per message of each workload, from one webhook_profile.py run."""
    done = subprocess.run([sys.executable, str(tree / "benchmarks" / "webhook_profile.py"),
                           "--messages", str(messages)], cwd=tree, capture_output=True,
                          text=True, check=True)
    totals = {}
    for line in done.stdout.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) > 2 and cells[-1].isdigit():
            totals[cells[0]] = float(cells[-1])
    return totals


def parts() -> None:
    """The new work per message, alone."""
    sys.path.insert(0, str(ROOT))
    from core.logging_setup import configure_logging, formatter_for
    from core.request_context import bound, incoming_or_new

    def an_id() -> None:
        with bound(incoming_or_new(None)):
            pass

    n = 20_000
    best = min(timeit.repeat(an_id, number=n, repeat=7)) / n * 1e6
    print(f"id made and bound: {best:.2f} µs")
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for log_format in ("text", "json"):
        handler = logging.StreamHandler(io.StringIO())
        handler.setFormatter(formatter_for(log_format))
        root.addHandler(handler)
        configure_logging(log_format=log_format)
        root.setLevel(logging.INFO)
        log = logging.getLogger("bot.webhook")

        def line(log: logging.Logger = log) -> None:
            with bound("0123456789abcdef"):
                log.info("%s from %s answered", "text", "o-someone")

        best = min(timeit.repeat(line, number=n, repeat=7)) / n * 1e6
        print(f"one INFO line ({log_format}, to memory): {best:.2f} µs")
        root.removeHandler(handler)


def in_process(rounds: int, messages: int) -> None:
    """帮助 with and without the request id and its line, alternating, in this process."""
    import os
    import tempfile

    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(ROOT))
    from webhook_profile import environs, run
    from webhook_rps import APP_ID, OPENID, TOKEN, prepare_partybot_db

    workdir = Path(tempfile.mkdtemp(prefix="partybot-request-ids-"))
    env = {"WECHAT_TOKEN": TOKEN, "PARTYBOT_INSTANCE_PATH": str(workdir / "instance"),
           "PARTYBOT_DATABASE_URL": f"sqlite:///{workdir}/bench.db"}
    prepare_partybot_db(workdir, env)
    os.environ.update(env)
    os.chdir(workdir)
    import bot.webhook_wsgi as webhook_wsgi
    from bot import create_app
    from bot.simulator import WeChatSide
    from core import request_context

    app = create_app()  # (its log: stderr, INFO, text)
    side = WeChatSide(TOKEN, None, APP_ID)
    real_id = webhook_wsgi.incoming_or_new
    root = logging.getLogger()

    def without() -> None:
        webhook_wsgi.incoming_or_new = lambda _header: "fixed-id-0000000"  # type: ignore
        root.setLevel(logging.WARNING)

    def with_ids() -> None:
        webhook_wsgi.incoming_or_new = real_id  # type: ignore
        root.setLevel(logging.INFO)

    run(app, environs(app, side, [(OPENID, "帮助")] * 200))  # warm up
    times: dict[str, list[float]] = {"without": [], "with": []}
    for _ in range(rounds):
        for label, setup in (("without", without), ("with", with_ids)):
            setup()
            requests = environs(app, side, [(OPENID, "帮助")] * messages)
            times[label].append(run(app, requests) * 1e6)
    with_ids()
    assert request_context.current_request_id() is None
    b, a = min(times["without"]), min(times["with"])
    bm, am = statistics.median(times["without"]), statistics.median(times["with"])
    print(f"帮助 without: {b:.0f} µs min, {bm:.0f} median; with: {a:.0f} µs min, "
          f"{am:.0f} median; ratio {a / b:.3f} (min), {am / bm:.3f} (median)",
          file=sys.stdout, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, help="a checkout before")
    parser.add_argument("--in-process", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    if args.in_process:
        in_process(args.rounds, args.messages)
        parts()
        return
    if args.base is None:
        parser.error("--base (or --in-process) is needed")
    runs: dict[str, dict[str, list[float]]] = {"before": defaultdict(list),
                                               "after": defaultdict(list)}
    for _ in range(args.rounds):
        for label, tree in (("before", args.base), ("after", ROOT)):
            for workload, total in profile(tree, args.messages).items():
                runs[label][workload].append(total)
    print("| message | before µs (min / median) | after µs (min / median) | after/before "
          "(min / median) |")
    print("| --- | ---: | ---: | ---: |")
    for workload, before in runs["before"].items():
        after = runs["after"][workload]
        b, a = min(before), min(after)
        bm, am = statistics.median(before), statistics.median(after)
        print(f"| {workload} | {b:.0f} / {bm:.0f} | {a:.0f} / {am:.0f} | "
              f"{a / b:.3f} / {am / bm:.3f} |")
    parts()


if __name__ == "__main__":
    main()
