"""The overview in Chromium at phone and desk width: arranged meetings read apart from
none arranged, and the page itself never scrolls sideways (issue 25.6)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import CONSOLE_PASSWORD
from tests.live import serving
from tests.test_overview_arranged import township  # noqa: F401  (the fixture)

CHROMIUM = Path("/usr/bin/chromium")
# where the screenshots go (PARTYBOT_SCREENSHOTS to keep them; else the test's tmp_path)
SHOTS = os.environ.get("PARTYBOT_SCREENSHOTS")

if not CHROMIUM.exists():
    pytest.skip("browser tests need Debian's chromium", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

# `browser` is conftest's one Chromium for the session.


@pytest.mark.parametrize("width", [390, 1366])
def test_the_overview_reads_at_phone_and_desk_width(app, township, browser,  # noqa: F811
                                                    tmp_path, width):
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    with serving(app) as base_url:
        page.goto(f"{base_url}/admin/")
        page.fill("#login", "east-it")
        page.fill("#password", CONSOLE_PASSWORD)
        page.click("button.primary")
        expect(page.locator("h1")).to_contain_text("三会一课落实情况（东乡党委）")
        table = page.locator("table")
        expect(table).to_contain_text("◷ 已安排 12月20日")
        expect(table).to_contain_text("⚠ 未安排 剩27天")
        expect(page.locator("#trend")).to_contain_text("不含还没有党员的 1 个支部")
        # on a phone the kind columns are off to the right: the branch's own cell says
        # where it stands, the state first
        brief = page.locator("tr", has_text="红光村党支部").locator(".brief")
        if width < 700:
            expect(brief).to_have_text("⚠ 4项未安排")
            expect(page.locator("tr", has_text="辽原村党支部").locator(".brief")
                   ).to_have_text("◷ 4项已安排")
        else:
            expect(brief).to_be_hidden()
        page.screenshot(path=str(folder / f"overview-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
