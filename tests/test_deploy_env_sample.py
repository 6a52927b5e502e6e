"""deploy/partybot.env.sample lists every setting partybot reads, once, and every default
it shows is the one the code applies: a setting added later without a line here fails."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

from core.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "deploy" / "partybot.env.sample"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
# Where settings are read: the packages and the deploy files (gunicorn's settings).
SOURCES = ["bot", "core", "models", "handlers", "schedules", "deploy"]
SETTING = re.compile(r"""["']((?:PARTYBOT|WECHAT)_[A-Z0-9_]+)["']""")
# Read by a library, not by partybot's own code.
READ_BY_LIBRARIES = {"PROMETHEUS_MULTIPROC_DIR"}
LINE = re.compile(r"^(#?)([A-Z][A-Z0-9_]+)=(.*)$")


def settings_in_code() -> set[str]:
    """Every PARTYBOT_*/WECHAT_* name quoted in the code that runs in production."""
    found: set[str] = set()
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            found.update(SETTING.findall(path.read_text(encoding="utf-8")))
    return found


def sample_lines() -> list[tuple[bool, str, str]]:
    """(is a default shown commented out, name, value) for each setting line."""
    lines = []
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        match = LINE.match(line)
        if match:
            lines.append((match.group(1) == "#", match.group(2), match.group(3)))
    return lines


def test_every_setting_the_code_reads_is_in_the_sample_once():
    names = [name for _, name, _ in sample_lines()]
    assert len(names) == len(set(names)), "a setting listed twice"
    missing = settings_in_code() - set(names)
    assert not missing, f"add these to deploy/partybot.env.sample: {sorted(missing)}"
    unknown = set(names) - settings_in_code() - READ_BY_LIBRARIES
    assert not unknown, f"nothing reads these any more: {sorted(unknown)}"


def test_the_code_reads_settings_where_this_test_looks():
    """The scan is no empty net: it finds the settings table's names and gunicorn's."""
    found = settings_in_code()
    assert {"PARTYBOT_DATABASE_URL", "WECHAT_TOKEN", "PARTYBOT_WEB_BIND"} <= found
    assert len(found) >= 40


@pytest.mark.parametrize("name,value", [(n, v) for shown, n, v in sample_lines() if shown])
def test_each_default_shown_is_the_real_default(name, value, tmp_path):
    if name in READ_BY_LIBRARIES:
        assert value == ""
        return
    if f'"{name}"' in GUNICORN_CONF.read_text():
        given = runpy.run_path(str(GUNICORN_CONF))
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(name, value)
            changed = runpy.run_path(str(GUNICORN_CONF))
        for key in ("bind", "workers", "timeout", "accesslog"):
            assert changed[key] == given[key], (name, key)
        return
    # the default (no .env, nothing set) against the value written out
    plain = load_settings(environ={}, dotenv_path=None, generate_secret=False)
    written = load_settings(environ={name: value}, dotenv_path=None, generate_secret=False)
    assert written == plain, name


def test_the_filled_in_lines_make_a_valid_production_configuration(tmp_path):
    values = {name: value for shown, name, value in sample_lines() if not shown}
    values.update(WECHAT_APP_ID="wx0123456789abcdef", WECHAT_APP_SECRET="s" * 32,
                  WECHAT_TOKEN="token", WECHAT_ENCODING_AES_KEY="k" * 43)
    settings = load_settings(environ=values, dotenv_path=None, generate_secret=False)
    assert not settings.sandbox and settings.proxies == 1
    assert settings.public_url is not None and settings.public_url.startswith("https://")
    assert str(settings.instance_path) == "/var/lib/partybot/instance"
    assert settings.database_url.endswith("/var/lib/partybot/instance/partybot.db")
    # the same file read as the commands read `.env` (README: linked into the service's folder)
    account = {k: values[k] for k in ("WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_TOKEN",
                                      "WECHAT_ENCODING_AES_KEY")}
    assert load_settings(environ=account, dotenv_path=SAMPLE, generate_secret=False) == settings
