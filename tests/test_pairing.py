"""一帮一: matching (with hypothesis), relays, the helper's daily message, confirmation,
proxy check-in, escalation, chat and CLI."""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.cli.main import main
from bot.simulator import message_xml
from core.localtime import when
from models.actors import Actor
from models.delivery.outbox import ChannelPolicy, Outbox, Status
from models.meetings.tables import Attendance
from models.pairing.actions import make_pair
from models.pairing.matching import Person, suggest_pairs
from models.pairing.relays import Relay
from models.pairing.tables import HelpPair
from models.study.posting import Draft, publish
from models.study.tables import StudyRecord
from schedules.pairing import remind_and_escalate, send_relay_digests
from schedules.study import push_due_items
from tests.factories import make_branch, make_meeting, make_member, make_township
from tests.procs import command_env

# Matching properties


@st.composite
def populations(draw):
    branches = draw(st.integers(min_value=1, max_value=4))
    people = []
    for pid in range(1, draw(st.integers(min_value=1, max_value=40)) + 1):
        branch = draw(st.integers(min_value=1, max_value=branches))
        has_coords = draw(st.booleans())
        people.append(Person(
            pid, branch, draw(st.sampled_from([None, 10 * branch, 10 * branch + 1])),
            draw(st.sampled_from([None, "一组", "二组"])),
            draw(st.floats(47.0, 48.0)) if has_coords else None,
            draw(st.floats(129.0, 130.0)) if has_coords else None))
    roles = [draw(st.sampled_from(["needs", "helps", "none"])) for _ in people]
    needing = [p for p, r in zip(people, roles, strict=True) if r == "needs"]
    helpers = [p for p, r in zip(people, roles, strict=True) if r == "helps"]
    capacity = {h.id: draw(st.integers(min_value=1, max_value=3)) for h in helpers}
    load = {h.id: draw(st.integers(min_value=0, max_value=capacity[h.id])) for h in helpers}
    return needing, helpers, load, capacity


@settings(max_examples=200, deadline=None)
@given(populations(), st.randoms())
def test_matching_properties(population, rng):
    needing, helpers, load, capacity = population
    suggestions, unmatched = suggest_pairs(needing, helpers, load, capacity)
    used: dict[int, int] = {}
    for s in suggestions:
        assert s.member_id != s.helper_id  # never self
        used[s.helper_id] = used.get(s.helper_id, 0) + 1
    for helper_id, n in used.items():
        assert load[helper_id] + n <= capacity[helper_id]  # never over capacity
    matched = [s.member_id for s in suggestions]
    assert len(matched) == len(set(matched))  # one helper per member
    assert set(matched) | {u.member_id for u in unmatched} == {p.id for p in needing}
    branch_of = {p.id: p.branch_id for p in needing + helpers}
    assert all(branch_of[s.member_id] == branch_of[s.helper_id] for s in suggestions)
    shuffled = (rng.sample(needing, len(needing)), rng.sample(helpers, len(helpers)))
    assert suggest_pairs(*shuffled, load, capacity) == (suggestions, unmatched)  # deterministic


def person(pid, branch=1, group=None, address=None, lat=None, lng=None):
    return Person(pid, branch, group, address, lat, lng)


def test_same_group_or_address_first_then_nearest_then_least_loaded():
    needing = [person(1, group=7), person(2, address="辽原村 二组"), person(3, lat=47.0, lng=129.0)]
    helpers = [person(10, lat=47.0, lng=129.5), person(11, group=7),
               person(12, address="辽原村二组"), person(13, lat=47.0, lng=129.01)]
    capacity = {h.id: 3 for h in helpers}
    suggestions, _ = suggest_pairs(needing, helpers, {}, capacity)
    assert [(s.member_id, s.helper_id) for s in suggestions] == [(1, 11), (2, 12), (3, 13)]
    assert suggestions[2].reason.startswith("相距")


def test_balanced_across_helpers():
    needing = [person(i) for i in range(1, 5)]
    helpers = [person(10), person(11)]
    suggestions, _ = suggest_pairs(needing, helpers, {}, {10: 3, 11: 3})
    assert sorted(s.helper_id for s in suggestions) == [10, 10, 11, 11]


def test_unmatched_say_why():
    _, unmatched = suggest_pairs([person(1, branch=1), person(2, branch=2)], [person(10)],
                                 {10: 3}, {10: 3})
    assert [u.reason for u in unmatched] == ["本支部的帮扶人都已满员", "本支部没有帮扶人"]


# Relays, chat, escalation

