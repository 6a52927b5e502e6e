"""Routing, role checks in decorators, generated help, and the one error hook."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide, event_xml, message_xml
from core import texts
from handlers import Dispatcher, dispatcher
from handlers.router import Context, DomainError, Role, Router, normalize_text
from models.members.org_tables import Org, OrgKind
from models.members.tables import Member
from tests.conftest import TOKEN, Chat

router = Router("test")


@router.command("统计", Role.ADMIN, usage="统计")
def stats(ctx: Context) -> str:
    """看本支部的统计"""
    return "统计结果"


@router.command("帮学", Role.HELPER, usage="帮学")
def helper_cmd(ctx: Context) -> str:
    """看我的帮扶对象"""
    return "帮学列表"


@router.command("学习", Role.MEMBER, usage="学习 [编号]")
def study(ctx: Context) -> str:
    """今天的学习内容"""
    return f"学习:{','.join(ctx.args)}"


@router.command("学习记录", Role.MEMBER)
def study_log(ctx: Context) -> str:
    """学习记录"""
    return "记录"


@router.command("改名", Role.MEMBER)
def rename_then_refuse(ctx: Context) -> str:
    """changes something, then refuses: the change must not stick"""
    assert ctx.me.member is not None
    ctx.me.member.name = "改过的名字"
    ctx.session.flush()
    raise DomainError("MEETING_NOT_YOURS")


@router.command("崩溃", Role.ANYONE)
def crash(ctx: Context) -> str:
    """raises something unexpected"""
    ctx.session.add(Org(name="半截组织", kind=OrgKind.BRANCH))
    ctx.session.flush()
    raise RuntimeError("boom")


@router.menu("STUDY")
def menu_study(ctx: Context) -> str:
    """menu button"""
    return "菜单学习"


@router.scene("meeting:")
def scan_meeting(ctx: Context) -> str:
    """QR scene"""
    return f"扫码:{ctx.scene}"


@router.message("location")
def location(ctx: Context) -> str:
    """location"""
    return f"位置:{ctx.message.get('Label')}"





@pytest.fixture
def test_chat(settings, clock, session):
    from handlers import general, membership

    branch = Org(name="一支部", kind=OrgKind.BRANCH)
    session.add(branch)
    session.flush()
    session.add_all([
        Member(name="管理员", branch_id=branch.id, phone="13900000001", is_admin=True,
               openid="o-admin", subscribed=True),
        Member(name="帮扶人", branch_id=branch.id, phone="13900000002", is_helper=True,
               openid="o-helper", subscribed=True),
        Member(name="党员", branch_id=branch.id, phone="13900000003", openid="o-member",
               subscribed=True),
    ])
    session.commit()
    app = create_app(settings, clock=clock,
                     dispatcher=Dispatcher([membership.router, router, general.router]))
    yield Chat(app.test_client(), WeChatSide(TOKEN), clock)
    services_of(app).dispose()


def test_role_checks_live_in_the_decorator(test_chat):
    assert test_chat.say("o-admin", "统计") == "统计结果"
    assert "只有支部管理员" in test_chat.say("o-member", "统计")
    assert "请先绑定" in test_chat.say("o-stranger", "学习")
    assert test_chat.say("o-helper", "帮学") == "帮学列表"
    assert "只有帮扶人" in test_chat.say("o-admin", "帮学")


def test_help_shows_only_what_the_user_may_do(test_chat):
    stranger = test_chat.say("o-stranger", "帮助")
    member = test_chat.say("o-member", "帮助")
    admin = test_chat.say("o-admin", "帮助")
    assert "绑定" in stranger and "学习" not in stranger and "统计" not in stranger
    assert "学习 [编号]" in member and "今天的学习内容" in member and "统计" not in member
    assert "统计" in admin and "帮学" not in admin
    assert "帮学" in test_chat.say("o-helper", "帮助")


def test_longest_command_word_wins_and_space_is_optional(test_chat):
    assert test_chat.say("o-member", "学习记录") == "记录"
    assert test_chat.say("o-member", "学习 3") == "学习:3"
    assert test_chat.say("o-member", "学习3") == "学习:3"
    assert test_chat.say("o-member", "学习　３") == "学习:3"  # full-width space and digit


def test_domain_error_is_a_polite_reply_and_rolls_back(test_chat, session):
    assert test_chat.say("o-member", "改名") == texts.MEETING_NOT_YOURS
    session.rollback()  # a fresh read transaction sees the webhook's commits
    session.expire_all()
    assert session.scalar(select(Member).where(Member.openid == "o-member")).name == "党员"


def test_unexpected_error_apologizes_logs_and_rolls_back(test_chat, session, caplog):
    with caplog.at_level(logging.ERROR):
        reply = test_chat.say("o-member", "崩溃")
    assert "抱歉" in reply
    assert "boom" not in reply
    assert any(r.exc_info and "boom" in str(r.exc_info[1]) for r in caplog.records)
    assert session.scalar(select(Org).where(Org.name == "半截组织")) is None


def test_menu_scene_and_message_type_routes(test_chat):
    assert test_chat.send_xml(event_xml("o-member", "CLICK", "STUDY")).content == "菜单学习"
    assert test_chat.send_xml(event_xml("o-member", "SCAN", "meeting:42")).content \
        == "扫码:meeting:42"
    reply = test_chat.send_xml(event_xml("o-new", "subscribe", "qrscene_meeting:7")).content
    assert reply == "扫码:meeting:7"
    loc = message_xml("o-member", "location", {"Location_X": "1", "Location_Y": "2",
                                                "Label": "村委会"})
    assert test_chat.send_xml(loc).content == "位置:村委会"


def test_duplicate_command_words_are_refused():
    other = Router("dup")
    other.command("统计")(lambda ctx: "x")
    with pytest.raises(ValueError, match="统计"):
        Dispatcher([router, other])


def test_normalize_text():
    assert normalize_text("  签到　１２３４ ") == "签到 1234"


def test_real_dispatcher_has_help_and_binding():
    words = set(dispatcher.by_word)
    assert {"帮助", "绑定"} <= words
