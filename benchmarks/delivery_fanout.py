"""Fan-out of 10,000 notices to the fake WeChat API with 20 ms per call.

Compares, in one run:
- partybot's delivery loop: a real `partybot scheduler --delivery-only` process
  (claim with a lease → thread pool → record), wall time from process start until
  every row is `sent`, and the process's peak RSS;
- a naive sequential loop of wechatpy `client.message.send_template` calls (on a
  sample of --naive messages: at 20 ms a call, 10,000 would take four minutes).
Then a county-like run under WeChat's real rules (the fake enforces them): 10,000
members, a third reached by template, a third only by customer-service messages within
their allowance (a tenth of them sent more notices than the allowance holds), a third
without WeChat through their helpers (whose daily message is a template); 10% transient
failures on both endpoints and one SIGKILL of the worker mid-run, restarted. Reports per
channel: delivered, held, failed, duplicates at the fake, and refusals for sending past
an allowance (45047/45015).

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

from bot.schema_upgrade import upgrade_database  # noqa: E402
from core.service_allowance import MESSAGE  # noqa: E402
from core.template_messages import default_spec  # noqa: E402
from models.db.base import utcnow  # noqa: E402
from models.db.engine import make_engine, make_session_factory  # noqa: E402
from models.db.webhook_statements import open_allowance  # noqa: E402
from models.delivery.outbox import Channel, ChannelPolicy, Notice, Outbox, Status  # noqa: E402
from models.members.org_tables import Org  # noqa: E402
from models.members.tables import Member  # noqa: E402
from models.pairing.tables import HelpPair  # noqa: E402

LATENCY = 0.020
TEMPLATE = "TPL-BENCH"
BENCH_SPEC = default_spec("bench", TEMPLATE)
MEETING_FIELDS = {"meeting": "支部党员大会", "time": "2026年12月5日 09:00", "place": "村委会",
                  "code": "4821"}


def start_fake(port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "bot.sandbox.fake_api", "--port",
                                str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            requests.post(f"http://127.0.0.1:{port}/_fake/reset", json={}, timeout=1)
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
                         "data": BENCH_SPEC.render({"text": f"通知{n}"}), "url": None},
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
        client.message.send_template(f"o-naive-{n}", TEMPLATE, BENCH_SPEC.render({"text": "x"}))
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


def fill_mixed(url: str, count: int, fake_url: str, env: dict[str, str]) -> dict[str, int]:
    """The county-like run's members and notices, queued through the real channel
    policy; the helpers' daily messages queued by the real sweeper."""
    from bot.services import build_services
    from core.config import load_settings
    from schedules.pairing import send_relay_digests

    engine = make_engine(url)
    upgrade_database(engine)
    engine.dispose()
    services = build_services(load_settings(env, dotenv_path=None))
    now = utcnow()
    third = count // 3
    with services.sessions() as session:
        branch = Org(name="基准支部", kind="branch")
        session.add(branch)
        session.flush()
        rows = [{"name": f"模板{i}", "openid": f"o-t-{i}", "subscribed": True,
                 "is_helper": i < third // 3 + 1, "needs_help": None} for i in range(third)]
        rows += [{"name": f"客服{i}", "openid": f"o-c-{i}", "subscribed": True,
                  "is_helper": False, "needs_help": None} for i in range(third)]
        rows += [{"name": f"帮扶{i}", "openid": None, "subscribed": False, "is_helper": False,
                  "needs_help": "无手机"} for i in range(count - 2 * third)]
        session.execute(insert(Member), [{"branch_id": branch.id, "phone": None,
                                          "is_admin": False, "created_at": now, **row}
                                         for row in rows])
        members = list(session.scalars(select(Member).order_by(Member.id)))
        by_template, by_service, by_helper = (members[:third], members[third:2 * third],
                                              members[2 * third:])
        helpers = [m for m in by_template if m.is_helper]
        session.execute(insert(HelpPair), [
            {"helper_id": helpers[n // 3].id, "member_id": m.id, "created_at": now}
            for n, m in enumerate(by_helper)])
        for member in by_service:  # each wrote to the account today
            open_allowance(session, str(member.openid), MESSAGE, now)
        notice = Notice("meeting_notice", "【会议通知】支部党员大会", fields=MEETING_FIELDS)
        services.outbox.enqueue_many(session, [(f"n:{m.id}", m) for m in by_template],
                                     notice, now)
        plain = ChannelPolicy({})  # these members' notices have no template
        plain.enqueue_many(session, [(f"n:{m.id}", m) for m in by_service + by_helper],
                           notice, now)
        busy = by_service[: len(by_service) // 10]  # more notices than the allowance holds
        for extra in range(6):
            plain.enqueue_many(session, [(f"x{extra}:{m.id}", m) for m in busy],
                               Notice("compliance_warning", f"工作提醒{extra}"), now)
        session.commit()
    requests.post(f"{fake_url}/_fake/user_action", timeout=60, json={
        "openids": [m.openid for m in by_service], "action": "message"})
    digests = send_relay_digests(services)
    services.dispose()
    return {"template": len(by_template), "service": len(by_service),
            "helper": len(by_helper), "busy": len(busy), "digests": digests}


def settled(url: str) -> dict[str, int]:
    """Rows per status."""
    engine = make_engine(url)
    with engine.connect() as connection:
        found = dict(connection.execute(select(Outbox.status, func.count())
                                        .group_by(Outbox.status)).all())
    engine.dispose()
    return found


def run_mixed(url: str, fake_url: str, env: dict[str, str], workdir: Path,
              kill_after: int) -> dict[str, float]:
    """The worker until no row is waiting to be sent; SIGKILLed once midway."""
    started = time.monotonic()
    process = worker(env, workdir)
    killed = False
    while True:
        states = settled(url)
        open_rows = sum(states.get(s, 0) for s in (Status.PENDING, Status.SENDING,
                                                   Status.UNKNOWN))
        if not killed and states.get(Status.SENT, 0) >= kill_after:
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed = True
            process = worker(env, workdir)
        if killed and open_rows == 0:
            break
        if time.monotonic() - started > 1200:
            raise RuntimeError(f"{open_rows} rows still open after 20 minutes")
        time.sleep(0.3)
    wall = time.monotonic() - started
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    return {"wall": wall}


def mixed_report(url: str, fake_url: str) -> dict[str, dict[str, int]]:
    """Per channel: what the database says and what the fake received."""
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(Outbox.channel, Outbox.status, Outbox.kind,
                                         Outbox.openid, Outbox.payload)).all()
    engine.dispose()
    fake = requests.get(f"{fake_url}/_fake/stats", timeout=60).json()
    messages = requests.get(f"{fake_url}/_fake/messages", timeout=120).json()["messages"]
    at_fake = Counter((m["channel"], m["openid"], json_key(m)) for m in messages)
    report: dict[str, dict[str, int]] = {}
    for name, channel in (("template", "template"), ("customer service", "custom")):
        mine = [r for r in rows if r.channel == channel]
        sent = [r for r in mine if r.status == Status.SENT]
        keys = {(channel, r.openid, row_key(channel, r.payload)) for r in sent}
        report[name] = {
            "queued": len(mine), "delivered": len(sent),
            "held": sum(1 for r in mine if r.status in (Status.HELD, Status.MERGED)),
            "failed": sum(1 for r in mine if r.status == Status.FAILED),
            "lost": len(keys - set(at_fake)),
            "duplicates": sum(n - 1 for (c, _, _), n in at_fake.items() if c == channel),
        }
    relayed = sum(1 for r in rows if r.status == Status.RELAYED)
    report["helper"] = {"queued": relayed, "delivered": relayed, "held": 0, "failed": 0,
                        "lost": 0, "duplicates": 0}
    report["fake"] = {"refused": sum(fake.get("refused", {}).values()),
                      "dropped": fake.get("duplicates_dropped", 0)}
    return report


def json_key(message: dict) -> str:
    body = message["body"]
    return row_key(message["channel"], {"text": (body.get("text") or {}).get("content"),
                                         "data": body.get("data")})


def row_key(channel: str, payload: dict) -> str:
    import json
    return json.dumps(payload.get("data") if channel == "template" else payload.get("text"),
                      sort_keys=True, ensure_ascii=False)


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
        url = f"sqlite:///{workdir}/clean.db"
        fill(url, args.messages)
        requests.post(f"{fake_url}/_fake/reset", json={}, timeout=5)
        requests.post(f"{fake_url}/_fake/latency", json={"seconds": LATENCY}, timeout=5)
        clean = run_partybot(url, fake_url, {**base_env, "PARTYBOT_DATABASE_URL": url},
                             workdir, args.messages)
        print(f"partybot clean: {clean['wall']:.1f} s, {clean['rate']:.0f} msg/s, peak RSS "
              f"{clean['rss']:.0f} MB, lost {clean['lost']}, duplicates {clean['dups']}",
              flush=True)

        url = f"sqlite:///{workdir}/mixed.db"
        requests.post(f"{fake_url}/_fake/reset", json={}, timeout=5)
        env = {**base_env, "PARTYBOT_DATABASE_URL": url,
               "PARTYBOT_TEMPLATE_IDS": "meeting_notice=TPL-MEETING,relay_digest=TPL-RELAY",
               "PARTYBOT_DELIVERY_LEASE_SECONDS": "10", "PARTYBOT_UNKNOWN_RETRY_SECONDS": "0"}
        counts = fill_mixed(url, args.messages, fake_url, env)
        requests.post(f"{fake_url}/_fake/latency", json={"seconds": LATENCY}, timeout=5)
        for endpoint in ("message/template/send", "message/custom/send"):
            requests.post(f"{fake_url}/_fake/faults", json={
                "endpoint": endpoint, "errcode": -1, "times": -1, "probability": 0.10},
                timeout=5)
        mixed = run_mixed(url, fake_url, env, workdir, kill_after=args.messages // 4)
        report = mixed_report(url, fake_url)
        sends = report["template"]["delivered"] + report["customer service"]["delivered"]
        print(f"partybot mixed: {mixed['wall']:.1f} s, {sends / mixed['wall']:.0f} sends/s, "
              f"{counts}, {report}", flush=True)
    finally:
        fake.terminate()
        fake.wait()

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
    rate = sends / mixed["wall"]
    lost = report["template"]["lost"] + report["customer service"]["lost"]
    dups = report["template"]["duplicates"] + report["customer service"]["duplicates"]
    print(f"| partybot, county mix, 10% transient errors + SIGKILL | {sends} sends | "
          f"{mixed['wall']:.1f} s | {rate:.0f} | {rate / naive:.1f}x | – | {lost} | {dups} |")
    print()
    print(f"County mix: {counts['template']} members by template, {counts['service']} by "
          f"customer service ({counts['busy']} of them sent 7 notices against an allowance "
          f"of 5), {counts['helper']} through helpers ({counts['digests']} helpers' daily "
          f"messages, by template).")
    print()
    print("| channel | queued | delivered | held | failed | lost | duplicates at the fake |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in ("template", "customer service", "helper"):
        r = report[name]
        print(f"| {name} | {r['queued']} | {r['delivered']} | {r['held']} | {r['failed']} | "
              f"{r['lost']} | {r['duplicates']} |")
    print()
    print(f"Refused by the fake for sending past an allowance (45047/45015): "
          f"{report['fake']['refused']}; template resends dropped by client_msg_id: "
          f"{report['fake']['dropped']}")


if __name__ == "__main__":
    main()
