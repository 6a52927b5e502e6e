"""The backup file: one uncompressed tar holding the database dump, the uploaded files
and a manifest that names every member with its size and sha256.

    database/partybot.sqlite3 | database/partybot.pgdump   the database at one instant
    files/uploads/...                                      the instance folder's uploads
    manifest.json                                          what is inside, and checksums
    manifest.json.sha256                                   the manifest's own checksum

Uncompressed because the photos are JPEG and a pg_dump -Fc is compressed already;
`tar tvf` lists it and `tar xOf FILE manifest.json` shows the manifest. The archive
is written to FILE.tmp (mode 0600: it holds phone numbers and openids) and renamed
only when complete, so a FILE that exists is a whole backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any

from models.errors import DomainError

FORMAT = "partybot-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.json.sha256"
FILES = "files/"
UPLOADS = "uploads"
CHUNK = 1024 * 1024

Progress = Callable[[str], None]


class HashingReader:
    """A file read through once by tarfile, hashed on the way."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner = inner
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        """Read and hash."""
        data = self.inner.read(size)
        self.digest.update(data)
        return data


def sha256_of(data: bytes) -> str:
    """The hex sha256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def upload_files(instance: Path) -> list[str]:
    """Every regular file under the instance folder's uploads/, as POSIX paths relative
    to the instance folder, sorted (symlinks are not followed: not ours)."""
    root = instance / UPLOADS
    found = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(path.relative_to(instance).as_posix())
    return sorted(found)


def _member(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(time.time())
    return info


@contextmanager
def private_output(out: Path) -> Iterator[IO[bytes]]:
    """FILE.tmp opened for writing, mode 0600; renamed to FILE when the block ends
    without an error, removed when it fails."""
    tmp = out.with_name(out.name + ".tmp")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an old FILE.tmp kept its mode through O_CREAT
    try:
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(out.parent)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_archive(out: Path, manifest: dict[str, Any], dump: Path, dump_member: str,
                  instance: Path, progress: Progress) -> dict[str, Any]:
    """Write the archive: the dump, every upload file, then the manifest (completed with
    the checksums and the file list). Returns the manifest as written."""
    with private_output(out) as stream, \
            tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as tar:
        with dump.open("rb") as source:
            reader = HashingReader(source)
            tar.addfile(_member(dump_member, dump.stat().st_size), reader)
        manifest["database"].update(member=dump_member, size=dump.stat().st_size,
                                    sha256=reader.digest.hexdigest())
        listed = upload_files(instance)
        files = []
        step = max(1, len(listed) // 10)
        for number, relative in enumerate(listed, start=1):
            try:  # whole: a photo is a few MB at most, and never half-read
                data = (instance / relative).read_bytes()
            except FileNotFoundError:  # let go by the upkeep sweep since it was listed
                continue
            tar.addfile(_member(FILES + relative, len(data)), _BytesReader(data))
            files.append({"path": relative, "size": len(data), "sha256": sha256_of(data)})
            if number % step == 0 or number == len(listed):
                progress(f"files: {number}/{len(listed)}")
        manifest["files"] = files
        text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
        tar.addfile(_member(MANIFEST, len(text)), _BytesReader(text))
        line = f"{sha256_of(text)}  {MANIFEST}\n".encode()
        tar.addfile(_member(MANIFEST_SUM, len(line)), _BytesReader(line))
    return manifest


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.at = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.at + size
        chunk = bytes(self.data[self.at:end])
        self.at += len(chunk)
        return chunk


def _damaged(path: Path, why: str) -> DomainError:
    return DomainError("BACKUP_DAMAGED", file=str(path), why=why)


@contextmanager
def open_archive(path: Path) -> Iterator[tarfile.TarFile]:
    """The archive opened for reading; a refusal when it is not a readable tar."""
    try:
        tar = tarfile.open(path, mode="r:")  # noqa: SIM115 (closed by the with below)
    except FileNotFoundError:
        raise DomainError("BACKUP_NOT_FOUND", file=str(path)) from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _damaged(path, f"not a tar archive ({exc})") from None
    with tar:
        yield tar


def read_manifest(tar: tarfile.TarFile, path: Path) -> dict[str, Any]:
    """The manifest, checked against its own checksum and the format."""
    try:
        text = _read_whole(tar, MANIFEST)
        line = _read_whole(tar, MANIFEST_SUM).decode().split()
        if not line or line[0] != sha256_of(text):
            raise _damaged(path, "the manifest does not match its checksum")
        manifest = json.loads(text)
    except (KeyError, tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise _damaged(path, f"no readable manifest ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise _damaged(path, "not a partybot backup")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise DomainError("BACKUP_FORMAT_NEWER", version=manifest.get("format_version"))
    return manifest


def _read_whole(tar: tarfile.TarFile, name: str) -> bytes:
    extracted = tar.extractfile(tar.getmember(name))
    if extracted is None:
        raise KeyError(name)
    return extracted.read()


def expected_members(manifest: dict[str, Any]) -> dict[str, tuple[int, str]]:
    """Member name → (size, sha256) for the dump and every file."""
    database = manifest["database"]
    expected = {database["member"]: (database["size"], database["sha256"])}
    for entry in manifest["files"]:
        relative = safe_relative(entry["path"])
        expected[FILES + relative] = (entry["size"], entry["sha256"])
    return expected


def safe_relative(relative: str) -> str:
    """A file path from a manifest, refused unless it lies below uploads/."""
    parts = PurePosixPath(relative).parts
    if not parts or parts[0] != UPLOADS or ".." in parts or relative.startswith("/") \
            or "\\" in relative or len(parts) < 2:
        raise ValueError(f"unsafe path in manifest: {relative!r}")
    return PurePosixPath(*parts).as_posix()


def verify_archive(tar: tarfile.TarFile, path: Path, manifest: dict[str, Any],
                   progress: Progress) -> None:
    """Read every member through and compare it with the manifest: nothing missing,
    nothing extra, every size and sha256 equal. Touches nothing outside the archive."""
    try:
        expected = expected_members(manifest)
    except (KeyError, TypeError, ValueError) as exc:
        raise _damaged(path, f"a malformed manifest ({exc})") from None
    seen: set[str] = set()
    try:
        for number, info in enumerate(tar, start=1):
            if info.name in (MANIFEST, MANIFEST_SUM):
                continue
            if info.name not in expected or not info.isfile():
                raise _damaged(path, f"an unexpected member {info.name!r}")
            size, digest = expected[info.name]
            extracted = tar.extractfile(info)
            assert extracted is not None  # a regular file
            hashed = hashlib.sha256()
            while chunk := extracted.read(CHUNK):
                hashed.update(chunk)
            if info.size != size or hashed.hexdigest() != digest:
                raise _damaged(path, f"{info.name} does not match its checksum")
            seen.add(info.name)
            if number % 500 == 0:
                progress(f"verified {number}/{len(expected)} members")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise _damaged(path, f"unreadable ({exc})") from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise _damaged(path, f"{len(missing)} members missing, e.g. {missing[0]}")
    progress(f"verified: {len(expected)} members match their checksums")


def extract_to(tar: tarfile.TarFile, member: str, target: Path, mode: int,
               sync: bool = True) -> None:
    """Copy one member to `target` (through target.tmp, then renamed) with `mode`;
    `sync=False` leaves the flush to the caller (one os.sync() for many files)."""
    extracted = tar.extractfile(tar.getmember(member))
    assert extracted is not None
    tmp = target.with_name(target.name + ".restore-tmp")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.fchmod(descriptor, mode)
    with os.fdopen(descriptor, "wb") as stream:
        while chunk := extracted.read(CHUNK):
            stream.write(chunk)
        stream.flush()
        if sync:
            os.fsync(stream.fileno())
    os.replace(tmp, target)


def restore_files(tar: tarfile.TarFile, manifest: dict[str, Any], instance: Path,
                  progress: Progress) -> int:
    """Put every file of the backup under the instance folder (files 0640, folders
    0750, as uploads are stored); returns how many."""
    entries = manifest["files"]
    step = max(1, len(entries) // 10)
    for number, entry in enumerate(entries, start=1):
        relative = safe_relative(entry["path"])
        target = instance / relative
        target.parent.mkdir(mode=0o750, parents=True, exist_ok=True)
        extract_to(tar, FILES + relative, target, 0o640, sync=False)
        if number % step == 0 or number == len(entries):
            progress(f"files: {number}/{len(entries)}")
    # One flush for all: an fsync per photo made restoring 300 photos take 3 s more.
    os.sync()
    return len(entries)
