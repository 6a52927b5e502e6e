"""Ways into the member pages (issue 26 §1): with PARTYBOT_PUBLIC_URL the role menus get
VIEW buttons to /m/…, and a study push, a meeting notice and a helper's relay message
link to their page; without one, the menus and notices stay as they were."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from wechatpy.exceptions import WeChatClientException

from bot.cli.main import main
from bot.menu import (
    MenuError,
    all_menus,
    menu_commands,
    missing_commands,
    publish_menus,
    role_menus,
    validate_menu,
)
from core import page_links, words
from core.config import SandboxTemplates
from handlers import build_dispatcher
from models.actors import Actor
from models.delivery.outbox import ChannelPolicy, Outbox, Status
from models.meetings.notices import notify_created, remind
from models.pairing.sweeps import queue_relay_digests, queue_relay_reminders
from models.pairing.urgent import queue_urgent_relays
from models.study.actions import push_next_chunk
from models.study.tables import StudyItem, StudyItemImage
from tests.factories import make_branch, make_meeting, make_member, make_township
from tests.procs import command_env

PUBLIC = "https://dj.example.cn"


def buttons(menu):  # type: ignore[no-untyped-def]
    """Every leaf button of a menu, in order."""
    return [item for button in menu["button"] for item in (button.get("sub_button") or [button])]


def views(menu) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {b["name"]: b["url"] for b in buttons(menu) if b["type"] == "view"}


def test_without_a_public_url_the_menus_are_click_buttons_only():
    for menu in all_menus().values():
        assert {b["type"] for b in buttons(menu)} == {"click"}
    assert all_menus() == all_menus(None)


def test_with_a_public_url_each_role_opens_its_pages():
    menus = role_menus(PUBLIC)
    assert views(menus["member"]) == {"学习": f"{PUBLIC}/m/study",
                                      "我的会议": f"{PUBLIC}/m/meetings",
                                      "我的记录": f"{PUBLIC}/m/me"}
    assert views(menus["helper"]) == {"学习": f"{PUBLIC}/m/study",
                                      "我帮扶的人": f"{PUBLIC}/m/helper",
                                      "我的会议": f"{PUBLIC}/m/meetings",
                                      "我的记录": f"{PUBLIC}/m/me"}
    assert views(menus["admin"]) == {"学习内容": f"{PUBLIC}/m/study",
                                     "我的会议": f"{PUBLIC}/m/meetings",
                                     "我的记录": f"{PUBLIC}/m/me"}
    # the chat keeps what it does best: 签到 by code, 帮助, the admins' commands
    for role, menu in menus.items():
        commands = menu_commands(menu)
        assert "签到" in commands and "帮助" in commands, role
        assert {"type": "click", "name": "签到", "key": "CMD:签到"} in menu["button"]
    assert {words.CMD_STATS, words.CMD_UNSTUDIED} <= set(menu_commands(menus["admin"]))
    assert words.CMD_HELPING in menu_commands(menus["helper"])  # the relay list in chat too
    # strangers bind first: nothing to open yet
    assert all_menus(PUBLIC)["default"] == all_menus()["default"]


@pytest.mark.parametrize("public_url", [None, PUBLIC, "http://127.0.0.1:5000"])
def test_every_menu_keeps_wechats_limits_and_names_real_commands(public_url):
    dispatcher = build_dispatcher()
    for menu in all_menus(public_url).values():
        validate_menu(menu)
        assert missing_commands(menu, dispatcher) == []  # VIEW buttons are not commands
        # WeChat shows 4 Chinese characters of a top button, 8 of a sub-button
        for button in menu["button"]:
            assert len(button["name"]) <= 4
            for sub in button.get("sub_button") or []:
                assert len(sub["name"]) <= 8
                assert len(sub.get("url", "").encode()) <= 1024


def test_validate_menu_refuses_a_view_button_without_a_good_url():
    with pytest.raises(MenuError, match="url"):
        validate_menu({"button": [{"type": "view", "name": "学习", "url": ""}]})
    with pytest.raises(MenuError, match="url"):
        validate_menu({"button": [{"type": "view", "name": "学习", "url": "javascript:x"}]})
    with pytest.raises(MenuError, match="1024"):
        validate_menu({"button": [{"name": "我的", "sub_button": [
            {"type": "view", "name": "学习", "url": "https://a.cn/" + "x" * 1020}]}]})


def test_the_fake_stores_view_buttons_and_refuses_a_bad_url(services, session, fake):
    branch = make_branch(session, "辽原村党支部", make_township(session))
    make_member(session, branch, "张明", "13800000003", openid="o-zm")
    session.commit()
    publish_menus(services.wechat, session, PUBLIC)
    session.commit()
    assert fake.state.menu == all_menus(PUBLIC)["default"]
    stored = [menu for _, menu in fake.state.conditional_menus]
    assert [{k: v for k, v in menu.items() if k != "matchrule"} for menu in stored] \
        == list(role_menus(PUBLIC).values())
    study = stored[0]["button"][0]
    assert study == {"type": "view", "name": "学习", "url": f"{PUBLIC}/m/study"}
    # WeChat's answers to a VIEW button whose url is missing or too long
    for body, errcode in (
            ({"button": [{"type": "view", "name": "学习"}]}, 40020),
            ({"button": [{"name": "我的", "sub_button": [
                {"type": "view", "name": "会议", "url": "https://a.cn/" + "x" * 1100}]}]},
             40027)):
        with pytest.raises(WeChatClientException) as refused:
            services.wechat.menu.create(body)
        assert refused.value.errcode == errcode
    assert fake.state.menu == all_menus(PUBLIC)["default"]  # unchanged


def test_partybot_menu_publish_uses_the_public_url(database_url, tmp_path, fake, monkeypatch):
    for name, value in command_env(database_url, tmp_path, WECHAT_API_BASE_URL=fake.base_url,
                                   PARTYBOT_PUBLIC_URL=PUBLIC + "/").items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["menu", "publish"])
    assert result.exit_code == 0, result.output
    member = next(menu for _, menu in fake.state.conditional_menus
                  if menu["matchrule"]["tag_id"] == str(next(
                      i for i, n in fake.state.tags.items() if n == "党员")))
    assert views(member)["我的记录"] == f"{PUBLIC}/m/me"  # the trailing slash is dropped
    monkeypatch.delenv("PARTYBOT_PUBLIC_URL")
    again = CliRunner().invoke(main, ["menu", "publish"])
    assert again.exit_code == 0, again.output
    assert all(not views(menu) for _, menu in fake.state.conditional_menus)


# Notices -----------------------------------------------------------------------------


@pytest.fixture
def branch(session):  # type: ignore[no-untyped-def]
    branch = make_branch(session, "辽原村党支部", make_township(session))
    make_member(session, branch, "李书记", "13800000001", openid="o-admin", is_admin=True)
    make_member(session, branch, "张明", "13800000003", openid="o-zm")
    session.commit()
    return branch


def policies() -> tuple[ChannelPolicy, ChannelPolicy]:
    """Templates for every kind (as in the sandbox), without and with a public URL."""
    return ChannelPolicy(SandboxTemplates()), ChannelPolicy(SandboxTemplates(), public_url=PUBLIC)


def rows(session, kind: str) -> list[Outbox]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id)))


def item_in(session, branch, title: str, link: str | None, clock,  # type: ignore[no-untyped-def]
            photo: str | None = None) -> StudyItem:
    item = StudyItem(org_id=branch.id, title=title, body="第一段：党章总纲。", link=link,
                     content_hash=title, publish_at=clock(), push_at=clock())
    session.add(item)
    session.flush()
    if photo:
        session.add(StudyItemImage(item_id=item.id, pic_url=photo))
        session.flush()
    session.refresh(item)
    return item


def test_a_study_push_leads_to_the_items_page(session, branch, clock):
    plain, public = policies()
    with_link = item_in(session, branch, "学习党章", "https://mp.weixin.qq.com/s/abc", clock)
    without = item_in(session, branch, "学习准则", None, clock)
    for item, policy in ((with_link, plain), (without, public)):
        push_next_chunk(session, Actor.job("test"), item.id, after_member_id=0,
                        told_so_far=0, outbox=policy, now=clock())
    session.commit()
    by_item = {row.subject: row.payload for row in rows(session, "study_push")
               if row.openid == "o-zm"}
    assert by_item[f"study:{with_link.id}"]["url"] == "https://mp.weixin.qq.com/s/abc"
    assert by_item[f"study:{without.id}"]["url"] == f"{PUBLIC}/m/study/{without.id}"


def test_a_study_news_card_opens_the_page_too(session, branch, clock):
    """A customer-service push as a news card (an item with a link and a photo): tapping
    the card opens the item's page, where the article and its photos are."""
    _, public = policies()
    no_templates = ChannelPolicy({}, public_url=PUBLIC)
    item = item_in(session, branch, "学习党章", "https://mp.weixin.qq.com/s/abc", clock,
                   photo="https://mmbiz.qpic.cn/photo.jpg")
    push_next_chunk(session, Actor.job("test"), item.id, after_member_id=0, told_so_far=0,
                    outbox=no_templates, now=clock())
    session.commit()
    row = next(r for r in rows(session, "study_push") if r.openid == "o-zm")
    assert row.status == Status.HELD  # no allowance: held, as a card for later
    assert row.payload["news"]["url"] == f"{PUBLIC}/m/study/{item.id}"
    assert row.payload["news"]["picurl"] == "https://mmbiz.qpic.cn/photo.jpg"
    assert public.page_url(page_links.study_item(7)) == f"{PUBLIC}/m/study/7"


