"""Uploaded photos cannot fill the disk: a quota per org per day and in total (stored
bytes, after downscaling), large photos downscaled and stripped of EXIF (GPS), photos
deleted with what they belong to (a withdrawn item at once, a cancelled meeting after
the retention), orphans swept, and the numbers on the console's delivery page."""

from __future__ import annotations

import logging
import os
import struct
import zlib
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.config import ConfigError, load_settings
from models.meetings.tables import Meeting
from models.study.tables import StudyItem
from tests.conftest import Chat
from tests.test_console_meetings import create, local_form, logged_in
from tests.test_console_study import post

MB = 1024 * 1024


def noise_jpeg(width: int = 800, height: int = 600) -> bytes:
    """A photo that does not compress much (about 320 KB stored at this size)."""
    out = BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(
        out, "JPEG", quality=85)
    return out.getvalue()


@pytest.fixture
def settings(settings, request):  # type: ignore[no-untyped-def]
    """The conftest settings with the quotas or disk reserve a test asks for."""
    return settings.with_overrides(**getattr(request, "param", {}))


def stored_files(settings) -> list[Path]:  # type: ignore[no-untyped-def]
    return sorted(p for p in (settings.instance_path / "uploads").rglob("*") if p.is_file())


def meeting_of(app, browser, session, county, clock):  # type: ignore[no-untyped-def]
    create(browser, county["liaoyuan"], local_form(clock, app))
    session.rollback()
    return session.scalars(select(Meeting.id).order_by(Meeting.id.desc())).first()


def upload(browser, meeting_id: int, data: bytes):  # type: ignore[no-untyped-def]
    return browser.post(f"/admin/meeting/{meeting_id}/photos", data={
        "csrf_token": browser.token, "photo": (BytesIO(data), "p.jpg")}, follow_redirects=True)


# Two photos of ~320 KB fit in a day's 800 KB; a third does not.
@pytest.mark.parametrize("settings", [{"upload_daily_bytes": 800_000}], indirect=True)
def test_a_days_uploads_are_capped_per_org_and_a_refused_post_keeps_its_form(
        app, session, county, clock, settings, caplog):
    secretary = logged_in(app, "liaoyuan")
    first = post(secretary, county["liaoyuan"], title="第一篇",
                 images=[(BytesIO(noise_jpeg()), "a.jpg"), (BytesIO(noise_jpeg()), "b.jpg")])
    assert first.status_code == 302, first.get_data(as_text=True)
    kept = stored_files(settings)
    assert len(kept) == 2
    with caplog.at_level(logging.WARNING):
        second = post(secretary, county["liaoyuan"], title="第二篇", body="今天的第二篇",
                      images=[(BytesIO(noise_jpeg()), "c.jpg")])
    page = second.get_data(as_text=True)
    assert second.status_code == 400
    assert "今天已上传" in page and "每天最多 0.8 MB" in page
    assert 'value="第二篇"' in page and "今天的第二篇" in page  # what was typed is kept
    assert any("quota" in r.getMessage() for r in caplog.records)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(StudyItem)) == 1
    assert stored_files(settings) == kept  # nothing written
    meeting_id = meeting_of(app, secretary, session, county, clock)
    refused = upload(secretary, meeting_id, noise_jpeg())
    assert "今天已上传" in refused.get_data(as_text=True)
    session.rollback()
    assert session.get(Meeting, meeting_id).photos == []
    # another township's branch has its own quota
    far = post(logged_in(app, "west-it"), county["far"], title="远山村",
               images=[(BytesIO(noise_jpeg()), "d.jpg")])
    assert far.status_code == 302
    clock.advance(days=1)
    secretary = logged_in(app, "liaoyuan")  # two idle hours log the console out
    again = post(secretary, county["liaoyuan"], title="第二篇",
                 images=[(BytesIO(noise_jpeg()), "c.jpg")])
    assert again.status_code == 302, again.get_data(as_text=True)


# 1.0 MB in all: three photos of ~320 KB fit, a fourth does not until something goes.
@pytest.mark.parametrize("settings", [{"upload_total_bytes": 1_100_000}], indirect=True)
def test_the_total_quota_counts_what_is_kept_and_withdrawing_deletes_and_frees(
        app, session, county, clock, settings):
    secretary = logged_in(app, "liaoyuan")
    answer = post(secretary, county["liaoyuan"], images=[
        (BytesIO(noise_jpeg()), "a.jpg"), (BytesIO(noise_jpeg()), "b.jpg")])
    assert answer.status_code == 302, answer.get_data(as_text=True)
    session.rollback()
    item = session.scalars(select(StudyItem)).one()
    study_files = stored_files(settings)
    assert len(study_files) == 2
    clock.advance(days=2)
    secretary = logged_in(app, "liaoyuan")  # two idle hours log the console out
    meeting_id = meeting_of(app, secretary, session, county, clock)
    assert "照片已上传" in upload(secretary, meeting_id, noise_jpeg()).get_data(as_text=True)
    full = upload(secretary, meeting_id, noise_jpeg()).get_data(as_text=True)
    assert "一共最多 1.0 MB" in full
    gone = secretary.post(f"/admin/study/{item.id}/withdraw",
                          data={"csrf_token": secretary.token}, follow_redirects=True)
    assert "已撤回" in gone.get_data(as_text=True)
    assert not any(path.exists() for path in study_files)  # deleted with the item
    assert "照片已上传" in upload(secretary, meeting_id, noise_jpeg()).get_data(as_text=True)


