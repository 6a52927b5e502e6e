"""How each setting's text becomes a value: the parsers of core.config's variables.

A malformed value is a ConfigError whose message names the variable, so that an operator
reading the error knows which line of `.env` to fix.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values

from core.localtime import PERIOD_KINDS
from core.template_messages import TemplateFileError, TemplateSpec, load_templates_file
from core.words import MEETING_KIND_NAMES

# How often each kind of meeting is required (《中国共产党支部工作条例（试行）》);
# PARTYBOT_CADENCE overrides it. 党小组会 counts only where a branch has groups.
DEFAULT_CADENCE: dict[str, str] = {
    "branch_assembly": "quarter",
    "committee_meeting": "month",
    "group_meeting": "month",
    "party_lecture": "quarter",
    "life_meeting": "year",
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def parse_bool(name: str, raw: str | None, default: bool) -> bool:
    """Parse a boolean variable strictly: a typo is an error, not a silent False."""
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def parse_int(name: str, raw: str | None, default: int, minimum: int = 0) -> int:
    """Parse a non-negative integer variable."""
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be an integer; got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}; got {value}")
    return value


def parse_float(name: str, raw: str | None, default: float, minimum: float = 0.0) -> float:
    """Parse a non-negative number variable."""
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number; got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}; got {value}")
    return value


def parse_hosts(name: str, raw: str | None) -> tuple[str, ...]:
    """Comma-separated host names or addresses (no scheme, port or path), lower-cased."""
    hosts = tuple(part.strip().lower() for part in (raw or "").split(",") if part.strip())
    for host in hosts:
        if any(ch in host for ch in "/:@ ") and not host.startswith("["):
            raise ConfigError(f"{name} lists host names like partybot.lan or 192.168.1.5 "
                              f"(no scheme, port or path); got {host!r}")
    return hosts


def parse_clock(name: str, raw: str | None, default: tuple[int, int]) -> tuple[int, int]:
    """"HH:MM" as (hour, minute)."""
    if raw is None:
        return default
    hour, sep, minute = raw.strip().partition(":")
    if not sep or not hour.isdigit() or not minute.isdigit() or int(hour) > 23 \
            or int(minute) > 59:
        raise ConfigError(f"{name} must look like 08:00; got {raw!r}")
    return int(hour), int(minute)


def parse_cadence(raw: str | None) -> dict[str, str]:
    """The meeting cadence: defaults, overridden by "kind=month|quarter|year|none,…"."""
    cadence = dict(DEFAULT_CADENCE)
    kinds = set(MEETING_KIND_NAMES)
    for entry in (raw or "").split(","):
        if not entry.strip():
            continue
        kind, _, period = (part.strip() for part in entry.partition("="))
        if kind not in kinds or period not in (*PERIOD_KINDS, "none"):
            raise ConfigError(
                f"PARTYBOT_CADENCE entries look like party_lecture=quarter (kinds: "
                f"{', '.join(sorted(kinds))}; periods: month, quarter, year, none); "
                f"got {entry!r}")
        if period == "none":
            cadence.pop(kind, None)
        else:
            cadence[kind] = period
    return cadence


def templates_from(path: str | None) -> dict[str, TemplateSpec]:
    """The templates file's templates; a file that cannot be read is a ConfigError."""
    if path is None:
        return {}
    try:
        return load_templates_file(Path(path))
    except TemplateFileError as exc:
        raise ConfigError(f"PARTYBOT_TEMPLATES_FILE: {exc}") from exc


def parse_template_ids(raw: str | None) -> dict[str, str]:
    """"kind=TEMPLATE_ID,kind2=ID2" into a dict; a malformed entry is an error."""
    result: dict[str, str] = {}
    for entry in (raw or "").split(","):
        if not entry.strip():
            continue
        kind, sep, template_id = entry.partition("=")
        if not sep or not kind.strip() or not template_id.strip():
            raise ConfigError(
                f"PARTYBOT_TEMPLATE_IDS entries look like kind=TEMPLATE_ID; got {entry!r}"
            )
        result[kind.strip()] = template_id.strip()
    return result


def instance_secret(instance_path: Path) -> str:
    """Read the per-install secret key, creating it (mode 0600) on first use."""
    path = instance_path / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first; use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


LOG_FORMATS = ("text", "json")  # core.logging_setup


def parse_log_format(raw: str | None) -> str:
    """PARTYBOT_LOG_FORMAT: "text" (the default) or "json"."""
    if raw is None:
        return "text"
    if raw.lower() not in LOG_FORMATS:
        raise ConfigError(f"PARTYBOT_LOG_FORMAT must be text or json; got {raw!r}")
    return raw.lower()


def log_format_from_environment(environ: Mapping[str, str] | None = None,
                                dotenv_path: str | os.PathLike[str] | None = ".env") -> str:
    """PARTYBOT_LOG_FORMAT alone, as load_settings reads it (the environment over
    `.env`): logging is set up before a command reads the rest of its settings."""
    values: dict[str, str] = {}
    if dotenv_path is not None and Path(dotenv_path).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    raw = values.get("PARTYBOT_LOG_FORMAT")
    return parse_log_format(raw.strip() if raw and raw.strip() else None)


def parse_metrics_token(token: str | None) -> str | None:
    """PARTYBOT_METRICS_TOKEN, long enough not to be guessed."""
    if token is not None and len(token) < 16:
        raise ConfigError("PARTYBOT_METRICS_TOKEN must be at least 16 characters "
                          "(e.g. the output of: openssl rand -hex 24)")
    return token
