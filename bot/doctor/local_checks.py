"""The doctor's checks of this machine: the configuration loads, files are private,
there is disk space, and the public address answers."""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import time
from pathlib import Path

import requests
from sqlalchemy.engine import make_url

from bot.doctor.runner import Doctor, Finding, Status, describe, fail, ok, skip, warn
from core.config import ConfigError, load_settings
from core.texts import doctor as said
from core.texts.doctor import Said
from models.db.stored_files import UPLOADS

AES_VARIABLE = "WECHAT_ENCODING_AES_KEY"
GB = 1024**3
MB = 1024**2
# Below this much free space SQLite's next checkpoint or a migration may not fit.
DATABASE_MIN_FREE = 100 * MB
LOW_FREE_FRACTION = 0.10
LOW_FREE_BYTES = GB


def check_config(doctor: Doctor) -> Finding:
    """The settings load (core.config); the account and its message mode."""
    try:
        doctor.settings = load_settings(doctor.environ, dotenv_path=None, generate_secret=False)
    except ConfigError as exc:
        key = doctor.raw(AES_VARIABLE)
        if key is None or len(key) == 43:
            return fail(said.CONFIG_BAD.format(error=str(exc)), said.CONFIG_BAD_FIX)
        # Only the key is malformed: the message check says so and what to do, and every
        # other check still runs on the rest of the configuration.
        others = {k: v for k, v in doctor.environ.items() if k != AES_VARIABLE}
        try:
            doctor.settings = load_settings(others, dotenv_path=None, generate_secret=False)
        except ConfigError as other:
            return fail(said.CONFIG_BAD.format(error=str(other)), said.CONFIG_BAD_FIX)
    settings = doctor.ready
    if settings.sandbox:
        return ok(said.CONFIG_SANDBOX)
    mode = said.MODE_PLAIN if doctor.raw(AES_VARIABLE) is None else \
        said.MODE_COMPATIBLE if settings.compatible_mode else said.MODE_SAFE
    return ok(said.CONFIG_ACCOUNT.format(app_id=settings.app_id, mode=mode))


def sqlite_file(database_url: str) -> Path | None:
    """The SQLite database file, if the database is one."""
    url = make_url(database_url)
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:"):
        return None
    return Path(database)


