"""The study push (once per member and item) and the weekly digests (numbers equal the
records)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.service_allowance import MESSAGE
from models.db.webhook_statements import open_allowance
from models.delivery.outbox import ChannelPolicy, Outbox, Status
from models.members.org_tables import OrgAdmin
from models.study import actions as study_actions
from models.study.posting import Draft, publish
from models.study.records import record_study
from models.study.tables import StudyItem, StudyRecord
from schedules.study import push_due_items, send_digests
from tests.factories import make_branch, make_member, make_township


@pytest.fixture
def county(session, clock):
    township = make_township(session)
    a = make_branch(session, "辽原村党支部", township)
    b = make_branch(session, "红光村党支部", township)
    people = [make_member(session, a, f"甲{i}", f"138000000{i:02d}", openid=f"o-a{i}")
              for i in range(5)]
    people += [make_member(session, b, f"乙{i}", f"139000000{i:02d}", openid=f"o-b{i}")
               for i in range(3)]
    people.append(make_member(session, a, "孙奶奶", None))  # no WeChat, no helper
    people[0].is_admin = True
    officer = make_member(session, make_branch(session, "乡机关党支部", township), "何委员",
                          "13700000001", openid="o-officer")
    session.add(OrgAdmin(org_id=township.id, member_id=officer.id))
    session.commit()
    return township, a, b, people


def post(session, org, title, now, push_at=None):
    item = publish(session, org.id, Draft(title, "内容"), None, now, push_at or now)
    session.commit()
    return item


def outbox_keys(session, prefix: str) -> list[str]:
    session.rollback()
    return sorted(k for k in session.scalars(select(Outbox.dedupe_key)) if k.startswith(prefix))


def test_push_once_per_member_never_to_who_studied(services, session, clock, county):
    township, _a, _b, people = county
    item = post(session, township, "全乡学习", clock())
    record_study(session, item, people[1], clock())
    session.commit()
    queued = push_due_items(services)
    assert queued == 9  # everyone in the township except the one who already studied
    keys = outbox_keys(session, f"study:{item.id}:")
    assert f"study:{item.id}:member:{people[1].id}" not in keys
    assert push_due_items(services) == 0  # the sweep run twice
    session.rollback()
    session.expire_all()
    assert session.get(StudyItem, item.id).pushed_at == clock()


def test_push_resumes_after_a_crash_without_duplicates(services, session, clock, county,
                                                       monkeypatch):
    township, *_ = county
    item = post(session, township, "全乡学习", clock())
    monkeypatch.setattr(study_actions, "PUSH_CHUNK", 3)
    real = services.outbox
    calls = []

    class CrashOnThirdChunk(ChannelPolicy):
        def enqueue_many(self, *args, **kwargs):
            calls.append(1)
            if len(calls) == 3:
                raise RuntimeError("killed")
            return super().enqueue_many(*args, **kwargs)

    with pytest.raises(RuntimeError):
        push_due_items(dataclasses.replace(services,
                                           outbox=CrashOnThirdChunk(real.templates)))
    assert len(outbox_keys(session, f"study:{item.id}:")) == 6  # two chunks committed
    push_due_items(services)  # the restarted scheduler
    keys = outbox_keys(session, f"study:{item.id}:")
    assert len(keys) == len(set(keys)) == 10


def test_scheduled_items_go_out_at_their_time(services, session, clock, county):
    township, *_ = county
    later = clock() + timedelta(hours=5)
    item = post(session, township, "定时", clock(), push_at=later)
    assert push_due_items(services) == 0
    clock.set(later)
    assert push_due_items(services) == 10
    assert item.id


def test_push_channels_follow_the_policy(services, session, clock, county):
    _township, a, _b, _people = county
    open_allowance(session, "o-a2", MESSAGE, clock())
    session.commit()
    item = post(session, a, "支部学习", clock())
    services_no_templates = dataclasses.replace(
        services, outbox=ChannelPolicy({"weekly_digest": "T"}))
    push_due_items(services_no_templates)
    session.rollback()
    rows = {r.openid: r for r in session.scalars(select(Outbox).where(
        Outbox.dedupe_key.startswith(f"study:{item.id}:")))}
    assert rows["o-a2"].channel == "custom" and rows["o-a2"].status == Status.PENDING
    assert rows["o-a1"].status == Status.HELD  # never wrote, no template: waits
    assert rows[None].status == Status.UNDELIVERABLE  # 孙奶奶


def test_weekly_digest_numbers_equal_the_records(services, session, clock, county):
    township, a, _b, people = county
    monday = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # Monday 23 Nov 00:00 in Shanghai
    clock.set(monday + timedelta(days=7, hours=1))  # the next Monday, 09:00 local
    item1 = publish(session, township.id, Draft("一", "x"), None, monday + timedelta(days=1),
                    monday + timedelta(days=1))
    item2 = publish(session, a.id, Draft("二", "y"), None, monday + timedelta(days=2),
                    monday + timedelta(days=2))
    for member in people[:3]:
        record_study(session, item1, member, monday + timedelta(days=2))
    record_study(session, item2, people[0], monday + timedelta(days=3))
    record_study(session, item1, people[5], monday + timedelta(days=3))  # 乙0
    session.commit()
    assert send_digests(services) == 2  # the officer and the one branch admin
    assert send_digests(services) == 0
    session.rollback()
    texts_by_key = {r.dedupe_key: r.payload["text"] for r in session.scalars(select(Outbox))}
    org_text = next(t for k, t in texts_by_key.items() if k.startswith("digest:org:"))
    # expected: branch a: 6 members × 2 items = 12, b: 3 × 1 = 3, office: 1 × 1 = 1 → 16
    studied = session.scalar(select(func.count()).select_from(StudyRecord))
    assert studied == 5
    assert "学习率 31%（5/16）" in org_text
    assert "红光村党支部：学习率 33%" in org_text and "辽原村党支部：学习率 33%" in org_text
    branch_text = next(t for k, t in texts_by_key.items() if k.startswith("digest:branch:"))
    assert "上周学习：4/12 人次已学" in branch_text and "孙奶奶" in branch_text


def test_org_digest_links_to_the_console_overview(services, session, clock, county):
    township, *_ = county
    services.settings = dataclasses.replace(services.settings,
                                            public_url="https://dangjian.example.cn")
    clock.set(datetime(2026, 11, 30, 1, 0, tzinfo=UTC))  # a Monday, 09:00 local
    send_digests(services)
    session.rollback()
    row = session.scalar(select(Outbox).where(Outbox.dedupe_key.like("digest:org:%")))
    url = f"https://dangjian.example.cn/admin/?org={township.id}"
    assert url in row.payload["text"]
