"""`学习` and `已学` through the webhook, compared in the same run with `帮助`.

gunicorn with 2 sync workers, wrk as the single load generator (as in webhook_rps.py),
plain mode, a fresh MsgId per request. 1,000 bound members take turns; one study item
for the whole township is published today, so `学习` shows it (and remembers the view)
and `已学` records it (the first time per member; after that it answers 已经学过).

    python benchmarks/study_rps.py [--seconds 10] [--rounds 3]
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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from webhook_rps import (  # noqa: E402
    TOKEN,
    Target,
    check_reply,
    free_port,
    make_requests,
    run_wrk,
    start,
)

MEMBERS = tuple(f"o-bench-{n}" for n in range(1000))


def prepare(workdir: Path, env: dict[str, str]) -> None:
    code = (
        "from sqlalchemy import insert, select\n"
        "from core.config import load_settings\n"
        "from bot.demo import seed_demo\n"
        "from models.base import make_engine, make_session_factory, utcnow\n"
        "from models.member import Member\n"
        "from models.migrate import upgrade_database\n"
        "from models.org import Org\n"
        "from models.posting import Draft, publish\n"
        "s = load_settings(); e = make_engine(s.database_url); upgrade_database(e)\n"
        "S = make_session_factory(e)(); now = utcnow(); seed_demo(S, now)\n"
        "branch = S.scalar(select(Org).where(Org.name == '辽原村党支部'))\n"
        "S.execute(insert(Member), [dict(name=f'党员{n}', branch_id=branch.id, "
        "phone=f'139{n:08d}', openid=f'o-bench-{n}', subscribed=True, is_admin=False, "
        "is_helper=False, created_at=now) for n in range(1000)])\n"
        "township = S.scalar(select(Org).where(Org.name == '红光乡党委'))\n"
        "publish(S, township.id, Draft('学习贯彻全会精神', '全会审议通过了重要文件。' * 10), "
        "None, now, now)\n"
        "S.commit()\n")
    subprocess.run([sys.executable, "-c", code], cwd=workdir, check=True,
                   env={**os.environ, **env, "PYTHONPATH": str(ROOT)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--per-run", type=int, default=60_000)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="partybot-study-"))
    env = {"WECHAT_TOKEN": TOKEN, "PARTYBOT_INSTANCE_PATH": str(workdir / "instance"),
           "PARTYBOT_DATABASE_URL": f"sqlite:///{workdir}/study.db"}
    prepare(workdir, env)
    targets = [Target(f"partybot {text}", "bot:create_app()", False, env, text, MEMBERS)
               for text in ("帮助", "学习", "已学")]
    results: dict[str, list[float]] = {t.name: [] for t in targets}
    errors = dict.fromkeys(results, 0)
    for round_no in range(1, args.rounds + 1):
        for target in targets:
            request_file = workdir / "requests.txt"
            make_requests(request_file, args.per_run, False, target.text, target.openids)
            port = free_port()
            process = start(target, port, workdir, 2)
            try:
                check_reply(target, port, workdir)
                rps, non200 = run_wrk(port, request_file, args.seconds, args.connections)
            finally:
                process.terminate()
                process.wait(timeout=30)
            results[target.name].append(rps)
            errors[target.name] += non200
            print(f"round {round_no}: {target.name:<14} {rps:8.0f} req/s  non-200: {non200}",
                  flush=True)
    median = {name: statistics.median(values) for name, values in results.items()}
    base = median["partybot 帮助"]
    print()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {date.today()}; SQLite; gunicorn 2 sync workers, "
          f"wrk -t2 -c{args.connections}, {args.seconds}s x {args.rounds} rounds (median)")
    print()
    print("| request | req/s (median) | ratio to 帮助 | target | non-200 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for target in targets:
        word = target.text
        goal = "" if word == "帮助" else "≥ 0.7x"
        print(f"| `{word}` | {median[target.name]:.0f} | {median[target.name] / base:.2f}x | "
              f"{goal} | {errors[target.name]} |")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