def test_an_item_withdrawn_in_chat_loses_its_photos_at_the_next_sweep(
        app, session, county, clock, settings, chat: Chat):
    from bot.services import services_of
    from schedules.upkeep import sweep_uploads

    secretary = logged_in(app, "liaoyuan")
    post(secretary, county["liaoyuan"], images=[(BytesIO(noise_jpeg()), "a.jpg")])
    session.rollback()
    item = session.scalars(select(StudyItem)).one()
    [photo] = stored_files(settings)
    assert "已撤回" in chat.say("o-admin", f"撤回 {item.id}")
    assert photo.exists()  # the chat's transaction is the webhook's: the sweep deletes
    sweep_uploads(services_of(app))
    assert not photo.exists()
    sweep_uploads(services_of(app))  # twice is harmless


def gps_photo(width: int, height: int) -> bytes:
    """A photo as a phone takes it: sideways (EXIF orientation 6) with GPS in its EXIF."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, width, height // 2))  # top half blue as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # shown rotated 90° clockwise
    exif[0x8825] = {1: "N", 2: (47.0, 30.0, 0.0), 3: "E", 4: (129.0, 30.0, 0.0)}
    out = BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def test_large_photos_are_downscaled_turned_upright_and_lose_their_gps(
        app, session, county, clock, settings):
    secretary = logged_in(app, "liaoyuan")
    meeting_id = meeting_of(app, secretary, session, county, clock)
    original = gps_photo(4000, 3000)
    assert "照片已上传" in upload(secretary, meeting_id, original).get_data(as_text=True)
    [stored] = stored_files(settings)
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert max(image.size) <= 2048 and image.size[1] > image.size[0]  # upright: portrait
        exif = image.getexif()
        assert 0x8825 not in exif and 0x0112 not in exif  # no GPS, no orientation left
        assert "exif" not in image.info
        # rotated clockwise: the blue top of the stored picture is now on the right
        assert image.getpixel((image.size[0] - 5, image.size[1] // 2))[2] > 150
    # a small photo keeps its size but still loses its GPS
    assert "照片已上传" in upload(secretary, meeting_id, gps_photo(800, 600)).get_data(
        as_text=True)
    small = next(p for p in stored_files(settings) if p != stored)
    with Image.open(small) as image:
        assert sorted(image.size) == [600, 800] and 0x8825 not in image.getexif()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims a huge picture (a decompression bomb's first bytes)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(
        b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")


def test_a_decompression_bomb_or_a_broken_photo_is_refused_politely(
        app, session, county, clock, settings):
    secretary = logged_in(app, "liaoyuan")
    meeting_id = meeting_of(app, secretary, session, county, clock)
    bomb = upload(secretary, meeting_id, png_header_only(12000, 10000))
    assert bomb.status_code == 200 and "像素太多" in bomb.get_data(as_text=True)
    broken = upload(secretary, meeting_id, b"\xff\xd8\xff\xe0" + b"\0" * 500)
    assert broken.status_code == 200 and "打不开" in broken.get_data(as_text=True)
    study = post(secretary, county["liaoyuan"], title="炸弹",
                 images=[(BytesIO(png_header_only(30000, 30000)), "a.png")])
    assert study.status_code == 400 and "像素太多" in study.get_data(as_text=True)
    assert stored_files(settings) == []


def test_a_cancelled_meetings_photos_go_after_the_retention_and_not_before(
        app, session, county, clock, settings):
    from bot.services import services_of
    from schedules.upkeep import sweep_uploads

    assert settings.cancelled_photo_days == 90
    secretary = logged_in(app, "liaoyuan")
    meeting_id = meeting_of(app, secretary, session, county, clock)
    upload(secretary, meeting_id, noise_jpeg())
    [photo] = stored_files(settings)
    secretary.post(f"/admin/meeting/{meeting_id}/cancel", data={"csrf_token": secretary.token})
    late = upload(secretary, meeting_id, noise_jpeg()).get_data(as_text=True)
    assert "已取消的会议不能再上传照片" in late
    clock.advance(days=89)
    sweep_uploads(services_of(app))
    assert photo.exists()
    clock.advance(days=2)
    sweep_uploads(services_of(app))
    assert not photo.exists()
    session.rollback()
    assert session.get(Meeting, meeting_id).photos == []


def test_the_sweep_removes_old_orphans_and_adopts_photos_stored_before_the_quota(
        app, session, county, clock, settings):
    from bot.services import services_of
    from models.db.stored_files import StoredFile
    from schedules.upkeep import sweep_uploads

    secretary = logged_in(app, "liaoyuan")
    meeting_id = meeting_of(app, secretary, session, county, clock)
    folder = settings.instance_path / "uploads" / "meetings" / str(meeting_id)
    folder.mkdir(parents=True)
    legacy, old, fresh = (folder / f"{n * 20}.jpg" for n in "abc")
    for path in (legacy, old, fresh):
        path.write_bytes(noise_jpeg(100, 100))
    day_ago = clock().timestamp() - 86400
    for path in (legacy, old):
        os.utime(path, (day_ago, day_ago))
    meeting = session.get(Meeting, meeting_id)
    meeting.photos = [legacy.name]  # stored before files were counted
    session.commit()
    sweep_uploads(services_of(app))
    assert legacy.exists() and fresh.exists() and not old.exists()
    session.rollback()
    [row] = session.scalars(select(StoredFile)).all()
    assert row.name == legacy.name and row.size == legacy.stat().st_size
    assert row.org_id == county["liaoyuan"]


def test_the_delivery_page_shows_stored_bytes_and_the_county_sees_free_disk(
        app, session, county, clock, settings):
    secretary = logged_in(app, "liaoyuan")
    meeting_id = meeting_of(app, secretary, session, county, clock)
    upload(secretary, meeting_id, noise_jpeg())
    size = stored_files(settings)[0].stat().st_size
    shown = f"{size / MB:.1f} MB"
    page = secretary.get(f"/admin/branch/{county['liaoyuan']}/reach").get_data(as_text=True)
    assert "照片存储" in page and f"今天 {shown}" in page and "每天最多 100 MB" in page
    assert "上限 2048 MB" in page and "磁盘剩余" not in page
    township = logged_in(app, "east-it").get(
        f"/admin/branch/{county['liaoyuan']}/reach").get_data(as_text=True)
    assert f"东乡党委及以下共存 {shown}" in township and "磁盘剩余" in township


def test_quotas_and_retention_are_read_from_the_environment(tmp_path):
    loaded = load_settings({"PARTYBOT_UPLOAD_DAILY_MB": "50", "PARTYBOT_UPLOAD_TOTAL_MB": "500",
                            "PARTYBOT_CANCELLED_PHOTO_DAYS": "30",
                            "PARTYBOT_INSTANCE_PATH": str(tmp_path)}, dotenv_path=None)
    assert (loaded.upload_daily_bytes, loaded.upload_total_bytes) == (50 * MB, 500 * MB)
    assert loaded.cancelled_photo_days == 30
    assert load_settings({"PARTYBOT_UPLOAD_MIN_FREE_MB": "0", "PARTYBOT_INSTANCE_PATH":
                          str(tmp_path)}, dotenv_path=None).upload_min_free_bytes == 0
    defaults = load_settings({"PARTYBOT_INSTANCE_PATH": str(tmp_path)}, dotenv_path=None)
    assert (defaults.upload_daily_bytes, defaults.upload_total_bytes) == (100 * MB, 2048 * MB)
    assert defaults.upload_min_free_bytes == 1024 * MB
    with pytest.raises(ConfigError, match="PARTYBOT_UPLOAD_DAILY_MB"):
        load_settings({"PARTYBOT_UPLOAD_DAILY_MB": "lots",
                       "PARTYBOT_INSTANCE_PATH": str(tmp_path)}, dotenv_path=None)


def test_photos_released_in_a_transaction_that_rolls_back_stay(
        app, session, county, clock, settings):
    from bot.services import services_of
    from models.db.stored_files import StoredFile, release_due
    from schedules.upkeep import sweep_uploads

    secretary = logged_in(app, "liaoyuan")
    meeting_id = meeting_of(app, secretary, session, county, clock)
    upload(secretary, meeting_id, noise_jpeg())
    secretary.post(f"/admin/meeting/{meeting_id}/cancel", data={"csrf_token": secretary.token})
    [photo] = stored_files(settings)
    clock.advance(days=91)
    session.rollback()
    assert release_due(session, clock(), timedelta(days=90)) == [
        f"meetings/{meeting_id}/{photo.name}"]
    session.rollback()  # the change failed: the row is back and the file was never touched
    assert photo.exists() and session.scalar(select(func.count()).select_from(StoredFile)) == 1
    sweep_uploads(services_of(app))
    assert not photo.exists()


# A reserve no disk has: the disk is as good as full.
@pytest.mark.parametrize("settings", [{"upload_min_free_bytes": 10 ** 18}], indirect=True)
def test_no_upload_may_leave_the_disk_without_its_reserve(app, session, county, clock,
                                                          settings, caplog):
    secretary = logged_in(app, "liaoyuan")
    meeting_id = meeting_of(app, secretary, session, county, clock)
    with caplog.at_level(logging.ERROR):
        page = upload(secretary, meeting_id, noise_jpeg()).get_data(as_text=True)
    assert "服务器磁盘快满了" in page and stored_files(settings) == []
    assert any("must stay free" in r.getMessage() for r in caplog.records)
