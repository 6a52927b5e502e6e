"""三会一课 in the console: scheduling in a form (same rules and notices as 新建会议),
the meeting page (attendance as members check in by chat, cancel, close, 补录, the
record), photos (checked, stored, served in scope), the sign-in sheet, the audit log —
and scope: another township's meetings are 404 on every route."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import segno
from sqlalchemy import select

from models.console.audit import AuditEntry
from models.delivery.outbox import Outbox
from models.meetings.tables import Attendance, Meeting, MeetingStatus
from tests.conftest import CONSOLE_PASSWORD as PASSWORD
from tests.conftest import Chat


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def logged_in(app, login: str):  # type: ignore[no-untyped-def]
    browser = app.test_client()
    token = csrf_of(browser.get("/admin/login").get_data(as_text=True))
    answer = browser.post("/admin/login", data={"login": login, "password": PASSWORD,
                                                "csrf_token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    browser.token = csrf_of(browser.get("/admin/login").get_data(as_text=True))
    return browser


def local_form(clock, app, hours: float = 2.0, **fields: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from bot.services import services_of

    start = (clock() + timedelta(hours=hours)).astimezone(services_of(app).settings.tz)
    form = {"kind": "branch_assembly", "day": start.strftime("%Y-%m-%d"),
            "start": start.strftime("%H:%M"), "end": "", "place": "村委会",
            "topic": "学习党章", "audience": "all", "host": "",
            # the clock follows the real time: a start at night is confirmed (issue 25)
            "night_ok": "1"}
    form.update(fields)
    return form


def create(browser, branch_id: int, form: dict[str, str]):  # type: ignore[no-untyped-def]
    return browser.post(f"/admin/branch/{branch_id}/meetings/new",
                        data={**form, "csrf_token": browser.token})


def test_a_meeting_scheduled_in_the_form_is_the_chats_meeting(app, session, county, clock,
                                                              chat: Chat):
    browser = logged_in(app, "liaoyuan")
    form_page = browser.get(f"/admin/branch/{county['liaoyuan']}/meetings/new")
    assert "支委会成员" in form_page.get_data(as_text=True)  # the committee is a choice
    answer = create(browser, county["liaoyuan"], local_form(clock, app, hours=0.5))
    assert answer.status_code == 302
    meeting = session.scalars(select(Meeting)).one()
    assert meeting.status == MeetingStatus.PLANNED and meeting.place == "村委会"
    page = browser.get(answer.location).get_data(as_text=True)
    assert f"签到码 {meeting.code}" in page and "已通知3名党员" in page
    notices = session.scalars(select(Outbox).where(Outbox.kind == "meeting_notice")).all()
    assert len(notices) == 3
    # a member checks in through the chat: the live list shows it
    assert "签到成功" in chat.say("o-zm", f"签到：{meeting.code}")
    live = browser.get(f"/admin/meeting/{meeting.id}/attendance").get_data(as_text=True)
    assert "已签到 <b class=\"present\">1</b>" in live and "签到码" in live
    audit = session.scalars(select(AuditEntry)).one()
    assert audit.action == "meeting.create" and audit.actor_name == "liaoyuan"
    assert audit.after and audit.after["code"] == meeting.code


def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(app, county, clock, session):
    browser = logged_in(app, "liaoyuan")
    past = create(browser, county["liaoyuan"], local_form(clock, app, hours=-1))
    assert past.status_code == 400 and "村委会" in past.get_data(as_text=True)
    assert "已经过去" in past.get_data(as_text=True) or "过去" in past.get_data(as_text=True)
    no_place = create(browser, county["liaoyuan"], local_form(clock, app, place=""))
    assert "请填写会议地点" in no_place.get_data(as_text=True)
    bad_time = create(browser, county["liaoyuan"], local_form(clock, app, start="25:99"))
    assert "请填写会议的日期和开始时间" in bad_time.get_data(as_text=True)
    other_group = create(browser, county["liaoyuan"], local_form(clock, app,
                                                                 audience="group:99999"))
    assert "请从列表里选参会人员" in other_group.get_data(as_text=True)
    assert session.scalars(select(Meeting)).all() == []
    assert session.scalars(select(AuditEntry)).all() == []


def test_a_committee_meeting_invites_the_committee_and_a_group_meeting_the_group(
        app, county, clock, session):
    browser = logged_in(app, "liaoyuan")
    create(browser, county["liaoyuan"], local_form(clock, app, kind="committee_meeting",
                                                   audience="committee"))
    create(browser, county["liaoyuan"], local_form(clock, app, hours=3, kind="group_meeting",
                                                   audience=f"group:{county['group']}"))
    committee, group = session.scalars(select(Meeting).order_by(Meeting.id)).all()
    sheet = browser.get(f"/admin/meeting/{committee.id}/attendance").get_data(as_text=True)
    assert "李书记" in sheet and "张明" not in sheet
    sheet = browser.get(f"/admin/meeting/{group.id}/attendance").get_data(as_text=True)
    assert "张明" in sheet and "刘芳" not in sheet


def test_cancel_close_backfill_and_the_record(app, county, clock, session, chat: Chat):
    browser = logged_in(app, "liaoyuan")
    create(browser, county["liaoyuan"], local_form(clock, app, hours=0.5))
    meeting = session.scalars(select(Meeting)).one()
    meeting_id, code = meeting.id, meeting.code
    early = browser.post(f"/admin/meeting/{meeting_id}/close",
                         data={"csrf_token": browser.token}, follow_redirects=True)
    assert "还没开始" in early.get_data(as_text=True) or "取消" in early.get_data(as_text=True)
    chat.say("o-zm", f"签到 {code}")
    chat.say("o-lf", f"请假 {code} 家里有事")
    clock.advance(hours=1)
    closed = browser.post(f"/admin/meeting/{meeting_id}/close",
                          data={"csrf_token": browser.token}, follow_redirects=True)
    assert "应到3人，出席1人，请假1人，缺席1人" in closed.get_data(as_text=True)
    secretary = county["secretary"]
    backfilled = browser.post(f"/admin/meeting/{meeting_id}/backfill", data={
        "csrf_token": browser.token, "member": secretary, "status": "present"},
        follow_redirects=True)
    assert "已补录：李书记 出席" in backfilled.get_data(as_text=True)
    session.rollback()  # a fresh look at what the app committed
    record = session.scalar(select(Attendance).where(Attendance.member_id == secretary))
    assert record is not None and record.backfilled and record.recorded_by == secretary
    leave_without_reason = browser.post(f"/admin/meeting/{meeting_id}/backfill", data={
        "csrf_token": browser.token, "member": secretary, "status": "leave"},
        follow_redirects=True)
    assert "原因" in leave_without_reason.get_data(as_text=True)
    saved = browser.post(f"/admin/meeting/{meeting_id}/record", data={
        "csrf_token": browser.token, "minutes": "一、学习党章第一章。\n二、讨论。",
        "recorder": secretary, "lecturer": ""}, follow_redirects=True)
    assert "会议记录已保存" in saved.get_data(as_text=True)
    session.rollback()
    meeting = session.get(Meeting, meeting_id)
    assert meeting.minutes.startswith("一、学习党章") and meeting.recorder_id == secretary
    actions = [entry.action for entry in session.scalars(select(AuditEntry)
                                                         .order_by(AuditEntry.id))]
    assert actions == ["meeting.create", "meeting.close", "attendance.backfill",
                       "meeting.record"]


def test_a_meeting_not_yet_begun_is_cancelled_and_its_invitees_told(app, county, clock,
                                                                    session):
    browser = logged_in(app, "liaoyuan")
    create(browser, county["liaoyuan"], local_form(clock, app, hours=30))
    meeting_id = session.scalars(select(Meeting.id)).one()
    page = browser.post(f"/admin/meeting/{meeting_id}/cancel",
                        data={"csrf_token": browser.token}, follow_redirects=True)
    assert "已取消这次会议，已通知3名党员" in page.get_data(as_text=True)
    session.rollback()
    assert session.scalars(select(Outbox).where(Outbox.kind == "meeting_cancelled")).all()


def png_bytes() -> bytes:
    out = BytesIO()
    segno.make("会议照片").save(out, kind="png", scale=4)
    return out.getvalue()


def same_picture(data: bytes, original: bytes) -> bool:
    """Same pixels (a stored photo is encoded again, without its metadata)."""
    from PIL import Image

    with Image.open(BytesIO(data)) as stored, Image.open(BytesIO(original)) as source:
        return stored.convert("RGB").tobytes() == source.convert("RGB").tobytes()


def test_photos_are_checked_stored_and_served_only_in_scope(app, county, clock, session,
                                                            settings):
    browser = logged_in(app, "liaoyuan")
    create(browser, county["liaoyuan"], local_form(clock, app))
    meeting_id = session.scalars(select(Meeting.id)).one()
    url = f"/admin/meeting/{meeting_id}/photos"
    script = browser.post(url, data={"csrf_token": browser.token, "photo": (
        BytesIO(b"<?php system($_GET['c']); ?>"), "photo.jpg")}, follow_redirects=True)
    assert "只能上传 JPG 或 PNG 照片" in script.get_data(as_text=True)
    big = browser.post(url, data={"csrf_token": browser.token, "photo": (
        BytesIO(b"\xff\xd8\xff" + b"0" * (9 * 1024 * 1024)), "big.jpg")})
    assert big.status_code == 413
    good = browser.post(url, data={"csrf_token": browser.token, "photo": (
        BytesIO(png_bytes()), "会议.jpg")}, follow_redirects=True)
    assert "照片已上传" in good.get_data(as_text=True)
    session.rollback()
    [name] = session.get(Meeting, meeting_id).photos
    assert name.endswith(".png")  # named by its content, not by what it was called
    stored = settings.instance_path / "uploads" / "meetings" / str(meeting_id) / name
    assert same_picture(stored.read_bytes(), png_bytes())
    assert not stored.stat().st_mode & 0o111
    served = browser.get(f"{url}/{name}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert browser.get(f"{url}/..%2F..%2Fsecret.png").status_code == 404
    assert logged_in(app, "west-it").get(f"{url}/{name}").status_code == 404
    assert logged_in(app, "east-it").get(f"{url}/{name}").status_code == 200


def test_the_sign_in_sheet_has_the_code_the_names_and_a_caption(app, county, clock, session):
    browser = logged_in(app, "liaoyuan")
    create(browser, county["liaoyuan"], local_form(clock, app))
    meeting = session.scalars(select(Meeting)).one()
    sheet = browser.get(f"/admin/meeting/{meeting.id}/sheet").get_data(as_text=True)
    assert "辽原村党支部党员大会签到表" in sheet and meeting.code in sheet
    assert f"发送「签到 {meeting.code}」" in sheet and "张明" in sheet and "@page" in sheet


def test_a_meeting_moved_in_the_console_tells_every_invitee(app, county, clock, session,
                                                            chat: Chat):
    browser = logged_in(app, "liaoyuan")
    create(browser, county["liaoyuan"], local_form(clock, app, hours=24))
    meeting = session.scalars(select(Meeting)).one()
    code = meeting.code
    form_page = browser.get(f"/admin/meeting/{meeting.id}/edit").get_data(as_text=True)
    assert "村委会" in form_page and "保存并通知" in form_page
    moved = local_form(clock, app, hours=48, place="党员活动室", topic="学习党章")
    answer = browser.post(f"/admin/meeting/{meeting.id}/edit",
                          data={**moved, "csrf_token": browser.token})
    assert answer.status_code == 302
    assert "已修改会议，已通知3名党员" in browser.get(answer.location).get_data(as_text=True)
    session.rollback()
    meeting = session.get(Meeting, meeting.id)
    assert meeting.place == "党员活动室" and meeting.code == code
    assert (meeting.ends_at - meeting.starts_at).total_seconds() == 2 * 3600
    changes = session.scalars(select(Outbox).where(
        Outbox.dedupe_key.like(f"meeting:{meeting.id}:member:%:changed:%"))).all()
    assert len(changes) == 3
    same = browser.post(f"/admin/meeting/{meeting.id}/edit",
                        data={**moved, "csrf_token": browser.token})
    assert "没有改动" in browser.get(same.location).get_data(as_text=True)
    past = browser.post(f"/admin/meeting/{meeting.id}/edit",
                        data={**local_form(clock, app, hours=-2), "csrf_token": browser.token})
    assert past.status_code == 400 and "过去" in past.get_data(as_text=True)
    no_place = browser.post(f"/admin/meeting/{meeting.id}/edit",
                            data={**moved, "place": "", "csrf_token": browser.token})
    assert "请填写会议地点" in no_place.get_data(as_text=True)
    clock.advance(hours=49)  # under way: no more moving it
    browser = logged_in(app, "liaoyuan")  # (idle for two days: logged out)
    late = browser.post(f"/admin/meeting/{meeting.id}/edit",
                        data={**local_form(clock, app, hours=3), "csrf_token": browser.token})
    assert late.status_code == 400 and "会议已经开始了" in late.get_data(as_text=True)
    session.rollback()
    assert [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))] \
        == ["meeting.create", "meeting.change"]


def test_another_townships_meetings_are_404_on_every_route(app, county, clock, session):
    own = logged_in(app, "liaoyuan")
    create(own, county["liaoyuan"], local_form(clock, app))
    meeting_id = session.scalars(select(Meeting.id)).one()
    stranger = logged_in(app, "west-it")
    gets = [f"/admin/branch/{county['liaoyuan']}/meetings",
            f"/admin/branch/{county['liaoyuan']}/meetings/new",
            f"/admin/meeting/{meeting_id}", f"/admin/meeting/{meeting_id}/attendance",
            f"/admin/meeting/{meeting_id}/sheet", f"/admin/meeting/{meeting_id}/edit"]
    for path in gets:
        assert stranger.get(path).status_code == 404, path
        assert own.get(path).status_code == 200, path
    posts = [f"/admin/branch/{county['liaoyuan']}/meetings/new",
             f"/admin/meeting/{meeting_id}/cancel", f"/admin/meeting/{meeting_id}/close",
             f"/admin/meeting/{meeting_id}/backfill", f"/admin/meeting/{meeting_id}/record",
             f"/admin/meeting/{meeting_id}/photos", f"/admin/meeting/{meeting_id}/edit"]
    for path in posts:
        assert stranger.post(path, data={"csrf_token": stranger.token}).status_code == 404, \
            path
        assert own.post(path, data={}).status_code == 400, path  # no CSRF token
    # the branch secretary sees only their branch
    assert own.get(f"/admin/branch/{county['far']}/meetings").status_code == 404
    assert session.get(Meeting, meeting_id).status == MeetingStatus.PLANNED


def test_the_township_workbook_has_a_summary_a_record_book_and_a_sheet_pair_per_branch(
        app, county, clock, session, chat: Chat):
    from openpyxl import load_workbook

    secretary = logged_in(app, "liaoyuan")
    create(secretary, county["liaoyuan"], local_form(clock, app, hours=0.5))
    meeting = session.scalars(select(Meeting)).one()
    chat.say("o-zm", f"签到 {meeting.code}")
    clock.advance(hours=1)
    secretary.post(f"/admin/meeting/{meeting.id}/close", data={"csrf_token": secretary.token})
    township = logged_in(app, "east-it")
    answer = township.get("/admin/export/ledger")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in answer.headers["Content-Disposition"]
    book = load_workbook(BytesIO(answer.data))
    assert book.sheetnames == ["汇总", "会议记录本", "1辽原村党支部-会议记录",
                               "1辽原村党支部-出勤表"]
    rows = list(book["汇总"].iter_rows(values_only=True))
    assert rows[1][:3] == ("序号", "党支部", "党员数")
    assert rows[2][:4] == (1, "辽原村党支部", 3, 1) and rows[2][-1] == "33%"
    matrix = list(book["1辽原村党支部-出勤表"].iter_rows(values_only=True))
    assert ("张明", "✓", 1) in [row[:3] for row in matrix]
    # the branch's meetings page exports the same quarter for the branch alone
    page = secretary.get(f"/admin/branch/{county['liaoyuan']}/meetings").get_data(as_text=True)
    link = re.search(r'href="(/admin/export/ledger\?[^"]+)"[^>]*>导出这个季度的台账', page)
    assert link, page
    own = load_workbook(BytesIO(secretary.get(link.group(1).replace("&amp;", "&")).data))
    pages = [row[0] for row in own["会议记录本"].iter_rows(values_only=True)]
    assert "辽原村党支部会议记录（第1次）" in pages and "出席人员" in pages
    # scope: another township's org is 404, and so is the county for a township account
    assert logged_in(app, "west-it").get(
        f"/admin/export/ledger?org={county['liaoyuan']}").status_code == 404
    assert secretary.get(f"/admin/export/ledger?org={county['far']}").status_code == 404


def test_the_audit_log_is_read_within_scope(app, county, clock):
    own = logged_in(app, "liaoyuan")
    create(own, county["liaoyuan"], local_form(clock, app))
    assert "安排会议" in own.get("/admin/audit").get_data(as_text=True)
    assert "安排会议" in logged_in(app, "east-it").get("/admin/audit").get_data(
        as_text=True)
    assert "还没有修改记录" in logged_in(app, "west-it").get("/admin/audit").get_data(
        as_text=True)


def test_long_minutes_fit_the_record_form(app, county, clock, session):
    """Minutes of 20,000 characters are allowed; in a form a Chinese character costs 9
    bytes, so the body is past the app-wide 64 KiB (8,000 characters were a 413 and the
    typed text was lost)."""
    browser = logged_in(app, "liaoyuan")
    create(browser, county["liaoyuan"], local_form(clock, app, hours=0.5))
    meeting_id = session.scalars(select(Meeting.id)).one()
    minutes = "纪" * 20_000
    saved = browser.post(f"/admin/meeting/{meeting_id}/record", data={
        "csrf_token": browser.token, "minutes": minutes, "recorder": county["secretary"],
        "lecturer": ""}, follow_redirects=True)
    assert "会议记录已保存" in saved.get_data(as_text=True)
    session.rollback()
    assert session.get(Meeting, meeting_id).minutes == minutes
