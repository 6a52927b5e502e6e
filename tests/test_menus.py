"""A menu per role: conditional menus by user tag published to the fake WeChat API,
members tagged as their roles change (through the outbox, in batches), the 签到 button,
and the sandbox page showing the chosen member's menu."""

from __future__ import annotations

import time

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli.main import main
from bot.menu import all_menus, publish_menus, role_menus
from bot.simulator import event_xml
from models.delivery.outbox import Channel, Outbox, Status
from models.members.menu_tags import MenuTag
from schedules.menu_tags import sync_menu_tags
from tests.factories import make_branch, make_member, make_township
from tests.procs import Proc, command_env, free_port, partybot, wait_healthy


@pytest.fixture
def branch_people(session):
    branch = make_branch(session, "辽原村党支部", make_township(session))
    make_member(session, branch, "李书记", "13800000001", openid="o-admin", is_admin=True)
    make_member(session, branch, "王帮扶", "13800000002", openid="o-helper", is_helper=True)
    make_member(session, branch, "张明", "13800000003", openid="o-zm")
    make_member(session, branch, "刘芳", "13800000004", openid="o-lf")
    make_member(session, branch, "赵大爷", "13800000005")  # no WeChat: nothing to tag
    session.commit()
    return branch


def shown(fake, openid: str) -> str:
    """Which menu WeChat shows `openid` ("default" or the tag's name)."""
    return fake.state.menu_for(openid)[0]


def published(services, session) -> None:
    publish_menus(services.wechat, session)
    session.commit()


def test_publish_creates_tags_menus_and_tags_every_member(database_url, tmp_path, fake,
                                                          monkeypatch, branch_people):
    for name, value in command_env(database_url, tmp_path,
                                   WECHAT_API_BASE_URL=fake.base_url).items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["menu", "publish"])
    assert result.exit_code == 0, result.output
    assert "4 人已打上" in result.output
    assert sorted(fake.state.tags.values()) == ["党员", "帮扶人", "支部管理员"]
    assert fake.state.menu == all_menus()["default"]
    assert len(fake.state.conditional_menus) == 3
    assert shown(fake, "o-admin") == "支部管理员"
    assert shown(fake, "o-helper") == "帮扶人"
    assert shown(fake, "o-zm") == shown(fake, "o-lf") == "党员"
    assert shown(fake, "o-stranger") == "default"
    default_names = [b["name"] for b in fake.state.menu_for("o-stranger")[1]["button"]]
    assert "绑定身份" in default_names
    member_menu = fake.state.menu_for("o-zm")[1]
    assert member_menu["button"][1] == {"type": "click", "name": "签到", "key": "CMD:签到"}
    assert member_menu["matchrule"]["tag_id"] == str(
        next(i for i, n in fake.state.tags.items() if n == "党员"))
    # once per role: the two members share one call
    assert fake.state.calls["tags/members/batchtagging"] == 3
    # publishing again reuses the tags and replaces the menus
    again = CliRunner().invoke(main, ["menu", "publish"])
    assert again.exit_code == 0, again.output
    assert len(fake.state.tags) == 3 and len(fake.state.conditional_menus) == 3
    assert "0 人已打上" in again.output  # nobody's role changed


def test_roles_changing_move_members_to_their_menu(services, session, fake, chat,
                                                   branch_people):
    published(services, session)
    assert sync_menu_tags(services).tagged == 4
    # the admin pairs 刘芳 with 赵大爷: she becomes a helper
    assert "结对" in chat.say("o-admin", "结对 刘芳 赵大爷")
    run = sync_menu_tags(services)
    assert (run.queued, run.tagged) == (1, 1)
    assert shown(fake, "o-lf") == "帮扶人"
    党员 = next(i for i, n in fake.state.tags.items() if n == "党员")
    assert 党员 not in fake.state.user_tags["o-lf"]  # the old tag was taken off
    # 解绑: the old WeChat goes back to the default menu
    chat.say("o-admin", "解绑 张明")
    sync_menu_tags(services)
    assert shown(fake, "o-zm") == "default"
    session.rollback()
    assert session.get(MenuTag, "o-zm") is None
    # nothing changed: nothing is queued or sent
    assert sync_menu_tags(services).queued == 0


