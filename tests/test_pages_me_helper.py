"""我的 (/m/me) and 帮扶 (/m/helper): a member's year with who acted on every line, and a
helper's page whose buttons are the chat's own actions (已转达 one line or all, 代签,
代请假), each answered with the chat's sentence; the scope (a non-helper, another
helper's member: nothing revealed), CSRF, and each action once and twice. Login goes
through the fake WeChat web authorization over real HTTP."""

from __future__ import annotations

import dataclasses
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.actors import Actor
from models.console.audit import AuditEntry
from models.delivery.outbox import ChannelPolicy
from models.meetings.actions import ask_leave, backfill, check_in, close_meeting
from models.meetings.tables import Attendance, AttendanceStatus, Meeting, Method
from models.members.org_tables import Org
from models.members.tables import Member
from models.pairing.actions import end_pair, make_pair
from models.pairing.relays import Relay
from models.study.posting import Draft, publish
from models.study.records import record_study
from models.study.tables import StudyItem, StudyRecord
from schedules.study import push_due_items
from tests.factories import make_branch, make_meeting, make_member, make_township
from tests.test_pages_login import csrf_of, open_as


@pytest.fixture
def june(clock):  # type: ignore[no-untyped-def]
    """Local 2026-06-15 10:00."""
    clock.set(datetime(2026, 6, 15, 2, 0, tzinfo=UTC))
    return clock


@pytest.fixture
def village_pages(api_settings, june):  # type: ignore[no-untyped-def]
    """辽原村: 王帮扶 helps 赵大爷 (老式手机) and 孙奶奶 (无手机); 吴丽 helps 钱婆婆;
    张明 is a plain member. A study item pushed today (relays for the offline members)
    and a branch assembly at 12:00 today."""
    app = create_app(api_settings, clock=june)
    services = services_of(app)
    with services.sessions() as session:
        branch = make_branch(session, "辽原村党支部", make_township(session, "东乡党委"))
        people = {
            "admin": make_member(session, branch, "李书记", "13800000001", openid="o-admin",
                                 is_admin=True),
            "helper": make_member(session, branch, "王帮扶", "13800000002", openid="o-helper",
                                  is_helper=True),
            "other": make_member(session, branch, "吴丽", "13800000003", openid="o-other",
                                 is_helper=True),
            "old": make_member(session, branch, "赵大爷", "13800000005", needs_help="老式手机",
                               needs_help_note="老人机，看不了文章"),
            "nophone": make_member(session, branch, "孙奶奶", None, needs_help="无手机"),
            "hers": make_member(session, branch, "钱婆婆", "13800000007", needs_help="行动不便"),
            "plain": make_member(session, branch, "张明", "13800000006", openid="o-zm"),
        }
        for helper, member in (("helper", "old"), ("helper", "nophone"), ("other", "hers")):
            make_pair(session, Actor.cli("test"), people[helper], people[member], june(), 3)
        publish(session, branch.id, Draft("学习四中全会精神", "第一段。\n第二段。"), None,
                june(), june())
        make_meeting(session, branch, june() + timedelta(hours=2), created=june(),
                     place="村委会二楼", topic="民主评议")
        session.commit()
        ids = {key: member.id for key, member in people.items()}
    push_due_items(dataclasses.replace(services, outbox=ChannelPolicy({"x": "y"})))
    app.config["IDS"] = ids
    yield app
    services.dispose()


def ids_of(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return dict(app.config["IDS"])


def flashed(page) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r'<p class="flash" role="status">([^<]*)</p>',
                      page.get_data(as_text=True))


def post(phone, path: str, token: str, **form: object):  # type: ignore[no-untyped-def]
    """A button's form, then the page it comes back to."""
    answer = phone.post(path, data={"csrf_token": token, **form})
    if answer.status_code != 302:
        return answer, None
    return answer, phone.get(answer.location)


def helper_phone(app, fake):  # type: ignore[no-untyped-def]
    phone, _ = open_as(app, fake, "o-helper", "/m/helper")
    page = phone.get("/m/helper")
    assert page.status_code == 200
    return phone, page, csrf_of(page.get_data(as_text=True))


def relay_ids(app, member_id: int) -> list[int]:  # type: ignore[no-untyped-def]
    with services_of(app).sessions() as session:
        return list(session.scalars(select(Relay.id).where(Relay.member_id == member_id)
                                    .order_by(Relay.id)))


