"""述职评议 end to end over the console, the member page and the chat: the county opens
a round, sees who has not submitted and reminds them (once a day); secretaries submit
in the console and from the phone (text and files); the four grades; 测评 in chat and
on the page; recommendations followed up; the close freezes it. Scope: a township sees
its own secretaries, a branch its own, 404 elsewhere, sorting for the county only; no
output names a voter."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.console.audit import AuditEntry
from models.db.stored_files import StoredFile
from models.delivery.outbox import Outbox
from models.reviews.tables import ReviewReporter, ReviewRound
from tests.conftest import Chat
from tests.reviews_support import PASSWORD, VOTERS, build_county
from tests.test_pages_login import open_as


@pytest.fixture
def app(api_settings, clock):  # type: ignore[no-untyped-def]
    built = create_app(api_settings, clock=clock)
    yield built
    services_of(built).dispose()


@pytest.fixture
def ids(session, clock):  # type: ignore[no-untyped-def]
    return build_county(session, clock)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def console(app, login: str):  # type: ignore[no-untyped-def]
    browser = app.test_client()
    token = csrf_of(browser.get("/admin/login").get_data(as_text=True))
    answer = browser.post("/admin/login", data={"login": login, "password": PASSWORD,
                                                "csrf_token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    browser.token = csrf_of(browser.get("/admin/login").get_data(as_text=True))
    return browser


def follow(browser, response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser.get(response.location).get_data(as_text=True)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def open_by_county(app, clock):  # type: ignore[no-untyped-def]
    county = console(app, "county")
    day = (clock() + timedelta(days=10)).astimezone(services_of(app).settings.tz).date()
    form = {"year": "2026", "deadline": day.isoformat(), "w_self": "10", "w_county": "40",
            "w_leader": "20", "w_members": "30", "csrf_token": county.token}
    bad = follow(county, county.post("/admin/reviews", data=dict(form, w_self="20")))
    assert "四项权重加起来要等于100（现在是110）" in bad
    opened = county.post("/admin/reviews", data=form)
    page = follow(county, opened)
    assert "2026年述职评议已开始，述职人4名" in page
    return county, int(opened.location.rsplit("/", 1)[-1])


def reporter_id(session, member_id: int) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalars(select(ReviewReporter.id).where(
        ReviewReporter.member_id == member_id)).one()


def test_a_round_end_to_end(app, session, clock, ids, fake, chat: Chat, caplog):
    caplog.set_level("INFO")
    county, round_id = open_by_county(app, clock)
    page = county.get(f"/admin/review/{round_id}").get_data(as_text=True)
    assert "未提交 4 名" in page and "提醒未提交的人" in page
    assert "已提醒4人" in follow(county, county.post(
        f"/admin/review/{round_id}/remind", data={"csrf_token": county.token}))
    assert "已提醒0人" in follow(county, county.post(
        f"/admin/review/{round_id}/remind", data={"csrf_token": county.token}))
    li, zhao = reporter_id(session, ids["li"]), reporter_id(session, ids["zhao"])
    later = (clock() + timedelta(days=20)).astimezone(services_of(app).settings.tz).date()
    assert f"截止时间改为{later.month}月{later.day}日" in follow(county, county.post(
        f"/admin/review/{round_id}/deadline",
        data={"deadline": later.isoformat(), "csrf_token": county.token}))

    # 李书记 in the console: the report, a photo and a PDF, 自评
    secretary = console(app, "liaoyuan")
    assert "已提交" in follow(secretary, secretary.post(
        f"/admin/review/reporter/{li}/report",
        data={"report": "一年来，带领支部修通村道……", "csrf_token": secretary.token}))
    for data, name in ((png(), "a.png"), (b"%PDF-1.4\n%test\n", "b.pdf")):
        assert "文件已上传" in follow(secretary, secretary.post(
            f"/admin/review/reporter/{li}/file", content_type="multipart/form-data",
            data={"file": (io.BytesIO(data), name), "csrf_token": secretary.token}))
    assert "只能上传照片" in follow(secretary, secretary.post(
        f"/admin/review/reporter/{li}/file", content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"MZ\x90"), "x.exe"), "csrf_token": secretary.token}))
    mine = secretary.get(f"/admin/review/reporter/{li}").get_data(as_text=True)
    files = re.findall(r'/file/([A-Za-z0-9_-]+\.(?:png|pdf))"', mine)
    assert len(files) == 2
    got = secretary.get(f"/admin/review/reporter/{li}/file/{files[1]}")
    assert got.status_code == 200 and got.data.startswith(b"%PDF")
    assert "评价已保存：好" in follow(secretary, secretary.post(
        f"/admin/review/reporter/{li}/grade",
        data={"party": "self", "grade": "好", "csrf_token": secretary.token}))
    assert "只有县委组织部" in follow(secretary, secretary.post(
        f"/admin/review/reporter/{li}/grade",
        data={"party": "county", "grade": "好", "csrf_token": secretary.token}))

    # 赵远 from the phone: the report and 自评
    phone, _ = open_as(app, fake, "o-zy", "/m/review")
    page = phone.get("/m/review").get_data(as_text=True)
    assert "我的2026年述职报告" in page and "还没有提交" in page
    token = csrf_of(page)
    assert "述职报告已提交" in follow(phone, phone.post(
        f"/m/review/{zhao}/report", data={"report": "远山村这一年……", "csrf_token": token}))
    assert "评价已保存：较好" in follow(phone, phone.post(
        f"/m/review/{zhao}/self", data={"grade": "较好", "csrf_token": token}))
    assert phone.post(f"/m/review/{li}/report", data={"report": "x", "csrf_token": token}) \
        .status_code == 404

    # the county: 点评, the leader, a representative's paper vote, items
    assert "评价已保存：较好" in follow(county, county.post(
        f"/admin/review/reporter/{li}/grade",
        data={"party": "county", "grade": "较好", "csrf_token": county.token}))
    follow(county, county.post(f"/admin/review/reporter/{li}/leader",
                               data={"leader_id": str(ids["sun"]), "csrf_token": county.token}))
    assert "已录入群众代表吴大妈的测评" in follow(county, county.post(
        f"/admin/review/reporter/{li}/rep",
        data={"name": "吴大妈", "grade": "差", "csrf_token": county.token}))
    assert "测评过了" in follow(county, county.post(
        f"/admin/review/reporter/{li}/rep",
        data={"name": "吴大妈", "grade": "好", "csrf_token": county.token}))
    follow(county, county.post(f"/admin/review/reporter/{li}/item", data={
        "kind": "suggestion", "text": "修村道", "day": "2026-01-05", "due": "2026-02-01",
        "csrf_token": county.token}))
    follow(secretary, secretary.post(f"/admin/review/reporter/{li}/item", data={
        "kind": "problem", "text": "解决灌溉用水", "day": "2026-03-01", "due": "",
        "csrf_token": secretary.token}))

    # 孙乡书记 (township, the leader) gives 帮评 and confirms the item done
    east = console(app, "east")
    listed = east.get("/admin/reviews").get_data(as_text=True)
    assert "我帮评的述职人" in listed and "李书记（辽原村党支部）" in listed
    assert "评价已保存：一般" in follow(east, east.post(
        f"/admin/review/reporter/{li}/grade",
        data={"party": "leader", "grade": "一般", "csrf_token": east.token}))
    session.rollback()
    from models.reviews.tables import ReviewItem

    item = session.scalars(select(ReviewItem).where(ReviewItem.kind == "suggestion")).one()
    assert "不能自己确认" in follow(secretary, secretary.post(
        f"/admin/review/item/{item.id}/done", data={"note": "好了", "csrf_token": secretary.token}))
    assert "已办结" in follow(east, east.post(
        f"/admin/review/item/{item.id}/done",
        data={"note": "村道已硬化", "csrf_token": east.token}))

    # 测评: in chat and on the page
    assert "已收到您对李书记的测评" in chat.say("o-zm", "测评 1 好")
    assert "已收到您对李书记的测评" in chat.say("o-lf", "测评 1 较好")
    voter, _ = open_as(app, fake, "o-wq", "/m/review")
    assert 'href="/m/review"' in voter.get("/m/").get_data(as_text=True)  # a vote waits
    page = voter.get("/m/review").get_data(as_text=True)
    assert "1. 李书记（辽原村党支部）" in page
    assert "已收到您对李书记的测评" in follow(voter, voter.post(
        f"/m/review/{li}/vote", data={"grade": "好", "csrf_token": csrf_of(page)}))
    assert "测评过了" in follow(voter, voter.post(
        f"/m/review/{li}/vote", data={"grade": "差", "csrf_token": csrf_of(page)}))
    assert voter.post(f"/m/review/{zhao}/vote", data={
        "grade": "差", "csrf_token": csrf_of(page)}).status_code == 404  # not their township

    # the county's table: 4 votes (好, 较好, 好, 差) = 83.75
    page = county.get(f"/admin/review/{round_id}").get_data(as_text=True)
    assert "未提交 2 名" in page and "孙乡书记（东乡党委）" in page
    assert "83.8" in page and "提出建议 1 条，解决问题 1 件，已办结 1" in page
    sorted_page = county.get(f"/admin/review/{round_id}?sort=total").get_data(as_text=True)
    sorted_page = sorted_page[sorted_page.index('id="reporters"'):]
    assert sorted_page.index("李书记") < sorted_page.index("孙乡书记")

    assert "已结束" in follow(county, county.post(
        f"/admin/review/{round_id}/close", data={"csrf_token": county.token}))
    session.rollback()
    row = session.get(ReviewReporter, li)
    # 10×100 + 40×85 + 20×70 + 30×83.75 = 8312.5 → 83.1
    assert row.total == 83.1 and session.get(ReviewRound, round_id).status == "closed"
    assert "已经结束" in follow(secretary, secretary.post(
        f"/admin/review/reporter/{li}/report",
        data={"report": "改一改", "csrf_token": secretary.token}))
    assert "已经结束" in chat.say("o-qd", "测评 1 好") or "没有需要" in chat.say("o-qd", "测评")
    assert session.get(ReviewReporter, li).report == "一年来，带领支部修通村道……"
    assert len(session.scalars(select(StoredFile).where(StoredFile.owner == "review")).all()) == 2

    # anonymity: no page, audit entry, notice or log line names a voter
    outputs = [county.get(f"/admin/review/{round_id}").get_data(as_text=True),
               county.get(f"/admin/review/reporter/{li}").get_data(as_text=True),
               east.get(f"/admin/review/reporter/{li}").get_data(as_text=True),
               county.get("/admin/audit").get_data(as_text=True)]
    outputs += [str(e.after) + e.target for e in session.scalars(select(AuditEntry))]
    outputs += [str(o.payload) for o in session.scalars(select(Outbox))]
    outputs += [r.getMessage() for r in caplog.records]
    for name, openid in VOTERS.items():
        for text in outputs:
            assert name not in text and openid not in text


def test_scope_and_no_ranking_below_the_county(app, session, clock, ids, fake):
    county, round_id = open_by_county(app, clock)
    li, zhao = reporter_id(session, ids["li"]), reporter_id(session, ids["zhao"])
    sun = reporter_id(session, ids["sun"])
    east = console(app, "east")
    page = east.get(f"/admin/review/{round_id}?sort=total").get_data(as_text=True)
    assert "李书记" in page and "孙乡书记" in page and "赵远" not in page
    assert "?sort=" not in page  # no sortable columns below the county
    assert east.get(f"/admin/review/reporter/{zhao}").status_code == 404
    # below the county the 测评 average and the running total wait for the close
    from models.db.write_gate import write_session
    from models.reviews.actions import cast_vote

    session.rollback()
    with write_session(services_of(app).engine) as own:
        cast_vote(own, ids["voters"]["张明"], own.get(ReviewReporter, li), "差")
        own.commit()
    page = east.get(f"/admin/review/reporter/{li}").get_data(as_text=True)
    assert "测评：1 票" in page and "评议结束后显示" in page and "50.0" not in page
    assert "50.0" in county.get(f"/admin/review/reporter/{li}").get_data(as_text=True)
    west = console(app, "west")
    assert "赵远" in west.get(f"/admin/review/{round_id}").get_data(as_text=True)
    assert west.get(f"/admin/review/reporter/{li}").status_code == 404
    assert west.post(f"/admin/review/reporter/{li}/grade", data={
        "party": "county", "grade": "差", "csrf_token": west.token}).status_code == 404
    branch = console(app, "liaoyuan")
    page = branch.get(f"/admin/review/{round_id}").get_data(as_text=True)
    assert "李书记" in page and ">孙乡书记</a>" not in page and "赵远" not in page
    assert branch.get(f"/admin/review/reporter/{sun}").status_code == 404
    assert "只有县委组织部" in follow(west, west.post(
        f"/admin/review/{round_id}/close", data={"csrf_token": west.token}))
    assert county.get("/admin/review/99999").status_code == 404
    assert county.post(f"/admin/review/{round_id}/remind").status_code == 400  # no CSRF
