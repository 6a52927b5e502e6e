"""Photos chosen in the console's study form survive 预览: they are stored with the
preview, the form carries them, and 发布 publishes them — members get them in chat;
a photo taken off the preview, 放弃, or a day without 发布 deletes them."""

from __future__ import annotations

import re
from io import BytesIO

from sqlalchemy import select

from bot.services import services_of
from models.db.stored_files import PREVIEW, STUDY, StoredFile
from models.study.tables import StudyItem
from schedules.upkeep import sweep_uploads
from tests.conftest import Chat
from tests.test_console_meetings import logged_in, png_bytes, same_picture
from tests.test_console_study import post

KEPT = re.compile(r'name="kept" value="([^"]+)"')


def uploads(settings) -> list[str]:  # type: ignore[no-untyped-def]
    """The files under the uploads folder, relative to it."""
    root = settings.instance_path / "uploads"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def rows(session) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    session.rollback()
    return [(r.owner, r.owner_id, r.name) for r in session.scalars(
        select(StoredFile).order_by(StoredFile.id))]


def preview(browser, org_id: int, photos: int = 1, **fields):  # type: ignore[no-untyped-def]
    images = [(BytesIO(png_bytes()), f"p{n}.png") for n in range(photos)]
    return post(browser, org_id, action="preview", images=images, **fields)


def test_a_photo_chosen_before_the_preview_is_published(app, session, county, chat: Chat,
                                                        settings):
    secretary = logged_in(app, "liaoyuan")
    shown = preview(secretary, county["liaoyuan"])
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "党员在微信里看到的样子" in page
    assert "重新选一次图片" not in page  # the old advice: the photo was thrown away
    [name] = KEPT.findall(page)
    assert f'src="/admin/study-preview-image/{name}"' in page  # the photo, in the preview
    assert "1张照片各有一个链接" in page  # what members will get of it
    assert session.scalars(select(StudyItem)).all() == []
    assert rows(session) == [(PREVIEW, county["liaoyuan"], name)]
    thumbnail = secretary.get(f"/admin/study-preview-image/{name}")
    assert thumbnail.status_code == 200 and same_picture(thumbnail.data, png_bytes())
    # 发布 without choosing the picture again
    answer = post(secretary, county["liaoyuan"], kept=name)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    session.rollback()
    item = session.scalars(select(StudyItem)).one()
    [image] = item.images
    assert image.pic_url.endswith(f"/admin/study-image/{item.id}/{name}")
    assert rows(session) == [(STUDY, item.id, name)]
    assert uploads(settings) == [f"study/{item.id}/{name}"]  # moved, nothing left behind
    served = app.test_client().get(image.pic_url.removeprefix("http://localhost"))
    assert served.status_code == 200 and same_picture(served.data, png_bytes())
    assert image.pic_url in chat.say("o-zm", "学习")
    page = secretary.get(answer.location).get_data(as_text=True)
    assert f'src="{image.pic_url}"' in page  # the item's page shows it as members see it


def test_a_link_and_one_photo_preview_as_the_card_members_get(app, session, county, chat):
    secretary = logged_in(app, "liaoyuan")
    page = preview(secretary, county["liaoyuan"],
                   link="https://www.12371.cn/a.html").get_data(as_text=True)
    [name] = KEPT.findall(page)
    assert "卡片上的图片就是这张照片" in page
    assert "不带照片" in page  # the sandbox sends 学习提醒 as a template message
    card = page.split('class="bubble news"')[1].split("</div>")[0]
    assert f"/admin/study-preview-image/{name}" in card
    post(secretary, county["liaoyuan"], kept=name, link="https://www.12371.cn/a.html")
    session.rollback()
    item = session.scalars(select(StudyItem)).one()
    reply = chat.send_xml(_text("o-zm", "学习", chat))
    assert reply.msg_type == "news" and f"<PicUrl><![CDATA[{item.images[0].pic_url}]]>" \
        in reply.xml


