"""Fan-out of 10,000 template messages to the fake WeChat API with 20 ms per call.

Compares, in one run:
- partybot's delivery loop: a real `partybot scheduler --delivery-only` process
  (claim with a lease → thread pool → record), wall time from process start until
  every row is `sent`, and the process's peak RSS;
- a naive sequential loop of wechatpy `client.message.send_template` calls (on a
  sample of --naive messages: at 20 ms a call, 10,000 would take four minutes).
Then a second partybot run with 10% injected transient failures (errcode -1) and one
SIGKILL of the worker mid-run, restarted: counts lost and duplicated messages.

    python benchmarks/delivery_fanout.py [--messages 10000] [--threads 32] [--naive 1000]
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import free_port  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from models.base import make_engine, make_session_factory, utcnow  # noqa: E402
from models.member import Member  # noqa: E402
from models.migrate import upgrade_database  # noqa: E402
from models.org import Org  # noqa: E402
from models.outbox import Channel, Outbox, Status, template_fields  # noqa: E402

LATENCY = 0.020
TEMPLATE = "TPL-BENCH"


def start_fake(port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "bot.sandbox.fake_api", "--port",
                                str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            requests.post(f"http://127.0.0.1:{port}/_fake/reset", timeout=1)
            return process
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("fake API did not start")


def fill(url: str, count: int) -> None:
    """count members and one pending template row each (bulk inserts)."""
    engine = make_engine(url)
    upgrade_database(engine)
    now = utcnow()
    with make_session_factory(engine)() as session:
        branch = Org(name="基准支部", kind="branch")
        session.add(branch)
        session.flush()
        session.execute(insert(Member), [
            {"name": f"党员{i}", "branch_id": branch.id, "phone": f"139{i:08d}",
             "openid": f"o-bench-{i}", "subscribed": True, "is_admin": False,
             "is_helper": False, "created_at": now} for i in range(count)])
        ids = session.scalars(select(Member.id).order_by(Member.id)).all()
        session.execute(insert(Outbox), [
            {"dedupe_key": f"bench:{member_id}", "kind": "bench", "member_id": member_id,
             "openid": f"o-bench-{n}", "channel": Channel.TEMPLATE,
             "payload": {"text": f"通知{n}", "template_id": TEMPLATE,
                         "data": template_fields({"thing1": f"通知{n}"}), "url": None},
             "status": Status.PENDING, "send_after": now, "attempts": 0,
             "unknown_retried": False, "created_at": now}
            for n, member_id in enumerate(ids)])
        session.commit()
    engine.dispose()


def sent_count(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        value = connection.execute(select(func.count()).select_from(Outbox)
                                   .where(Outbox.status == Status.SENT)).scalar_one()
    engine.dispose()
    return value


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def worker(env: dict[str, str], workdir: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "scheduler", "--delivery-only"],
                            cwd=workdir, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def delivered(fake_url: str) -> Counter[str]:
    messages = requests.get(f"{fake_url}/_fake/messages", timeout=60).json()["messages"]
    return Counter(m["openid"] for m in messages)


def naive_rate(fake_url: str, count: int) -> float:
    """Sequential wechatpy send_template calls, as a first implementation would do."""
    from wechatpy import WeChatClient

    token = requests.get(f"{fake_url}/cgi-bin/token", params={
        "grant_type": "client_credential", "appid": "wx", "secret": "s"}, timeout=5).json()
    client = WeChatClient("wx", "s", access_token=token["access_token"], timeout=10)
    client.API_BASE_URL = f"{fake_url}/cgi-bin/"
    started = time.monotonic()
    for n in range(count):
        client.message.send_template(f"o-naive-{n}", TEMPLATE, template_fields({"thing1": "x"}))
    return count / (time.monotonic() - started)


def run_partybot(url: str, fake_url: str, env: dict[str, str], workdir: Path, total: int,
                 kill_at: int | None = None) -> dict[str, float]:
    started = time.monotonic()
    process = worker(env, workdir)
    killed = False
    peak = 0.0
    while True:
        done = sent_count(url)
        if process.poll() is None:
            peak = max(peak, peak_rss_mb(process.pid))
        if kill_at is not None and not killed and done >= kill_at:
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed = True
            process = worker(env, workdir)  # restarted, as a supervisor would
        if done >= total:
            break
        if time.monotonic() - started > 900:
            raise RuntimeError(f"only {done} of {total} sent after 15 minutes")
        time.sleep(0.2)
    wall = time.monotonic() - started
    peak = max(peak, peak_rss_mb(process.pid))
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    counts = delivered(fake_url)
    unique = len(counts)
    return {"wall": wall, "rate": total / wall, "rss": peak, "lost": total - unique,
            "dups": sum(counts.values()) - unique}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--naive", type=int, default=1000)
    args = parser.parse_args()

    port = free_port()
    fake_url = f"http://127.0.0.1:{port}"
    fake = start_fake(port)
    workdir = Path(tempfile.mkdtemp(prefix="partybot-fanout-"))
    try:
        requests.post(f"{fake_url}/_fake/latency", json={"seconds": LATENCY}, timeout=5)
        naive = naive_rate(fake_url, args.naive)
        print(f"naive sequential wechatpy: {naive:.1f} msg/s over {args.naive} messages",
              flush=True)

        base_env = {**os.environ, "WECHAT_API_BASE_URL": fake_url,
                    "PARTYBOT_INSTANCE_PATH": str(workdir / "instance"),
                    "PARTYBOT_SEND_RATE": "100000",
                    "PARTYBOT_DELIVERY_THREADS": str(args.threads),
                    "PYTHONPATH": str(ROOT)}
        results = {}
        for scenario in ("clean", "faults+kill"):
            url = f"sqlite:///{workdir}/{scenario.replace('+', '_')}.db"
            fill(url, args.messages)
            requests.post(f"{fake_url}/_fake/reset", timeout=5)
            requests.post(f"{fake_url}/_fake/latency", json={"seconds": LATENCY}, timeout=5)
            env = {**base_env, "PARTYBOT_DATABASE_URL": url}
            kill_at = None
            if scenario != "clean":
                requests.post(f"{fake_url}/_fake/faults", json={
                    "endpoint": "message/template/send", "errcode": -1, "times": -1,
                    "probability": 0.10}, timeout=5)
                env.update(PARTYBOT_DELIVERY_LEASE_SECONDS="10",
                           PARTYBOT_UNKNOWN_RETRY_SECONDS="0")
                kill_at = args.messages // 3
            results[scenario] = run_partybot(url, fake_url, env, workdir, args.messages,
                                             kill_at)
            r = results[scenario]
            print(f"partybot {scenario}: {r['wall']:.1f} s, {r['rate']:.0f} msg/s, "
                  f"peak RSS {r['rss']:.0f} MB, lost {r['lost']}, duplicates {r['dups']}",
                  flush=True)
    finally:
        fake.terminate()
        fake.wait()

    clean = results["clean"]
    chaos = results["faults+kill"]
    print()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {date.today()}; SQLite; fake API latency "
          f"{LATENCY * 1000:.0f} ms/call; {args.threads} delivery threads")
    print()
    print("| run | messages | wall time | msg/s | vs naive | peak RSS | lost | duplicates |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| naive sequential wechatpy loop | {args.naive} | {args.naive / naive:.1f} s | "
          f"{naive:.0f} | 1.0x | – | – | – |")
    print(f"| partybot delivery worker | {args.messages} | {clean['wall']:.1f} s | "
          f"{clean['rate']:.0f} | {clean['rate'] / naive:.1f}x | {clean['rss']:.0f} MB | "
          f"{clean['lost']} | {clean['dups']} |")
    print(f"| partybot, 10% transient errors + SIGKILL mid-run | {args.messages} | "
          f"{chaos['wall']:.1f} s | {chaos['rate']:.0f} | {chaos['rate'] / naive:.1f}x | "
          f"{chaos['rss']:.0f} MB | {chaos['lost']} | {chaos['dups']} |")


if __name__ == "__main__":
    main()