def test_the_helpers_page_shows_my_members_and_what_waits(village_pages, fake):
    ids = ids_of(village_pages)
    _, page, _ = helper_phone(village_pages, fake)
    html = page.get_data(as_text=True)
    assert f'id="m{ids["old"]}"' in html and f'id="m{ids["nophone"]}"' in html
    assert "赵大爷" in html and "需要帮扶：老式手机（老人机，看不了文章）" in html
    assert "电话尾号0005" in html and "没有绑定微信" in html
    assert "待转达（1条）" in html and "学习四中全会精神" in html
    assert "【今日学习】学习四中全会精神\n第一段。 第二段。" in html  # the whole notice
    assert "同时记为已学：《学习四中全会精神》" in html
    assert "钱婆婆" not in html  # another helper's member
    # the meeting at 12:00 is not open for check-in yet: 代请假 only
    assert "代请假" in html and "民主评议" in html and "代签</button>" not in html
    assert '<a href="/m/helper" class="active"' in html
    print(f"page weight: helper {len(page.data)} bytes")
    assert len(page.data) < 60_000


def test_a_non_helper_gets_the_helpers_only_page_and_no_action(village_pages, fake):
    ids = ids_of(village_pages)
    phone, _ = open_as(village_pages, fake, "o-zm", "/m/helper")
    page = phone.get("/m/helper")
    assert page.status_code == 403
    html = page.get_data(as_text=True)
    assert "帮扶页面只对帮扶人开放" in html and "赵大爷" not in html
    assert '<a href="/m/helper"' not in html  # not in the bottom bar either
    token = csrf_of(phone.get("/m/me").get_data(as_text=True))
    answer, _ = post(phone, "/m/helper/done", token, member_id=ids["old"])
    assert answer.status_code == 404 and "没有找到这个页面" in answer.get_data(as_text=True)
    assert relay_ids(village_pages, ids["old"])  # still waiting
    with services_of(village_pages).sessions() as session:
        assert session.scalar(select(Relay.confirmed_at).where(
            Relay.member_id == ids["old"])) is None


def test_another_helpers_member_is_a_404_that_changes_nothing(village_pages, fake, june):
    ids = ids_of(village_pages)
    phone, _, token = helper_phone(village_pages, fake)
    [hers] = relay_ids(village_pages, ids["hers"])
    with services_of(village_pages).sessions() as session:
        meeting_id = session.scalar(select(Meeting.id))
    june.advance(hours=1, minutes=30)
    for path, form in (("/m/helper/done", {}), ("/m/helper/relay", {"relay_id": hers}),
                       ("/m/helper/check-in", {"meeting_id": meeting_id}),
                       ("/m/helper/leave", {"meeting_id": meeting_id, "reason": "病了"})):
        answer, _ = post(phone, path, token, member_id=ids["hers"], **form)
        assert answer.status_code == 404, path
        html = answer.get_data(as_text=True)
        assert "没有找到这个页面" in html and "钱婆婆" not in html
    # her relay, through one of my members' forms: not mine, said without revealing it
    answer, back = post(phone, "/m/helper/relay", token, member_id=ids["old"], relay_id=hers)
    assert answer.location.endswith(f"/m/helper#m{ids['old']}")
    assert flashed(back) == ["这一条已经不在待转达的列表里了（可能已经不用转达），请看最新的列表。"]
    for bad in ("abc", "", "-1", "1" * 40, "１２"):
        answer, _ = post(phone, "/m/helper/done", token, member_id=bad)
        assert answer.status_code == 404, bad
    with services_of(village_pages).sessions() as session:
        assert session.scalars(select(Relay.confirmed_at).where(
            Relay.member_id == ids["hers"])).all() == [None]
        assert session.scalars(select(Attendance)).all() == []
        assert session.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(["relay.confirm", "attendance.check_in"]))).all() == []


def test_a_post_without_the_csrf_token_is_refused(village_pages, fake):
    ids = ids_of(village_pages)
    phone, _, token = helper_phone(village_pages, fake)
    for form in ({}, {"csrf_token": "forged"}):
        answer = phone.post("/m/helper/done", data={"member_id": ids["old"], **form})
        assert answer.status_code == 400
        assert "页面停留太久已经失效" in answer.get_data(as_text=True)
    with services_of(village_pages).sessions() as session:
        assert session.scalar(select(Relay.confirmed_at).where(
            Relay.member_id == ids["old"])) is None
    assert token