@pytest.fixture
def village(session, clock):
    township = make_township(session)
    branch = make_branch(session, "辽原村党支部", township)
    people = {
        "admin": make_member(session, branch, "李书记", "13800000001", openid="o-admin",
                             is_admin=True),
        "helper": make_member(session, branch, "王帮扶", "13800000002", openid="o-helper",
                              is_helper=True),
        "other": make_member(session, branch, "吴丽", "13800000003", openid="o-other",
                             is_helper=True),
        "old": make_member(session, branch, "赵大爷", "13800000005", needs_help="老式手机"),
        "nophone": make_member(session, branch, "孙奶奶", None, needs_help="无手机"),
        "plain": make_member(session, branch, "张明", "13800000006", openid="o-zm"),
    }
    for key in ("old", "nophone"):
        make_pair(session, Actor.cli("test"), people["helper"], people[key], clock(), 3)
    session.commit()
    return branch, people


def relays(session) -> list[Relay]:
    session.rollback()
    session.expire_all()
    return list(session.scalars(select(Relay).order_by(Relay.id)))


def test_study_push_and_meeting_notice_become_relays(services, session, clock, village,
                                                      chat):
    branch, people = village
    item = publish(session, branch.id, Draft("学习", "内容"), None, clock(), clock())
    session.commit()
    push_due_items(dataclasses.replace(services, outbox=ChannelPolicy({"x": "y"})))
    found = relays(session)
    assert {(r.member_id, r.helper_id, r.subject) for r in found} == {
        (people["old"].id, people["helper"].id, f"study:{item.id}"),
        (people["nophone"].id, people["helper"].id, f"study:{item.id}")}
    statuses = {r.member_id: r.status for r in session.scalars(select(Outbox))}
    assert statuses[people["old"].id] == Status.RELAYED
    assert statuses[people["plain"].id] == Status.HELD  # follows, no allowance, no helper
    date = (clock() + timedelta(hours=8 + 30)).strftime("%Y-%m-%d %H:%M")
    if "回复「是」" in chat.say("o-admin", f"新建会议 党员大会 {date} 村委会"):
        chat.say("o-admin", "是")  # the clock follows the real time: at night, confirm it
    meeting_relays = [r for r in relays(session) if r.subject and r.subject.startswith("meeting")]
    assert {r.member_id for r in meeting_relays} == {people["old"].id, people["nophone"].id}


def add_relay(session, clock, helper, member, key, subject=None, text="【今日学习】学习"):
    session.add(Relay(dedupe_key=key, helper_id=helper.id, member_id=member.id,
                      kind="study_push", subject=subject, text=text, created_at=clock()))
    session.commit()


def test_helper_gets_one_combined_message_a_day(services, session, clock, village):
    _, people = village
    add_relay(session, clock, people["helper"], people["old"], "k1", text="【今日学习】第一期")
    add_relay(session, clock, people["helper"], people["nophone"], "k2", text="【会议通知】大会")
    add_relay(session, clock, people["helper"], people["old"], "k3", text="【会议提醒】1小时后")
    assert send_relay_digests(services) == 1
    assert send_relay_digests(services) == 0
    session.rollback()
    rows = [r for r in session.scalars(select(Outbox)) if r.dedupe_key.startswith("relay-")]
    assert len(rows) == 1 and rows[0].member_id == people["helper"].id
    text = rows[0].payload["text"]
    stamp = when(clock(), services.settings.tz)
    assert f"赵大爷：{stamp} 【今日学习】第一期；{stamp} 【会议提醒】1小时后" in text
    assert f"孙奶奶：{stamp} 【会议通知】大会" in text
    assert all(r.digested_at for r in relays(session))


def test_only_the_right_helper_confirms(chat, session, clock, village):
    branch, people = village
    item = publish(session, branch.id, Draft("学习四中全会", "内容"), None, clock(), clock())
    session.commit()
    add_relay(session, clock, people["helper"], people["old"], "k1", subject=f"study:{item.id}")
    add_relay(session, clock, people["helper"], people["old"], "k2", text="【会议通知】大会")
    assert "不是你帮扶的党员" in chat.say("o-other", "帮学 赵大爷 完成")
    assert "只有帮扶人" in chat.say("o-zm", "帮学 赵大爷 完成")
    listing = chat.say("o-helper", "帮学")
    assert "赵大爷（老式手机）：2项待转达" in listing
    assert "孙奶奶（无手机）：没有待转达的内容" in listing
    reply = chat.say("o-helper", "帮学 赵大爷 完成")
    assert "《学习四中全会》和1条通知" in reply
    session.rollback()
    record = session.scalars(select(StudyRecord)).one()
    assert (record.member_id, record.via, record.helper_id) == (
        people["old"].id, "helper", people["helper"].id)
    assert all(r.confirmed_at == clock() for r in relays(session))
    proof = message_xml("o-helper", "image", {"PicUrl": "http://sandbox/p.jpg", "MediaId": "m1"})
    assert "凭证已收到" in chat.send_xml(proof).content
    session.rollback()
    session.expire_all()
    assert [f.media_id for f in session.scalars(select(StudyRecord)).one().feedback] == ["m1"]
    # No open relay: the current study item counts (it was passed on); then nothing is left.
    assert "《学习四中全会》" in chat.say("o-helper", "帮学 孙奶奶 完成")
    assert "没有需要转达" in chat.say("o-helper", "帮学 孙奶奶 完成")


