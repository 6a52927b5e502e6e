"""The systemd units in deploy/: systemd's own checker finds nothing to say about them,
their hardening scores as systemd rates it, and each starts a command that exists."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = ["partybot-web.service", "partybot-scheduler.service", "partybot-delivery@.service"]
ANALYZE = shutil.which("systemd-analyze")

if ANALYZE is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's systemd (apt-get install systemd)")
    pytest.skip("needs systemd-analyze: apt-get install systemd", allow_module_level=True)


def installed_here(folder: Path) -> list[Path]:
    """The units as they would be installed, with /opt/partybot pointing at this checkout
    and its venv (verify checks that ExecStart's program exists and is executable)."""
    venv_bin = Path(sys.executable).parent
    paths = []
    for name in UNITS:
        text = (DEPLOY / name).read_text()
        text = text.replace("/opt/partybot/venv/bin/", f"{venv_bin}/")
        text = text.replace("/opt/partybot/deploy/", f"{DEPLOY}/")
        path = folder / name
        path.write_text(text)
        paths.append(path)
    return paths


def test_systemd_analyze_verify_has_nothing_to_say(tmp_path):
    installed_here(tmp_path)
    names = [n.replace("@.service", "@1.service") for n in UNITS]  # an instance of the template
    result = subprocess.run([ANALYZE, "verify", "--man=no", *names], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    # Unknown keys and misspelt system call groups are only warnings: any line fails.
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), \
        result.stdout + result.stderr


def test_verify_would_catch_a_misspelt_option(tmp_path):
    """The check above is no empty net: a typo in a hardening option is reported."""
    web = installed_here(tmp_path)[0]
    web.write_text(web.read_text().replace("ProtectHome=yes", "ProtectHom=yes"))
    result = subprocess.run([ANALYZE, "verify", "--man=no", web.name], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert "Unknown key" in result.stdout + result.stderr


def test_each_unit_is_hardened_as_systemd_scores_it(tmp_path):
    for path in installed_here(tmp_path):
        unit = path.name.replace("@.service", "@1.service")
        result = subprocess.run([ANALYZE, "security", "--offline=yes", unit], cwd=tmp_path,
                                capture_output=True, text=True, timeout=60)
        score = re.search(r"Overall exposure level for \S+: ([0-9.]+) (\w+)", result.stdout)
        assert score is not None, result.stdout + result.stderr
        # 0 is a sandbox with no network; 10 is no hardening. README notes the score.
        assert float(score.group(1)) <= 1.5 and score.group(2) == "OK", score.group(0)


def test_the_units_share_the_settings_file_and_the_account():
    for name in UNITS:
        text = (DEPLOY / name).read_text()
        for line in ("User=partybot", "EnvironmentFile=/etc/partybot/partybot.env",
                     "WorkingDirectory=/var/lib/partybot", "Restart=on-failure",
                     "CapabilityBoundingSet=\n", "ProtectSystem=strict", "NoNewPrivileges=yes"):
            assert line in text, (name, line)
    web = (DEPLOY / "partybot-web.service").read_text()
    assert "-c /opt/partybot/deploy/gunicorn.conf.py bot:create_app()" in web
    assert "ExecStart=/opt/partybot/venv/bin/partybot scheduler --delivery-only" in \
        (DEPLOY / "partybot-delivery@.service").read_text()