def test_relay_buttons_are_the_chats_once_and_twice(village_pages, fake):
    ids = ids_of(village_pages)
    phone, _, token = helper_phone(village_pages, fake)
    [old_relay] = relay_ids(village_pages, ids["old"])
    answer, back = post(phone, "/m/helper/relay", token, member_id=ids["old"],
                        relay_id=old_relay)
    assert answer.location.endswith(f"/m/helper#m{ids['old']}")
    assert flashed(back) == ["已记录：你向赵大爷转达了《学习四中全会精神》。"
                             "可以再发一张照片或一段语音作为凭证（10分钟内）。"]
    html = back.get_data(as_text=True)
    assert "赵大爷现在没有需要转达的内容。" in html
    _, again = post(phone, "/m/helper/relay", token, member_id=ids["old"], relay_id=old_relay)
    assert flashed(again) == ["这一条已经记录为转达过了。"]
    # 全部已转达 for 孙奶奶: chat's 帮学 孙奶奶 完成, then nothing left
    _, back = post(phone, "/m/helper/done", token, member_id=ids["nophone"])
    assert flashed(back) == ["已记录：你向孙奶奶转达了《学习四中全会精神》。"
                             "可以再发一张照片或一段语音作为凭证（10分钟内）。"]
    _, again = post(phone, "/m/helper/done", token, member_id=ids["nophone"])
    assert flashed(again) == ["孙奶奶现在没有需要转达的内容。"]
    with services_of(village_pages).sessions() as session:
        records = {(r.member_id, r.via, r.helper_id)
                   for r in session.scalars(select(StudyRecord))}
        assert records == {(ids["old"], "helper", ids["helper"]),
                           (ids["nophone"], "helper", ids["helper"])}
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "relay.confirm")).all()
        assert [(e.surface, e.target) for e in entries] == [("page", "赵大爷"),
                                                            ("page", "孙奶奶")]


def test_proxy_check_in_and_leave_are_the_chats_once_and_twice(village_pages, fake, june):
    ids = ids_of(village_pages)
    phone, _, token = helper_phone(village_pages, fake)
    with services_of(village_pages).sessions() as session:
        meeting_id = session.scalar(select(Meeting.id))
    # 代请假 before check-in opens: a reason is needed
    _, back = post(phone, "/m/helper/leave", token, member_id=ids["nophone"],
                   meeting_id=meeting_id, reason="  ")
    assert flashed(back) and "原因" in flashed(back)[0]
    _, back = post(phone, "/m/helper/leave", token, member_id=ids["nophone"],
                   meeting_id=meeting_id, reason="腿脚不便")
    assert flashed(back) == ["已替孙奶奶请假：支部党员大会 6月15日（周一）12:00。原因：腿脚不便"]
    _, again = post(phone, "/m/helper/leave", token, member_id=ids["nophone"],
                    meeting_id=meeting_id, reason="腿脚不便")
    assert flashed(again) == flashed(back)
    # 代签 too early: the chat's refusal, on 赵大爷's card
    answer, back = post(phone, "/m/helper/check-in", token, member_id=ids["old"],
                        meeting_id=meeting_id)
    assert answer.location.endswith(f"#m{ids['old']}")
    assert flashed(back) and "签到" in flashed(back)[0]
    june.advance(hours=1, minutes=30)  # 11:30: check-in is open
    html = phone.get("/m/helper").get_data(as_text=True)
    assert "替赵大爷代签" in html and "替孙奶奶代签" in html and "已请假；代签后改为出席。" in html
    _, back = post(phone, "/m/helper/check-in", token, member_id=ids["old"],
                   meeting_id=meeting_id)
    assert flashed(back) == ["已替赵大爷签到：支部党员大会 6月15日（周一）12:00，村委会二楼。"]
    card = back.get_data(as_text=True).split(f'id="m{ids["old"]}"')[1].split("</section>")[0]
    assert "替赵大爷代签" not in card and "代请假" not in card  # present: nothing to do
    _, again = post(phone, "/m/helper/check-in", token, member_id=ids["old"],
                    meeting_id=meeting_id)
    assert flashed(again) == ["已签到，不用重复签到。"]
    answer, _ = post(phone, "/m/helper/check-in", token, member_id=ids["old"],
                     meeting_id=999_999)
    assert answer.status_code == 404
    with services_of(village_pages).sessions() as session:
        rows = {(a.member_id, a.status, a.method, a.recorded_by)
                for a in session.scalars(select(Attendance))}
        assert rows == {(ids["old"], "present", "helper", ids["helper"]),
                        (ids["nophone"], "leave", "helper", ids["helper"])}
        surfaces = {(e.action, e.surface) for e in session.scalars(select(AuditEntry))}
        assert {("attendance.check_in", "page"), ("attendance.leave", "page")} <= surfaces


