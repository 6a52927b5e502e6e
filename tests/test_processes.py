"""The real commands as processes: run, chat, scheduler (and SIGTERM)."""

from __future__ import annotations

import subprocess

from tests.procs import Proc, command_env, free_port, partybot, wait_healthy


def test_run_seeds_demo_and_chat_talks_to_it(database_url, tmp_path):
    port = free_port()
    env = command_env(database_url, tmp_path)
    server = Proc(partybot("run", "--port", str(port)), env, tmp_path)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/healthz", server.process)
        # the banner's line, typed as printed into a shell in the same folder
        printed = next(line.split("#")[0].strip() for line in server.lines
                       if "chat --openid demo-admin " in line)
        chat = subprocess.run(
            ["/bin/sh", "-c", f"{printed} --url http://127.0.0.1:{port}/wechat"],
            input="帮助\n", env=env, cwd=tmp_path, capture_output=True, text=True, timeout=30)
        assert chat.returncode == 0, chat.stderr
        assert "可以发送以下命令" in chat.stdout
        newcomer = subprocess.run(
            partybot("chat", "--openid", "o-new", "--url", f"http://127.0.0.1:{port}/wechat"),
            input="/subscribe\n绑定 陈强 0007\n", env=env, cwd=tmp_path, capture_output=True,
            text=True, timeout=30)
        assert "欢迎关注" in newcomer.stdout and "绑定成功" in newcomer.stdout
    finally:
        code = server.stop()
    assert code == 0, server.output
    assert "partybot chat --openid demo-admin" in server.output  # demo openids printed
    assert "alembic" not in server.output.split("Seeded a demo county.")[1]


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
    scheduler = Proc(partybot("scheduler"), env, tmp_path)
    # Readiness, not a fixed sleep: SIGTERM before the handler is installed would kill
    # the process the default way and the test would flake.
    scheduler.wait_for("scheduler: started")
    assert scheduler.stop() == 0, scheduler.output
    assert "scheduler: stopped" in scheduler.output


def test_scheduler_process_does_not_load_the_chat(database_url, tmp_path):
    """`partybot scheduler` runs sweepers and delivery without the chat's handlers."""
    code = ("import sys, schedules.scheduler, bot.cli; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'handlers'}))")
    result = subprocess.run([*partybot()[:1], "-c", code], env=command_env(database_url, tmp_path),
                            capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


def test_chat_line_with_backslash_n_is_one_multiline_message():
    from bot.cli.chat import line_to_xml
    from core.wxml import parse_xml

    xml = line_to_xml("o1", "发布 标题\\n正文\\nhttps://a.cn/x")
    assert xml is not None
    assert parse_xml(xml.encode())["Content"] == "发布 标题\n正文\nhttps://a.cn/x"
