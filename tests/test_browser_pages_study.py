"""A member reads a study item on the member pages in the sandbox (Chromium at 390x844
and at 320 px): the article at 特大 with its two photos in line and nothing scrolling
sideways, 朗读 where the browser can speak (hidden where it cannot), 已学 recorded as
chat records it, a 心得 photo sent from the phone. Screenshots go to $PARTYBOT_SHOTS
(default: the test's tmp dir)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide
from models.db.stored_files import FEEDBACK, StoredFile
from models.study.tables import StudyFeedback, StudyRecord
from tests import test_browser
from tests.browser_support import wait_until
from tests.conftest import TOKEN, Chat
from tests.factories import make_branch, make_member, make_township
from tests.live import serving_own_sandbox
from tests.test_browser_pages_bind import NARROW, fits, shots
from tests.test_pages_study import picture, post_item

page = test_browser.page  # Chromium at 390x844; fails on anything the CSP blocked
expect = test_browser.expect

BODY = "\n".join([
    "习近平总书记指出，党的基层组织是党在社会基层组织中的战斗堡垒，是党的全部工作和战斗力的基础。",
    "支部要把学习党章作为经常性的教育内容，做到人人读原文、个个谈体会。",
    "年纪大的党员可以请帮扶人读给自己听，也可以在手机上点「朗读」。",
    "学习链接：https://www.12371.cn/2024/01/01/ARTI1234567890123456789012345678.shtml",
])


@pytest.fixture
def reading(settings, clock):  # type: ignore[no-untyped-def]
    """The app with its WeChat API at its own /sandbox; 张明 is bound; item 1 has two
    kept photos."""
    made = []

    def make(api_base_url: str):  # type: ignore[no-untyped-def]
        app = create_app(settings.with_overrides(api_base_url=api_base_url, api_timeout=3.0),
                         clock=clock)
        with services_of(app).sessions() as session:
            branch = make_branch(session, "辽原村党支部", make_township(session, "东乡党委"))
            make_member(session, branch, "张明", "13800000002", openid="o-zm")
            item = post_item(session, branch.id, "学习新修订的《中国共产党章程》第一章总纲",
                             clock() - timedelta(minutes=20), body=BODY,
                             photos=(picture("darkred"), picture("navy", (900, 1200))),
                             root=settings.instance_path, source="共产党员网",
                             link="https://www.12371.cn/a.html")
            session.commit()
            app.config["ITEM_ID"] = item.id
        made.append(app)
        return app

    with serving_own_sandbox(make) as (app, base_url):
        app.config["BASE_URL"] = base_url
        yield app
    services_of(made[0]).dispose()


def log_in_as(tab, base_url: str, openid: str, path: str) -> None:  # type: ignore[no-untyped-def]
    """The sandbox's authorize page: who is opening the link (WeChat would know)."""
    tab.goto(f"{base_url}{path}")
    tab.fill("#sandbox_openid", openid)
    tab.click("text=以这个 openid 打开")
    assert tab.url.split("#")[0] == f"{base_url}{path}", tab.url


def photos_in_line(tab) -> list[dict]:  # type: ignore[no-untyped-def]
    return tab.evaluate(
        "[...document.querySelectorAll('#article figure.photo img')].map(i => ({"
        "loaded: i.complete && i.naturalWidth > 0, width: i.getBoundingClientRect().width,"
        "inArticle: !!i.closest('#article')}))")


