"""一帮一 and delivery in the console: suggestions made by the same matching as
`partybot pairs suggest`, applied or rejected one by one, pairs ended; the delivery
page's channels, held and failed notices with WeChat's reason in Chinese, and the
members nothing can reach — each within scope."""

from __future__ import annotations

from sqlalchemy import select

from models.console.audit import AuditEntry
from models.delivery.outbox import ChannelPolicy, Notice, Outbox
from models.members.tables import Member
from models.pairing.matching import PairSuggestion
from models.pairing.tables import HelpPair
from tests.factories import make_member
from tests.test_console_meetings import logged_in


def _village(session, county):  # type: ignore[no-untyped-def]
    from models.members.org_tables import Org

    branch = session.get(Org, county["liaoyuan"])
    make_member(session, branch, "王帮扶", "13800000021", openid="o-wang", is_helper=True,
                address="辽原村一组")
    make_member(session, branch, "赵大爷", "13800000022", needs_help="老式手机",
                address="辽原村一组")
    make_member(session, branch, "孙奶奶", "13800000023", needs_help="无手机",
                address="辽原村二组")
    session.commit()


def test_suggest_apply_reject_and_end_pairs(app, session, county):
    _village(session, county)
    secretary = logged_in(app, "liaoyuan")
    url = f"/admin/branch/{county['liaoyuan']}/pairs"
    page = secretary.get(url).get_data(as_text=True)
    assert "需要帮扶、还没有帮扶人：孙奶奶、赵大爷" in page
    made = secretary.post(url, data={"action": "suggest", "csrf_token": secretary.token})
    page = secretary.get(made.location).get_data(as_text=True)
    assert "建议结对 2 对" in page and "同一党小组或住址" in page
    session.rollback()
    zhao = session.scalars(select(Member).where(Member.name == "赵大爷")).one()
    sun = session.scalars(select(Member).where(Member.name == "孙奶奶")).one()
    applied = secretary.post(url, data={"action": "apply", "member": zhao.id,
                                        "csrf_token": secretary.token})
    assert "已结对：王帮扶 帮 赵大爷" in secretary.get(applied.location).get_data(as_text=True)
    rejected = secretary.post(url, data={"action": "reject", "member": sun.id,
                                         "csrf_token": secretary.token})
    assert "已放弃这条建议" in secretary.get(rejected.location).get_data(as_text=True)
    twice = secretary.post(url, data={"action": "apply", "member": sun.id,
                                      "csrf_token": secretary.token})
    assert "已经处理过了" in secretary.get(twice.location).get_data(as_text=True)
    session.rollback()
    assert session.scalars(select(PairSuggestion)).all() == []
    assert [p.member_id for p in session.scalars(select(HelpPair))] == [zhao.id]
    ended = secretary.post(url, data={"action": "end", "member": zhao.id,
                                      "csrf_token": secretary.token})
    page = secretary.get(ended.location).get_data(as_text=True)
    assert "已解除 王帮扶 和 赵大爷 的结对" in page and "现有结对（0）" in page
    session.rollback()
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["pair.suggest", "pair.apply", "pair.reject", "pair.end"]


def test_pairs_are_404_outside_the_scope(app, session, county):
    _village(session, county)
    zhao = session.scalars(select(Member).where(Member.name == "赵大爷")).one()
    west = logged_in(app, "west-it")
    url = f"/admin/branch/{county['liaoyuan']}/pairs"
    assert west.get(url).status_code == 404
    assert west.post(url, data={"action": "suggest", "csrf_token": west.token}).status_code \
        == 404
    # a member of another branch cannot be named through one's own branch
    far = f"/admin/branch/{county['far']}/pairs"
    assert "已经处理过了" in west.get(west.post(far, data={
        "action": "end", "member": zhao.id, "csrf_token": west.token}).location).get_data(
        as_text=True)
    assert logged_in(app, "east-it").post(url, data={"action": "suggest"}).status_code == 400


def test_the_delivery_page_says_what_reached_whom_and_why_not(app, session, county, clock):
    _village(session, county)
    policy = ChannelPolicy({})
    members = session.scalars(select(Member).where(
        Member.branch_id == county["liaoyuan"]).order_by(Member.id)).all()
    for member in members:
        policy.enqueue(session, f"t:{member.id}", member, Notice("study_push", "学习"), clock())
    session.commit()
    zm = session.scalars(select(Outbox).join(Member, Member.id == Outbox.member_id)
                         .where(Member.name == "张明")).one()
    zm.status, zm.last_error_code = "failed", 43004
    session.commit()
    secretary = logged_in(app, "liaoyuan")
    page = secretary.get(f"/admin/branch/{county['liaoyuan']}/reach").get_data(as_text=True)
    assert "近30天发给本支部党员的通知：6 条" in page
    assert "未关注公众号 1 条" in page  # WeChat's 43004, in Chinese
    assert "张明" in page.split("最近失败的通知")[1] and "学习提醒" in page
    assert "发送时联系不上</dt><dd>2（" in page
    assert "完全联系不上的党员（2）" in page
    assert secretary.get(f"/admin/branch/{county['liaoyuan']}/reach?days=7").status_code == 200
    assert logged_in(app, "west-it").get(
        f"/admin/branch/{county['liaoyuan']}/reach").status_code == 404
