"""The members' own screen at county scale (issue 26): a county of 100,000 members in
1,000 branches with two years of study items, and the member pages (and the mini-program
API, once it exists) answering 16 concurrent clients.

The county: 1 county committee, 10 township committees, 1,000 branches of 100 members;
study items for two years — 3 a week from the county, 1 a week from each township, 2 a
month from each branch (about 49,000 items, one in three with two photos, 1% withdrawn)
— and 已学 records for the items of the last `--record-weeks` weeks (each member studied
60% of what they saw; 13 weeks ≈ 3.5 million rows); two upcoming meetings per branch.
The database is cached between runs: `--reuse` skips the build when the cache says it
was built with the same shape (SQLite: a file under /tmp; PostgreSQL: the database given).

Then the app runs under gunicorn (2 sync workers, like county.py and webhook_rps.py), its
WeChat API a fake served by this script (bot.sandbox.fake_api). Each client logs in as
its own member:
- pages: through the real login chain once per member — /m/ → the fake's authorize page
  (sandbox_openid picks the member, as the sandbox does) → /m/oauth/callback (the code
  exchanged at sns/oauth2/access_token) → /m/ — keeping the session cookie it gets;
- api: POST /api/v1/login {"code"} against the fake's jscode2session, then
  POST /api/v1/bind with the member's name and phone tail if not bound.
Targets (`--targets`): home = /m/; pages = /m/study and /m/study/<id> (the newest item
the member sees); api = GET /api/v1/study. A target whose route answers 404 is skipped
with a line saying so. Load: wrk (if on PATH; else Python threads with keep-alive),
`--clients` connections for `--seconds` each: p50 / p90 / p99, requests/s, errors.
Page weight: the HTML and the CSS and JavaScript it links, as sent and gzipped.

`--rate R` paces the load instead (R requests a second across the clients, each on its
own schedule; latency counted from when a request was due, so a late answer also
delays the next — what real phones, whose members read between taps, do to a server).
`--before DIR` runs every route first against the code in DIR (a `git worktree` of an
older commit, served from this checkout's virtualenv) and then against this checkout,
on the same database, and prints the ratios. The per-token rate limit is set high
(`--api-rate`): the clients call far more often than a person does.

    python benchmarks/member_screen.py [--database-url URL] [--targets home,pages,api]
        [--reuse] [--seconds 20] [--clients 16] [--rate 0] [--before DIR]
        [--branches 1000] [--members 100]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import (  # noqa: E402
    analyze,
    free_port,
    fresh_database,
    gunicorn_argv,
    gunicorn_env,
)
from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.exc import SQLAlchemyError  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from bot.sandbox.fake_api import make_fake_app  # noqa: E402
from bot.schema_upgrade import upgrade_database  # noqa: E402
from models.db.engine import make_engine, make_session_factory  # noqa: E402
from models.meetings.tables import Meeting  # noqa: E402
from models.members.org_tables import Org, OrgKind  # noqa: E402
from models.members.tables import Member  # noqa: E402
from models.study.queries import newest_item  # noqa: E402
from models.study.tables import StudyItem, StudyItemImage, StudyRecord  # noqa: E402

TOKEN = "bench-token"
SECRET = "member-screen-bench-secret"
CACHE = Path(tempfile.gettempdir()) / "partybot-member-screen"
WEEK = timedelta(days=7)
PARAGRAPH = ("各支部要把学习贯彻党的创新理论作为首要政治任务，坚持读原著、学原文、悟原理，"
             "结合农村实际和党员思想实际，做到学思用贯通、知信行统一。")


# Building the county ------------------------------------------------------------------


def shape_of(args: argparse.Namespace) -> dict[str, int]:
    return {"branches": args.branches, "members": args.members,
            "record_weeks": args.record_weeks, "version": 1}


def marker_path(url: str) -> Path:
    """Where the cache notes that `url` holds a complete build (and of what shape)."""
    return CACHE / f"{hashlib.sha1(url.encode()).hexdigest()[:16]}.json"


def item_rows(org_id: int, count: int, every: timedelta, start: datetime, title: str,
              rng: random.Random) -> list[dict[str, Any]]:
    """`count` items of one org, one every `every` from `start`."""
    rows = []
    for n in range(count):
        at = start + n * every + timedelta(hours=rng.randrange(0, 10))
        body = "\n\n".join(f"{n + 1}. {PARAGRAPH}" for n in range(rng.randrange(6, 14)))
        rows.append({"org_id": org_id, "title": f"{title}第{n + 1}期：学习党章和党的创新理论",
                     "body": body, "link": "https://mp.weixin.qq.com/s/bench" if n % 4 == 0
                     else None, "media_link": None, "source": None, "author_id": None,
                     "content_hash": hashlib.sha256(f"{org_id}:{n}".encode()).hexdigest(),
                     "publish_at": at, "push_at": at, "pushed_at": at, "created_at": at,
                     "withdrawn_at": at + timedelta(hours=1) if rng.random() < 0.01
                     else None})
    return rows


def build(url: str, branches: int, per_branch: int, record_weeks: int) -> float:
    """The county, its items, records and meetings; returns the seconds it took."""
    engine = make_engine(url)
    rng = random.Random(26)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.monotonic()
    weeks = 104
    begin = now - weeks * WEEK
    recent = now - record_weeks * WEEK
    with make_session_factory(engine)() as session:
        county = Org(name="嘉荫县委", kind=OrgKind.COMMITTEE)
        session.add(county)
        session.flush()
        townships = [Org(name=f"第{t + 1}乡党委", kind=OrgKind.COMMITTEE, parent_id=county.id)
                     for t in range(max(1, branches // 100))]
        session.add_all(townships)
        session.flush()
        session.execute(insert(Org), [
            {"name": f"第{b + 1}村党支部", "kind": "branch",
             "parent_id": townships[b % len(townships)].id, "created_at": begin}
            for b in range(branches)])
        branch_rows = session.execute(select(Org.id, Org.parent_id).where(
            Org.kind == "branch").order_by(Org.id)).all()
        for chunk in range(0, branches, 100):
            session.execute(insert(Member), [
                {"name": f"党员{b}-{m}", "branch_id": branch_id,
                 "phone": f"1{(b * per_branch + m):010d}", "openid": f"o-{b}-{m}",
                 "subscribed": True, "is_admin": m == 0, "is_helper": False,
                 "created_at": begin}
                for b, (branch_id, _) in enumerate(branch_rows[chunk:chunk + 100],
                                                   start=chunk)
                for m in range(per_branch)])
        # items: the county's 3 a week, each township's 1 a week, each branch's 2 a month
        items = item_rows(county.id, weeks * 3, WEEK / 3, begin, "县委", rng)
        for township in townships:
            items += item_rows(township.id, weeks, WEEK, begin, township.name, rng)
        for branch_id, _ in branch_rows:
            items += item_rows(branch_id, 48, timedelta(days=15), begin, "支部", rng)
        for start in range(0, len(items), 5000):
            session.execute(insert(StudyItem), items[start:start + 5000])
        session.commit()
        photos = [{"item_id": item_id, "pic_url": f"https://mmbiz.qpic.cn/bench/{item_id}-{n}.jpg",
                   "media_id": None} for item_id in session.scalars(
                       select(StudyItem.id).where(StudyItem.id % 3 == 0)) for n in (1, 2)]
        for start in range(0, len(photos), 10000):
            session.execute(insert(StudyItemImage), photos[start:start + 10000])
        print(f"  {branches * per_branch} members, {len(items)} items: "
              f"{time.monotonic() - started:.0f} s", flush=True)
        # 已学 records of the recent items: each member studied 60% of what they saw
        recent_by_org: dict[int, list[tuple[int, datetime]]] = {}
        for item_id, org_id, at in session.execute(select(
                StudyItem.id, StudyItem.org_id, StudyItem.publish_at).where(
                StudyItem.publish_at >= recent, StudyItem.withdrawn_at.is_(None))):
            recent_by_org.setdefault(org_id, []).append((item_id, at))
        members_of: dict[int, list[int]] = {}
        for member_id, branch_id in session.execute(select(Member.id, Member.branch_id)):
            members_of.setdefault(branch_id, []).append(member_id)
        records = 0
        batch: list[dict[str, Any]] = []
        for index, (branch_id, township_id) in enumerate(branch_rows):
            seen = (recent_by_org.get(county.id, []) + recent_by_org.get(township_id or 0, [])
                    + recent_by_org.get(branch_id, []))
            for member_id in members_of[branch_id]:
                batch += [{"item_id": item_id, "member_id": member_id,
                           "studied_at": at + timedelta(hours=rng.randrange(1, 48)),
                           "via": "self", "helper_id": None}
                          for item_id, at in seen if rng.random() < 0.6]
            if len(batch) >= 50000 or index == len(branch_rows) - 1:
                session.execute(insert(StudyRecord), batch)
                records += len(batch)
                batch = []
            if index % 100 == 99:
                session.commit()
                print(f"  {index + 1} branches, {records} 已学 records, "
                      f"{time.monotonic() - started:.0f} s", flush=True)
        # two upcoming meetings per branch, hosted by its admin
        meetings: list[dict[str, Any]] = []
        for n, (branch_id, _) in enumerate(branch_rows):
            host = members_of[branch_id][0]
            for days, kind in ((2, "branch_assembly"), (30, "party_lecture")):
                starts = now + timedelta(days=days, hours=n % 8)
                meetings.append({
                    "org_id": branch_id, "kind": kind, "topic": "学习新修订的党章",
                    "starts_at": starts, "ends_at": starts + timedelta(hours=2),
                    "place": "村委会二楼会议室", "status": "planned", "host_id": host,
                    "code": f"{len(meetings):06d}", "photos": [],
                    "created_at": now})
        session.execute(insert(Meeting), meetings)
        session.commit()
    analyze(engine)
    engine.dispose()
    return time.monotonic() - started


def ensure_built(url: str, args: argparse.Namespace) -> tuple[float | None, bool]:
    """Build (or, with --reuse and a matching cache note, keep) the county; returns
    (build seconds or None, reused)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    marker = marker_path(url)
    if args.reuse and marker.exists() and json.loads(marker.read_text()) == shape_of(args):
        try:  # the database may have been emptied since (tests on the same one)
            counts = county_counts(url)
        except SQLAlchemyError:  # no tables at all: build again
            counts = {}
        if counts.get("members") == args.branches * args.members and counts.get("records"):
            engine = make_engine(url)
            upgrade_database(engine)  # newer migrations since the cache was built
            engine.dispose()
            return None, True
    marker.unlink(missing_ok=True)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    fresh_database(url)
    seconds = build(url, args.branches, args.members, args.record_weeks)
    marker.write_text(json.dumps(shape_of(args)))
    return seconds, False


