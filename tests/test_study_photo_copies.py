"""Photos sent in chat for a study item are kept in partybot's storage by a job soon
after the item is posted (WeChat keeps a received media id 3 days): fetched by media id
or else by picture URL, re-encoded, stored as the org's files and linked — once; retried
when WeChat fails, given up after 3 days, kept as WeChat's link over the org's quota.
The console's photos are linked the same way; pages list every photo's served URL."""

from __future__ import annotations

import base64
import dataclasses
import io
import logging
from datetime import timedelta

import pytest
import requests
from PIL import Image
from sqlalchemy import func, select

from bot.simulator import message_xml
from models.actors import Actor
from models.console.audit import AuditEntry
from models.db.stored_files import STUDY, StoredFile, folder_of
from models.study.photo_copies import item_photos, photos_of_items, servable_photo
from models.study.tables import StudyItem, StudyItemImage
from schedules.study_photos import copy_study_photos
from tests.test_console_meetings import logged_in
from tests.test_console_study import post
from tests.test_console_study_photos import KEPT, preview
from tests.test_posting import people  # noqa: F401  (fixture)


def phone_photo() -> bytes:
    """A phone's photo: 3000×1000, taken sideways (EXIF orientation 6), with a GPS tag."""
    image = Image.new("RGB", (3000, 1000), (180, 30, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to show upright
    exif[0x8825] = {1: "N", 2: (47.0, 54.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def sent_picture(fake, data: bytes | None = None) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A picture kept by the fake WeChat as if a member had sent it: (MediaId, PicUrl)."""
    body = {"data_base64": base64.b64encode(data).decode()} if data else {}
    answer = requests.post(f"{fake.base_url}/_fake/media", json=body, timeout=5).json()
    return answer["media_id"], answer["pic_url"]


def post_with_photos(chat, pictures: list[tuple[str, str]]) -> str:  # type: ignore[no-untyped-def]
    """发布 over several messages with these photos, then 发送; the reply to 发送."""
    chat.say("o-admin", "发布 学习党章第一章")
    chat.say("o-admin", "请各位党员认真学习。")
    for media_id, pic_url in pictures:
        chat.send_xml(message_xml("o-admin", "image", {"PicUrl": pic_url, "MediaId": media_id},
                                  create_time=int(chat.clock().timestamp())))
    return chat.say("o-admin", "发送")


def images(session) -> list[StudyItemImage]:  # type: ignore[no-untyped-def]
    session.rollback()
    session.expire_all()
    return list(session.scalars(select(StudyItemImage).order_by(StudyItemImage.id)))


def stored_rows(session) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    return int(session.scalar(select(func.count()).select_from(StoredFile)) or 0)


def url_of(item_id: int, name: str) -> str:
    return f"/m/study/{item_id}/photo/{name}"


@pytest.mark.usefixtures("people")
def test_two_chat_photos_are_stored_re_encoded_and_linked_once(chat, session,
                                                               services, fake, api_settings):
    pictures = [sent_picture(fake, phone_photo()), sent_picture(fake)]
    assert "已发布" in post_with_photos(chat, pictures)
    # posted: nothing fetched inside the webhook, both wait for the job
    assert fake.state.calls["media/get"] == 0
    assert [i.copy_state for i in images(session)] == ["pending", "pending"]
    assert copy_study_photos(services) == 2
    assert fake.state.calls["media/get"] == 2 and fake.state.calls["mmbiz"] == 0
    found = images(session)
    assert [i.copy_state for i in found] == ["stored", "stored"]
    item = session.scalars(select(StudyItem)).one()
    files = {row.id: row for row in session.scalars(select(StoredFile))}
    assert {i.stored_file_id for i in found} == set(files)
    first = files[found[0].stored_file_id]
    assert (first.owner, first.owner_id, first.org_id) == (STUDY, item.id, item.org_id)
    path = folder_of(api_settings.instance_path, STUDY, item.id) / first.name
    with Image.open(path) as kept:  # upright, at most 2048 px, nothing of the EXIF left
        assert kept.size == (683, 2048)
        assert not kept.getexif() and "exif" not in kept.info
    assert first.size == path.stat().st_size < len(phone_photo())
    # what the pages list: both served by partybot, in order
    photos = item_photos(session, item.id, url_of)
    assert [(p.number, p.state, p.note) for p in photos] == [(1, "stored", None),
                                                             (2, "stored", None)]
    assert photos[0].url == f"/m/study/{item.id}/photo/{first.name}"
    assert servable_photo(session, item.id, first.name, services.clock()) is not None
    assert servable_photo(session, item.id, "other.jpg", services.clock()) is None
    # a second run copies nothing
    assert copy_study_photos(services) == 0
    assert fake.state.calls["media/get"] == 2 and stored_rows(session) == 2


@pytest.mark.usefixtures("people")
def test_a_media_id_wechat_no_longer_knows_falls_back_to_the_picture_url(chat, session,
                                                                       services, fake):
    _, pic_url = sent_picture(fake, phone_photo())
    post_with_photos(chat, [("expired-media-id", pic_url)])
    assert copy_study_photos(services) == 1
    assert fake.state.calls["media/get"] == 1 and fake.state.calls["mmbiz"] == 1
    [image] = images(session)
    assert image.copy_state == "stored" and image.stored_file_id is not None


@pytest.mark.usefixtures("people")
def test_wechat_failing_is_retried_later_then_given_up_after_three_days(
        chat, session, services, fake, clock, caplog):
    post_with_photos(chat, [sent_picture(fake)])
    fake.fail(endpoint="media/get", http_status=500, times=-1)
    fake.fail(endpoint="mmbiz", http_status=503, times=-1)
    assert copy_study_photos(services) == 0
    [image] = images(session)
    assert (image.copy_state, image.copy_tries) == ("pending", 1)
    assert image.copy_next_at == clock() + timedelta(minutes=1)
    assert copy_study_photos(services) == 0  # not due yet: WeChat is not asked
    assert fake.state.calls["media/get"] == 1
    clock.advance(minutes=2)
    copy_study_photos(services)
    assert fake.state.calls["media/get"] == 2 and images(session)[0].copy_tries == 2
    # WeChat is back within the window: the photo is kept after all
    fake.state.faults.clear()
    clock.advance(minutes=10)
    assert copy_study_photos(services) == 1
    assert images(session)[0].copy_state == "stored"
    # a second photo, WeChat down for good: given up once the 3 days are over
    post_again = chat.say("o-admin", "发布 第二期")
    assert post_again
    chat.send_xml(message_xml("o-admin", "image", {"PicUrl": sent_picture(fake)[1],
                                                   "MediaId": "m-2"},
                              create_time=int(clock().timestamp())))
    chat.say("o-admin", "发送")
    fake.fail(endpoint="media/get", http_status=500, times=-1)
    fake.fail(endpoint="mmbiz", http_status=503, times=-1)
    copy_study_photos(services)
    clock.advance(days=3, minutes=1)
    with caplog.at_level(logging.INFO, logger="models.study.actions"):
        copy_study_photos(services)
    last = images(session)[-1]
    assert (last.copy_state, last.copy_note, last.stored_file_id) == ("link", "gave_up", None)
    assert "gave up copying image" in caplog.text and "stays WeChat's link" in caplog.text
    entry = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "study.photo_link")).one()
    assert entry.after == {"image": last.id, "why": "gave_up"}
    calls = fake.state.calls["media/get"]
    clock.advance(days=1)
    assert copy_study_photos(services) == 0 and fake.state.calls["media/get"] == calls
    item_id = last.item_id
    [photo] = item_photos(session, item_id, url_of)
    assert photo.url is None and photo.link is not None
    assert "三天内没能从微信取回" in photo.note


@pytest.mark.usefixtures("people")
def test_over_the_orgs_quota_a_photo_stays_a_link_and_is_logged(chat, session,
                                                               services, fake, caplog):
    post_with_photos(chat, [sent_picture(fake, phone_photo())])
    tight = dataclasses.replace(services, settings=services.settings.with_overrides(
        upload_daily_bytes=1000))
    with caplog.at_level(logging.WARNING):
        assert copy_study_photos(tight) == 0
    [image] = images(session)
    assert (image.copy_state, image.copy_note, image.stored_file_id) == \
        ("link", "daily_full", None)
    assert "kept as WeChat's link (daily_full)" in caplog.text
    assert stored_rows(session) == 0
    [photo] = item_photos(session, image.item_id, url_of)
    assert photo.url is None and "本组织今天上传的照片已到上限" in photo.note
    assert copy_study_photos(services) == 0  # not tried again: it is a link now


@pytest.mark.usefixtures("people")
def test_a_picture_that_is_not_a_photo_is_kept_as_a_link_at_once(chat, session,
                                                                 services, fake):
    post_with_photos(chat, [sent_picture(fake, b"GIF89a not a photo we keep")])
    assert copy_study_photos(services) == 0
    [image] = images(session)
    assert (image.copy_state, image.copy_note) == ("link", "refused")


@pytest.mark.usefixtures("people")
def test_a_withdrawn_items_photos_are_not_copied(chat, session, services, fake):
    post_with_photos(chat, [sent_picture(fake)])
    [image] = images(session)
    chat.say("o-admin", f"撤回 {image.item_id}")
    assert copy_study_photos(services) == 0
    assert fake.state.calls["media/get"] == 0


def test_the_fake_answers_40007_for_an_unknown_media_id(fake, services):
    from core.wechat_media import FetchFailed, media_bytes

    with pytest.raises(FetchFailed) as failed:
        media_bytes(services.wechat, "no-such-media")
    assert failed.value.reason == "media/get errcode 40007" and not failed.value.transient
    media_id, _ = sent_picture(fake)
    assert media_bytes(services.wechat, media_id).startswith(b"\xff\xd8\xff")
    old = requests.post(f"{fake.base_url}/_fake/media", json={"age_seconds": 3 * 86400 + 1},
                        timeout=5).json()
    with pytest.raises(FetchFailed, match="40007"):  # temporary media: 3 days
        media_bytes(services.wechat, old["media_id"])
    assert requests.get(old["pic_url"], timeout=5).status_code == 200  # the URL outlives it


def test_console_photos_are_linked_to_their_stored_files(app, session, county):
    secretary = logged_in(app, "liaoyuan")
    [name] = KEPT.findall(preview(secretary, county["liaoyuan"]).get_data(as_text=True))
    assert post(secretary, county["liaoyuan"], kept=name).status_code == 302
    session.rollback()
    [image] = session.scalars(select(StudyItemImage)).all()
    row = session.get(StoredFile, image.stored_file_id)
    assert row is not None and row.name == name and image.copy_state == "stored"
    found = photos_of_items(session, [image.item_id, 999], url_of)
    assert [p.url for p in found[image.item_id]] == [url_of(image.item_id, name)]
    assert 999 not in found


def test_the_migration_links_console_photos_and_queues_chat_photos(tmp_path):
    from sqlalchemy import text

    from bot.schema_upgrade import upgrade_database
    from models.db.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path}/m.db")
    upgrade_database(engine, "0029")
    with engine.begin() as db:
        db.execute(text("INSERT INTO org (id, name, kind, created_at) "
                        "VALUES (1, 'b', 'branch', '2026-12-01 00:00:00')"))
        db.execute(text(
            "INSERT INTO study_item (id, org_id, title, body, content_hash, publish_at, "
            "push_at, created_at) VALUES (7, 1, 't', '', 'h', '2026-12-01 00:00:00', "
            "'2026-12-01 00:00:00', '2026-12-01 00:00:00')"))
        db.execute(text("INSERT INTO stored_file (id, org_id, owner, owner_id, name, size, "
                        "stored_at) VALUES (3, 1, 'study', 7, 'abc.jpg', 10, "
                        "'2026-12-01 00:00:00')"))
        db.execute(text(
            "INSERT INTO study_item_image (id, item_id, media_id, pic_url) VALUES "
            "(1, 7, NULL, 'https://x/admin/study-image/7/abc.jpg'), "
            "(2, 7, 'm-1', 'https://mmbiz.qpic.cn/1.jpg'), "
            "(3, 7, NULL, 'https://x/admin/study-image/7/gone.jpg')"))
    upgrade_database(engine)
    with engine.connect() as db:
        rows = db.execute(text("SELECT id, stored_file_id, copy_state, copy_note, "
                               "copy_next_at IS NOT NULL FROM study_item_image "
                               "ORDER BY id")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, 3, "stored", None, 0),
                                        (2, None, "pending", None, 1),
                                        (3, None, "link", "gone", 0)]


def test_the_sandbox_chat_page_sends_a_picture_the_fake_keeps(settings, clock):
    from bot import create_app
    from bot.sandbox.fake_media import MEDIA_KEY
    from bot.services import services_of

    app = create_app(settings.with_overrides(wechat_token="partybot-sandbox"), clock=clock)
    try:
        client = app.test_client()
        assert client.post("/sandbox/send", json={"openid": "o-page", "text": "/image"}) \
            .status_code == 200
        media = app.extensions[MEDIA_KEY]
        [(media_id, picture)] = media.by_media_id.items()
        [key] = media.by_key
        shown = client.get(f"/sandbox/mmbiz/{key}")
        assert shown.status_code == 200 and shown.data == picture.data
        assert shown.data.startswith(b"\xff\xd8\xff")
        token = client.get("/sandbox/cgi-bin/token?grant_type=client_credential&appid=wx")
        got = client.get(f"/sandbox/cgi-bin/media/get?media_id={media_id}"
                         f"&access_token={token.get_json()['access_token']}")
        assert got.data == picture.data and got.mimetype == "image/jpeg"
        assert client.post("/sandbox/_fake/media", data={"a": "b"}).status_code == 415
    finally:
        services_of(app).dispose()


def test_the_console_item_page_says_which_photo_was_not_kept(app, session, county, chat,
                                                             services, fake):
    post_with_photos(chat, [sent_picture(fake, phone_photo()), sent_picture(fake)])
    tight = dataclasses.replace(services, settings=services.settings.with_overrides(
        upload_daily_bytes=1000))
    copy_study_photos(tight)
    item_id = images(session)[0].item_id
    page = logged_in(app, "liaoyuan").get(f"/admin/study/{item_id}").get_data(as_text=True)
    assert "2 张" in page
    for number in (1, 2):
        assert f"第{number}张照片没有存进本系统（本组织今天上传的照片已到上限）" in page


def test_partybot_chat_sends_a_picture_the_sandbox_keeps(settings, clock):
    from bot import create_app
    from bot.cli.chat import _sandbox_picture, line_to_xml
    from bot.services import services_of
    from tests.live import serving

    app = create_app(settings.with_overrides(wechat_token="partybot-sandbox"), clock=clock)
    try:
        with serving(app) as base:
            picture = _sandbox_picture(requests.Session(), f"{base}/wechat")
            assert picture is not None
            media_id, pic_url = picture
            assert pic_url.startswith(f"{base}/sandbox/mmbiz/")
            assert requests.get(pic_url, timeout=5).content.startswith(b"\xff\xd8\xff")
            xml = line_to_xml("o1", "/image", picture)
            assert xml is not None and media_id in xml and pic_url in xml
        assert _sandbox_picture(requests.Session(), f"{base}/wechat") is None  # server gone
    finally:
        services_of(app).dispose()


@pytest.mark.usefixtures("people")
def test_a_kept_photo_goes_with_its_withdrawn_item(chat, session, services, fake, clock):
    from models.members.org_tables import Org
    from models.study.actions import withdraw_item

    post_with_photos(chat, [sent_picture(fake)])
    assert copy_study_photos(services) == 1
    [image] = images(session)
    name = session.get(StoredFile, image.stored_file_id).name
    assert servable_photo(session, image.item_id, name, clock()) is not None
    item = session.get(StudyItem, image.item_id)
    done = withdraw_item(session, Actor.cli("test"), session.get(Org, item.org_id), item.id,
                         clock(), release_photos=True)
    session.commit()
    assert done.released_files == [f"study/{item.id}/{name}"]
    [image] = images(session)
    assert image.stored_file_id is None  # the row went; the image stays, unlinked
    assert servable_photo(session, item.id, name, clock()) is None