def test_my_page_names_who_acted_on_every_line(village_pages, fake, june):
    ids = ids_of(village_pages)
    services = services_of(village_pages)
    with services.sessions() as session:
        branch_id = session.get_one(Member, ids["old"]).branch_id
        branch = session.get_one(Org, branch_id)
        old = session.get_one(Member, ids["old"])
        helper = session.get_one(Member, ids["helper"])
        admin = session.get_one(Member, ids["admin"])
        now = june()
        early = publish(session, branch_id, Draft("第一期", "内容"), None,
                        now - timedelta(days=30), now - timedelta(days=30))
        publish(session, branch_id, Draft("第二期", "内容"), None,
                now - timedelta(days=20), now - timedelta(days=20))
        record_study(session, early, old, now - timedelta(days=29))
        held = [make_meeting(session, branch, now - timedelta(days=d), topic=f"会{d}")
                for d in (40, 30, 20)]
        for meeting in held:
            meeting.ends_at = meeting.starts_at + timedelta(hours=2)
        session.flush()
        check_in(session, Actor.member(helper.id, helper.name), held[0], old, Method.HELPER,
                 held[0].starts_at + timedelta(minutes=10))
        ask_leave(session, Actor.member(old.id, old.name), held[1], old, "住院",
                  Method.CODE, held[1].starts_at - timedelta(days=1))
        for meeting in held:
            close_meeting(session, Actor.cli("test"), meeting,
                          meeting.ends_at + timedelta(minutes=5))
        backfill(session, Actor.member(admin.id, admin.name), held[2], old,
                 AttendanceStatus.PRESENT, None, now)
        old.openid = "o-old"  # his grandson's phone, bound to him
        session.commit()
    # the helper passes today's item on from the page first
    phone, _, token = helper_phone(village_pages, fake)
    [relay] = relay_ids(village_pages, ids["old"])
    post(phone, "/m/helper/relay", token, member_id=ids["old"], relay_id=relay)
    june.advance(minutes=5)
    mine, _ = open_as(village_pages, fake, "o-old", "/m/me")
    page = mine.get("/m/me")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", html)
    text = re.sub(r"\s+", " ", text)
    assert "2026年" in text
    assert "2/3学习 2出席 1请假 0缺席" in text
    assert "其中帮扶人帮学1次、代签1次。" in text and "还有1次会议待参加。" in text
    assert "我的帮扶人：王帮扶" in text
    assert "学习四中全会精神 6月15日（周一）10:00发布 已学 · 帮扶人王帮扶帮学 · " \
        "6月15日（周一）10:00" in text
    assert "第二期 5月26日（周二）10:00发布 未学" in text
    assert "第一期 5月16日（周六）10:00发布 已学 · 本人 · 5月17日（周日）10:00" in text
    assert "支部党员大会：会40 5月6日（周三）10:00 · 村委会 出席 · 帮扶人王帮扶代签 · " \
        "5月6日（周三）10:10" in text
    assert "支部党员大会：会30 5月16日（周六）10:00 · 村委会 请假（住院） · 本人 · " \
        "5月15日（周五）10:00" in text
    assert "支部党员大会：会20 5月26日（周二）10:00 · 村委会 出席 · 管理员李书记补录 · " \
        "6月15日（周一）10:00" in text
    assert "支部党员大会：民主评议 6月15日（周一）12:00 · 村委会二楼 待参加" in text
    assert "支部党员大会 5月16日（周六）10:00 已准假 请假（住院） · 本人" in text
    assert "【今日学习】学习四中全会精神 帮扶人王帮扶已转达 · 6月15日（周一）10:00" in text
    assert 'href="/m/notices"' in html and 'id="notices"' in html
    assert '<a href="/m/me" class="active"' in html  # the bottom bar
    css = mine.get("/m/static/pages.css")
    print(f"page weight: me {len(page.data)} bytes, css {len(css.data)} bytes")
    assert len(page.data) + len(css.data) < 60_000
    # 孙奶奶 was marked absent when the meetings closed; 张明 sees his own check-in
    last_year = mine.get("/m/me?year=2025").get_data(as_text=True)
    assert "2025年" in last_year and "这一年还没有学习内容。" in last_year
    assert "这一年还没有会议。" in last_year
    assert mine.get("/m/me?year=1999").get_data(as_text=True).count("2026年") == 1


