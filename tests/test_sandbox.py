"""Sandbox mode: the fake API under /sandbox, the chat page, menu and QR codes."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from click.testing import CliRunner

from bot import create_app
from bot.cli.main import main
from bot.menu import MenuError, all_menus, missing_commands, validate_menu
from bot.qrcodes import create_scene_qr, render_png
from bot.services import services_of
from handlers import dispatcher
from tests.procs import Proc, command_env, free_port, partybot, wait_healthy


@pytest.fixture
def sandbox_app(settings, clock):
    app = create_app(settings.with_overrides(wechat_token="partybot-sandbox"), clock=clock)
    yield app
    services_of(app).dispose()


def test_sandbox_serves_the_fake_api_and_the_chat_page(sandbox_app):
    client = sandbox_app.test_client()
    token = client.get("/sandbox/cgi-bin/token?grant_type=client_credential&appid=wx")
    assert token.get_json()["access_token"].startswith("fake-")
    page = client.get("/sandbox/")
    assert page.status_code == 200 and "partybot 沙盒" in page.get_data(as_text=True)
    reply = client.post("/sandbox/send", json={"openid": "o-page", "text": "帮助"})
    assert "绑定" in reply.get_json()["reply"]
    assert client.post("/sandbox/send", json={"openid": "", "text": ""}).status_code == 400


def test_no_sandbox_with_a_real_account(settings, clock):
    app = create_app(settings.with_overrides(app_id="wx123", app_secret="s"), clock=clock)
    assert app.test_client().get("/sandbox/").status_code == 404
    services_of(app).dispose()


def test_menus_are_within_wechats_limits_and_run_known_commands():
    for menu in all_menus().values():
        validate_menu(menu)
        assert missing_commands(menu, dispatcher) == []
    with pytest.raises(MenuError):
        validate_menu({"button": [{"type": "click", "name": "x", "key": "k"}] * 4})
    with pytest.raises(MenuError):
        validate_menu({"button": [{"name": "多", "sub_button": [
            {"type": "click", "name": "a", "key": "k"}] * 6}]})
    with pytest.raises(MenuError):
        validate_menu({"button": [{"type": "click", "name": "名字太长太长太长", "key": "k"}]})


def test_menu_click_runs_the_command(chat):
    from bot.simulator import event_xml

    assert "可以发送以下命令" in chat.send_xml(event_xml("o-m", "CLICK", "CMD:帮助")).content


def test_menu_publish_cli(database_url, tmp_path, fake, monkeypatch):
    for name, value in command_env(database_url, tmp_path,
                                   WECHAT_API_BASE_URL=fake.base_url).items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["menu", "publish"])
    assert result.exit_code == 0, result.output
    assert fake.state.menu == all_menus()["default"]
    assert "菜单已发布" in result.output and "党员" in result.output


def test_menu_publish_says_clearly_when_wechat_is_unreachable(database_url, tmp_path,
                                                              monkeypatch):
    for name, value in command_env(database_url, tmp_path,
                                   WECHAT_API_BASE_URL=f"http://127.0.0.1:{free_port()}").items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["menu", "publish"])
    assert result.exit_code == 1 and "cannot reach" in result.output


def test_qr_code_created_and_rendered(services, fake, tmp_path):
    code = create_scene_qr(services.wechat, "meeting:42")
    assert code.expire_seconds == 30 * 24 * 3600
    path = render_png(code, tmp_path / "qr.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert fake.state.qrcodes[0]["scene"] == "meeting:42"
    permanent = create_scene_qr(services.wechat, "branch:7", permanent=True)
    assert permanent.expire_seconds is None
    with pytest.raises(ValueError):
        create_scene_qr(services.wechat, "x" * 65)


def test_run_delivers_pushes_that_chat_shows(database_url, tmp_path):
    port = free_port()
    env = command_env(database_url, tmp_path)
    server = Proc(partybot("run", "--port", str(port)), env, tmp_path)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/healthz", server.process)
        from sqlalchemy import select

        from models.db.base import utcnow
        from models.db.engine import make_engine, make_session_factory
        from models.delivery.outbox import ChannelPolicy, Notice
        from models.members.tables import Member

        engine = make_engine(database_url)
        with make_session_factory(engine)() as session:
            member = session.scalar(select(Member).where(Member.openid == "demo-member"))
            url = f"http://127.0.0.1:{port}/wechat"
            # the member writes first, so the 48-hour window is open
            import subprocess

            subprocess.run(partybot("chat", "--openid", "demo-member", "--url", url),
                           input="帮助\n", env=env, cwd=tmp_path, capture_output=True,
                           text=True, timeout=30, check=True)
            session.commit()  # a fresh transaction sees that message
            # due in 5 s: after the watching chat below has started
            ChannelPolicy({}).enqueue(session, "test:push", member,
                                      Notice("notice", "今晚七点支部党员大会"), utcnow(),
                                      send_after=utcnow() + timedelta(seconds=5))
            session.commit()
        engine.dispose()
        shown = subprocess.run(
            partybot("chat", "--openid", "demo-member", "--url", url, "--wait", "15"),
            input="", env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        # (15 s: a loaded CI machine once took longer than 8 s; the server's log says why)
        assert "[推送] 今晚七点支部党员大会" in shown.stdout, \
            shown.stdout + shown.stderr + server.output
    finally:
        assert server.stop() == 0, server.output


def test_qr_for_a_meeting_that_does_not_exist_is_refused(database_url, tmp_path, fake,
                                                        monkeypatch, session):
    from tests.factories import make_branch, make_meeting

    for name, value in command_env(database_url, tmp_path,
                                   WECHAT_API_BASE_URL=fake.base_url).items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "qr.png"
    result = CliRunner().invoke(main, ["qr", "meeting:999", "--out", str(out)])
    assert result.exit_code != 0 and "没有编号为 999 的会议" in result.output
    assert not out.exists() and fake.state.qrcodes == []
    from datetime import datetime, timedelta

    meeting = make_meeting(session, make_branch(session),
                           datetime.now(UTC) + timedelta(days=1))
    session.commit()
    result = CliRunner().invoke(main, ["qr", f"meeting:{meeting.id}", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists()


def test_commands_against_an_unmigrated_database_say_what_to_run(tmp_path, monkeypatch):
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,支部\n张明,辽原村党支部\n", encoding="utf-8")
    for name, value in command_env(empty, tmp_path).items():
        monkeypatch.setenv(name, value)
    for args in (["member", "unbind", "张明", "--branch", "x"], ["pairs", "suggest"],
                 ["import-roster", str(roster)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code != 0
        assert "partybot db upgrade" in result.output, (args, result.output)
        assert "Traceback" not in result.output and "no such table" not in result.output


def test_the_sandbox_has_templates_only_for_the_kinds_wechat_has_templates_for():
    """An answer to a question, an unbinding notice or an expired draft have no category
    template on a real account; in the sandbox they used to go out as templates the
    fake did not know (40037, failed) instead of customer-service messages."""
    from core.config import SandboxTemplates
    from core.template_messages import KIND_FIELDS
    from models.delivery.outbox import ChannelPolicy, Notice

    policy = ChannelPolicy(SandboxTemplates())
    for kind in KIND_FIELDS:
        spec = policy.template_of(Notice(kind, "x"))
        assert spec is not None and spec.template_id == f"sandbox-{kind}"
    for kind in ("question_answer", "account", "draft"):
        assert policy.template_of(Notice(kind, "x")) is None, kind


@pytest.mark.parametrize("body", [{"openid": "o-page", "text": "\ud800"},
                                  {"openid": "\udfff", "text": "帮助"}])
def test_a_lone_surrogate_is_refused_not_a_500(sandbox_app, body):
    answer = sandbox_app.test_client().post("/sandbox/send", json=body)
    assert answer.status_code == 400
