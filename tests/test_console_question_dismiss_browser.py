"""The 忽略 button on the question queue at phone width (issue 25, item 10), in Chromium:
visible, not clipped, and one click takes the question off the queue."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.actors import Actor
from models.db.engine import make_engine
from models.members.tables import Member
from models.questions.actions import ask_question
from tests import test_browser

# test_browser's fixtures (it skips itself when Debian's chromium is missing); the
# browser itself is conftest's
console, page = test_browser.console, test_browser.page
expect = test_browser.expect


def test_dismissing_a_question_on_a_phone(page, console, settings, clock, tmp_path):
    base_url, ids = console
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        member = session.scalars(select(Member).where(Member.name == "张明")).one()
        for text in ("党费交到哪里？", "那个东西弄好没有"):
            ask_question(session, Actor.member(member.id, member.name), member.id,
                         member.branch_id, text, clock())
        session.commit()
    engine.dispose()
    test_browser.log_in(page, base_url, "east-it")
    expect(page.locator("h1")).to_contain_text("东乡党委")
    page.goto(f"{base_url}/admin/branch/{ids['liaoyuan']}/questions")
    expect(page.locator("main")).to_contain_text("待回复（2）")
    buttons = page.get_by_role("button", name="不是问题，忽略")
    expect(buttons).to_have_count(2)
    for index in range(2):
        button = buttons.nth(index)
        button.scroll_into_view_if_needed()
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 \
            and box["x"] + box["width"] <= test_browser.PHONE["width"], box
    assert page.evaluate("document.documentElement.scrollWidth") <= test_browser.PHONE["width"]
    page.screenshot(path=str(tmp_path / "questions-phone.png"), full_page=True)
    card = page.locator(".card.question", has_text="那个东西弄好没有")
    card.get_by_role("button", name="不是问题，忽略").click()
    expect(page.locator("main")).to_contain_text("已忽略")
    expect(page.locator("main")).to_contain_text("待回复（1）")
    expect(page.locator("main")).not_to_contain_text("那个东西弄好没有")
    expect(page.locator("main")).to_contain_text("党费交到哪里？")
