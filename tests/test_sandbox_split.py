"""The sandbox is a guest of the app: the production webhook imports none of it, and its
own modules share state through public names only."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from bot import create_app
from bot.services import services_of
from bot.webhook import INBOUND_LISTENERS

SANDBOX = Path(__file__).resolve().parent.parent / "bot" / "sandbox"


def test_the_webhook_and_all_it_imports_leave_the_sandbox_out():
    # A fresh interpreter: this one has imported the sandbox for other tests.
    probe = ("import sys, bot.webhook; "
             "print(sorted(m for m in sys.modules if m.startswith('bot.sandbox')))")
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True, cwd=SANDBOX.parent.parent).stdout.strip()
    assert found == "[]"


def test_only_a_sandbox_app_listens_to_the_webhook(settings):
    real = create_app(settings.with_overrides(app_id="wx-real", app_secret="s"))
    sandbox = create_app(settings.with_overrides(wechat_token="partybot-sandbox"))
    try:
        assert "fake_wechat" not in real.extensions
        assert not real.extensions.get(INBOUND_LISTENERS)
        assert "fake_wechat" in sandbox.extensions
        assert len(sandbox.extensions[INBOUND_LISTENERS]) == 1
    finally:
        services_of(real).dispose()
        services_of(sandbox).dispose()


def test_sandbox_modules_import_no_private_names():
    for path in SANDBOX.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot."):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name} imports {private} from {node.module}"


def test_sandbox_modules_stay_small():
    for path in SANDBOX.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) < 400, path.name