def check_files(doctor: Doctor) -> Finding:
    """What partybot makes private stays private: the instance folder (0700), the
    secret key and the SQLite files (0600: models.db.engine.private_file,
    core.config_values.instance_secret) and the uploaded photos (0640:
    models.db.stored_files). Runs before anything opens the database, since opening it
    quietly repairs the database file's mode."""
    settings = doctor.ready
    instance = settings.instance_path
    found: list[tuple[Path, int, str]] = []  # path, its mode, the command that fixes it
    if instance.is_dir() and _mode(instance) & 0o007:
        found.append((instance, _mode(instance), f"chmod 700 {shlex.quote(str(instance))}"))
    database = sqlite_file(settings.database_url)
    private = [instance / "secret_key"]
    if database is not None:
        private += [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    for path in private:
        if path.is_file() and _mode(path) & 0o077:
            found.append((path, _mode(path), f"chmod 600 {shlex.quote(str(path))}"))
    uploads = instance / UPLOADS
    readable = _world_readable_files(uploads)
    if readable:
        command = f"chmod -R o-rwx {shlex.quote(str(uploads))}"
        found += [(path, _mode(path), command) for path in readable]
    if not found:
        if not instance.is_dir() and database is None:
            return ok(said.FILES_NO_INSTANCE.format(path=instance))
        return ok(said.FILES_OK)
    path, mode, _ = found[0]
    more = said.FILES_MORE.format(count=len(found) - 1) if len(found) > 1 else Said("", "")
    commands = list(dict.fromkeys(command for _, _, command in found))
    return fail(said.FILES_OPEN.format(path=path, mode=f"{mode:04o}", more=more),
                said.FILES_FIX.format(command="; ".join(commands[:3])))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _world_readable_files(folder: Path) -> list[Path]:
    """Files under `folder` anyone may read."""
    found = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            try:
                if _mode(path) & 0o004:
                    found.append(path)
            except OSError:  # removed while we walked (the upkeep sweep)
                continue
    return found


def check_disk(doctor: Doctor) -> Finding:
    """Free space where the SQLite file and the photos are: a fail when photos are
    already refused (PARTYBOT_UPLOAD_MIN_FREE_MB) or SQLite has under 100 MB, a warning
    under 10% or 1 GB."""
    settings = doctor.ready
    database = sqlite_file(settings.database_url)
    uploads = settings.instance_path / UPLOADS
    places: dict[int, tuple[Said, Path, int]] = {}  # device -> (what, path, minimum)
    if database is not None:
        where = _existing(database.parent)
        places[where.stat().st_dev] = (said.DISK_WHERE_DATABASE, database.parent,
                                       DATABASE_MIN_FREE)
    where = _existing(uploads)
    device = where.stat().st_dev
    if device in places:
        places[device] = (said.DISK_WHERE_BOTH, places[device][1],
                          max(places[device][2], settings.upload_min_free_bytes))
    else:
        places[device] = (said.DISK_WHERE_UPLOADS, uploads, settings.upload_min_free_bytes)
    worst: Finding | None = None
    lines: list[Said] = []
    for what, path, minimum in places.values():
        usage = shutil.disk_usage(_existing(path))
        percent = round(100 * usage.free / usage.total) if usage.total else 0
        values = {"where": what, "free": _size(usage.free), "percent": percent}
        fix = said.DISK_FIX.format(path=path)
        if usage.free < minimum:
            finding = fail(said.DISK_FULL.format(**values, minimum=_size(minimum)), fix)
        elif usage.free < LOW_FREE_BYTES or usage.free < LOW_FREE_FRACTION * usage.total:
            finding = warn(said.DISK_LOW.format(**values), fix)
        else:
            lines.append(said.DISK_OK.format(**values))
            continue
        if worst is None or finding.status is Status.FAIL:
            worst = finding
    if worst is not None:
        return worst
    sep = said.LIST_SEP
    detail = Said(sep.zh.join(line.zh for line in lines), sep.en.join(line.en for line in lines))
    if database is None:
        detail = Said(detail.zh + said.DISK_PG.zh, detail.en + said.DISK_PG.en)
    return ok(detail)


def _existing(path: Path) -> Path:
    """`path`, or its nearest folder that exists (the uploads folder comes later)."""
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _size(size: float) -> str:
    return f"{size / GB:.1f} GB" if size >= GB else f"{size / MB:.0f} MB"


def check_public_url(doctor: Doctor) -> Finding:
    """PARTYBOT_PUBLIC_URL is https (a real account) and its /healthz answers "ok"."""
    settings = doctor.ready
    url = settings.public_url
    if url is None:
        if settings.sandbox:
            return skip(said.PUBLIC_URL_SANDBOX)
        return warn(said.PUBLIC_URL_UNSET, said.PUBLIC_URL_UNSET_FIX)
    if not url.startswith("https://") and not settings.sandbox:
        return fail(said.PUBLIC_URL_HTTP.format(url=url), said.PUBLIC_URL_HTTP_FIX)
    started = time.monotonic()
    try:
        response = requests.get(f"{url}/healthz", timeout=(3.05, 5.0))
    except requests.RequestException as exc:
        return fail(said.PUBLIC_URL_DOWN.format(url=url, error=describe(exc)),
                    said.PUBLIC_URL_DOWN_FIX)
    try:
        healthy = response.status_code == 200 and response.json().get("status") == "ok"
    except ValueError:  # not JSON: some other server answers at that address
        healthy = False
    if not healthy:
        return fail(said.PUBLIC_URL_STATUS.format(url=url, status=f"HTTP {response.status_code}"
                                                  f" {response.text[:60]!r}"),
                    said.PUBLIC_URL_DOWN_FIX)
    return ok(said.PUBLIC_URL_OK.format(url=url, ms=round(1000 * (time.monotonic() - started))))
