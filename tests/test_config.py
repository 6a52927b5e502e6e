"""Settings: the contract's variables, .env, strict booleans, per-install secret."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from core.config import SANDBOX_TOKEN, ConfigError, load_settings, parse_bool


def test_defaults_are_sandbox(tmp_path):
    settings = load_settings({"PARTYBOT_INSTANCE_PATH": str(tmp_path)}, dotenv_path=None)
    assert settings.sandbox and settings.wechat_token == SANDBOX_TOKEN
    assert settings.database_url == "sqlite:///instance/partybot.db"
    assert settings.api_base_url == "http://127.0.0.1:5000/sandbox"  # its own fake API
    assert not settings.api_base_url_configured
    assert settings.timezone == "Asia/Shanghai"
    assert settings.encoding_aes_key is None


def test_secret_key_generated_once_per_install(tmp_path):
    first = load_settings({"PARTYBOT_INSTANCE_PATH": str(tmp_path)}, dotenv_path=None)
    second = load_settings({"PARTYBOT_INSTANCE_PATH": str(tmp_path)}, dotenv_path=None)
    assert len(first.secret_key) == 64 and first.secret_key == second.secret_key
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_dotenv_is_read_and_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("WECHAT_TOKEN=from-file\nPARTYBOT_TIMEZONE=Asia/Urumqi\n")
    settings = load_settings({"PARTYBOT_TIMEZONE": "UTC", "PARTYBOT_INSTANCE_PATH": str(tmp_path)},
                             dotenv_path=env_file)
    assert settings.wechat_token == "from-file" and settings.timezone == "UTC"


def test_real_account_needs_token_and_secret(tmp_path):
    base = {"PARTYBOT_INSTANCE_PATH": str(tmp_path), "WECHAT_APP_ID": "wx1"}
    with pytest.raises(ConfigError, match="WECHAT_TOKEN"):
        load_settings(base, dotenv_path=None)
    with pytest.raises(ConfigError, match="WECHAT_APP_SECRET"):
        load_settings({**base, "WECHAT_TOKEN": "t"}, dotenv_path=None)
    settings = load_settings({**base, "WECHAT_TOKEN": "t", "WECHAT_APP_SECRET": "s"},
                             dotenv_path=None)
    assert not settings.sandbox
    assert settings.api_base_url == "https://api.weixin.qq.com"


def test_secrets_not_in_repr(tmp_path):
    settings = load_settings({"PARTYBOT_INSTANCE_PATH": str(tmp_path), "WECHAT_APP_ID": "wx1",
                              "WECHAT_TOKEN": "tokentoken", "WECHAT_APP_SECRET": "topsecret",
                              "WECHAT_ENCODING_AES_KEY": "k" * 43}, dotenv_path=None)
    text = repr(settings)
    assert "topsecret" not in text and "k" * 43 not in text and "tokentoken" not in text


@pytest.mark.parametrize(("name", "value", "message"), [
    ("WECHAT_ENCODING_AES_KEY", "short", "43"),
    ("PARTYBOT_TIMEZONE", "Mars/Olympus", "time zone"),
    ("WECHAT_API_BASE_URL", "api.weixin.qq.com", "http"),
    ("WECHAT_TIMESTAMP_TOLERANCE", "five", "integer"),
    ("PARTYBOT_SEED_DEMO", "maybe", "PARTYBOT_SEED_DEMO"),
    ("PARTYBOT_TEMPLATE_IDS", "meeting_reminder", "kind=TEMPLATE_ID"),
    ("PARTYBOT_SEND_RATE", "fast", "number"),
    ("WECHAT_COMPATIBLE_MODE", "sure", "WECHAT_COMPATIBLE_MODE"),
])
def test_bad_values_name_the_variable(tmp_path, name, value, message):
    with pytest.raises(ConfigError, match=message):
        load_settings({"PARTYBOT_INSTANCE_PATH": str(tmp_path), name: value}, dotenv_path=None)


def test_compatible_mode_is_an_explicit_opt_in(tmp_path):
    base = {"PARTYBOT_INSTANCE_PATH": str(tmp_path), "WECHAT_ENCODING_AES_KEY": "k" * 43}
    assert load_settings(base, dotenv_path=None).compatible_mode is False
    assert load_settings({**base, "WECHAT_COMPATIBLE_MODE": "true"},
                         dotenv_path=None).compatible_mode is True


def test_parse_bool_is_strict():
    assert parse_bool("X", "Yes", False) is True
    assert parse_bool("X", "off", True) is False
    assert parse_bool("X", None, True) is True
    with pytest.raises(ConfigError):
        parse_bool("X", "ture", False)


def test_api_base_url_trailing_slash_removed(tmp_path):
    settings = load_settings({"PARTYBOT_INSTANCE_PATH": str(tmp_path),
                              "WECHAT_API_BASE_URL": "http://127.0.0.1:9000/"}, dotenv_path=None)
    assert settings.api_base_url == "http://127.0.0.1:9000"


def test_template_ids_parsed(tmp_path):
    settings = load_settings({"PARTYBOT_INSTANCE_PATH": str(tmp_path),
                              "PARTYBOT_TEMPLATE_IDS": "meeting_reminder=T1, study_push = T2"},
                             dotenv_path=None)
    assert settings.template_ids == {"meeting_reminder": "T1", "study_push": "T2"}
    assert settings.template_ids.get("weekly_digest") is None


def test_sandbox_has_a_template_for_every_templated_kind(tmp_path):
    settings = load_settings({"PARTYBOT_INSTANCE_PATH": str(tmp_path)}, dotenv_path=None)
    assert settings.templates.get("study_push").template_id == "sandbox-study_push"
    assert settings.templates.get("anything") is None  # as on a real account
    real = load_settings({"PARTYBOT_INSTANCE_PATH": str(tmp_path), "WECHAT_APP_ID": "wx1",
                          "WECHAT_TOKEN": "t", "WECHAT_APP_SECRET": "s"}, dotenv_path=None)
    assert real.templates.get("anything") is None


def test_the_parsers_moved_but_core_config_still_names_them():
    """core/config.py was split (issue 24: modules under 400 lines); what other modules
    import from core.config is still there, and is the parsers' own."""
    import core.config
    import core.config_values

    for name in ("ConfigError", "DEFAULT_CADENCE", "parse_bool", "parse_int", "parse_float",
                 "parse_hosts", "parse_clock", "parse_cadence", "parse_template_ids"):
        assert getattr(core.config, name) is getattr(core.config_values, name), name
    for module in (core.config, core.config_values):
        assert len(Path(str(module.__file__)).read_text(encoding="utf-8").splitlines()) <= 400