def test_proxy_check_in_and_leave(chat, session, clock, village):
    branch, people = village
    meeting = make_meeting(session, branch, clock() + timedelta(hours=3), created=clock())
    session.commit()
    assert "还没到签到时间" in chat.say("o-helper", f"代签 赵大爷 {meeting.code}")
    assert "不是你帮扶的党员" in chat.say("o-other", f"代签 赵大爷 {meeting.code}")
    assert "格式：代请假" in chat.say("o-helper", f"代请假 孙奶奶 {meeting.code}")
    assert "已替孙奶奶请假" in chat.say("o-helper", f"代请假 孙奶奶 {meeting.code} 腿脚不便")
    clock.advance(hours=2, minutes=30)
    assert "已替赵大爷签到" in chat.say("o-helper", f"代签 赵大爷 {meeting.code}")
    assert "已签到" in chat.say("o-helper", f"代签 赵大爷 {meeting.code}")
    session.rollback()
    record = session.scalar(select(Attendance).where(Attendance.member_id == people["old"].id))
    assert (record.method, record.recorded_by) == ("helper", people["helper"].id)
    clock.advance(hours=3)
    assert "会议已经结束" in chat.say("o-helper", f"代签 孙奶奶 {meeting.code}")


def test_escalation_timing(services, session, clock, village):
    branch, people = village
    add_relay(session, clock, people["helper"], people["old"], "k1")
    clock.advance(days=2, hours=23)
    assert remind_and_escalate(services) == (0, 0)
    clock.advance(hours=2)
    assert remind_and_escalate(services) == (1, 0)
    assert remind_and_escalate(services) == (0, 0)  # reminded once
    clock.advance(days=3)
    assert remind_and_escalate(services) == (0, 1)
    from schedules.study import branch_digest

    session.rollback()
    text = branch_digest(session, branch, clock() - timedelta(days=7), clock(), "本周")
    assert "王帮扶→赵大爷" in text


def test_idle_helper_is_flagged_in_stats(chat, session, clock, village):
    _, people = village
    add_relay(session, clock, people["helper"], people["old"], "k1")
    reply = chat.say("o-admin", "统计")
    assert "一帮一：2对，本月转达完成 0/1" in reply
    assert "一个月没有确认转达的帮扶人：王帮扶" in reply
    assert "本月还没联系上：赵大爷" in reply


def test_admin_pairs_and_unpairs_in_chat(chat, session, clock, village):
    assert "已经有帮扶人" in chat.say("o-admin", "结对 吴丽 赵大爷")
    assert "不能和自己结对" in chat.say("o-admin", "结对 吴丽 吴丽")
    assert "已解除赵大爷和王帮扶的结对" in chat.say("o-admin", "解除结对 赵大爷")
    assert "结对成功：吴丽帮扶赵大爷" in chat.say("o-admin", "结对 吴丽 赵大爷")
    assert "只有支部管理员" in chat.say("o-helper", "结对 吴丽 孙奶奶")
    session.rollback()
    active = session.scalars(select(HelpPair).where(HelpPair.ended_at.is_(None))).all()
    assert len(active) == 2


def test_capacity_is_enforced_in_chat(chat, session, clock, village):
    branch, _people = village
    extra = [make_member(session, branch, f"老党员{i}", None, needs_help="行动不便")
             for i in range(2)]
    session.commit()
    assert "结对成功" in chat.say("o-admin", f"结对 王帮扶 {extra[0].name}")
    assert "达到上限" in chat.say("o-admin", f"结对 王帮扶 {extra[1].name}")


def test_cli_pairs_suggest_and_apply(database_url, tmp_path, session, clock, monkeypatch):
    branch = make_branch(session, "辽原村党支部")
    rng = random.Random(3)
    for i in range(3):
        make_member(session, branch, f"帮扶人{i}", f"1390000000{i}", is_helper=True,
                    address=f"{i}组", openid=f"o-helper-{i}")  # a helper is in WeChat
    for i in range(7):
        make_member(session, branch, f"老人{i}", None, needs_help="无手机",
                    address=f"{rng.randrange(3)}组")
    session.commit()
    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    suggested = runner.invoke(main, ["pairs", "suggest", "--org", "辽原村党支部"])
    assert suggested.exit_code == 0, suggested.output
    assert "建议结对 7 对" in suggested.output and "同一党小组或住址" in suggested.output
    applied = runner.invoke(main, ["pairs", "apply"])
    assert "已结对 7 对" in applied.output
    again = runner.invoke(main, ["pairs", "suggest"])
    assert "需要帮扶、还没有帮扶人的党员 0 人" in again.output  # existing pairs kept
    session.rollback()
    loads: dict[int, int] = {}
    for pair in session.scalars(select(HelpPair)):
        loads[pair.helper_id] = loads.get(pair.helper_id, 0) + 1
    assert sorted(loads.values()) == [2, 2, 3]
