"""`partybot db backup` and `db restore` on a county (benchmarks/county.py's build:
10,000 members in 100 branches with two years of meetings, about 110,000 attendance
rows) with photo files, against plain tools measured in the same run:

- backup baseline: SQLite `sqlite3 DB ".backup FILE"` (PostgreSQL: `pg_dump -Fc`) plus
  `tar cf` of the uploads folder;
- restore baseline: SQLite `cp` of the file (PostgreSQL: `pg_restore` into an empty
  database) plus `tar xf` of the uploads.

Each is run `--runs` times, the median kept. The machine is shared: read the ratios,
not the seconds.

    python benchmarks/backup_restore.py [--database-url URL] [--branches 100]
        [--members 100] [--photos 300] [--runs 3]
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
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import fresh_database  # noqa: E402
from county import build  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from models.db.backup import make_backup, read_backup, restore_backup  # noqa: E402
from models.db.backup_postgres import libpq_target  # noqa: E402
from models.db.engine import make_engine, make_session_factory  # noqa: E402
from models.db.stored_files import MEETING, store_files  # noqa: E402
from models.meetings.tables import Meeting  # noqa: E402


def add_photos(url: str, instance: Path, count: int) -> int:
    """`count` photo files of 200–400 KB (random bytes: as incompressible as JPEG) on
    the first meetings, with their rows; returns the bytes stored."""
    engine = make_engine(url)
    stored = 0
    with make_session_factory(engine)() as session:
        meetings = list(session.scalars(select(Meeting).order_by(Meeting.id).limit(count)))
        for n in range(count):
            meeting = meetings[n % len(meetings)]
            data = os.urandom(200_000 + (n * 7919) % 200_000)
            store_files(session, instance, meeting.org_id, MEETING, meeting.id,
                        [(data, ".jpg")], None, datetime.now(UTC))
            stored += len(data)
        session.commit()
    engine.dispose()
    return stored


def timed(work: Callable[[], object], runs: int, before: Callable[[], object] = lambda: None
          ) -> float:
    """The median wall time of `work`, with `before` run (untimed) ahead of each."""
    times = []
    for _ in range(runs):
        before()
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def empty_target(url: str, folder: Path) -> None:
    """Nothing at the restore target: no database (tables), no uploads."""
    shutil.rmtree(folder / "instance", ignore_errors=True)
    if url.startswith("sqlite"):
        Path(make_url(url).database or "").unlink(missing_ok=True)
        return
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def pg_target(url: str) -> str:
    """A second database on the same server to restore into (created once)."""
    parsed = make_url(url)
    name = f"{parsed.database}_restore"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": name}).first():
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def run(command: list[str], env: dict[str, str] | None = None) -> None:
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--branches", type=int, default=100)
    parser.add_argument("--members", type=int, default=100, help="members per branch")
    parser.add_argument("--photos", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="partybot-backup-bench-"))
    url = args.database_url or f"sqlite:///{work}/county.db"
    sqlite = url.startswith("sqlite")
    instance = work / "instance"
    print(f"building the county on {'SQLite' if sqlite else 'PostgreSQL'}…", flush=True)
    fresh_database(url)
    built = build(url, args.branches, args.members, 1)
    photo_bytes = add_photos(url, instance, args.photos)
    target_folder = work / "target"
    target_folder.mkdir()
    target = f"sqlite:///{target_folder}/partybot.db" if sqlite else pg_target(url)
    out = work / "backup.tar"
    quiet: Callable[[str], None] = lambda _line: None  # noqa: E731

    ours_backup = timed(lambda: make_backup(url, instance, out, quiet), args.runs)
    size = out.stat().st_size
    base_db = work / "plain.db"
    base_tar = work / "uploads.tar"

    def plain_backup() -> None:
        if sqlite:
            base_db.unlink(missing_ok=True)
            run(["sqlite3", make_url(url).database or "", f".backup '{base_db}'"])
        else:
            conninfo, env = libpq_target(make_url(url))
            run(["pg_dump", "-Fc", "-f", str(base_db), "-d", conninfo], env)
        run(["tar", "cf", str(base_tar), "-C", str(instance), "uploads"])

    base_backup = timed(plain_backup, args.runs)

    def ours_restore() -> None:
        manifest = read_backup(out, quiet)
        restore_backup(out, manifest, target, target_folder / "instance", quiet)

    def plain_restore() -> None:
        if sqlite:
            shutil.copyfile(base_db, target_folder / "partybot.db")
        else:
            conninfo, env = libpq_target(make_url(target))
            run(["pg_restore", "--no-owner", "--no-acl", "--single-transaction", "-d",
                 conninfo, str(base_db)], env)
        (target_folder / "instance").mkdir()
        run(["tar", "xf", str(base_tar), "-C", str(target_folder / "instance")])

    def clear() -> None:
        empty_target(target, target_folder)

    ours_restore_s = timed(ours_restore, args.runs, clear)
    base_restore = timed(plain_restore, args.runs, clear)
    print()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared, noisy), Python "
          f"{platform.python_version()}, {date.today()}; "
          f"{'SQLite' if sqlite else 'PostgreSQL'}; {args.branches * args.members} members, "
          f"{built['attendance_rows']} attendance rows, {args.photos} photos "
          f"({photo_bytes / 1e6:.0f} MB); backup file {size / 1e6:.0f} MB; "
          f"median of {args.runs}")
    print()
    print("| step | partybot | baseline | ratio |")
    print("| --- | ---: | ---: | ---: |")
    plain = "sqlite3 .backup" if sqlite else "pg_dump -Fc"
    print(f"| backup (db + uploads) | {ours_backup:.2f} s | {base_backup:.2f} s "
          f"({plain} + tar cf) | {ours_backup / base_backup:.2f} |")
    plain = "cp" if sqlite else "pg_restore"
    print(f"| restore (verify + db + uploads) | {ours_restore_s:.2f} s | "
          f"{base_restore:.2f} s ({plain} + tar xf) | {ours_restore_s / base_restore:.2f} |")


if __name__ == "__main__":
    main()