def test_tags_go_in_batches_of_fifty(services, session, fake, branch_people):
    for number in range(120):
        make_member(session, branch_people, f"党员{number}", f"1390000{number:04d}",
                    openid=f"o-many-{number:03d}")
    session.commit()
    published(services, session)
    run = sync_menu_tags(services)
    assert run.tagged == 124
    # 122 members: 50 + 50 + 22; one admin; one helper
    assert fake.state.calls["tags/members/batchtagging"] == 5
    rows = list(session.scalars(select(Outbox).where(Outbox.channel == Channel.TAG)))
    assert len(rows) == 124 and all(row.status == Status.SENT for row in rows)


def test_one_bad_openid_does_not_hold_back_the_batch(services, session, fake, branch_people):
    fake.state.unknown_openids.add("o-lf")  # left the account since
    published(services, session)
    run = sync_menu_tags(services)
    assert (run.tagged, run.failed) == (3, 1)
    assert shown(fake, "o-zm") == "党员"
    failed = session.scalar(select(Outbox).where(Outbox.openid == "o-lf"))
    assert failed.status == Status.FAILED and failed.last_error_code == 40003
    assert sync_menu_tags(services).queued == 0  # not asked again within a day


def test_wechat_down_keeps_tags_queued_until_it_answers(services, session, fake,
                                                        branch_people, clock):
    published(services, session)
    fake.fail(endpoint="tags/members/batchtagging", http_status=503, times=3)
    assert sync_menu_tags(services).tagged == 0
    session.rollback()
    assert session.scalar(select(MenuTag)) is None
    clock.advance(minutes=5)  # past the backoff
    assert sync_menu_tags(services).tagged == 4
    assert shown(fake, "o-admin") == "支部管理员"


def test_no_tags_before_the_menus_are_published(services, session, fake, branch_people):
    assert sync_menu_tags(services).queued == 0
    assert fake.state.calls["tags/members/batchtagging"] == 0


def test_every_role_menu_has_a_check_in_button(chat, session, branch_people):
    for menu in role_menus().values():
        keys = [b.get("key") for b in menu["button"]]
        assert "CMD:签到" in keys
    reply = chat.send_xml(event_xml("o-zm", "CLICK", "CMD:签到")).content
    assert "没有" in reply or "签到" in reply
    assert "格式" not in reply  # not the usage text: plain 签到 knows what to do
    reply = chat.send_xml(event_xml("o-zm", "CLICK", "CMD:帮助 请假")).content
    assert "请假" in reply


def test_the_sandbox_page_shows_the_chosen_members_menu(database_url, tmp_path):
    """`partybot run` publishes the menus to its fake and tags the demo members, so the
    sandbox page shows each one's menu."""
    port = free_port()
    server = Proc(partybot("run", "--port", str(port)), command_env(database_url, tmp_path),
                  tmp_path)
    base = f"http://127.0.0.1:{port}/sandbox"
    try:
        wait_healthy(f"http://127.0.0.1:{port}/healthz", server.process)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            helper = requests.get(f"{base}/_fake/menu?openid=demo-helper", timeout=5).json()
            if helper["which"] != "default":
                break
            time.sleep(0.2)
        assert helper["which"] == "帮扶人"
        assert [b["name"] for b in helper["menu"]["button"]] == ["学习", "签到", "帮扶"]
        admin = requests.get(f"{base}/_fake/menu?openid=demo-admin", timeout=5).json()
        assert admin["which"] == "支部管理员"
        stranger = requests.get(f"{base}/_fake/menu?openid=o-new", timeout=5).json()
        assert stranger["which"] == "default"
        page = requests.get(f"{base}/", timeout=5).text
        assert 'id="menu"' in page and "_fake/menu" in page
        reply = requests.post(f"{base}/send", json={"openid": "demo-member",
                                                    "text": "/click CMD:帮助 请假"}, timeout=10)
        assert "请假" in reply.json()["reply"]
    finally:
        server.stop()
