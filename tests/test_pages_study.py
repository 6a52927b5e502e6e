"""学习 on the member pages (/m/study, /m/study/<id>): the chat's scope (the branch and
every org above it; withdrawn and scheduled items gone), paging, the article with its
kept photos served only to members who see the item, 已学 as the chat's record, and
心得 in words or a photo — over the fake WeChat's web authorization, on the real
database."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

from bot import create_app
from bot.pages.study import PAGE_SIZE
from bot.services import services_of
from models.actors import Actor
from models.db.stored_files import FEEDBACK, STUDY, StoredFile, store_files
from models.members.org_tables import Org
from models.study.actions import ItemImage, PushTimes, publish_post, withdraw_item
from models.study.posting import make_draft
from models.study.tables import StudyFeedback, StudyItem, StudyRecord
from tests.conftest import Chat
from tests.test_console_meetings import logged_in
from tests.test_pages_login import csrf_of, open_as

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def app(api_settings, clock):  # type: ignore[no-untyped-def]
    """The app with its WeChat API at the fake (web authorization needs it); the
    conftest's `session`, `county` and `chat` use this one."""
    app = create_app(api_settings, clock=clock)
    yield app
    services_of(app).dispose()


def picture(color: str, size: tuple[int, int] = (1200, 800), kind: str = "PNG") -> bytes:
    """A photo-like picture (a phone's are wider than the screen)."""
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 60):
        draw.line([(x, 0), (x + size[1] // 2, size[1])], fill="white", width=6)
    out = BytesIO()
    image.save(out, kind)
    return out.getvalue()


def post_item(session, org_id: int, title: str, now, body: str = "请各位党员认真学习。",
              photos: tuple[bytes, ...] = (), root: Path | None = None,
              chat_photos: tuple[str, ...] = (), **fields):  # type: ignore[no-untyped-def]
    """An item published to the org at `now`, its photos stored as the console does."""
    org = session.get(Org, org_id)

    def images(item: StudyItem) -> list[ItemImage]:
        kept = []
        if photos:
            assert root is not None
            names = store_files(session, root, org_id, STUDY, item.id,
                                [(data, ".png") for data in photos], None, now)
            ids = {row.name: row.id for row in session.scalars(
                select(StoredFile).where(StoredFile.name.in_(names)))}
            kept = [ItemImage(pic_url=f"http://localhost/admin/study-image/{item.id}/{name}",
                              stored_file_id=ids[name]) for name in names]
        return kept + [ItemImage(media_id=f"media-{n}", pic_url=url)
                       for n, url in enumerate(chat_photos)]

    published = publish_post(session, Actor.cli("test"), org,
                             make_draft(title, body, now, **fields), now,
                             PushTimes(TZ, (8, 0)), confirmed=True, images=images)
    assert published.item is not None
    return published.item


def page_of(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def photo_srcs(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)" alt="第\d张照片"', html)


def test_the_list_shows_todays_item_first_then_what_the_branch_sees_newest_first(
        app, session, county, clock, chat: Chat):
    now = clock()
    older = post_item(session, county["liaoyuan"], "上周的党课笔记", now - timedelta(days=8))
    above = post_item(session, session.get(Org, county["liaoyuan"]).parent_id,
                      "乡党委转发：学习二十大报告", now - timedelta(days=2))
    gone = post_item(session, county["liaoyuan"], "发错了的一期", now - timedelta(days=1))
    post_item(session, county["far"], "远山村自己的学习", now - timedelta(hours=1))
    today = post_item(session, county["liaoyuan"], "今天学习党章第一章", now - timedelta(minutes=5))
    post_item(session, county["liaoyuan"], "明天才发布的一期", now,
              publish_at=now + timedelta(days=1))
    withdraw_item(session, Actor.cli("test"), session.get(Org, county["liaoyuan"]), gone.id, now)
    session.commit()
    assert "已记录" in chat.say("o-zm", f"已学 {older.id}")

    phone, _ = open_as(app, None, "o-zm", "/m/study")
    answer = phone.get("/m/study")
    html = page_of(answer)
    assert answer.status_code == 200
    first = html.split('id="items"')[0]
    assert "今天的学习" in first and "今天学习党章第一章" in first and "未学" in first
    listed = re.findall(r'<span class="title">([^<]+)</span>', html.split('id="items"')[1])
    assert listed == ["今天学习党章第一章", "乡党委转发：学习二十大报告", "上周的党课笔记"]
    assert "远山村自己的学习" not in html and "发错了的一期" not in html
    assert "明天才发布的一期" not in html
    line = html.split("上周的党课笔记")[1].split("</a>")[0]
    assert "已学" in line and "未学" not in line
    assert f'href="/m/study/{above.id}"' in html and f'href="/m/study/{today.id}"' in html
    assert 'class="active" aria-current="page">学习' in html
    # as chat's 学习: today's studied, the newest still unread comes first
    chat.say("o-zm", f"已学 {today.id}")
    top = page_of(phone.get("/m/study")).split('id="items"')[0]
    assert "还没学的" in top and "乡党委转发：学习二十大报告" in top and "未学" in top
    # all studied: today's, 已学
    chat.say("o-zm", f"已学 {above.id}")
    top = page_of(phone.get("/m/study")).split('id="items"')[0]
    assert "今天的学习" in top and "今天学习党章第一章" in top and "已学" in top
    # two days later, all studied: the newest
    clock.advance(days=2)
    chat.say("o-zm", f"已学 {today.id + 1}")  # the scheduled one, published meanwhile
    phone, _ = open_as(app, None, "o-zm", "/m/study")  # a new day, a new login
    last = page_of(phone.get("/m/study")).split('id="items"')[0]
    assert "最新的学习" in last and "明天才发布的一期" in last and "已学" in last


def test_a_long_history_comes_in_pages(app, session, county, clock):
    now = clock()
    for n in range(45):
        post_item(session, county["liaoyuan"], f"第{n + 1}次学习", now - timedelta(days=45 - n))
    session.commit()
    phone, _ = open_as(app, None, "o-lf", "/m/study")
    first = page_of(phone.get("/m/study"))
    titles = re.findall(r'class="item line"[^>]*>\s*<span class="title">([^<]+)', first)
    assert len(titles) == 20 and titles[0] == "第45次学习"
    assert 'href="/m/study?page=2"' in first and "上一页" not in first
    third = page_of(phone.get("/m/study?page=3"))
    titles = re.findall(r'class="item line"[^>]*>\s*<span class="title">([^<]+)', third)
    assert titles == [f"第{n}次学习" for n in range(5, 0, -1)]
    assert "下一页" not in third and 'href="/m/study?page=2"' in third and "第3页" in third
    for odd in ("abc", "-1", "0", "９", "99999999999999", "1e3"):
        answer = phone.get("/m/study", query_string={"page": odd})
        assert answer.status_code == 200, odd
    far = phone.get("/m/study?page=500")
    assert far.status_code == 200 and "还没有学习内容" in page_of(far)


def test_the_article_with_its_photos_in_line_and_opening_it_counts_as_chats_view(
        app, session, county, clock, settings, chat: Chat):
    now = clock()
    item = post_item(session, county["liaoyuan"], "学习党章第一章", now - timedelta(minutes=30),
                     body="第一段：党的性质。\n\n第二段：党的宗旨。<b>不是标签</b>",
                     photos=(picture("darkred"), picture("navy")),
                     root=settings.instance_path, source="共产党员网",
                     link="https://www.12371.cn/a.html",
                     chat_photos=("http://mmbiz.qpic.cn/mmbiz_jpg/x/0",))
    newer = post_item(session, county["liaoyuan"], "更新的一期", now - timedelta(minutes=1))
    session.commit()
    phone, _ = open_as(app, None, "o-zm", f"/m/study/{item.id}")
    answer = phone.get(f"/m/study/{item.id}")
    html = page_of(answer)
    assert answer.status_code == 200
    assert "<h1" in html and "学习党章第一章" in html and "来源：共产党员网" in html
    assert "<p>第一段：党的性质。</p>" in html
    assert "<p>第二段：党的宗旨。&lt;b&gt;不是标签&lt;/b&gt;</p>" in html
    assert 'href="https://www.12371.cn/a.html"' in html
    srcs = photo_srcs(html)
    assert len(srcs) == 3 and all(s.startswith(f"/m/study/{item.id}/photos/") for s in srcs[:2])
    assert srcs[2] == "http://mmbiz.qpic.cn/mmbiz_jpg/x/0"  # not kept yet: WeChat's link
    assert 'id="read-aloud" hidden' in html and "朗读" in html
    assert 'id="mark-studied"' in html and 'enctype="multipart/form-data"' not in html
    # a bare 已学 in chat now means the item opened here, not the newer one
    assert "学习党章第一章" in chat.say("o-zm", "已学")
    session.rollback()
    assert session.scalar(select(StudyRecord.item_id).where(
        StudyRecord.member_id == session.scalar(select(StudyRecord.member_id)))) == item.id
    assert newer.id != item.id


def test_another_branchs_withdrawn_scheduled_or_missing_items_are_the_same_404(
        app, session, county, clock, settings):
    now = clock()
    theirs = post_item(session, county["far"], "远山村的学习", now - timedelta(hours=1),
                       photos=(picture("green"),), root=settings.instance_path)
    gone = post_item(session, county["liaoyuan"], "撤回的一期", now - timedelta(hours=2))
    later = post_item(session, county["liaoyuan"], "明天的一期", now,
                      publish_at=now + timedelta(days=1))
    withdraw_item(session, Actor.cli("test"), session.get(Org, county["liaoyuan"]), gone.id, now)
    session.commit()
    phone, _ = open_as(app, None, "o-zm", "/m/study")
    for item_id in (theirs.id, gone.id, later.id, 999, 2**31 - 1):
        answer = phone.get(f"/m/study/{item_id}")
        assert answer.status_code == 404, item_id
        assert "没有找到这个页面" in page_of(answer)
    assert phone.get(f"/m/study/{2**31}").status_code == 404  # no such route
    token = csrf_of(page_of(phone.get("/m/study")))
    refused = phone.post(f"/m/study/{theirs.id}/studied", data={"csrf_token": token})
    assert refused.status_code == 404
    session.rollback()
    assert session.scalars(select(StudyRecord)).all() == []
    # the other branch's own member reads it, photo and all
    theirs_phone, _ = open_as(app, None, "o-zy", f"/m/study/{theirs.id}")
    [src] = photo_srcs(page_of(theirs_phone.get(f"/m/study/{theirs.id}")))
    assert theirs_phone.get(src).status_code == 200
    assert phone.get(src).status_code == 404  # 张明 may not, even knowing the name


def test_a_kept_photo_is_served_only_to_members_who_see_the_item_with_cache_headers(
        app, session, county, clock, settings):
    now = clock()
    item = post_item(session, county["liaoyuan"], "有照片的一期", now - timedelta(hours=1),
                     photos=(picture("darkred"), picture("navy")), root=settings.instance_path)
    session.commit()
    phone, _ = open_as(app, None, "o-zm", f"/m/study/{item.id}")
    first, second = photo_srcs(page_of(phone.get(f"/m/study/{item.id}")))
    served = phone.get(first)
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["Cache-Control"] == "private, max-age=3600"
    assert served.headers["ETag"] and served.headers["X-Content-Type-Options"] == "nosniff"
    again = phone.get(first, headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304
    assert phone.get(second).data != served.data
    name = first.rsplit("/", 1)[-1]
    other = post_item(session, county["liaoyuan"], "另一期", now - timedelta(minutes=5))
    session.commit()
    for wrong in (f"/m/study/{other.id}/photos/{name}", f"/m/study/{item.id}/photos/x.png",
                  f"/m/study/{item.id}/photos/..%2F..%2Fpartybot.db",
                  f"/m/study/{item.id}/photos/{name[:-4]}.jpg"):
        assert phone.get(wrong).status_code == 404, wrong
    stranger = app.test_client().get(first)  # nobody logged in: to WeChat first
    assert stranger.status_code == 302 and "oauth2/authorize" in stranger.location
    outside, _ = open_as(app, None, "o-zy", "/m/study")
    assert outside.get(first).status_code == 404  # another branch's member
    withdraw_item(session, Actor.cli("test"), session.get(Org, county["liaoyuan"]), item.id,
                  clock())
    session.commit()
    assert phone.get(first).status_code == 404


def test_studied_is_the_chats_record_and_a_second_tap_says_so(app, session, county, clock,
                                                               chat: Chat):
    item = post_item(session, county["liaoyuan"], "学习党章第二章", clock() - timedelta(hours=1))
    session.commit()
    phone, _ = open_as(app, None, "o-zm", f"/m/study/{item.id}")
    token = csrf_of(page_of(phone.get(f"/m/study/{item.id}")))
    done = phone.post(f"/m/study/{item.id}/studied", data={"csrf_token": token})
    assert done.status_code == 302 and done.location == f"/m/study/{item.id}#feedback"
    html = page_of(phone.get(f"/m/study/{item.id}"))
    assert "已记录：你学习了《学习党章第二章》" in html and "✓ 已学" in html
    assert 'enctype="multipart/form-data"' in html and 'id="mark-studied"' not in html
    twice = phone.post(f"/m/study/{item.id}/studied", data={"csrf_token": token},
                       follow_redirects=True)
    assert "你已经学过《学习党章第二章》了。" in page_of(twice)
    session.rollback()
    [record] = session.scalars(select(StudyRecord)).all()
    assert record.via == "self" and record.item_id == item.id
    assert "学习 1 期" in chat.say("o-zm", "我的")
    assert "你已经学过《学习党章第二章》了" in chat.say("o-zm", f"已学 {item.id}")
    assert 'id="items"' in page_of(phone.get("/m/study"))
    assert "已学" in page_of(phone.get("/m/study")).split("学习党章第二章")[1]


def test_a_post_without_the_forms_token_changes_nothing(app, session, county, clock):
    item = post_item(session, county["liaoyuan"], "学习党章第三章", clock() - timedelta(hours=1))
    session.commit()
    phone, _ = open_as(app, None, "o-zm", f"/m/study/{item.id}")
    for data in ({}, {"csrf_token": "forged"}):
        refused = phone.post(f"/m/study/{item.id}/studied", data=data)
        assert refused.status_code == 400 and "页面停留太久已经失效" in page_of(refused)
        refused = phone.post(f"/m/study/{item.id}/feedback", data={**data, "text": "体会"})
        assert refused.status_code == 400
    session.rollback()
    assert session.scalars(select(StudyRecord)).all() == []


def studied_on_page(app, item_id: int, openid: str = "o-zm"):  # type: ignore[no-untyped-def]
    phone, _ = open_as(app, None, openid, f"/m/study/{item_id}")
    token = csrf_of(page_of(phone.get(f"/m/study/{item_id}")))
    phone.post(f"/m/study/{item_id}/studied", data={"csrf_token": token})
    return phone, token


def test_feedback_in_words_and_a_photo_goes_on_the_record_and_to_the_console(
        app, session, county, clock, settings):
    item = post_item(session, county["liaoyuan"], "学习党章第四章", clock() - timedelta(hours=1))
    session.commit()
    phone, _ = open_as(app, None, "o-zm", f"/m/study/{item.id}")
    token = csrf_of(page_of(phone.get(f"/m/study/{item.id}")))
    early = phone.post(f"/m/study/{item.id}/feedback", data={"csrf_token": token, "text": "体会"})
    assert early.status_code == 400
    assert "请先点「已学」，再写《学习党章第四章》的学习心得。" in page_of(early)
    phone, token = studied_on_page(app, item.id)
    clock.advance(hours=3)  # long after chat's 10-minute window: the page names the item
    words = phone.post(f"/m/study/{item.id}/feedback",
                       data={"csrf_token": token, "text": "  要把党章学深学透。\n第二行  "})
    assert words.status_code == 302
    html = page_of(phone.get(f"/m/study/{item.id}"))
    assert "心得收到了（《学习党章第四章》，共1份）" in html
    assert "要把党章学深学透。\n第二行</p>" in html
    photo = picture("olive", (3000, 2000), "JPEG")
    assert len(photo) > 64 * 1024  # larger than the app-wide body limit
    sent = phone.post(f"/m/study/{item.id}/feedback", content_type="multipart/form-data",
                      data={"csrf_token": token, "text": "",
                            "photo": (BytesIO(photo), "IMG_0001.JPG")})
    assert sent.status_code == 302, page_of(sent)
    html = page_of(phone.get(f"/m/study/{item.id}"))
    assert "共2份" in html
    [mine] = re.findall(r'<img src="([^"]+)" alt="我的心得照片"', html)
    assert mine.startswith(f"/m/study/{item.id}/feedback/")
    back = phone.get(mine)
    assert back.status_code == 200 and back.mimetype == "image/jpeg"
    with Image.open(BytesIO(back.data)) as kept:
        assert max(kept.size) == 2048  # re-encoded and downscaled, as the console's
    session.rollback()
    record = session.scalars(select(StudyRecord)).one()
    pieces = session.scalars(select(StudyFeedback).order_by(StudyFeedback.id)).all()
    assert [(p.kind, p.text) for p in pieces] == [("text", "要把党章学深学透。\n第二行"),
                                                  ("image", None)]
    [row] = session.scalars(select(StoredFile).where(StoredFile.owner == FEEDBACK)).all()
    assert row.owner_id == record.id and row.org_id == county["liaoyuan"]
    assert (settings.instance_path / "uploads" / row.path).is_file()
    assert pieces[1].url == f"/admin/study-feedback/{record.id}/{row.name}"
    # the branch's console sees it on the item's page; another township's does not
    secretary = logged_in(app, "liaoyuan")
    console_page = page_of(secretary.get(f"/admin/study/{item.id}"))
    assert f'src="{pieces[1].url}"' in console_page and "要把党章学深学透" in console_page
    assert secretary.get(pieces[1].url).status_code == 200
    assert logged_in(app, "west-it").get(pieces[1].url).status_code == 404
    # another member of the branch cannot fetch it from the pages
    other, _ = studied_on_page(app, item.id, "o-lf")
    assert other.get(mine).status_code == 404


def test_bad_feedback_keeps_what_was_typed_and_writes_nothing(app, session, county, clock):
    item = post_item(session, county["liaoyuan"], "学习党章第五章", clock() - timedelta(hours=1))
    session.commit()
    phone, token = studied_on_page(app, item.id)
    empty = phone.post(f"/m/study/{item.id}/feedback", data={"csrf_token": token, "text": "  "})
    assert empty.status_code == 400 and "请写几句心得，或者选一张照片。" in page_of(empty)
    long = "学" * 1001
    refused = phone.post(f"/m/study/{item.id}/feedback", data={"csrf_token": token, "text": long})
    assert refused.status_code == 400
    assert "心得最多1000个字，现在是1001个字" in page_of(refused) and long in page_of(refused)
    for data, name in ((b"%PDF-1.4 not a photo", "a.jpg"), (b"\x89PNG\r\n\x1a\nbroken", "b.png")):
        bad = phone.post(f"/m/study/{item.id}/feedback", content_type="multipart/form-data",
                         data={"csrf_token": token, "text": "我的体会",
                               "photo": (BytesIO(data), name)})
        assert bad.status_code == 400
        assert "我的体会</textarea>" in page_of(bad)
        assert "JPG 或 PNG" in page_of(bad) or "照片打不开" in page_of(bad)
    session.rollback()
    assert session.scalars(select(StudyFeedback)).all() == []
    # a stranger's large body is refused before it is read
    big = app.test_client().post(f"/m/study/{item.id}/feedback", data=b"x" * 200_000,
                                 content_type="application/octet-stream")
    assert big.status_code == 413


def test_the_photos_of_one_item_have_a_limit(app, session, county, clock, monkeypatch):
    import models.study.actions as actions

    monkeypatch.setattr(actions, "FEEDBACK_PHOTOS_MAX", 2)
    item = post_item(session, county["liaoyuan"], "学习党章第六章", clock() - timedelta(hours=1))
    session.commit()
    phone, token = studied_on_page(app, item.id)
    answers = [phone.post(f"/m/study/{item.id}/feedback", content_type="multipart/form-data",
                          data={"csrf_token": token,
                                "photo": (BytesIO(picture(color, (200, 100))), "p.png")})
               for color in ("red", "blue", "green")]
    assert [a.status_code for a in answers] == [302, 302, 400]
    assert "已经发了2张心得照片" in page_of(answers[2])


def test_the_pages_weigh_far_less_than_60_kb(app, session, county, clock, settings):
    """Issue 26: under 60 KB a page before photos (HTML + CSS + inline script)."""
    now = clock()
    for n in range(PAGE_SIZE + 5):
        post_item(session, county["liaoyuan"], f"第{n + 1}次学习：{'长标题' * 18}"[:64],
                  now - timedelta(days=30 - n))
    item = post_item(session, county["liaoyuan"], "最长的一期", now - timedelta(minutes=1),
                     body="\n".join(["学" * 99] * 6), photos=(picture("red"), picture("blue")),
                     root=settings.instance_path, link="https://www.12371.cn/" + "a" * 400)
    session.commit()
    phone, token = studied_on_page(app, item.id)
    css = len(phone.get("/m/static/pages.css").data)
    listed = len(phone.get("/m/study").data)
    phone.post(f"/m/study/{item.id}/feedback", data={"csrf_token": token, "text": "体" * 1000})
    article = len(phone.get(f"/m/study/{item.id}").data)
    print(f"page weight: /m/study {listed} + css {css} bytes; "
          f"/m/study/<id> {article} + css {css} bytes")
    assert listed + css < 60_000 and article + css < 60_000
    assert listed + css < 25_000 and article + css < 25_000


def test_a_reload_is_not_another_view_but_another_item_is(app, session, county, clock,
                                                          chat: Chat):
    from models.study.tables import StudyView

    first = post_item(session, county["liaoyuan"], "第一期", clock() - timedelta(hours=2))
    second = post_item(session, county["liaoyuan"], "第二期", clock() - timedelta(hours=1))
    session.commit()
    phone, _ = open_as(app, None, "o-zm", f"/m/study/{first.id}")
    phone.get(f"/m/study/{first.id}")
    opened = clock()

    def view() -> tuple[int, object]:
        session.rollback()
        row = session.scalars(select(StudyView)).one()
        return row.item_id, row.viewed_at

    assert view() == (first.id, opened)
    clock.advance(minutes=10)
    assert phone.get(f"/m/study/{first.id}").status_code == 200  # a reload
    assert view() == (first.id, opened)
    phone.get(f"/m/study/{second.id}")
    assert view() == (second.id, clock())
    clock.advance(minutes=1)
    phone.get(f"/m/study/{first.id}")
    assert view() == (first.id, clock())
    assert "第一期" in chat.say("o-zm", "已学")


def test_a_photo_taken_back_in_chat_leaves_the_quota_and_the_disk(app, session, county,
                                                                  clock, settings, chat: Chat):
    from models.db.stored_files import find_orphans, remove_files

    item = post_item(session, county["liaoyuan"], "学习党章第七章", clock() - timedelta(hours=1))
    session.commit()
    phone, token = studied_on_page(app, item.id)
    phone.post(f"/m/study/{item.id}/feedback", content_type="multipart/form-data",
               data={"csrf_token": token, "photo": (BytesIO(picture("teal")), "p.png")})
    session.rollback()
    [row] = session.scalars(select(StoredFile).where(StoredFile.owner == FEEDBACK)).all()
    path = settings.instance_path / "uploads" / row.path
    assert path.is_file()
    assert "已撤回你在《学习党章第七章》下的学习心得：一张照片" in chat.say("o-zm", "撤回心得")
    session.rollback()
    assert session.scalars(select(StoredFile).where(StoredFile.owner == FEEDBACK)).all() == []
    assert "我的心得照片" not in page_of(phone.get(f"/m/study/{item.id}"))
    # the upkeep sweep deletes the file once no row names it (after its grace)
    orphans = find_orphans(session, settings.instance_path, clock() + timedelta(hours=2))
    session.commit()
    assert remove_files(settings.instance_path, orphans) == 1 and not path.exists()
