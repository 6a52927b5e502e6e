"""Requests per second of POST /wechat: partybot against a wechatpy echo app (no
database: the ceiling) and a WeRoBot echo robot with its default SQLite session storage
(a peer that, like partybot, writes once per message).

Two workloads: `帮助` from one bound member, and a mixed one — 帮助, 学习, 已学, 签到 <码>,
会议 from 1,000 members taking turns (with a study item published today and a meeting
whose check-in is open). Every app runs under gunicorn with 2 sync workers; wrk (from
Debian) is the single load generator, on the same machine. Each request carries a unique
MsgId (so partybot does the full work: signature and timestamp checks, dedupe insert,
member lookup, routing, the handler, reply rendering — never a dedupe hit). Rounds
alternate between the apps so drift on a shared machine hits all of them alike; the
table shows the median. On PostgreSQL, partybot also runs with every commit waiting for
the WAL flush (`partybot, sync commits`), the state before read-only messages committed
with synchronous_commit off.

    python benchmarks/webhook_rps.py [--seconds 10] [--rounds 3] [--database-url URL]
                                     [--before PATH] [--only NAME ...]

`--before PATH` runs another checkout of partybot (e.g. the commit before a change) as
more targets in the same rounds, on a database of its own prepared by its own code (a
second SQLite file; on PostgreSQL a schema of its own in the same database).

Needs: wrk on PATH, gunicorn (the dev extra) and werobot (`pip install werobot`).
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
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
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import free_port, gunicorn_argv, gunicorn_env  # noqa: E402

from bot.simulator import WeChatSide, text_xml  # noqa: E402

TOKEN = "bench-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wxsandbox00000000"  # partybot's sandbox app id, so no credentials are needed
OPENID = "demo-member"  # a bound member from the demo data: help is role-filtered
MEMBERS = 1000  # the mixed workload's senders
BEFORE_SCHEMA = "partybot_before"  # PostgreSQL: the --before checkout's tables
MIXED = ("帮助", "学习", "已学", "签到 {code}", "会议")


@dataclass
class Target:
    """One app under test."""

    name: str
    wsgi: str
    safe: bool
    env: dict[str, str]
    workload: str = "帮助"  # or "mixed"
    baseline: str = "wechatpy echo"
    root: Path = ROOT  # where its code is imported from (--before: another checkout)


def messages(workload: str, code: str) -> list[tuple[str, str]]:
    """(openid, text) of one cycle of the workload."""
    if workload == "帮助":
        return [(OPENID, "帮助")]
    return [(f"bench-{n % MEMBERS}", MIXED[(n // MEMBERS + n) % len(MIXED)].format(code=code))
            for n in range(MEMBERS * len(MIXED))]


def make_requests(path: Path, count: int, safe: bool, cycle: list[tuple[str, str]]) -> None:
    """Write `count` pre-signed requests, each with a fresh MsgId, one per line, going
    round the workload's cycle of (openid, text)."""
    side = WeChatSide(TOKEN, AES_KEY if safe else None, APP_ID)
    now = int(time.time())
    # One timestamp for the whole file, so each nonce must be unique: two random ones
    # alike (likely among 80,000) sign two messages alike, and partybot rightly refuses
    # the second as a replayed signature (a 403 counted as non-200).
    first_nonce = 10**9 + secrets.randbelow(8 * 10**9)
    with path.open("w") as out:
        for n in range(count):
            openid, text = cycle[n % len(cycle)]
            signed = side.sign_request(text_xml(openid, text, create_time=now), timestamp=now,
                                       nonce=str(first_nonce + n))
            body = signed.body.decode()
            assert "\n" not in body and "\t" not in body
            out.write(f"/wechat?{signed.query}\t{body}\n")


