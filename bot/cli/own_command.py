"""How to type `partybot` in the shell the user is in: the banner of `partybot run`
and the hints of other commands print commands to copy, and `make run` starts
partybot as `.venv/bin/partybot` without putting `.venv/bin` on the PATH — a bare
`partybot chat …` would be "command not found" there."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

SCRIPT = "partybot"


def partybot_command(cwd: Path | None = None, path: str | None = None) -> str:
    """`partybot` when the shell's PATH finds this very install; else the console
    script next to this interpreter, relative to `cwd` when it lies below it
    (`.venv/bin/partybot` in the project folder), absolute otherwise; without a
    console script, this interpreter with `-m bot.cli`."""
    bin_folder = Path(sys.executable).parent  # the venv's bin (not resolved: a symlink)
    script = bin_folder / SCRIPT
    if not script.is_file():
        return f"{shlex.quote(sys.executable)} -m bot.cli"
    found = shutil.which(SCRIPT, path=os.environ.get("PATH") if path is None else path)
    if found is not None and Path(found).resolve() == script.resolve():
        return SCRIPT
    here = (cwd or Path.cwd()).absolute()
    try:
        relative = script.absolute().relative_to(here)
    except ValueError:
        return shlex.quote(str(script.absolute()))
    shown = str(relative)
    return shlex.quote(shown if os.sep in shown else f".{os.sep}{shown}")
