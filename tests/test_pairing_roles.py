"""Who can help whom (issue 25, item 2): a member who needs help or has no WeChat is
never a helper, a helper is never helped, the helper role follows the pairs (unless the
roster says so), suggestions never propose such a person, and a 结对 written the wrong
way round is answered with the right order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from models.actors import Actor
from models.members.menu_tags import tag_changes
from models.members.tables import Member
from models.pairing.matching import PairSuggestion
from models.pairing.tables import HelpPair
from tests.factories import make_branch, make_member, make_township
from tests.test_console_meetings import logged_in


@pytest.fixture
def village(session):
    branch = make_branch(session, "辽原村党支部", make_township(session))
    make_member(session, branch, "李书记", "13800000001", openid="o-admin", is_admin=True)
    make_member(session, branch, "王帮扶", "13800000002", openid="o-helper", is_helper=True)
    make_member(session, branch, "张明", "13800000003", openid="o-zm")
    make_member(session, branch, "刘芳", "13800000004", openid="o-lf")
    make_member(session, branch, "陈强", "13800000007")  # 70, no WeChat
    make_member(session, branch, "赵大爷", "13800000005", openid="o-zhao",
                needs_help="老式手机")  # bound, but needs help
    make_member(session, branch, "孙奶奶", None, needs_help="无手机")
    session.commit()
    return branch


def _fresh(session):
    session.rollback()  # a fresh read transaction sees the webhook's commits
    session.expire_all()


def _pairs(session) -> list[tuple[str, str]]:
    _fresh(session)
    helper, member = Member.__table__.alias(), Member.__table__.alias()
    return [tuple(row) for row in session.execute(
        select(helper.c.name, member.c.name)
        .join(HelpPair, HelpPair.helper_id == helper.c.id)
        .join(member, HelpPair.member_id == member.c.id)
        .where(HelpPair.ended_at.is_(None)).order_by(HelpPair.id))]


def test_a_reversed_pair_is_refused_and_the_right_order_suggested(chat, session, village):
    reply = chat.say("o-admin", "结对 陈强 王帮扶")
    assert "结对成功" not in reply
    assert "反" in reply and "结对 王帮扶 陈强" in reply, reply
    assert "陈强还没有绑定微信" in reply  # why he cannot help
    assert _pairs(session) == []
    assert session.scalar(select(Member.is_helper).where(Member.name == "陈强")) is False
    assert "结对成功：王帮扶帮扶陈强" in chat.say("o-admin", "结对 王帮扶 陈强")
    assert _pairs(session) == [("王帮扶", "陈强")]


@pytest.mark.parametrize(("typed", "right"), [
    ("结对 赵大爷 王帮扶", "结对 王帮扶 赵大爷"),  # needs help, and a helper second
    ("结对 孙奶奶 王帮扶", "结对 王帮扶 孙奶奶"),  # no phone at all
    ("结对 陈强，王帮扶", "结对 王帮扶 陈强"),
    ("結對 陳強 王幫扶", "结对 王帮扶 陈强"),  # traditional characters
])
def test_other_reversed_pairs_are_pointed_out(chat, session, village, typed, right):
    reply = chat.say("o-admin", typed)
    assert right in reply and "结对成功" not in reply, reply
    assert _pairs(session) == []


@pytest.mark.parametrize(("typed", "why"), [
    ("结对 陈强 张明", "没有绑定微信"),  # no WeChat, the other no helper: not reversed
    ("结对 孙奶奶 张明", "需要帮扶"),
    ("结对 赵大爷 刘芳", "需要帮扶"),
])
def test_who_needs_help_or_has_no_wechat_cannot_help(chat, session, village, typed, why):
    reply = chat.say("o-admin", typed)
    assert why in reply and "不能当帮扶人" in reply, reply
    assert "结对成功" not in reply
    assert _pairs(session) == []


def test_a_helper_cannot_be_helped(chat, session, village):
    reply = chat.say("o-admin", "结对 张明 王帮扶")
    assert "王帮扶" in reply and "帮扶人" in reply and "结对成功" not in reply, reply
    assert "结对成功" in chat.say("o-admin", "结对 张明 赵大爷")
    # 张明 helps someone now: he is a helper, and a helper is not helped
    reply = chat.say("o-admin", "结对 刘芳 张明")
    assert "结对成功" not in reply and "张明" in reply, reply
    assert _pairs(session) == [("张明", "赵大爷")]


def test_the_helper_role_follows_the_pairs(chat, session, village, clock):
    before = chat.say("o-zm", "帮学")
    assert "你帮扶的党员" not in before
    assert "结对成功" in chat.say("o-admin", "结对 张明 赵大爷")
    assert "你帮扶的党员" in chat.say("o-zm", "帮学")
    assert "帮学" in chat.say("o-zm", "帮助")
    _fresh(session)
    assert {c.openid: c.new for c in tag_changes(session, clock())}["o-zm"] == "helper"
    assert "已解除" in chat.say("o-admin", "解除结对 赵大爷")
    # no pair left, and the roster never said 帮扶人: the role and its menu go
    assert "你帮扶的党员" not in chat.say("o-zm", "帮学")
    assert "帮学" not in chat.say("o-zm", "帮助")
    _fresh(session)
    assert {c.openid: c.new for c in tag_changes(session, clock())}["o-zm"] == "member"
    assert session.scalar(select(Member.is_helper).where(Member.name == "张明")) is False


def test_a_roster_helper_stays_a_helper_without_pairs(chat, session, village, clock):
    assert "结对成功" in chat.say("o-admin", "结对 王帮扶 孙奶奶")
    assert "已解除" in chat.say("o-admin", "解除结对 孙奶奶")
    assert "没有帮扶对象" in chat.say("o-helper", "帮学")
    _fresh(session)
    assert {c.openid: c.new for c in tag_changes(session, clock())}["o-helper"] == "helper"


def test_the_rules_hold_for_every_surface(session, village):
    from models.errors import PairingError
    from models.pairing.actions import make_pair

    by_name = {m.name: m for m in session.scalars(select(Member))}
    now = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    for helper, member in (("陈强", "王帮扶"), ("陈强", "张明"), ("赵大爷", "张明"),
                           ("张明", "王帮扶")):
        with pytest.raises(PairingError):
            make_pair(session, Actor.cli(), by_name[helper], by_name[member], now, 3)
    assert session.scalars(select(HelpPair)).all() == []


def test_suggestions_never_propose_who_cannot_help(app, session, county):
    """The console's 生成建议 (and `pairs suggest`, the same matching): a member who needs
    help, has no WeChat or is helped is never proposed, even where an old 结对 marked
    them 帮扶人."""
    from models.members.org_tables import Org

    branch = session.get(Org, county["liaoyuan"])
    make_member(session, branch, "王帮扶", "13800000021", openid="o-wang", is_helper=True,
                address="辽原村二组")
    # left marked 帮扶人 by the reversed 结对 of old: no WeChat, 70 years old
    make_member(session, branch, "陈强", "13800000007", is_helper=True, address="辽原村一组")
    make_member(session, branch, "钱老", "13800000025", openid="o-qian", is_helper=True,
                needs_help="行动不便", address="辽原村一组")
    helped = make_member(session, branch, "吴丽", "13800000026", openid="o-wu",
                         is_helper=True, address="辽原村一组")
    wang = session.scalar(select(Member).where(Member.name == "王帮扶"))
    session.add(HelpPair(helper_id=wang.id, member_id=helped.id,
                         created_at=datetime(2026, 1, 1, tzinfo=UTC)))
    for name, phone in (("赵大爷", "13800000022"), ("孙奶奶", None)):
        make_member(session, branch, name, phone, needs_help="老式手机", address="辽原村一组")
    session.commit()
    secretary = logged_in(app, "liaoyuan")
    url = f"/admin/branch/{county['liaoyuan']}/pairs"
    made = secretary.post(url, data={"action": "suggest", "csrf_token": secretary.token})
    page = secretary.get(made.location).get_data(as_text=True)
    assert "建议结对 2 对" in page, page
    _fresh(session)
    helpers = {session.get(Member, s.helper_id).name for s in session.scalars(
        select(PairSuggestion))}
    assert helpers == {"王帮扶"}
    for name in ("陈强", "钱老", "吴丽"):
        assert f"{name} →" not in page and f"{name}→" not in page


def test_the_console_shows_the_helper_role_as_the_pairs_have_it(app, session, county):
    import re

    from models.members.org_tables import Org
    from models.pairing.actions import end_pair, make_pair

    branch = session.get(Org, county["liaoyuan"])
    zhao = make_member(session, branch, "赵大爷", "13800000022", needs_help="老式手机")
    make_member(session, branch, "钱老", "13800000025", openid="o-qian", is_helper=True,
                needs_help="行动不便")
    zhang = session.scalar(select(Member).where(Member.name == "张明"))
    now = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    make_pair(session, Actor.cli(), zhang, zhao, now, 3)
    session.commit()
    secretary = logged_in(app, "liaoyuan")

    def role(name: str) -> str:
        page = secretary.get(f"/admin/branch/{county['liaoyuan']}").get_data(as_text=True)
        found = re.search(rf"<tr><td>{name}</td>\s*<td>([^<]*)</td>", page)
        assert found is not None, page
        return found.group(1)

    assert "帮扶人" in role("张明")
    assert "帮扶人" not in role("钱老")  # needs help: whatever an old 结对 marked
    end_pair(session, Actor.cli(), zhao, now)
    session.commit()
    assert "帮扶人" not in role("张明")
