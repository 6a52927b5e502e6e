"""At phone width, a township officer posts a study item with a photo through 预览 and
发布 in Chromium; the member's 学习 card carries the photo, and it opens on the phone."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import segno

from bot.simulator import message_xml
from tests import test_browser
from tests.conftest import Chat

# The browser tests' own fixtures (one Chromium for the session, the county over HTTP).
browser = test_browser.browser
console = test_browser.console
page = test_browser.page
expect = test_browser.expect

ARTICLE = "https://www.12371.cn/dangzhang.html"


def loaded(tab, selector: str) -> int:  # type: ignore[no-untyped-def]
    """The natural width of the first image matching `selector`, once it has loaded
    (polled by Playwright itself: the console's CSP forbids a polled string's eval)."""
    image = tab.locator(selector).first
    expect(image).to_have_js_property("complete", True, timeout=10_000)
    return int(image.evaluate("img => img.naturalWidth"))


def test_a_photo_chosen_then_previewed_is_published_and_members_see_it(
        page, console, chat: Chat, tmp_path: Path):  # type: ignore[no-untyped-def]
    base_url, ids = console
    photo = tmp_path / "activity.png"
    segno.make("党员活动照片").save(str(photo), scale=8)
    test_browser.log_in(page, base_url, "east-it")
    page.goto(f"{base_url}/admin/org/{ids['liaoyuan']}/study/new")
    page.fill("#title", "学习党章第一章")
    page.fill("#body", "请各位党员认真学习。")
    page.fill("#link", ARTICLE)
    page.set_input_files("#images", str(photo))
    page.click("button[value=preview]")
    # the preview: the card members get, with the photo on it, and what that means
    expect(page.locator("#preview")).to_contain_text("卡片上的图片就是这张照片")
    assert loaded(page, "#preview .bubble.news img") > 0
    assert loaded(page, ".photos.kept img") > 0  # held for 发布: no need to choose again
    assert page.evaluate("document.querySelector('#images').files.length") == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing pushes the phone's page sideways
    page.click("button[value=publish]")
    expect(page.locator(".flash")).to_contain_text("已发布")
    assert loaded(page, ".bubble.news img") > 0  # the item's page: as members see it
    # the member: 学习 is the card, its picture the photo, which opens on the phone
    reply = chat.send_xml(message_xml("o-zm", "text", {"Content": "学习"},
                                      create_time=int(chat.clock().timestamp())))
    assert reply.msg_type == "news"
    [picture] = [item.findtext("PicUrl") for item in ET.fromstring(reply.xml).iter("item")]
    assert picture and picture.startswith(base_url)
    member = page.context.browser.new_context(viewport=test_browser.PHONE).new_page()
    member.goto(picture)
    assert loaded(member, "img") > 0
    member.context.close()