def test_photos_can_be_added_taken_off_or_given_up(app, session, county, settings):
    secretary = logged_in(app, "liaoyuan")
    branch = county["liaoyuan"]
    first, second = KEPT.findall(preview(secretary, branch, photos=2).get_data(as_text=True))
    # a second 预览 adds a photo and takes the first off
    page = post(secretary, branch, action="preview", kept=[first, second], drop=first,
                images=[(BytesIO(png_bytes()), "c.png")]).get_data(as_text=True)
    kept = KEPT.findall(page)
    assert kept[0] == second and len(kept) == 2 and first not in kept
    assert [name for *_, name in rows(session)] == kept
    assert not any(first in path for path in uploads(settings))
    # 放弃: the preview's photos go
    answer = post(secretary, branch, action="discard", kept=kept)
    assert answer.status_code == 302
    assert rows(session) == [] and uploads(settings) == []
    assert session.scalars(select(StudyItem)).all() == []


def test_a_preview_left_alone_is_cleaned_up_after_a_day(app, session, county, clock,
                                                        settings):
    secretary = logged_in(app, "liaoyuan")
    [name] = KEPT.findall(preview(secretary, county["liaoyuan"]).get_data(as_text=True))
    clock.advance(hours=23)
    sweep_uploads(services_of(app))
    assert [n for *_, n in rows(session)] == [name]  # the secretary may still publish it
    clock.advance(hours=2)
    sweep_uploads(services_of(app))
    assert rows(session) == [] and uploads(settings) == []
    secretary = logged_in(app, "liaoyuan")  # the next day's login
    answer = post(secretary, county["liaoyuan"], kept=name)
    assert answer.status_code == 400  # the photo is gone: said, not published without it
    assert "图片" in answer.get_data(as_text=True)
    assert session.scalars(select(StudyItem)).all() == []


def test_a_preview_is_its_authors_alone(app, session, county):
    secretary = logged_in(app, "liaoyuan")
    [name] = KEPT.findall(preview(secretary, county["liaoyuan"]).get_data(as_text=True))
    township = logged_in(app, "east-it")
    assert township.get(f"/admin/study-preview-image/{name}").status_code == 404
    assert app.test_client().get(f"/admin/study-preview-image/{name}").status_code in (302, 401)
    answer = post(township, county["liaoyuan"], kept=name)
    assert answer.status_code == 400  # not theirs: refused, the secretary's photo stays
    assert [owner for owner, *_ in rows(session)] == [PREVIEW]


def test_too_many_photos_over_two_previews_are_refused(app, session, county):
    secretary = logged_in(app, "liaoyuan")
    branch = county["liaoyuan"]
    kept = KEPT.findall(preview(secretary, branch, photos=8).get_data(as_text=True))
    assert len(kept) == 8
    refused = post(secretary, branch, action="preview", kept=kept,
                   images=[(BytesIO(png_bytes()), f"x{n}.png") for n in range(2)])
    assert refused.status_code == 400 and "9" in refused.get_data(as_text=True)
    assert len(KEPT.findall(refused.get_data(as_text=True))) == 8  # still held
    assert len(rows(session)) == 8


def _text(openid: str, content: str, chat) -> str:  # type: ignore[no-untyped-def]
    from bot.simulator import message_xml

    return message_xml(openid, "text", {"Content": content},
                       create_time=int(chat.clock().timestamp()))


def test_a_repeat_held_for_confirming_keeps_its_photo(app, session, county):
    secretary = logged_in(app, "liaoyuan")
    branch = county["liaoyuan"]
    assert post(secretary, branch).status_code == 302
    repeat = post(secretary, branch, images=[(BytesIO(png_bytes()), "a.png")])
    assert repeat.status_code == 409
    [name] = KEPT.findall(repeat.get_data(as_text=True))  # chosen once, held for 发布
    assert post(secretary, branch, kept=name, confirm="yes").status_code == 302
    session.rollback()
    first, second = session.scalars(select(StudyItem).order_by(StudyItem.id)).all()
    assert first.images == [] and [i.pic_url.rsplit("/", 1)[1] for i in second.images] == [name]