def county_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as connection:
        counts = {name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                  for name, table in (("members", Member), ("items", StudyItem),
                                      ("records", StudyRecord))}
    engine.dispose()
    return counts


@dataclass
class Person:
    """One member a client acts as: who, and the newest item they see."""

    openid: str
    name: str
    phone: str
    item_id: int
    cookies: str = ""
    token: str = ""


def pick_people(url: str, count: int) -> list[Person]:
    """`count` members from branches spread over the county (one per branch)."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    people = []
    with make_session_factory(engine)() as session:
        branch_ids = list(session.scalars(select(Org.id).where(Org.kind == "branch")
                                          .order_by(Org.id)))
        step = max(1, len(branch_ids) // count)
        for branch_id in branch_ids[::step][:count]:
            member = session.scalars(select(Member).where(Member.branch_id == branch_id)
                                     .order_by(Member.id).offset(7).limit(1)).one()
            item = newest_item(session, branch_id, now)
            assert item is not None
            people.append(Person(member.openid or "", member.name, member.phone or "",
                                 item.id))
    engine.dispose()
    return people


# Serving ----------------------------------------------------------------------------------


class Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class Fake:
    """The fake WeChat API in this process, on a free port."""

    def __init__(self) -> None:
        self.server = make_server("127.0.0.1", 0, make_fake_app(), threaded=True,
                                  request_handler=Quiet)
        self.base = f"http://127.0.0.1:{self.server.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()


def start_app(url: str, fake: Fake, workdir: Path, workers: int,
              worker_class: str, root: Path = ROOT,
              api_rate: int = 1_000_000) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "PARTYBOT_DATABASE_URL": url, "WECHAT_TOKEN": TOKEN,
           "PARTYBOT_SECRET_KEY": SECRET, "WECHAT_API_BASE_URL": fake.base,
           "PARTYBOT_INSTANCE_PATH": str(workdir / "instance"), "PYTHONPATH": str(root),
           "PARTYBOT_API_RATE_PER_MINUTE": str(api_rate)}
    for name in ("WECHAT_APP_ID", "PARTYBOT_PUBLIC_URL"):
        env.pop(name, None)
    server = subprocess.Popen(
        gunicorn_argv("bot:create_app()", port, workers, "-k", worker_class),
        cwd=workdir, env=gunicorn_env(env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{base}/healthz", timeout=5).ok:
                return server, base
        except requests.RequestException:  # not listening yet, or still importing
            pass
        if server.poll() is not None:
            break
        time.sleep(0.1)
    server.kill()
    said = (server.stderr.read() if server.stderr else b"").decode()
    sys.exit(f"gunicorn did not start: {said[-2000:]}")


def page_login(base: str, person: Person) -> None:
    """The pages' login chain, as WeChat's browser would follow it (the fake's authorize
    page told who is opening the link); keeps the cookie header for the load."""
    http = requests.Session()
    first = http.get(f"{base}/m/", allow_redirects=False, timeout=10)
    assert first.status_code == 302, first.status_code
    authorize = http.get(first.headers["Location"], params={"sandbox_openid": person.openid},
                         allow_redirects=False, timeout=10)
    assert authorize.status_code == 302, authorize.text[:200]
    landed = http.get(authorize.headers["Location"], timeout=10)
    assert landed.status_code == 200 and urlsplit(landed.url).path == "/m/", \
        (landed.status_code, landed.url)
    person.cookies = "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def api_login(base: str, fake: Fake, person: Person, code_template: str) -> str | None:
    """A Bearer token for `person` through POST /api/v1/login (and /bind if needed);
    None and why, on failure, in the returned string's place (token set on success)."""
    if code_template == "mint":  # what wx.login gives: a code the fake minted for the user
        minted = requests.post(f"{fake.base}/_fake/miniprogram/code",
                               json={"openid": f"mp-{person.openid}"}, timeout=10)
        code = minted.json().get("code", "") if minted.ok else ""
    else:
        code = code_template.format(openid=person.openid)
    answer = requests.post(f"{base}/api/v1/login", json={"code": code}, timeout=10)
    if answer.status_code != 200:
        return f"POST /api/v1/login answered {answer.status_code} {answer.text[:200]}"
    body = answer.json()
    person.token = body["token"]
    if not body.get("bound"):
        bound = requests.post(f"{base}/api/v1/bind", json={
            "name": person.name, "phone_tail": person.phone[-4:]},
            headers={"Authorization": f"Bearer {person.token}"}, timeout=10)
        if bound.status_code >= 300:
            return f"POST /api/v1/bind answered {bound.status_code} {bound.text[:200]}"
    return None


