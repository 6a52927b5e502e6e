"""At phone width (390 and 320 px), a township officer opens an item whose chat photos
could not be kept in partybot's storage (over the org's quota): the item's page says
which photo, and why, wrapped within its card."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from models.actors import Actor
from models.members.org_tables import Org
from models.study.actions import ItemImage, PushTimes, publish_post
from models.study.posting import make_draft
from schedules.study_photos import copy_study_photos
from tests import test_browser
from tests.test_study_photo_copies import sent_picture

console = test_browser.console
page = test_browser.page
expect = test_browser.expect
SHOTS = Path("/tmp/h5-shots")


def test_the_item_page_says_which_photo_was_not_kept(page, console, services, fake,
                                                     clock):  # type: ignore[no-untyped-def]
    base_url, ids = console
    with services.sessions() as session:
        org = session.get(Org, ids["liaoyuan"])
        pictures = [ItemImage(*sent_picture(fake)) for _ in range(2)]
        published = publish_post(session, Actor.cli("test"), org,
                                 make_draft("学习党章第一章", "请各位党员认真学习。", clock()),
                                 clock() - timedelta(minutes=1),
                                 PushTimes(services.settings.tz, (9, 0)), images=pictures)
        session.commit()
        item_id = published.item.id
    tight = dataclasses.replace(services, settings=services.settings.with_overrides(
        upload_daily_bytes=1000))
    assert copy_study_photos(tight) == 0
    test_browser.log_in(page, base_url, "east-it")
    page.goto(f"{base_url}/admin/study/{item_id}")
    expect(page.locator("dl.facts")).to_contain_text(
        "第2张照片没有存进本系统（本组织今天上传的照片已到上限）")
    SHOTS.mkdir(exist_ok=True)
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 844})
        page.screenshot(path=str(SHOTS / f"study-item-notes-{width}.png"), full_page=True)
        # the notes wrap within the card
        right = page.evaluate("document.querySelector('dl.facts').getBoundingClientRect()"
                              ".right")
        assert right <= width, right
        # and the chat preview's long photo links wrap too: nothing scrolls sideways
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, wide