def test_meeting_notices_lead_to_the_meetings_page(session, branch, services, clock):
    plain, public = policies()
    tz = services.settings.tz
    first = make_meeting(session, branch, clock() + timedelta(days=3))
    second = make_meeting(session, branch, clock() + timedelta(days=4), place="党员活动室")
    notify_created(session, plain, first, tz, clock())
    notify_created(session, public, second, tz, clock())
    session.commit()
    urls = {row.subject: row.payload["url"] for row in rows(session, "meeting_notice")
            if row.openid == "o-zm"}
    assert urls == {f"meeting:{first.id}": None,
                    f"meeting:{second.id}": f"{PUBLIC}/m/meetings#meeting-{second.id}"}
    remind(session, public, second, "24h", tz, clock())
    session.commit()
    reminder = next(row for row in rows(session, "meeting_reminder") if row.openid == "o-zm")
    assert reminder.payload["url"] == f"{PUBLIC}/m/meetings#meeting-{second.id}"


def test_a_helpers_relay_messages_lead_to_the_helper_page(session, branch, services, chat,
                                                          clock):
    make_member(session, branch, "刘芳", "13800000004", openid="o-lf")
    make_member(session, branch, "赵大爷", "13800000005")  # no WeChat: 刘芳 passes it on
    session.commit()
    assert "结对" in chat.say("o-admin", "结对 刘芳 赵大爷")
    _, public = policies()
    tz = services.settings.tz
    soon = make_meeting(session, branch, clock() + timedelta(hours=5))  # urgent relay
    notify_created(session, public, soon, tz, clock())
    later = make_meeting(session, branch, clock() + timedelta(days=5))
    notify_created(session, public, later, tz, clock())
    assert queue_urgent_relays(session, public, clock(), tz) == 0  # already told
    assert queue_relay_digests(session, public, clock(), tz) == 1
    clock.advance(days=4)
    assert queue_relay_reminders(session, public, clock(), tz, after_days=3) == 1
    session.commit()
    helper_rows = [row for row in rows(session, "relay_digest") if row.openid == "o-lf"]
    assert len(helper_rows) == 3  # urgent, digest, reminder
    # the urgent message and the daily one go as templates: tapping opens 帮扶
    assert [(row.dedupe_key.split(":")[0], row.payload.get("url")) for row in helper_rows
            if row.channel == "template"] == [("relay-urgent", f"{PUBLIC}/m/helper"),
                                              ("relay-digest", f"{PUBLIC}/m/helper")]
    # the reminder (no template keywords) is a text message: it carries no link
    assert helper_rows[2].channel == "custom" and "url" not in helper_rows[2].payload