# Load -----------------------------------------------------------------------------------


@dataclass
class Load:
    """One route under load."""

    label: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    p50: float = 0.0
    p90: float = 0.0
    p99: float = 0.0
    tool: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


WRK_SCRIPT = """
-- each line: path TAB header-name TAB header-value; thread k takes lines k, k+T, ...
local counter = 0
local threads = {}
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  lines = {}
  for line in io.lines(args[1]) do
    local a = line:find("\\t", 1, true)
    local b = line:find("\\t", a + 1, true)
    table.insert(lines, {line:sub(1, a - 1), line:sub(a + 1, b - 1), line:sub(b + 1)})
  end
  step = tonumber(args[2])
  position = id
end
function request()
  if position > #lines then position = ((position - 1) % step) + 1 end
  local l = lines[position]
  position = position + step
  return wrk.format("GET", l[1], {[l[2]] = l[3]})
end
function response(status, headers, body)
  if status ~= 200 then bad = (bad or 0) + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("bad") or 0) end
  io.write(string.format("NON200 %d\\n", total))
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("P%d %f\\n", p, latency:percentile(p) / 1000.0))
  end
  io.write(string.format("REQUESTS %d\\n", summary.requests))
  io.write(string.format("SOCKETERRORS %d\\n", summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


def run_wrk(base: str, lines: list[tuple[str, str, str]], label: str, seconds: int,
            clients: int, workdir: Path) -> Load:
    threads = min(2, clients)  # wrk needs a connection per thread
    requests_file = workdir / "wrk-requests.tsv"
    requests_file.write_text("".join(f"{p}\t{h}\t{v}\n" for p, h, v in lines))
    script = workdir / "wrk-member-screen.lua"
    script.write_text(WRK_SCRIPT)
    result = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", str(script), base, "--", str(requests_file), str(threads)],
        capture_output=True, text=True, check=True)
    found = dict(line.split(" ", 1) for line in result.stdout.splitlines()
                 if line.split(" ", 1)[0] in ("NON200", "P50", "P90", "P99", "REQUESTS",
                                                 "SOCKETERRORS"))
    return Load(label, requests=int(found["REQUESTS"]),
                errors=int(found["NON200"]) + int(found["SOCKETERRORS"]), seconds=seconds,
                p50=float(found["P50"]), p90=float(found["P90"]), p99=float(found["P99"]),
                tool=f"wrk -t{threads} -c{clients}")


def run_threads(base: str, lines: list[tuple[str, str, str]], label: str, seconds: int,
                clients: int, rate: float = 0.0) -> Load:
    """The same load from Python threads (requests.Session, keep-alive) without wrk;
    with `rate`, paced: each client sends every clients/rate seconds (from a random
    start), its latency counted from when the request was due."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    every = clients / rate if rate else 0.0

    def client(offset: int) -> None:
        http = requests.Session()
        mine: list[float] = []
        bad = 0
        n = offset
        due = time.perf_counter() + random.random() * every
        while time.monotonic() < deadline:
            path, header, value = lines[n % len(lines)]
            n += clients
            if every:
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                began = due
                due += every
            else:
                began = time.perf_counter()
            try:
                answer = http.get(base + path, headers={header: value}, timeout=10)
                bad += answer.status_code != 200
            except requests.RequestException:
                bad += 1
            mine.append((time.perf_counter() - began) * 1000)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    workers = [threading.Thread(target=client, args=(t,)) for t in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))]

    tool = f"Python threads x{clients}" + (f", paced {rate:g}/s" if rate else "")
    return Load(label, requests=len(latencies), errors=errors[0], seconds=seconds,
                p50=pct(50), p90=pct(90), p99=pct(99), tool=tool)