def test_a_member_reads_at_the_largest_font_marks_studied_and_sends_a_photo(
        page, reading, clock, tmp_path):  # type: ignore[no-untyped-def]
    base_url, item_id = reading.config["BASE_URL"], reading.config["ITEM_ID"]
    folder = shots(tmp_path)
    log_in_as(page, base_url, "o-zm", "/m/study")
    expect(page.locator("#today a.item")).to_contain_text("第一章总纲")
    expect(page.locator("nav.bottom a.active")).to_have_text("学习")
    fits(page)
    page.screenshot(path=str(folder / "study-list-390.png"), full_page=True)
    page.click("#today a.item")
    expect(page.locator("h1")).to_have_text("学习新修订的《中国共产党章程》第一章总纲")
    page.click(".font-switch button.size-xlarge")
    expect(page.locator("html")).to_have_class("font-xlarge")
    page.wait_for_load_state("load")
    assert page.url.split("#")[0] == f"{base_url}/m/study/{item_id}"
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#article-body p')).fontSize)")
    assert size >= 24, size
    wait_until(
        page, "[...document.querySelectorAll('#article img')].every(i => i.complete)")
    photos = photos_in_line(page)
    assert len(photos) == 2 and all(p["loaded"] and p["inArticle"] for p in photos), photos
    assert all(p["width"] <= 390 for p in photos), photos
    expect(page.locator("#speak")).to_be_visible()  # Chromium offers speechSynthesis
    fits(page)
    page.screenshot(path=str(folder / "study-item-xlarge-390.png"), full_page=True)
    # 朗读 queues the title and the text sentence by sentence in Chinese (headless
    # Chromium has no voice to play them: what is queued is kept here instead)
    page.evaluate("() => { window.said = []; speechSynthesis.speak = function (u) {"
                  " window.said.push([u.text, u.lang]); }; }")
    page.click("#speak")
    expect(page.locator("#stop")).to_be_visible()
    expect(page.locator("#speak")).to_be_hidden()
    said = page.evaluate("window.said")
    assert said[0] == ["学习新修订的《中国共产党章程》第一章总纲", "zh-CN"], said
    assert len(said) >= 5 and all(lang == "zh-CN" for _, lang in said)
    spoken = "".join(text for text, _ in said)
    assert "人人读原文、个个谈体会。" in spoken and "12371" not in spoken  # no link read out
    page.click("#stop")
    expect(page.locator("#speak")).to_be_visible()
    # 已学: a tap
    page.click("#mark-studied")
    expect(page.locator(".flash")).to_contain_text("已记录：你学习了")
    expect(page.locator("#studied")).to_contain_text("已学")
    chat = Chat(reading.test_client(), WeChatSide(TOKEN), clock)
    assert "学习 1 期" in chat.say("o-zm", "我的")
    # a 心得 photo from the phone
    photo = tmp_path / "IMG_20241201_0930.png"
    photo.write_bytes(picture("olive", (1600, 1200)))
    page.set_input_files("#photo", str(photo))
    page.fill("#text", "通过学习，进一步认识到基层党组织的重要作用。")
    page.click("#send-feedback")
    expect(page.locator(".flash")).to_contain_text("心得收到了")
    expect(page.locator(".mine img")).to_have_count(1)
    wait_until(page, "document.querySelector('.mine img').naturalWidth > 0")
    expect(page.locator(".mine .said")).to_contain_text("基层党组织的重要作用")
    with services_of(reading).sessions() as session:
        record = session.scalars(select(StudyRecord)).one()
        kinds = sorted(p.kind for p in session.scalars(select(StudyFeedback)))
        assert record.via == "self" and kinds == ["image", "text"]
        assert session.scalars(select(StoredFile).where(StoredFile.owner == FEEDBACK)).one()
    fits(page)
    page.screenshot(path=str(folder / "study-feedback-xlarge-390.png"), full_page=True)
    heights = page.evaluate(
        "[...document.querySelectorAll('#speak, #send-feedback, #photo, a.more, nav.bottom a')]"
        ".map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44, heights
    # at 320 px, 特大 still fits and the photos shrink to the width
    page.set_viewport_size(NARROW)
    page.reload()
    wait_until(
        page, "[...document.querySelectorAll('#article img')].every(i => i.complete)")
    fits(page)
    assert all(p["width"] <= 320 for p in photos_in_line(page))
    page.screenshot(path=str(folder / "study-item-xlarge-320.png"), full_page=True)
    page.click(".font-switch button.size-standard")
    expect(page.locator("html")).to_have_class("font-standard")
    page.wait_for_load_state("load")
    fits(page)
    page.screenshot(path=str(folder / "study-item-320.png"), full_page=True)


def test_read_aloud_is_hidden_where_the_browser_cannot_speak(page, reading):  # type: ignore[no-untyped-def]
    base_url, item_id = reading.config["BASE_URL"], reading.config["ITEM_ID"]
    page.add_init_script("delete window.speechSynthesis;")
    log_in_as(page, base_url, "o-zm", f"/m/study/{item_id}")
    expect(page.locator("h1")).to_contain_text("第一章总纲")
    assert page.evaluate("typeof window.speechSynthesis") == "undefined"
    expect(page.locator("#speak")).to_be_hidden()
    expect(page.locator("#read-aloud")).to_be_hidden()
    expect(page.locator("#mark-studied")).to_be_visible()
