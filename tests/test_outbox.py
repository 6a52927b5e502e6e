"""Enqueueing and the channel policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.service_allowance import MESSAGE
from core.template_messages import Keyword, TemplateSpec
from models.db.webhook_statements import open_allowance
from models.delivery import outbox
from models.delivery.outbox import Channel, ChannelPolicy, Notice, Outbox, Status
from models.pairing.relays import Relay
from models.pairing.tables import HelpPair
from tests.factories import make_branch, make_member

NOTICE = Notice(kind="meeting_reminder", text="明天上午9点支部党员大会，请准时参加。",
                fields={"meeting": "支部党员大会", "time": "2026年12月5日 09:00",
                        "place": "村委会", "code": "4821"})


@pytest.fixture
def people(session, clock):
    branch = make_branch(session)
    people = {
        "follower": make_member(session, branch, "张明", "13800000001", openid="o-follow"),
        "chatty": make_member(session, branch, "李红", "13800000002", openid="o-chatty"),
        "offline": make_member(session, branch, "赵大爷", None, needs_help="无手机"),
    }
    open_allowance(session, "o-chatty", MESSAGE, clock() - timedelta(hours=47, minutes=59))
    session.commit()
    return people


def enqueue(session, key, member, notice, now, templates, **kwargs):
    return ChannelPolicy(templates).enqueue(session, key, member, notice, now, **kwargs)


def rows(session):
    session.commit()
    return {r.dedupe_key: r for r in session.scalars(select(Outbox))}


def test_enqueue_same_key_twice_is_a_no_op(session, people, clock):
    assert enqueue(session, "k1", people["chatty"], NOTICE, clock(), {})
    assert not enqueue(session, "k1", people["chatty"], NOTICE, clock(), {})
    session.commit()
    assert session.scalar(select(func.count()).select_from(Outbox)) == 1


def test_enqueue_is_part_of_the_callers_transaction(session, people, clock):
    enqueue(session, "k1", people["chatty"], NOTICE, clock(), {})
    session.rollback()
    session.expire_all()
    assert rows(session) == {}


def test_template_when_configured(session, people, clock):
    enqueue(session, "k1", people["follower"], NOTICE, clock(), {"meeting_reminder": "TPL"})
    row = rows(session)["k1"]
    assert (row.channel, row.status) == (Channel.TEMPLATE, Status.PENDING)
    assert row.payload["template_id"] == "TPL"
    assert row.payload["data"]["thing1"] == {"value": "支部党员大会"}


def test_custom_within_48_hours_of_last_message(session, people, clock):
    enqueue(session, "k1", people["chatty"], NOTICE, clock(), {})
    assert rows(session)["k1"].channel == Channel.CUSTOM
    clock.advance(minutes=2)  # now 48 h 1 min since the last message
    enqueue(session, "k2", people["chatty"], NOTICE, clock(), {})
    assert rows(session)["k2"].status == Status.HELD  # until they write again


def test_follower_who_never_wrote_and_no_template_is_held(session, people, clock):
    enqueue(session, "k1", people["follower"], NOTICE, clock(), {})
    row = rows(session)["k1"]
    assert (row.channel, row.status) == (Channel.CUSTOM, Status.HELD)
    assert outbox.not_reached_for_branch(session, people["follower"].branch_id,
                                         clock() - timedelta(days=1))[0].id == row.id


def test_member_without_wechat_or_helper_is_undeliverable(session, people, clock):
    enqueue(session, "k1", people["offline"], NOTICE, clock(), {})
    row = rows(session)["k1"]
    assert (row.channel, row.status) == (Channel.NONE, Status.UNDELIVERABLE)
    assert outbox.not_reached_for_branch(session, people["offline"].branch_id,
                                         clock() - timedelta(days=1))[0].id == row.id


def test_members_without_a_channel_go_to_their_helper(session, people, clock):
    offline, helper = people["offline"], people["follower"]
    session.add(HelpPair(helper_id=helper.id, member_id=offline.id, created_at=clock()))
    session.flush()
    enqueue(session, "k1", offline, NOTICE, clock(), {"meeting_reminder": "TPL"})
    row = rows(session)["k1"]
    assert (row.channel, row.status) == (Channel.RELAY, Status.RELAYED)
    relays = list(session.scalars(select(Relay)))
    assert [(r.dedupe_key, r.member_id, r.helper_id) for r in relays] == \
        [("k1", offline.id, helper.id)]
    enqueue(session, "k2", people["follower"], NOTICE, clock(), {})  # no helper: held
    assert rows(session)["k2"].status == Status.HELD


def test_one_policy_for_one_and_for_many(session, people, clock):
    """enqueue and enqueue_many choose alike: the same plan for each member."""
    policy = ChannelPolicy({})
    members = list(people.values())
    plans = policy.plan(session, members, NOTICE, clock())
    counts = policy.enqueue_many(session, [(f"m:{m.id}", m) for m in members], NOTICE, clock())
    singles = [policy.enqueue(session, f"s:{m.id}", m, NOTICE, clock()) for m in members]
    assert [p.status for p in plans] == singles
    assert sum(counts.values()) == len(members)


def test_template_values_are_fitted_to_their_keyword_types():
    spec = TemplateSpec("odd", "TPL", "", (Keyword("thing1", "a"), Keyword("time2", "b"),
                                           Keyword("character_string3", "c")))
    data = spec.render({"a": "一" * 25, "b": "2026年12月5日 09:00", "c": " 4821 "})
    assert data["thing1"]["value"] == "一" * 19 + "…"
    assert data["time2"]["value"] == "2026年12月5日 09:00"
    assert data["character_string3"]["value"] == "4821"
    for key, bad in (("time2", "12月5日（周五）09:00"), ("character_string3", "签到码"),
                     ("first", "您好"), ("remark", "谢谢"), ("phrase4", "太长的短语啊")):
        with pytest.raises(ValueError):
            TemplateSpec("odd", "TPL", "", (Keyword(key, "a"),)).render({"a": bad})


def test_a_notice_that_fits_no_template_goes_by_another_channel(session, clock):
    branch = make_branch(session)
    member = make_member(session, branch, "张明", "13800000003", openid="o-zm")
    policy = outbox.ChannelPolicy({"odd": TemplateSpec("odd", "TPL-ODD", "", (
        Keyword("character_string1", "code"),))})
    notice = outbox.Notice("odd", "通知", fields={"code": "中文码"})
    (plan,) = policy.plan(session, [member], notice, clock())
    assert plan.channel is not outbox.Channel.TEMPLATE