def answers_404(base: str, path: str, headers: dict[str, str]) -> bool:
    return requests.get(base + path, headers=headers, timeout=10).status_code == 404


# Page weight ------------------------------------------------------------------------------


@dataclass
class Weight:
    path: str
    html: int
    html_gz: int
    assets: int
    assets_gz: int
    names: list[str]

    @property
    def total(self) -> int:
        return self.html + self.assets

    @property
    def total_gz(self) -> int:
        return self.html_gz + self.assets_gz


def weigh(base: str, path: str, cookies: str) -> Weight | None:
    """The HTML and every stylesheet and script it links (photos not counted)."""
    answer = requests.get(base + path, headers={"Cookie": cookies}, timeout=10)
    if answer.status_code != 200:
        return None
    html = answer.content
    links = re.findall(rb'<link[^>]+rel="stylesheet"[^>]*href="([^"]+)"', html) + \
        re.findall(rb'<link[^>]+href="([^"]+)"[^>]*rel="stylesheet"', html) + \
        re.findall(rb'<script[^>]+src="([^"]+)"', html)
    assets = assets_gz = 0
    names = []
    for link in dict.fromkeys(links):
        asset = requests.get(urljoin(base + path, link.decode()), timeout=10).content
        assets += len(asset)
        assets_gz += len(gzip.compress(asset, 6))
        names.append(urlsplit(link.decode()).path.rsplit("/", 1)[-1])
    return Weight(path, len(html), len(gzip.compress(html, 6)), assets, assets_gz, names)


