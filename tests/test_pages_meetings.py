"""The member's 会议 page (/m/meetings, issue 26 §1): the chat's scope of meetings, this
year's past ones with who recorded what, and 签到 by code (with the wrong-code limit),
by location (the JS-SDK's position, posted) and 请假 with a reason — each through the
chat's action, against the fake WeChat API over real HTTP."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.actors import Actor, Surface
from models.meetings.actions import ask_leave, backfill, check_in, close_meeting
from models.meetings.tables import Attendance, AttendanceStatus, Meeting, Method
from models.members.tables import Member
from schedules.tokens import refresh_jsapi_ticket
from tests.factories import make_branch, make_meeting, make_member, make_township
from tests.test_pages_login import csrf_of, open_as

NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
VILLAGE = (47.92, 129.58)
OFFICE = (47.9215, 129.5810)  # about 130 m from the village hall


@pytest.fixture
def meetings_app(api_settings, clock):  # type: ignore[no-untyped-def]
    """辽原村: 张明 and 刘芳 (bound), 王刚 (a helper); an assembly opening for check-in
    now (with coordinates), a lecture in two days (without), a 支委会 张明 is not on,
    another branch's meeting; past meetings of this year and of last year."""
    clock.set(NOW)
    app = create_app(api_settings, clock=clock)
    with services_of(app).sessions() as session:
        township = make_township(session, "东乡党委")
        branch = make_branch(session, "辽原村党支部", township)
        other = make_branch(session, "红光村党支部", township)
        secretary = make_member(session, branch, "李书记", "13800000001", openid="o-admin",
                                is_admin=True, committee_posts="书记")
        zm = make_member(session, branch, "张明", "13800000002", openid="o-zm")
        lf = make_member(session, branch, "刘芳", "13800000003", openid="o-lf")
        helper = make_member(session, branch, "王刚", "13800000004", openid="o-wg")
        make_member(session, other, "赵红", "13800000005", openid="o-zh")
        ids = {"zm": zm.id}
        ids["open"] = make_meeting(session, branch, NOW + timedelta(minutes=30),
                                   place="辽原村村委会二楼", topic="学习新修订的党章",
                                   latitude=VILLAGE[0], longitude=VILLAGE[1],
                                   host_id=secretary.id).id
        ids["later"] = make_meeting(session, branch, NOW + timedelta(days=2),
                                    kind="party_lecture", place="村文化室",
                                    topic="乡村振兴").id
        ids["committee"] = make_meeting(session, branch, NOW + timedelta(days=3),
                                        kind="committee_meeting", place="书记办公室",
                                        invite_member_ids=(secretary.id,)).id
        ids["other"] = make_meeting(session, other, NOW + timedelta(minutes=20),
                                    place="红光村会议室", latitude=VILLAGE[0],
                                    longitude=VILLAGE[1]).id
        me = Actor.member(zm.id, zm.name, Surface.CHAT)
        by_helper = Actor.member(helper.id, helper.name, Surface.CHAT)
        admin = Actor.member(secretary.id, secretary.name, Surface.CHAT)
        past = [make_meeting(session, branch, NOW - timedelta(days=days), place=place,
                             kind=kind, topic=topic)
                for days, place, kind, topic in (
                    (9, "村委会", "branch_assembly", "四月党员大会"),
                    (7, "村文化室", "party_lecture", "五月党课"),
                    (5, "田间地头", "theme_day", "植树"),
                    (3, "村委会", "group_meeting", "小组学习"))]
        last_year = make_meeting(session, branch, datetime(2025, 12, 1, 2, tzinfo=UTC),
                                 place="去年的会场")
        for meeting in [*past, last_year]:
            ends = meeting.starts_at + timedelta(minutes=30)
            if meeting is past[0]:
                ask_leave(session, me, meeting, zm, "外出务工", Method.CODE,
                          meeting.starts_at - timedelta(hours=3))
            if meeting is past[1]:
                check_in(session, by_helper, meeting, zm, Method.HELPER, ends)
            close_meeting(session, admin, meeting, meeting.ends_at + timedelta(minutes=1))
        backfill(session, admin, past[3], zm, AttendanceStatus.PRESENT, None, NOW)
        later = session.get_one(Meeting, ids["later"])
        ask_leave(session, by_helper, later, lf, "腿脚不便", Method.HELPER, NOW)
        session.commit()
    app.config["IDS"] = ids
    yield app
    services_of(app).dispose()


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    """The page's text without tags (what a member reads)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def card(response, meeting_id: int) -> str:  # type: ignore[no-untyped-def]
    """The card of one upcoming meeting, as HTML."""
    found = re.search(rf'<section class="card meeting" id="m{meeting_id}">(.*?)</section>',
                      response.get_data(as_text=True), re.S)
    assert found, response.get_data(as_text=True)
    return found.group(1)


def record_of(app, member_id: int, meeting_id: int) -> Attendance | None:  # type: ignore[no-untyped-def]
    with services_of(app).sessions() as session:
        return session.scalar(select(Attendance).where(
            Attendance.member_id == member_id, Attendance.meeting_id == meeting_id))


def test_the_list_is_the_chats_scope_with_times_hosts_and_last_months_records(
        meetings_app, fake):
    ids = meetings_app.config["IDS"]
    phone, _ = open_as(meetings_app, fake, "o-zm", "/m/meetings")
    page = phone.get("/m/meetings")
    assert page.status_code == 200
    text = page_text(page)
    opened = card(page, ids["open"])
    assert "支部党员大会" in opened and "学习新修订的党章" in opened
    assert "6月10日（周三）10:30" in opened  # local time
    assert "辽原村村委会二楼" in opened and "主持" in opened and "李书记" in opened
    assert "还没有签到" in opened
    assert 'name="code"' in opened and "不能参加？请假" in opened
    later = card(page, ids["later"])
    assert "党课" in later and "乡村振兴" in later and "村文化室" in later
    assert "会议开始前 1 小时（6月12日（周五）09:00）开放签到" in later
    assert 'name="code"' not in later and "请假" in later
    assert "书记办公室" not in text and "红光村会议室" not in text  # not invited
    assert text.index("学习新修订的党章") < text.index("乡村振兴")  # soonest first
    past = text[text.index("今年开过的会"):]
    assert re.search(r"请假\s+支部党员大会：四月党员大会.*原因：外出务工", past, re.S)
    assert re.search(r"出席\s+党课：五月党课.*王刚代签", past, re.S)
    assert re.search(r"缺席\s+主题党日：植树", past, re.S)
    assert re.search(r"出席\s+党小组会：小组学习.*李书记补录", past, re.S)
    assert "去年的会场" not in past
    assert past.index("小组学习") < past.index("四月党员大会")  # latest first
    # no ticket yet: the location button stays hidden, the page says to use the code
    assert 'id="wx-config"' not in page.get_data(as_text=True)
    assert "这里不能按位置签到，请填签到码签到。" in opened
    css = phone.get("/m/static/pages.css")
    script = phone.get("/m/static/meetings.js")
    assert script.status_code == 200
    weight = len(page.data) + len(css.data) + len(script.data)
    print(f"page weight: meetings {len(page.data)} + css {len(css.data)} + "
          f"js {len(script.data)} = {weight} bytes")
    assert weight < 60_000


def test_what_a_helper_did_shows_with_their_name(meetings_app, fake):
    ids = meetings_app.config["IDS"]
    phone, _ = open_as(meetings_app, fake, "o-lf", "/m/meetings")
    page = phone.get("/m/meetings")
    later = card(page, ids["later"])
    assert "王刚已替你请假，原因：腿脚不便" in later
    assert "改请假原因" in later  # she may still change it, or check in herself
    assert "还没有签到" in card(page, ids["open"])
    assert re.search(r"缺席\s+支部党员大会：四月党员大会", page_text(page))  # marked at closing


def test_another_members_meeting_is_not_found(meetings_app, fake):
    ids = meetings_app.config["IDS"]
    phone, _ = open_as(meetings_app, fake, "o-zm", "/m/meetings")
    token = csrf_of(phone.get("/m/meetings").get_data(as_text=True))
    for meeting in (ids["other"], ids["committee"], 999_999, 99_999_999_999, "x1", "²"):
        for form, data in (("code", {"code": "1234"}), ("leave", {"reason": "有事"}),
                           ("location", {"latitude": "47.92", "longitude": "129.58"})):
            answer = phone.post(f"/m/meetings/{meeting}/{form}",
                                data={"csrf_token": token, **data})
            assert answer.status_code == 404, (meeting, form)
            assert "没有找到这个页面" in answer.get_data(as_text=True), (meeting, form)
    assert record_of(meetings_app, ids["zm"], ids["other"]) is None


def test_a_form_without_its_csrf_token_changes_nothing(meetings_app, fake):
    ids = meetings_app.config["IDS"]
    phone, _ = open_as(meetings_app, fake, "o-zm", "/m/meetings")
    with services_of(meetings_app).sessions() as session:
        code = session.get_one(Meeting, ids["open"]).code
    for data in ({"code": code}, {"code": code, "csrf_token": "forged"}):
        answer = phone.post(f"/m/meetings/{ids['open']}/code", data=data)
        assert answer.status_code == 400
        assert "页面停留太久已经失效" in answer.get_data(as_text=True)
    assert record_of(meetings_app, ids["zm"], ids["open"]) is None
    # not logged in at all: to WeChat first
    assert meetings_app.test_client().get("/m/meetings").status_code == 302


def test_check_in_by_code_wrong_then_right(meetings_app, fake, clock):
    ids = meetings_app.config["IDS"]
    phone, _ = open_as(meetings_app, fake, "o-zm", "/m/meetings")
    token = csrf_of(phone.get("/m/meetings").get_data(as_text=True))
    with services_of(meetings_app).sessions() as session:
        code = session.get_one(Meeting, ids["open"]).code
    url = f"/m/meetings/{ids['open']}/code"
    wrong = "0000" if code != "0000" else "1111"
    answer = phone.post(url, data={"csrf_token": token, "code": wrong})
    assert answer.status_code == 400
    opened = card(answer, ids["open"])
    assert f"没有找到签到码为 {wrong} 的会议" in opened
    assert f'value="{wrong}"' in opened  # what was typed is kept
    for typed, said in (("", "请填写签到码"), ("12a4", "签到码是会场公布的数字")):
        answer = phone.post(url, data={"csrf_token": token, "code": typed})
        assert answer.status_code == 400 and said in card(answer, ids["open"])
    # full-width digits read as the code
    full_width = "".join(chr(ord(digit) + 0xFEE0) for digit in code)
    done = phone.post(url, data={"csrf_token": token, "code": full_width})
    assert done.status_code == 302 and done.location == "/m/meetings"
    page = phone.get("/m/meetings")
    assert "签到成功！支部党员大会 6月10日（周三）10:30，辽原村村委会二楼。" in page_text(page)
    opened = card(page, ids["open"])
    assert "已签到（签到码，10:00）" in opened
    assert 'name="code"' not in opened and "请假" not in opened
    record = record_of(meetings_app, ids["zm"], ids["open"])
    assert record is not None and record.status == AttendanceStatus.PRESENT
    assert record.method == Method.CODE and record.recorded_by == ids["zm"]
    again = phone.post(url, data={"csrf_token": token, "code": code})
    assert again.status_code == 302
    assert "已签到，不用重复签到。" in page_text(phone.get("/m/meetings"))


def test_ten_wrong_codes_lock_the_form_as_in_chat(meetings_app, fake):
    ids = meetings_app.config["IDS"]
    phone, _ = open_as(meetings_app, fake, "o-lf", "/m/meetings")
    token = csrf_of(phone.get("/m/meetings").get_data(as_text=True))
    with services_of(meetings_app).sessions() as session:
        code = session.get_one(Meeting, ids["open"]).code
        lf = session.scalar(select(Member.id).where(Member.name == "刘芳"))
    url = f"/m/meetings/{ids['open']}/code"
    wrongs = [f"{n:04d}" for n in range(9000, 9020) if f"{n:04d}" != code][:10]
    said = [page_text(phone.post(url, data={"csrf_token": token, "code": w})) for w in wrongs]
    assert "没有找到签到码" in said[0]
    assert "签到码输错太多次了，请 10 分钟后再试" in said[-1]  # the count was kept
    right = phone.post(url, data={"csrf_token": token, "code": code})
    assert right.status_code == 400
    assert "签到码输错太多次了" in card(right, ids["open"])
    assert record_of(meetings_app, lf, ids["open"]) is None


def test_check_in_by_location_near_far_and_bad_numbers(meetings_app, fake, clock):
    ids = meetings_app.config["IDS"]
    phone, _ = open_as(meetings_app, fake, "o-zm", "/m/meetings")
    assert refresh_jsapi_ticket(services_of(meetings_app)) is True  # the scheduler's job
    page = phone.get("/m/meetings")
    body = page.get_data(as_text=True)
    assert 'id="wx-config"' in body and '"getLocation"' in body
    print(f"page weight with wx.config: meetings {len(page.data)} bytes")
    assert re.search(r'class="muted location-off" hidden', body)  # the script decides
    token = csrf_of(body)
    url = f"/m/meetings/{ids['open']}/location"
    for latitude, longitude in (("北纬47", "129.58"), ("", ""), ("nan", "129.58"),
                                ("95", "129.58"), ("47.92", "1e400")):
        answer = phone.post(url, data={"csrf_token": token, "latitude": latitude,
                                       "longitude": longitude})
        assert answer.status_code == 302
        assert "没有取到有效的位置，请再试一次，或用签到码签到。" in \
            page_text(phone.get("/m/meetings")), (latitude, longitude)
    far = phone.post(url, data={"csrf_token": token, "latitude": "47.93",
                                "longitude": "129.58"})
    assert far.status_code == 302
    assert "你离会场（辽原村村委会二楼）约 1112 米，要在 300 米内才能按位置签到" in \
        page_text(phone.get("/m/meetings"))
    assert record_of(meetings_app, ids["zm"], ids["open"]) is None
    # the lecture in two days: not open yet (the pages' hook flashes the refusal)
    early = phone.post(f"/m/meetings/{ids['later']}/location",
                       data={"csrf_token": token, "latitude": "47.92", "longitude": "129.58"},
                       headers={"Referer": "http://localhost/m/meetings"})
    assert early.status_code == 302 and early.location == "/m/meetings"
    assert "还没到签到时间" in page_text(phone.get("/m/meetings"))
    near = phone.post(url, data={"csrf_token": token, "latitude": str(OFFICE[0]),
                                 "longitude": str(OFFICE[1])})
    assert near.status_code == 302
    page = phone.get("/m/meetings")
    assert "签到成功！支部党员大会" in page_text(page)
    assert "已签到（位置，10:00）" in card(page, ids["open"])
    record = record_of(meetings_app, ids["zm"], ids["open"])
    assert record is not None and record.method == Method.LOCATION


def test_location_at_a_meeting_without_coordinates_asks_for_the_code(meetings_app, fake, clock):
    ids = meetings_app.config["IDS"]
    clock.advance(days=2)  # the lecture (no coordinates) is about to start
    phone, _ = open_as(meetings_app, fake, "o-zm", "/m/meetings")
    token = csrf_of(phone.get("/m/meetings").get_data(as_text=True))
    phone.post(f"/m/meetings/{ids['later']}/location",
               data={"csrf_token": token, "latitude": "47.92", "longitude": "129.58"})
    assert "这场会议没有设置地点坐标，请用签到码签到" in page_text(phone.get("/m/meetings"))
    assert record_of(meetings_app, ids["zm"], ids["later"]) is None


def test_leave_with_a_reason(meetings_app, fake, clock):
    ids = meetings_app.config["IDS"]
    phone, _ = open_as(meetings_app, fake, "o-zm", "/m/meetings")
    token = csrf_of(phone.get("/m/meetings").get_data(as_text=True))
    url = f"/m/meetings/{ids['later']}/leave"
    empty = phone.post(url, data={"csrf_token": token, "reason": "  \n "})
    assert empty.status_code == 400
    later = card(empty, ids["later"])
    assert "请写明请假原因" in later and "<details class=\"leave\" open>" in later
    long = "家" * 201
    too_long = phone.post(url, data={"csrf_token": token, "reason": long})
    assert too_long.status_code == 400
    assert "请假原因请写在200个字以内" in card(too_long, ids["later"])
    assert f'value="{long}"' in card(too_long, ids["later"])
    asked = phone.post(url, data={"csrf_token": token, "reason": "  外出\n务工 "})
    assert asked.status_code == 302
    page = phone.get("/m/meetings")
    assert "请假成功：党课 6月12日（周五）10:00。原因：外出 务工" in page_text(page)
    assert "已请假，原因：外出 务工" in card(page, ids["later"])
    assert "改请假原因" in card(page, ids["later"])
    record = record_of(meetings_app, ids["zm"], ids["later"])
    assert record is not None and record.status == AttendanceStatus.LEAVE
    assert record.reason == "外出 务工" and record.recorded_by == ids["zm"]
    phone.post(url, data={"csrf_token": token, "reason": "外出 务工"})
    assert "已请假（原因：外出 务工）" in page_text(phone.get("/m/meetings"))


def test_leave_is_refused_once_checked_in_or_over(meetings_app, fake, clock):
    ids = meetings_app.config["IDS"]
    phone, _ = open_as(meetings_app, fake, "o-zm", "/m/meetings")
    token = csrf_of(phone.get("/m/meetings").get_data(as_text=True))
    with services_of(meetings_app).sessions() as session:
        code = session.get_one(Meeting, ids["open"]).code
    phone.post(f"/m/meetings/{ids['open']}/code", data={"csrf_token": token, "code": code})
    refused = phone.post(f"/m/meetings/{ids['open']}/leave",
                         data={"csrf_token": token, "reason": "有事"})
    assert refused.status_code == 302 and refused.location == "/m/meetings"
    assert "你已经签到了，不用请假" in page_text(phone.get("/m/meetings"))
    clock.advance(days=2, hours=3)  # the lecture is over (not closed yet)
    phone, _ = open_as(meetings_app, fake, "o-zm", "/m/meetings")  # a new day, a new login
    token = csrf_of(phone.get("/m/meetings").get_data(as_text=True))
    over = phone.post(f"/m/meetings/{ids['later']}/leave",
                      data={"csrf_token": token, "reason": "有事"})
    assert over.status_code == 302
    page = page_text(phone.get("/m/meetings"))
    assert "会议已经结束，不能再请假了" in page
    empty = phone.post(f"/m/meetings/{ids['later']}/leave", data={"csrf_token": token})
    assert empty.status_code == 400  # its card is gone: the sentence shows on top
    assert '<p class="flash" role="status">请写明请假原因' in empty.get_data(as_text=True)
    assert re.search(r"未签到\s+党课：乡村振兴.*会议还没结束登记", page, re.S)
    record = record_of(meetings_app, ids["zm"], ids["open"])
    assert record is not None and record.status == AttendanceStatus.PRESENT


def test_a_busy_year_stays_under_60_kb(api_settings, clock, fake):
    """The heaviest ordinary page: the 20 upcoming meetings shown (and a 21st) and a
    year of 60 past ones, with realistic places and topics."""
    clock.set(NOW)
    app = create_app(api_settings, clock=clock)
    try:
        with services_of(app).sessions() as session:
            branch = make_branch(session, "辽原村党支部", make_township(session, "东乡党委"))
            secretary = make_member(session, branch, "李书记", "13800000001", openid="o-admin",
                                    is_admin=True)
            make_member(session, branch, "张明", "13800000002", openid="o-zm")
            admin = Actor.member(secretary.id, secretary.name, Surface.CHAT)
            for day in range(21):
                make_meeting(session, branch, NOW + timedelta(days=day, minutes=30),
                             place="辽原村村委会二楼会议室", topic="学习新修订的党章第二章",
                             host_id=secretary.id)
            for hours in range(60):
                held = make_meeting(session, branch, NOW - timedelta(days=2, hours=hours * 2),
                                    place="辽原村村委会二楼会议室", topic="学习新修订的党章第一章")
                close_meeting(session, admin, held, NOW - timedelta(days=1))
            session.commit()
        phone, _ = open_as(app, fake, "o-zm", "/m/meetings")
        assert refresh_jsapi_ticket(services_of(app)) is True
        page = phone.get("/m/meetings")
        text = page_text(page)
        assert text.count("学习新修订的党章第二章") == 20 and "只列出最近的20个会议。" in text
        assert text.count("缺席") == 60
        css = phone.get("/m/static/pages.css")
        script = phone.get("/m/static/meetings.js")
        weight = len(page.data) + len(css.data) + len(script.data)
        print(f"page weight, a busy year: meetings {len(page.data)} + css {len(css.data)} + "
              f"js {len(script.data)} = {weight} bytes")
        assert weight < 60_000
    finally:
        services_of(app).dispose()
