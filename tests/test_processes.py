"""The real commands as processes: run, chat, scheduler (and SIGTERM)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def command_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "PARTYBOT_"))}
    env.update(PARTYBOT_DATABASE_URL=database_url, PARTYBOT_INSTANCE_PATH=str(tmp_path / "inst"),
               PYTHONUNBUFFERED="1")
    return env


def partybot(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli", *args]


def wait_healthy(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never became healthy")


def stop(process: subprocess.Popen) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise AssertionError(f"did not stop on SIGTERM:\n{output}") from None
    return process.returncode, output


def test_run_seeds_demo_and_chat_talks_to_it(database_url, tmp_path):
    port = free_port()
    env = command_env(database_url, tmp_path)
    server = subprocess.Popen(partybot("run", "--port", str(port)), env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/healthz", server)
        chat = subprocess.run(
            partybot("chat", "--openid", "demo-admin", "--url", f"http://127.0.0.1:{port}/wechat"),
            input="帮助\n", env=env, cwd=tmp_path, capture_output=True, text=True, timeout=30)
        assert chat.returncode == 0, chat.stderr
        assert "可以发送以下命令" in chat.stdout
        newcomer = subprocess.run(
            partybot("chat", "--openid", "o-new", "--url", f"http://127.0.0.1:{port}/wechat"),
            input="/subscribe\n绑定 陈强 0007\n", env=env, cwd=tmp_path, capture_output=True,
            text=True, timeout=30)
        assert "欢迎关注" in newcomer.stdout and "绑定成功" in newcomer.stdout
    finally:
        code, output = stop(server)
    assert code == 0, output
    assert "partybot chat --openid demo-admin" in output  # demo openids printed on start


def test_chat_says_clearly_when_server_is_down(tmp_path, database_url):
    result = subprocess.run(
        partybot("chat", "--openid", "x", "--url", f"http://127.0.0.1:{free_port()}/wechat"),
        input="帮助\n", env=command_env(database_url, tmp_path), cwd=tmp_path,
        capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "无法连接" in result.stdout


def test_scheduler_runs_and_stops_cleanly_on_sigterm(database_url, tmp_path):
    env = command_env(database_url, tmp_path)
    subprocess.run(partybot("db", "upgrade"), env=env, cwd=tmp_path, check=True,
                   capture_output=True, timeout=60)
    process = subprocess.Popen(partybot("scheduler"), env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(2)
    assert process.poll() is None, process.communicate()[0]
    code, output = stop(process)
    assert code == 0, output
    assert "scheduler: started" in output and "scheduler: stopped" in output


def test_chat_line_with_backslash_n_is_one_multiline_message():
    from bot.chat import line_to_xml
    from core.wxml import parse_xml

    xml = line_to_xml("o1", "发布 标题\\n正文\\nhttps://a.cn/x")
    assert parse_xml(xml.encode())["Content"] == "发布 标题\n正文\nhttps://a.cn/x"