def start(target: Target, port: int, workdir: Path, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        gunicorn_argv(target.wsgi, port, workers),
        cwd=workdir, env=gunicorn_env({**os.environ, **target.env,
             "PYTHONPATH": f"{target.root}:{ROOT/'benchmarks'}"}),
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


def check_reply(target: Target, port: int, cycle: list[tuple[str, str]]) -> None:
    """One request by hand: the app answers 200 with a real reply (not an error page)."""
    side = WeChatSide(TOKEN, AES_KEY if target.safe else None, APP_ID)
    signed = side.sign_request(text_xml(*cycle[-1]))
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


PREPARE = f"""
from datetime import timedelta
from common import fresh_database
from core.config import load_settings
from bot.demo import seed_demo
from sqlalchemy import select

settings = load_settings()
try:  # feature packages; changes are actions taking an Actor (issue 24)
    from models.actors import Actor
    from models.db.base import utcnow
    from models.db.engine import make_engine, make_session_factory
    from models.delivery.outbox import ChannelPolicy
    from models.meetings.actions import create_meeting
    from models.meetings.rules import NewMeeting
    from models.meetings.tables import MeetingKind
    from models.members.org_tables import Org
    from models.members.tables import Member
    from models.study.actions import PushTimes, publish_post
    from models.study.posting import Draft

    def post(session, branch, draft, now):
        publish_post(session, Actor.cli("bench"), branch, draft, now,
                     PushTimes(settings.tz, settings.study_push_time), confirmed=True)

    def schedule(session, new, now):
        return create_meeting(session, Actor.cli("bench"), new,
                              outbox=ChannelPolicy(settings.templates), tz=settings.tz,
                              now=now).meeting
except ImportError:  # the flat modules before it (commit 0ec8718, `--before`)
    from models.base import make_engine, make_session_factory, utcnow
    from models.meetings import MeetingKind, NewMeeting, create_meeting
    from models.member import Member
    from models.org import Org
    from models.posting import Draft, publish

    def post(session, branch, draft, now):
        publish(session, branch.id, draft, None, now, now)

    def schedule(session, new, now):
        return create_meeting(session, new, None, now)

fresh_database(settings.database_url)
engine = make_engine(settings.database_url)
session = make_session_factory(engine)()
now = utcnow()
seed_demo(session, now)
branch = session.scalar(select(Org).where(Org.name == "辽原村党支部"))
session.add_all([Member(name=f"党员{{n}}", branch_id=branch.id, phone=f"139{{n:08d}}",
                        openid=f"bench-{{n}}", subscribed=True, bound_at=now)
                 for n in range({MEMBERS})])
post(session, branch, Draft("学习党章", "第一章 党员"), now)
# a benchmark run at night still wants its meeting (issue 25: night starts are confirmed)
confirmable = "night_confirmed" in NewMeeting.__dataclass_fields__
night = {{"night_confirmed": True}} if confirmable else {{}}
meeting = schedule(session, NewMeeting(org_id=branch.id, kind=MeetingKind.BRANCH_ASSEMBLY,
                   starts_at=now + timedelta(minutes=30), place="村委会", **night), now)
session.commit()
print(meeting.code)
"""


def prepare_partybot_db(workdir: Path, env: dict[str, str], root: Path = ROOT) -> str:
    """A fresh database: the demo county, 1,000 more members, today's study item and a
    meeting open for check-in; returns that meeting's 签到码. `root`: the checkout whose
    code (and benchmarks/common.py) builds it."""
    result = subprocess.run([sys.executable, "-c", PREPARE], cwd=workdir, check=True,
                            env={**os.environ, **env,
                                 "PYTHONPATH": f"{root}:{root / 'benchmarks'}"},
                            capture_output=True, text=True)
    return result.stdout.strip().splitlines()[-1]


def before_database(url: str | None, workdir: Path) -> str:
    """Where the --before checkout's own database lives (its schema is older): a second
    SQLite file, or on PostgreSQL a schema of its own in the same database (its
    fresh_database drops `public`, so it is prepared before ours)."""
    if url is None:
        return f"sqlite:///{workdir}/bench-before.db"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {BEFORE_SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {BEFORE_SCHEMA}"))
    engine.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{BEFORE_SCHEMA}"


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
    parser.add_argument("--before", type=Path, default=None,
                        help="another checkout of partybot, run as more targets in the same "
                             "rounds (before/after a change)")
    parser.add_argument("--only", action="append", default=None,
                        help="run only the targets whose name contains this text (and "
                             "their baselines); repeatable, e.g. --only 'partybot, plain'")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="partybot-bench-"))
    base_env = {"WECHAT_TOKEN": TOKEN, "PARTYBOT_INSTANCE_PATH": str(workdir / "instance"),
                "PARTYBOT_DATABASE_URL": args.database_url
                or f"sqlite:///{workdir}/bench.db"}
    before_env: dict[str, str] = {}
    codes: dict[Path, str] = {}
    if args.before is not None:  # first: on PostgreSQL its preparation drops `public`
        before_env = {**base_env, "PARTYBOT_INSTANCE_PATH": str(workdir / "instance-before"),
                      "PARTYBOT_DATABASE_URL": before_database(args.database_url, workdir)}
        codes[args.before.resolve()] = prepare_partybot_db(workdir, before_env,
                                                           args.before.resolve())
    codes[ROOT] = prepare_partybot_db(workdir, base_env)
    aes_env = {"WECHAT_ENCODING_AES_KEY": AES_KEY, "ECHO_APP_ID": APP_ID}
    postgres = base_env["PARTYBOT_DATABASE_URL"].startswith("postgresql")

    targets = [
        Target("wechatpy echo, plain", "echo_app:app", False, base_env),
        Target("WeRoBot echo + session, plain", "werobot_app:app", False, base_env, "mixed"),
        Target("partybot, plain", "bot:create_app()", False, base_env),
        # production's access log (deploy/gunicorn.conf.py's format) to a file: its cost
        Target("partybot with access log, plain", "bot:create_app()", False,
               {**base_env, "PARTYBOT_WEB_ACCESS_LOG": str(workdir / "access.log")}),
        Target("partybot mixed, plain", "bot:create_app()", False, base_env, "mixed",
               "WeRoBot echo + session"),
        Target("wechatpy echo, safe", "echo_app:app", True, {**base_env, **aes_env}),
        Target("partybot, safe", "bot:create_app()", True, {**base_env, **aes_env}),
    ]
    if args.before is not None:
        before = args.before.resolve()
        targets += [
            Target("partybot before, plain", "bot:create_app()", False, before_env,
                   root=before),
            Target("partybot mixed before, plain", "bot:create_app()", False, before_env,
                   "mixed", "WeRoBot echo + session", root=before),
            Target("partybot before, safe", "bot:create_app()", True, {**before_env, **aes_env},
                   root=before),
        ]
    if postgres:
        targets += [
            Target("partybot sync commits, plain", "partybot_sync_app:app", False, base_env),
            Target("partybot mixed sync commits, plain", "partybot_sync_app:app", False,
                   base_env, "mixed", "WeRoBot echo + session"),
        ]

    if args.only is not None:
        chosen = [t for t in targets if any(part in t.name for part in args.only)]
        needed = {f"{t.baseline}, {'safe' if t.safe else 'plain'}" for t in chosen}
        targets = [t for t in targets if t in chosen or t.name in needed]
    results: dict[str, list[float]] = {t.name: [] for t in targets}
    errors: dict[str, int] = {t.name: 0 for t in targets}
    for round_no in range(1, args.rounds + 1):
        for target in targets:
            request_file = workdir / "requests.txt"
            cycle = messages(target.workload, codes.get(target.root, codes[ROOT]))
            make_requests(request_file, args.per_run, target.safe, cycle)
            port = free_port()
            process = start(target, port, workdir, args.workers)
            try:
                check_reply(target, port, cycle)
                rps, non200 = run_wrk(port, request_file, args.seconds, args.connections)
            finally:
                process.terminate()
                process.wait(timeout=30)
            results[target.name].append(rps)
            errors[target.name] += non200
            print(f"round {round_no}: {target.name:<36} {rps:8.0f} req/s  non-200: {non200}",
                  flush=True)

    median = {name: statistics.median(values) for name, values in results.items()}
    print()
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {date.today()}; gunicorn {args.workers} sync "
          f"workers, "
          f"wrk -t2 -c{args.connections}, {args.seconds}s x {args.rounds} rounds (median)")
    print()
    database = "PostgreSQL" if postgres else "SQLite"
    print(f"| app ({database}) | workload | mode | req/s (median) | ratio | to | non-200 |")
    print("| --- | --- | --- | ---: | ---: | --- | ---: |")
    for target in targets:
        mode = "safe (AES)" if target.safe else "plain"
        baseline_name = f"{target.baseline}, {'safe' if target.safe else 'plain'}"
        ratio = median[target.name] / median[baseline_name]
        name = target.name.rsplit(",", 1)[0]
        print(f"| {name} | {target.workload} | {mode} | {median[target.name]:.0f} | "
              f"{ratio:.2f}x | {target.baseline} | {errors[target.name]} |")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
