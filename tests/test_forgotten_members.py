"""A forgotten member (issue 27: `partybot member forget`) is in no forward-looking
audience or list any more — study pushes, 未学, the weekly digest, the console's member
list and its choices, 一帮一 suggestions, 统计's unreachable, name lookups — while the
records they left keep counting: an item published before the forget keeps them in its
audience and their 已学."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli.main import main
from models.actors import Actor
from models.delivery.outbox import ChannelPolicy, Outbox
from models.members.actions import forget_member
from models.members.forget import pseudonym
from models.members.org_tables import Org
from models.members.tables import Member
from models.study.actions import push_next_chunk
from models.study.posting import Draft, publish
from models.study.reports import item_progress_by_branch, study_by_branch
from models.study.tables import StudyRecord
from schedules.study import branch_digest
from tests.factories import make_member
from tests.procs import command_env
from tests.test_console_meetings import logged_in


@pytest.fixture
def forgotten(session, clock, county):  # type: ignore[no-untyped-def]
    """辽原村 (county fixture) with two more members, then both forgotten by the county
    action: 钱大爷 (needs help, no WeChat, had not studied item A) and 周婶 (in WeChat,
    had studied A). 张明 studied A too; item B is published after the forget."""
    branch = session.get(Org, county["liaoyuan"])
    make_member(session, branch, "王帮扶", "13800000008", openid="o-wbf", is_helper=True)
    make_member(session, branch, "孙奶奶", None, needs_help="无手机")
    qian = make_member(session, branch, "钱大爷", "13800000009", needs_help="老式手机")
    zhou = make_member(session, branch, "周婶", "13800000010", openid="o-zs")
    zhang = session.scalars(select(Member).where(Member.name == "张明")).one()
    start = clock()
    before = publish(session, branch.id, Draft("学习材料甲", "正文"), None, start, start)
    for member in (zhang, zhou):
        session.add(StudyRecord(item_id=before.id, member_id=member.id, studied_at=start))
    session.flush()
    clock.advance(hours=1)
    for member in (qian, zhou):
        forget_member(session, Actor.cli(), member, clock())
    clock.advance(hours=1)
    after = publish(session, branch.id, Draft("学习材料乙", "正文"), None, clock(), clock())
    session.commit()
    return {"branch": branch, "start": start, "before": before.id, "after": after.id,
            "ids": {qian.id, zhou.id}, "aliases": [pseudonym(qian.id), pseudonym(zhou.id)]}


def _mentions(text: str, forgotten) -> list[str]:  # type: ignore[no-untyped-def]
    return [alias for alias in forgotten["aliases"] if alias in text]


def test_a_push_goes_to_the_others_only(session, clock, forgotten):
    for item in (forgotten["before"], forgotten["after"]):
        push_next_chunk(session, Actor.job("test"), item, after_member_id=0, told_so_far=0,
                        outbox=ChannelPolicy({}), now=clock())
    session.commit()
    told = {(row.subject, row.member_id) for row in session.scalars(select(Outbox))}
    assert {member for _, member in told} & forgotten["ids"] == set()
    others = set(session.scalars(select(Member.id).where(
        Member.branch_id == forgotten["branch"].id, Member.forgotten_at.is_(None))))
    # 张明 studied A already: A goes to the rest; B to every live member
    assert {m for s, m in told if s == f"study:{forgotten['after']}"} == others
    assert len({m for s, m in told if s == f"study:{forgotten['before']}"}) == len(others) - 1


def test_unstudied_lists_and_rates(chat, session, clock, forgotten):
    reply = chat.say("o-admin", "未学")
    assert "学习材料甲" in reply and "学习材料乙" in reply and "孙奶奶" in reply
    assert _mentions(reply, forgotten) == []
    branch = forgotten["branch"]
    # A: published before the forget, so both stay in its audience and 周婶's 已学 counts
    [a] = item_progress_by_branch(session, forgotten["before"], [branch.id])
    [b] = item_progress_by_branch(session, forgotten["after"], [branch.id])
    assert (a.done, a.total) == (2, 7) and (b.done, b.total) == (0, 5)
    week = study_by_branch(session, forgotten["start"], clock() + timedelta(hours=1))
    assert (week[branch.id].studied, week[branch.id].expected) == (2, 12)
    digest = branch_digest(session, branch, forgotten["start"], clock() + timedelta(hours=1),
                           "本周")
    assert "2/12" in digest and "孙奶奶" in digest and _mentions(digest, forgotten) == []


def test_console_lists_and_choices(app, session, forgotten):
    secretary = logged_in(app, "liaoyuan")
    branch_id = forgotten["branch"].id
    page = secretary.get(f"/admin/branch/{branch_id}").get_data(as_text=True)
    assert "孙奶奶" in page and "已注销成员 2 人" in page
    assert _mentions(page, forgotten) == []
    form = secretary.get(f"/admin/branch/{branch_id}/meetings/new").get_data(as_text=True)
    assert "张明" in form and _mentions(form, forgotten) == []
    item = secretary.get(f"/admin/study/{forgotten['before']}?branch={branch_id}")
    text = item.get_data(as_text=True)
    assert "2/7" in text and "孙奶奶" in text and _mentions(text, forgotten) == []
    listing = secretary.get(f"/admin/org/{branch_id}/study").get_data(as_text=True)
    # what its members see: A out of its audience then (7), B out of the 5 left
    assert "2/7" in listing and "0/5" in listing and "5 名党员" in listing
    from models.members.org_tree import tree_below

    [node] = [n for n in tree_below(session, branch_id) if n.id == branch_id]
    assert node.members == 5  # as the member list: the forgotten two are not counted


def test_pairs_suggest_and_stats_skip_them(chat, session, forgotten, database_url, tmp_path,
                                          monkeypatch):
    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)
    suggested = CliRunner().invoke(main, ["pairs", "suggest", "--org", "辽原村党支部"])
    assert suggested.exit_code == 0, suggested.output
    assert "需要帮扶、还没有帮扶人的党员 1 人" in suggested.output  # 孙奶奶, not 钱大爷
    assert _mentions(suggested.output, forgotten) == []
    stats = chat.say("o-admin", "统计")
    assert "孙奶奶" in stats and _mentions(stats, forgotten) == []


def test_the_pseudonym_is_not_a_name_to_act_on(chat, session, forgotten, database_url,
                                               tmp_path, monkeypatch):
    alias = forgotten["aliases"][0]
    assert chat.say("o-admin", f"结对 王帮扶 {alias}") == f"本支部没有叫「{alias}」的党员。"
    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)
    done = CliRunner().invoke(main, ["member", "unbind", alias, "--branch", "辽原村党支部"])
    assert done.exit_code != 0 and f"没有叫「{alias}」" in done.output
    # export and forget still find them (forgetting twice says so)
    out = tmp_path / "x.xlsx"
    assert CliRunner().invoke(main, ["member", "export", alias, "--branch", "辽原村党支部",
                                     "-o", str(out)]).exit_code == 0
    again = CliRunner().invoke(main, ["member", "forget", alias, "--branch", "辽原村党支部",
                                      "--yes"])
    assert again.exit_code == 0, again.output


def test_no_surface_can_pair_them(session, clock, forgotten):
    from models.errors import PairingError
    from models.pairing.actions import make_pair

    helper = session.scalars(select(Member).where(Member.name == "王帮扶")).one()
    qian = session.get(Member, min(forgotten["ids"]))
    with pytest.raises(PairingError) as refused:
        make_pair(session, Actor.cli(), helper, qian, clock(), 3)
    assert refused.value.render() == f"本支部没有叫「{qian.name}」的党员。"
