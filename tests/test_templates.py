"""Category templates from configuration: the TOML file, `partybot templates check`, the
values fitted to each keyword's type, and the fake showing them as WeChat does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import main
from core.config import ConfigError, load_settings
from core.template_messages import load_templates_file
from models.delivery.outbox import ChannelPolicy, Notice
from schedules.delivery_loop import DeliveryWorker
from tests.factories import make_branch, make_member

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_example(tmp_path: Path) -> Path:
    """The example templates file printed in the README."""
    blocks = re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    # the README shows other TOML files too (the 考核 scheme): the templates file's block
    found = [block for block in blocks if "partybot-templates.toml" in block]
    assert found, "the README shows an example templates file"
    path = tmp_path / "templates.toml"
    path.write_text(found[0], encoding="utf-8")
    return path


def check(path: Path, monkeypatch) -> tuple[int, str]:
    monkeypatch.setenv("PARTYBOT_INSTANCE_PATH", str(path.parent))
    result = CliRunner().invoke(main, ["templates", "check", "--file", str(path)])
    return result.exit_code, result.output


def test_the_readme_example_passes_the_check(tmp_path, monkeypatch):
    code, output = check(readme_example(tmp_path), monkeypatch)
    assert code == 0, output
    assert "6种通知已配置模板，0处问题" in output
    assert re.search(r"meeting_notice .*character_string4 +签到码 +code +4821 +可用", output)
    # a 25-character meeting title is shown as it would be sent: cut to 20 with "…"
    assert "支部党员大会：学习贯彻党的二十届三中全…" in output
    assert re.search(r"compliance_warning +- .*未配置", output)


def test_the_check_names_every_mistake(tmp_path, monkeypatch):
    path = tmp_path / "bad.toml"
    path.write_text('''
[meeting_notice]
template_id = "T1"
[meeting_notice.keywords]
first = { field = "meeting" }
thing1 = { field = "reason" }
time2 = { field = "place" }
phrase3 = { field = "meeting" }
character_string4 = { field = "code" }

[meeting_notise]
template_id = "T2"
[meeting_notise.keywords]
thing1 = "text"
''', encoding="utf-8")
    code, output = check(path, monkeypatch)
    assert code == 1
    assert "first/remark 自2023年5月起已取消" in output
    assert "这种通知没有这个字段" in output
    assert "time 类型放不下这个值" in output and "phrase 类型放不下这个值" in output
    assert "partybot 不发送这种通知" in output
    assert "5处问题" in output


@pytest.mark.parametrize(("content", "says"), [
    ("[meeting_notice\n", "not valid TOML"),
    ("[meeting_notice]\ntitle = 'x'\n", "needs template_id"),
    ("[meeting_notice]\ntemplate_id = 'T'\n", "must list the keywords"),
    ("[meeting_notice]\ntemplate_id = 'T'\n[meeting_notice.keywords]\n"
     "thing1 = { field = 'meeting', type = 'time' }\n", "is a thing keyword, not time"),
])
def test_a_malformed_file_stops_with_the_variable_named(tmp_path, content, says):
    path = tmp_path / "t.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"PARTYBOT_TEMPLATES_FILE: .*{says}"):
        load_settings({"PARTYBOT_INSTANCE_PATH": str(tmp_path),
                       "PARTYBOT_TEMPLATES_FILE": str(path)}, dotenv_path=None)


def test_file_and_ids_together(tmp_path):
    settings = load_settings({
        "PARTYBOT_INSTANCE_PATH": str(tmp_path),
        "PARTYBOT_TEMPLATES_FILE": str(readme_example(tmp_path)),
        "PARTYBOT_TEMPLATE_IDS": "compliance_warning=T-WARN,study_push=OLD"}, dotenv_path=None)
    assert settings.templates["study_push"].template_id == "REPLACE-study-push-id"  # file wins
    warn = settings.templates["compliance_warning"]
    assert [k.key for k in warn.keywords] == ["thing1", "thing2", "number3"]


def test_a_meeting_notice_is_sent_with_the_files_keywords(tmp_path, services, session, clock,
                                                        fake):
    specs = load_templates_file(readme_example(tmp_path))
    fake.state.know_templates(specs)
    branch = make_branch(session)
    member = make_member(session, branch, "张明", "13800000003", openid="o-zm")
    fields = {"meeting": "支部党员大会", "time": "2026年12月5日 09:00",
              "place": "红光村村委会二楼会议室东侧小会议室（原村小学旧址）", "code": "4821"}
    policy = ChannelPolicy(specs)
    policy.enqueue(session, "k1", member, Notice("meeting_reminder", "明天开会", fields=fields),
                   clock())
    # a Chinese 签到码 cannot be a character_string: that notice goes another way
    assert policy.template_message(Notice("meeting_reminder", "x",
                                          fields={**fields, "code": "四八二一"})) is None
    session.commit()
    worker = DeliveryWorker(services, services.wechat, owner="t", batch_size=5)
    try:
        worker.drain(max_seconds=10)
    finally:
        worker.close()
    (sent,) = fake.messages("o-zm")
    assert sent.channel == "template" and sent.body["template_id"] == "REPLACE-meeting-reminder-id"
    assert set(sent.body["data"]) == {"thing1", "time2", "thing4", "character_string5"}
    assert "first" not in sent.body["data"] and "remark" not in sent.body["data"]
    assert sent.text.splitlines() == [
        "会议提醒", "会议名称：支部党员大会", "开始时间：2026年12月5日 09:00",
        "会议地点：红光村村委会二楼会议室东侧小会议室（原…", "签到码：4821"]
    assert fake.state.refused == {} and fake.state.calls["message/template/send"] == 1
    # the sandbox page reads the keywords in the template's order from the fake's list
    import requests
    shown = requests.get(f"{fake.base_url}/_fake/messages", params={"openid": "o-zm"},
                         timeout=5).json()["messages"][0]
    assert [f["name"] for f in shown["fields"]] == ["会议名称", "开始时间", "会议地点", "签到码"]
    assert shown["title"] == "会议提醒"