def test_a_long_year_shows_the_newest_lines_then_all_page_by_page(village_pages, fake,
                                                                  june):
    ids = ids_of(village_pages)
    with services_of(village_pages).sessions() as session:
        plain = session.get_one(Member, ids["plain"])
        for day in range(1, 151):  # a daily item since January
            item = publish(session, plain.branch_id, Draft(f"每日一学{day:03d}", "内容"),
                           None, june() - timedelta(days=day), june() - timedelta(days=day))
            record_study(session, item, plain, june() - timedelta(days=day, hours=-1))
        session.commit()
    june.advance(minutes=5)  # today's item, pushed at 10:00, is in the year
    phone, _ = open_as(village_pages, fake, "o-zm", "/m/me")
    html = phone.get("/m/me").get_data(as_text=True)
    assert "150/151" in html
    assert "只显示最近30条，共151条。" in html and "每日一学029" in html
    assert "每日一学030" not in html
    assert 'href="/m/me?year=2026&amp;part=study#study"' in html
    weights = []
    for number, first, last, newest, oldest in ((1, 1, 100, "学习四中全会精神", "每日一学099"),
                                                (2, 101, 151, "每日一学100", "每日一学150")):
        whole = phone.get(f"/m/me?year=2026&part=study&page={number}")
        html = whole.get_data(as_text=True)
        assert f"第{first}至{last}条，共151条。" in html
        assert newest in html and oldest in html
        assert 'id="meetings"' not in html and "返回我的全部记录" in html
        assert ("更早的学习记录" in html) is (number == 1)
        weights.append(len(whole.data))
    started = time.perf_counter()
    for _ in range(20):
        phone.get("/m/me")
    print(f"page weight: me, 100 study lines {weights[0]} bytes; "
          f"/m/me with 151 lines {(time.perf_counter() - started) / 20 * 1000:.1f} ms")
    assert max(weights) < 60_000
    for odd in ("?part=<script>", "?page=abc&part=study", "?page=99999999&part=leave",
                "?year=abc"):
        assert phone.get(f"/m/me{odd}").status_code == 200, odd


def test_a_relay_that_no_longer_matters_is_gone_from_the_list(village_pages, fake, june):
    ids = ids_of(village_pages)
    phone, _, token = helper_phone(village_pages, fake)
    [relay] = relay_ids(village_pages, ids["old"])
    with services_of(village_pages).sessions() as session:
        old = session.get_one(Member, ids["old"])
        item = session.scalars(select(StudyRecord.item_id)).first()
        assert item is None  # nobody has studied yet
        record_study(session, session.scalars(select(StudyItem)).one(), old, june())
        session.commit()
    html = phone.get("/m/helper").get_data(as_text=True)  # the list drops it
    assert "赵大爷现在没有需要转达的内容。" in html
    _, back = post(phone, "/m/helper/relay", token, member_id=ids["old"], relay_id=relay)
    assert flashed(back) == ["这一条已经不在待转达的列表里了（可能已经不用转达），请看最新的列表。"]
    with services_of(village_pages).sessions() as session:
        assert session.get_one(Relay, relay).confirmed_at is None


def test_a_helper_by_pairing_alone_sees_helping_in_the_bar(village_pages, fake, june):
    """The bar shows 帮扶 to whoever the page lets in: a helper made only by 结对 (no
    roster flag) as well."""
    with services_of(village_pages).sessions() as session:
        plain = session.get(Member, ids_of(village_pages)["plain"])
        hers = session.get(Member, ids_of(village_pages)["hers"])
        assert plain is not None and hers is not None and not plain.is_helper
        end_pair(session, Actor.cli("test"), hers, june())
        make_pair(session, Actor.cli("test"), plain, hers, june(), 3)
        session.commit()
    phone, _ = open_as(village_pages, fake, "o-zm", "/m/")
    html = phone.get("/m/").get_data(as_text=True)
    assert 'href="/m/helper"' in html
    assert phone.get("/m/helper").status_code == 200
