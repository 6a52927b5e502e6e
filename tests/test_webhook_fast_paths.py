"""The webhook's fast paths (issue 24, throughput) keep the rules and the replies.

签到 <码> reads the meeting, the member's standing and their guess lock in one prepared
statement (models.meetings.code_check_in) and goes the general way for anything else;
学习 and 已学 read and write on prepared statements (models.study.hot_statements); POST
/wechat is answered from WSGI without Flask (bot.webhook_wsgi). Each is checked here
against what the ORM path does, on SQLite and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide, text_xml
from models.console.audit import AuditEntry
from models.db.engine import WROTE
from models.db.guesses import MEETING_CODE, GuessGuard
from models.db.raw_statements import session_cursor
from models.meetings.code_check_in import card_for_code
from models.meetings.rules import NewMeeting, create_meeting
from models.meetings.tables import Attendance, MeetingKind
from models.members.tables import Member
from models.study.hot_statements import item_text
from models.study.posting import Draft, publish
from models.study.rendering import item_message
from models.study.tables import StudyItem, StudyItemImage
from tests.conftest import TOKEN, Chat
from tests.test_meetings import branch  # noqa: F401  (the fixture)


def member_named(session, name: str) -> Member:  # type: ignore[no-untyped-def]
    return session.scalars(select(Member).where(Member.name == name)).one()


def audit_count(session) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def invited_only(session, branch, clock, *names: str):  # type: ignore[no-untyped-def]  # noqa: F811
    """A meeting half an hour ahead for the listed members only (not the whole branch)."""
    ids = tuple(member_named(session, name).id for name in names)
    meeting = create_meeting(session, NewMeeting(
        org_id=branch.id, kind=MeetingKind.COMMITTEE_MEETING,
        starts_at=clock() + timedelta(minutes=30), place="村委会", invite_member_ids=ids),
        created_by=None, now=clock() - timedelta(days=1))
    session.commit()
    return meeting


def test_own_check_in_by_code_is_recorded_once_and_not_audited(chat, session, clock,
                                                                 branch):  # noqa: F811
    meeting = create_meeting(session, NewMeeting(
        org_id=branch.id, kind=MeetingKind.BRANCH_ASSEMBLY,
        starts_at=clock() + timedelta(minutes=30), place="村委会"),
        created_by=None, now=clock() - timedelta(days=1))
    session.commit()
    before = audit_count(session)
    assert "签到成功" in chat.say("o-zm", f"签到 {meeting.code}")
    assert chat.say("o-zm", f"签到 {meeting.code}") == "已签到，不用重复签到。"
    assert audit_count(session) == before  # a member's own check-in is its own trace
    zhang = member_named(session, "张明")
    rows = session.scalars(select(Attendance).where(Attendance.member_id == zhang.id)).all()
    assert [(r.status, r.method, r.recorded_by, r.recorded_at, r.backfilled) for r in rows] \
        == [("present", "code", zhang.id, clock(), False)]


def test_check_in_by_code_for_a_meeting_by_invitation_takes_the_general_way(
        chat, session, clock, branch):  # noqa: F811
    meeting = invited_only(session, branch, clock, "刘芳")
    zhang = member_named(session, "张明")
    card = card_for_code(session, "o-zm", meeting.code, zhang.id)
    assert card is not None and not card.invited  # not plainly: read by the general way
    assert "你不在参会名单里" in chat.say("o-zm", f"签到 {meeting.code}")
    assert "签到成功" in chat.say("o-lf", f"签到 {meeting.code}")


def test_a_paused_openid_is_refused_even_with_the_right_code(chat, session, clock,
                                                            branch):  # noqa: F811
    meeting = create_meeting(session, NewMeeting(
        org_id=branch.id, kind=MeetingKind.BRANCH_ASSEMBLY,
        starts_at=clock() + timedelta(minutes=30), place="村委会"),
        created_by=None, now=clock() - timedelta(days=1))
    session.add(GuessGuard(openid="o-zm", purpose=MEETING_CODE.purpose, failures=10,
                           window_start=clock(), locked_until=clock() + timedelta(minutes=5)))
    session.commit()
    assert "签到码输错太多次了" in chat.say("o-zm", f"签到 {meeting.code}")
    clock.advance(minutes=6)
    assert "签到成功" in chat.say("o-zm", f"签到 {meeting.code}")


def test_raw_writes_flag_the_connection_as_written(app, session):  # type: ignore[no-untyped-def]
    with services_of(app).engine.connect() as connection:
        connection.begin()
        on_connection = Session(bind=connection)
        session_cursor(on_connection)
        assert not connection.info.get(WROTE)
        session_cursor(on_connection, writes=True)
        assert connection.info.get(WROTE)
        connection.rollback()


def test_study_item_text_reads_as_the_orm_item(session, clock, branch):  # noqa: F811
    linked = publish(session, branch.id, Draft("有链接", "正文" * 50, link="https://a.example/1"),
                     None, clock(), clock())
    pictured = publish(session, branch.id, Draft("有照片", "正文", media_link="https://v.example"),
                       None, clock(), clock())
    session.add_all([StudyItemImage(item_id=pictured.id, media_id="m1", pic_url="https://p/1"),
                     StudyItemImage(item_id=pictured.id, media_id="m2")])
    session.commit()
    for item_id in (linked.id, pictured.id):
        session.expire_all()
        orm_item = session.get_one(StudyItem, item_id)
        assert item_message(item_text(session, item_id), "前言") \
            == item_message(orm_item, "前言")


def test_studied_means_the_item_opened_and_says_its_title(chat, session, clock,
                                                         branch):  # noqa: F811
    older = publish(session, branch.id, Draft("旧的一期", "正文"), None,
                    clock() - timedelta(days=3), clock())
    publish(session, branch.id, Draft("新的一期", "正文"), None, clock() - timedelta(days=2),
            clock())
    session.commit()
    assert "新的一期" in chat.say("o-zm", "学习")
    assert "新的一期" in chat.say("o-zm", "已学")
    assert "旧的一期" in chat.say("o-zm", "学习")  # the next unread one
    assert "旧的一期" in chat.say("o-zm", "已学")
    assert "旧的一期" in chat.say("o-zm", f"已学 {older.id}")  # already: says so, by title


@pytest.fixture
def real_account(settings, clock):  # type: ignore[no-untyped-def]
    """The app as a real account serves it (not the sandbox: the fast path is on)."""
    app = create_app(replace(settings, app_id="wxrealaccount0001", wechat_token_configured=True),
                     clock=clock)
    yield app
    services_of(app).dispose()


def test_post_wechat_is_answered_without_flask(real_account, session, clock, branch,  # noqa: F811
                                              monkeypatch):  # type: ignore[no-untyped-def]
    def flask_view() -> None:
        raise AssertionError("POST /wechat reached the Flask view")

    monkeypatch.setitem(real_account.view_functions, "webhook.receive", flask_view)
    chat = Chat(real_account.test_client(), WeChatSide(TOKEN), clock)
    meeting = create_meeting(session, NewMeeting(
        org_id=branch.id, kind=MeetingKind.BRANCH_ASSEMBLY,
        starts_at=clock() + timedelta(minutes=30), place="村委会"),
        created_by=None, now=clock() - timedelta(days=1))
    session.commit()
    assert "签到" in chat.say("o-zm", "帮助")
    assert "签到成功" in chat.say("o-zm", f"签到 {meeting.code}")
    assert "村委会" in chat.say("o-zm", "会议")
    # a retry of the same message gets the stored reply
    xml = text_xml("o-zm", "会议", msg_id="424242", create_time=int(clock().timestamp()))
    assert chat.send_xml(xml).content == chat.send_xml(xml).content
    # a wrong signature: 403, a malformed query 400, from the fast path
    response = chat.client.post("/wechat?signature=x&timestamp=1&nonce=n", data=b"<xml/>",
                                content_type="text/xml")
    assert response.status_code == 403 and response.content_type.startswith("text/plain")
    response = chat.client.post("/wechat?timestamp=1", data=b"<xml/>", content_type="text/xml")
    assert response.status_code == 400
    monkeypatch.undo()
    # an oversized body is still Flask's (the view's) 413
    signed = chat.side.sign_request(xml, timestamp=int(clock().timestamp()))
    response = chat.client.post(f"/wechat?{signed.query}",
                                data=b"x" * (real_account.config["MAX_CONTENT_LENGTH"] + 1),
                                content_type="text/xml")
    assert response.status_code == 413
    # GET (the URL check) is Flask's
    assert chat.client.get("/wechat").status_code == 400


def test_the_sandbox_keeps_the_flask_view(app):  # type: ignore[no-untyped-def]
    from bot.webhook_wsgi import FastWebhook

    assert services_of(app).settings.sandbox_served
    assert not isinstance(app.wsgi_app, FastWebhook)


def test_an_unexpected_failure_on_the_fast_path_is_a_plain_500_logged(
        real_account, clock, monkeypatch, caplog):  # type: ignore[no-untyped-def]
    services = services_of(real_account)

    def broken(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(type(services.inbox), "answer", broken)  # (what the webhook calls)
    chat = Chat(real_account.test_client(), WeChatSide(TOKEN), clock)
    signed = chat.side.sign_request(text_xml("o-zm", "帮助"), timestamp=int(clock().timestamp()))
    response = chat.client.post(f"/wechat?{signed.query}", data=signed.body,
                                content_type="text/xml")
    assert response.status_code == 500
    assert response.get_data(as_text=True) == "internal error"  # no trace to the caller
    assert "disk on fire" in caplog.text  # but the reason is in the log