# Main -------------------------------------------------------------------------------------


def measure(url: str, fake: Fake, workdir: Path, args: argparse.Namespace,
            people: list[Person], targets: list[str], root: Path, name: str, use_wrk: bool,
            loads: list[Load], skipped: list[str], weights: list[Weight] | None) -> None:
    """Serve the code in `root` and load each target route (labels prefixed `name`)."""
    server, base = start_app(url, fake, workdir, args.workers, args.worker_class, root,
                             args.api_rate)
    prefix = f"{name}: " if name else ""
    try:
        started = time.monotonic()
        for person in people:
            page_login(base, person)
        print(f"  {prefix}{len(people)} members logged in to the pages through the login "
              f"chain ({time.monotonic() - started:.1f} s)", flush=True)
        cookie = people[0].cookies
        routes: list[tuple[str, str, list[tuple[str, str, str]]]] = []
        if "home" in targets:
            routes.append(("home", "/m/", [("/m/", "Cookie", p.cookies) for p in people]))
        if "pages" in targets:
            routes.append(("pages", "/m/study",
                           [("/m/study", "Cookie", p.cookies) for p in people]))
            routes.append(("pages", "/m/study/<id>",
                           [(f"/m/study/{p.item_id}", "Cookie", p.cookies) for p in people]))
        if "api" in targets:
            if answers_404(base, "/api/v1/study", {}):
                skipped.append(f"{prefix}api: GET /api/v1/study answers 404 in this checkout "
                               "(the mini-program API is not there yet): skipped")
            else:
                failure = None
                for person in people:
                    failure = api_login(base, fake, person, args.api_code)
                    if failure:
                        break
                if failure:
                    skipped.append(f"{prefix}api: could not log in ({failure}); skipped")
                else:
                    routes.append(("api", "GET /api/v1/study",
                                   [("/api/v1/study", "Authorization", f"Bearer {p.token}")
                                    for p in people]))
        for target, label, lines in routes:
            first_path, header, value = lines[0]
            if answers_404(base, first_path, {header: value}):
                skipped.append(f"{prefix}{target}: {label} answers 404 in this checkout "
                               "(that page is not built here yet): skipped")
                continue
            for path, header, value in lines:  # warm both workers (statement caches)
                requests.get(base + path, headers={header: value}, timeout=10)
            print(f"  {prefix}load: {label}, {args.clients} clients, {args.seconds} s…",
                  flush=True)
            load = run_wrk(base, lines, label, args.seconds, args.clients, workdir) \
                if use_wrk and not args.rate else \
                run_threads(base, lines, label, args.seconds, args.clients, args.rate)
            load.label = prefix + load.label
            load.notes.append(f"load average after {os.getloadavg()[0]:.1f}")
            loads.append(load)
        if weights is not None:
            for path in ("/m/", "/m/study", f"/m/study/{people[0].item_id}"):
                found = weigh(base, path, cookie)
                if found is not None:
                    weights.append(found)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=None,
                        help="default: a SQLite file under the cache directory")
    parser.add_argument("--targets", default="home,pages,api",
                        help="comma-separated: home (/m/), pages (/m/study, /m/study/<id>), "
                             "api (GET /api/v1/study)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the built county when the cache says it has this shape")
    parser.add_argument("--branches", type=int, default=1000)
    parser.add_argument("--members", type=int, default=100, help="members per branch")
    parser.add_argument("--record-weeks", type=int, default=13,
                        help="weeks of items with study records")
    parser.add_argument("--logins", type=int, default=64, help="distinct members logged in")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--seconds", type=int, default=20, help="load per route")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--api-code", default="mint",
                        help="the wx.login code for a member ({openid} in it is replaced); "
                             "mint: a code the fake mints for the member")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="requests a second across all clients (0: closed loop)")
    parser.add_argument("--before", default=None,
                        help="a checkout of older code to measure first, on the same database")
    parser.add_argument("--settle", type=float, default=15.0,
                        help="seconds to wait between the --before run and this one")
    parser.add_argument("--api-rate", type=int, default=1_000_000,
                        help="PARTYBOT_API_RATE_PER_MINUTE for the served app")
    args = parser.parse_args()
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = set(targets) - {"home", "pages", "api"}
    if unknown:
        sys.exit(f"unknown targets: {', '.join(sorted(unknown))}")
    load_average = os.getloadavg()  # the machine is shared: say how busy it was
    CACHE.mkdir(parents=True, exist_ok=True)
    url = args.database_url or \
        f"sqlite:///{CACHE}/county-{args.branches}x{args.members}-{args.record_weeks}w.db"
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    print(f"county on {backend}: {url.split('@')[-1]}", flush=True)
    build_seconds, reused = ensure_built(url, args)
    counts = county_counts(url)
    print(f"  {'reused' if reused else f'built in {build_seconds:.0f} s'}: {counts}", flush=True)
    people = pick_people(url, args.logins)
    workdir = Path(tempfile.mkdtemp(prefix="partybot-member-screen-"))
    fake = Fake()
    loads: list[Load] = []
    skipped: list[str] = []
    weights: list[Weight] = []
    roots = [(Path(args.before).resolve(), "before"), (ROOT, "after")] if args.before \
        else [(ROOT, "")]
    try:
        for root, name in roots:
            if name == "after":  # let the database settle the first run's writes (WAL
                time.sleep(args.settle)  # checkpoint, autovacuum) before measuring again
            measure(url, fake, workdir, args, people, targets, root, name, bool(use_wrk),
                    loads, skipped, weights if root == ROOT else [])
    finally:
        fake.stop()
    print()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores (load average before "
          f"the run {load_average[0]:.1f}), Python {platform.python_version()}, "
          f"{date.today()}; {backend}; {counts['members']} members in {args.branches} "
          f"branches, {counts['items']} study items, {counts['records']} 已学 records "
          f"({'cached build' if reused else f'built in {build_seconds:.0f} s'}); "
          f"gunicorn {args.workers} {args.worker_class} workers; "
          f"{len(people)} members logged in through the pages' login chain")
    print()
    if loads:
        print("| route | clients | req/s | p50 | p90 | p99 | errors | load avg | target p99 |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for load in loads:
            print(f"| {load.label} ({load.tool}, {load.seconds} s) | {args.clients} | "
                  f"{load.rps:.0f} | {load.p50:.1f} ms | {load.p90:.1f} ms | "
                  f"{load.p99:.1f} ms | {load.errors} | "
                  f"{'; '.join(load.notes).removeprefix('load average after ')} | < 50 ms |")
        print()
        before = {load.label.removeprefix("before: "): load for load in loads
                  if load.label.startswith("before: ")}
        for load in loads:
            old = before.get(load.label.removeprefix("after: "))
            if load.label.startswith("after: ") and old is not None and load.p99:
                print(f"- {load.label.removeprefix('after: ')}: p99 {old.p99 / load.p99:.1f}x "
                      f"lower, p50 {old.p50 / max(load.p50, 0.001):.1f}x lower, req/s "
                      f"{load.rps / max(old.rps, 0.001):.1f}x")
        print()
    for line in skipped:
        print(f"- {line}")
    if skipped:
        print()
    if weights:
        print("| page | HTML | CSS + JS | total | total gzipped | limit |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for weight in weights:
            path = re.sub(r"/\d+$", "/<id>", weight.path)
            print(f"| {path} | {weight.html / 1024:.1f} KB | {weight.assets / 1024:.1f} KB "
                  f"({', '.join(weight.names) or '—'}) | {weight.total / 1024:.1f} KB | "
                  f"{weight.total_gz / 1024:.1f} KB | < 60 KB |")
    if any(load.errors for load in loads):
        print("\nsome requests failed: see the errors column")


if __name__ == "__main__":
    main()
