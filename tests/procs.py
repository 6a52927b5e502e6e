"""Running partybot commands as real processes in tests, and reading their output."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests


def command_env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean environment for a partybot process on this test's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "PARTYBOT_"))}
    env.update(PARTYBOT_DATABASE_URL=database_url, PARTYBOT_INSTANCE_PATH=str(tmp_path / "inst"),
               PYTHONUNBUFFERED="1", **extra)
    return env


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen, seconds: float = 30) -> None:  # type: ignore[type-arg]
    """Wait until `url` answers 200 (the server is up); fail if the process dies."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"process exited with {process.returncode}"
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or still starting (a busy machine): ask again
        time.sleep(0.2)
    raise AssertionError(f"{url} never became healthy")


def partybot(*args: str) -> list[str]:
    """The argv of `partybot ARGS` run with this interpreter."""
    return [sys.executable, "-m", "bot.cli", *args]


class Proc:
    """A background partybot process whose output is collected as it comes."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.process = subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        """Everything printed so far."""
        return "".join(self.lines)

    def wait_for(self, text: str, seconds: float = 30) -> float:
        """Wait until `text` appears in the output; returns how long it took."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if text in self.output:
                return time.monotonic() - started
            if self.process.poll() is not None:
                time.sleep(0.2)
                if text in self.output:
                    return time.monotonic() - started
                raise AssertionError(f"process ended before {text!r}:\n{self.output}")
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not seen within {seconds}s:\n{self.output}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Send `sig` and wait for the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"did not stop on {sig}:\n{self.output}") from None
        finally:
            self.reader.join(timeout=5)
