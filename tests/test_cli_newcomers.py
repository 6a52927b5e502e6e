"""A newcomer's first minutes with the commands: the commands `partybot run` prints
work as printed, and a command on an up-to-date database starts with its own output,
not with Alembic's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.own_command import partybot_command
from tests.procs import command_env, partybot


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with its venv, as `make run` leaves it: .venv/bin/partybot."""
    folder = tmp_path / "partybot"
    bin_folder = folder / ".venv" / "bin"
    bin_folder.mkdir(parents=True)
    (bin_folder / "python").symlink_to(sys.executable)
    script = bin_folder / "partybot"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(bin_folder / "python"))
    return folder


def test_from_the_project_folder_the_command_is_the_venvs_script(project: Path):
    assert partybot_command(project, path="/usr/bin:/bin") == ".venv/bin/partybot"


def test_with_the_venv_on_path_it_is_just_partybot(project: Path):
    path = f"{project / '.venv' / 'bin'}{os.pathsep}/usr/bin"
    assert partybot_command(project, path=path) == "partybot"


def test_elsewhere_it_is_the_whole_path(project: Path, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert partybot_command(elsewhere, path="/usr/bin") == \
        str(project / ".venv" / "bin" / "partybot")


def test_another_install_on_path_is_not_taken_for_this_one(project: Path, tmp_path: Path):
    other = tmp_path / "other-bin"
    other.mkdir()
    (other / "partybot").write_text("#!/bin/sh\nexit 1\n")
    (other / "partybot").chmod(0o755)
    assert partybot_command(project, path=str(other)) == ".venv/bin/partybot"


def test_the_printed_command_runs_from_the_folder_it_was_printed_in(tmp_path: Path):
    """What the demo banner prints, typed into a shell without the venv on PATH."""
    command = partybot_command(tmp_path, path="/usr/bin:/bin")
    shell = subprocess.run(["/bin/sh", "-c", f"{command} chat --help"], cwd=tmp_path,
                           env={**os.environ, "PATH": "/usr/bin:/bin"},
                           capture_output=True, text=True, timeout=60)
    assert shell.returncode == 0, shell.stderr
    assert "--openid" in shell.stdout


def test_commands_on_an_up_to_date_database_print_no_alembic_lines(database_url, tmp_path):
    env = command_env(database_url, tmp_path)

    def run(*args: str) -> str:
        done = subprocess.run(partybot(*args), env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=60)
        return done.stdout + done.stderr

    # the test database is migrated already: nothing runs, nothing is said about it
    upgraded = run("db", "upgrade")
    assert "database is up to date" in upgraded and "alembic" not in upgraded, upgraded
    added = run("org", "add", "新建乡党委")
    assert "alembic" not in added and "新建乡党委" in added, added
    suggested = run("pairs", "suggest")
    assert "alembic" not in suggested, suggested
    assert "pairs apply" in suggested


def test_migrations_that_run_are_still_shown(tmp_path):
    env = command_env(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path)
    done = subprocess.run(partybot("db", "upgrade"), env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Running upgrade" in output
    assert "Context impl" not in output and "Will assume" not in output
