"""Requests per second of POST /wechat with the text 帮助, partybot vs a wechatpy echo app.

Every app runs under gunicorn with 2 sync workers; wrk (from Debian) is the single load
generator, on the same machine. Each request carries a unique MsgId (so partybot does
the full work: signature and timestamp checks, dedupe insert, member lookup, routing,
generated help, reply rendering — never a dedupe hit). Rounds alternate between the
apps so drift on a shared machine hits all of them alike; the table shows the median.

    python benchmarks/webhook_rps.py [--seconds 10] [--rounds 3] [--connections 8]

Needs: wrk on PATH, gunicorn installed (the dev extra).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import free_port  # noqa: E402

from bot.simulator import WeChatSide, text_xml  # noqa: E402

TOKEN = "bench-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wxsandbox00000000"  # partybot's sandbox app id, so no credentials are needed
OPENID = "demo-member"  # a bound member from the demo data: help is role-filtered


@dataclass
class Target:
    """One app under test."""

    name: str
    wsgi: str
    safe: bool
    env: dict[str, str]
    text: str = "帮助"
    openids: tuple[str, ...] = (OPENID,)


def make_requests(path: Path, count: int, safe: bool, text: str = "帮助",
                  openids: tuple[str, ...] = (OPENID,)) -> None:
    """Write `count` pre-signed requests, each with a fresh MsgId, one per line; the
    senders take turns from `openids`."""
    side = WeChatSide(TOKEN, AES_KEY if safe else None, APP_ID)
    now = int(time.time())
    with path.open("w") as out:
        for n in range(count):
            signed = side.sign_request(text_xml(openids[n % len(openids)], text,
                                                create_time=now), timestamp=now)
            body = signed.body.decode()
            assert "\n" not in body and "\t" not in body
            out.write(f"/wechat?{signed.query}\t{body}\n")


def start(target: Target, port: int, workdir: Path, workers: int) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(
        [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         target.wsgi],
        cwd=workdir, env={**os.environ, **target.env, "PYTHONPATH": f"{ROOT}:{ROOT/'benchmarks'}"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{target.name} did not start:\n{process.stderr.read()}")
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=5)
            return process
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{target.name} did not start in time")


def check_reply(target: Target, port: int, workdir: Path) -> None:
    """One request by hand: the app answers 200 with a real reply (not an error page)."""
    side = WeChatSide(TOKEN, AES_KEY if target.safe else None, APP_ID)
    signed = side.sign_request(text_xml(target.openids[0], target.text))
    response = requests.post(f"http://127.0.0.1:{port}/wechat?{signed.query}", data=signed.body,
                             timeout=5)
    assert response.status_code == 200, (target.name, response.status_code, response.text[:200])
    content = side.open_reply(response.content).content
    assert content, (target.name, "empty reply")


def run_wrk(port: int, request_file: Path, seconds: int, connections: int) -> tuple[float, int]:
    threads = 2
    result = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
         "-s", str(ROOT / "benchmarks" / "wrk_bodies.lua"), f"http://127.0.0.1:{port}",
         "--", str(request_file), str(threads)],
        capture_output=True, text=True, check=True,
    )
    rps = next(float(line.split()[1]) for line in result.stdout.splitlines()
               if line.startswith("Requests/sec:"))
    non200 = next(int(line.split()[1]) for line in result.stdout.splitlines()
                  if line.startswith("NON200"))
    if "exhausted" in result.stdout:
        raise RuntimeError("request file too small for this run; raise --per-run")
    return rps, non200


def prepare_partybot_db(workdir: Path, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-c", (
        "from core.config import load_settings; from models.base import *; "
        "from models.migrate import upgrade_database; from bot.demo import seed_demo; "
        "s = load_settings(); e = make_engine(s.database_url); upgrade_database(e); "
        "S = make_session_factory(e)(); seed_demo(S, utcnow()); S.commit()")],
        cwd=workdir, env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--per-run", type=int, default=80_000,
                        help="pre-signed requests per run (must exceed what one run sends)")
    parser.add_argument("--database-url", default=None,
                        help="partybot's database (default: a fresh SQLite file)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="partybot-bench-"))
    base_env = {"WECHAT_TOKEN": TOKEN, "PARTYBOT_INSTANCE_PATH": str(workdir / "instance"),
                "PARTYBOT_DATABASE_URL": args.database_url
                or f"sqlite:///{workdir}/bench.db"}
    prepare_partybot_db(workdir, base_env)
    aes_env = {"WECHAT_ENCODING_AES_KEY": AES_KEY, "ECHO_APP_ID": APP_ID}

    targets = [
        Target("wechatpy echo, plain", "echo_app:app", False, base_env),
        Target("partybot, plain", "bot:create_app()", False, base_env),
        Target("wechatpy echo, safe", "echo_app:app", True, {**base_env, **aes_env}),
        Target("partybot, safe", "bot:create_app()", True, {**base_env, **aes_env}),
    ]
    try:
        import werobot  # noqa: F401

        targets.insert(1, Target("WeRoBot echo, plain", "werobot_app:app", False, base_env))
    except ImportError:
        pass

    results: dict[str, list[float]] = {t.name: [] for t in targets}
    errors: dict[str, int] = {t.name: 0 for t in targets}
    for round_no in range(1, args.rounds + 1):
        for target in targets:
            request_file = workdir / "requests.txt"
            make_requests(request_file, args.per_run, target.safe, target.text, target.openids)
            port = free_port()
            process = start(target, port, workdir, args.workers)
            try:
                check_reply(target, port, workdir)
                rps, non200 = run_wrk(port, request_file, args.seconds, args.connections)
            finally:
                process.terminate()
                process.wait(timeout=30)
            results[target.name].append(rps)
            errors[target.name] += non200
            print(f"round {round_no}: {target.name:<22} {rps:8.0f} req/s  non-200: {non200}",
                  flush=True)

    median = {name: statistics.median(values) for name, values in results.items()}
    print()
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {date.today()}; gunicorn {args.workers} sync "
          f"workers, "
          f"wrk -t2 -c{args.connections}, {args.seconds}s x {args.rounds} rounds (median)")
    print()
    print("| app | mode | req/s (median) | ratio to wechatpy echo, same mode | non-200 |")
    print("| --- | --- | ---: | ---: | ---: |")
    for target in targets:
        mode = "safe (AES)" if target.safe else "plain"
        baseline = median[f"wechatpy echo, {'safe' if target.safe else 'plain'}"]
        name = target.name.rsplit(",", 1)[0]
        print(f"| {name} | {mode} | {median[target.name]:.0f} | "
              f"{median[target.name] / baseline:.2f}x | {errors[target.name]} |")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
