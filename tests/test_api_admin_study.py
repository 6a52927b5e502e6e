"""POST /api/v1/admin/study (发布), /admin/study/<id>/push (推送) and /withdraw (撤回): the
chat's actions from the mini-program — posted where chat posts (a branch admin: the
branch; township staff: the township), one audit entry each with surface "api", and the
same notices as chat: none at posting (the scheduled push tells members), the push's
within a minute of 推送, queued ones dropped at 撤回."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.actors import Actor
from models.delivery.outbox import Outbox
from models.study.actions import PushStep, push_next_chunk
from models.study.tables import StudyItem
from tests.api_admin_support import (
    MONDAY_10,
    add_people,
    call,
    entries_since,
    last_audit_id,
    one_api_entry,
    token_of,
)
from tests.api_support import problem


@pytest.fixture
def app(api_settings, clock) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The app, its WeChat API the fake, the clock on a Monday morning."""
    clock.set(MONDAY_10)
    app = create_app(api_settings, clock=clock)
    yield app
    services_of(app).dispose()


@pytest.fixture
def people(session, county):  # type: ignore[no-untyped-def]
    return add_people(session, county)


@pytest.fixture
def sec(client, fake, people):  # type: ignore[no-untyped-def]
    return token_of(client, fake.base_url, "secretary")


def post(client, token, **fields):  # type: ignore[no-untyped-def]
    body = {"title": "学习党章第一章", "body": "第一章 党员\n第一条 ……", **fields}
    return call(client, token, "POST", "/admin/study", body)


def outbox_rows(session) -> list[Outbox]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(session.scalars(select(Outbox)))


def test_publish_posts_to_the_branch_and_audits_once(client, sec, session, county):
    since = last_audit_id(session)
    answer = post(client, sec, link="https://example.org/dangzhang")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    item = body["item"]
    assert item["org"] == "辽原村党支部" and item["title"] == "学习党章第一章"
    assert item["push_at"].endswith("+08:00") and item["pushed_at"] is None
    assert str(item["id"]) in body["message"] and "学习党章第一章" in body["message"]
    one_api_entry(session, since, "study.publish", county["secretary"])
    stored = session.get(StudyItem, item["id"])
    assert stored.org_id == county["liaoyuan"] and stored.author_id == county["secretary"]
    assert stored.link == "https://example.org/dangzhang"
    assert outbox_rows(session) == []  # as after chat's 发布: the push tells members


def test_publish_at_a_time(client, sec, session):
    item = post(client, sec, publish_at="2026-12-08T08:30:00+08:00").get_json()["item"]
    assert item["publish_at"] == "2026-12-08T08:30:00+08:00" == item["push_at"]
    problem(post(client, sec, title="过去的", publish_at="2026-12-01T08:30:00+08:00"), 409,
            "refused")
    problem(post(client, sec, title="无时区", publish_at="2026-12-08T08:30:00"), 400,
            "bad-request")


def test_a_repeat_is_409_until_confirmed(client, sec, session, county):
    first = post(client, sec).get_json()["item"]
    since = last_audit_id(session)
    repeat = problem(post(client, sec), 409, "refused")
    assert repeat["duplicate_id"] == first["id"] and repeat["confirm"] == "repeat_confirmed"
    assert "确认" in repeat["detail"] and entries_since(session, since) == []
    again = post(client, sec, repeat_confirmed=True)
    assert again.status_code == 200 and again.get_json()["item"]["id"] != first["id"]
    one_api_entry(session, since, "study.publish", county["secretary"])


@pytest.mark.parametrize("fields", [{"title": ""}, {"title": "题" * 65}, {"body": "字" * 601},
                                    {"link": "javascript:alert(1)"}, {"title": 1},
                                    {"extra": True}])
def test_bad_posts_are_400(client, sec, fields):
    problem(post(client, sec, **fields), 400, "bad-request")


def test_a_blank_title_is_the_chats_refusal(client, sec):
    problem(post(client, sec, title="   "), 409, "refused")


def test_push_tells_members_now_and_audits_once(client, sec, session, county, clock):
    item = post(client, sec).get_json()["item"]
    since = last_audit_id(session)
    pushed = call(client, sec, "POST", f"/admin/study/{item['id']}/push")
    assert pushed.status_code == 200, pushed.get_data(as_text=True)
    body = pushed.get_json()
    assert body["item"]["push_at"] == "2026-12-07T10:00:00+08:00"
    assert "一分钟内" in body["message"]
    one_api_entry(session, since, "study.push", county["secretary"])
    # the scheduler's push tells the branch, as after chat's 推送
    step = run_push(client, item["id"], clock)
    assert step.done and step.queued == 5
    pushed_twice = problem(call(client, sec, "POST", f"/admin/study/{item['id']}/push"), 409,
                           "refused")
    assert pushed_twice["key"] == "STUDY_ALREADY_PUSHED"


def run_push(client, item_id: int, clock) -> PushStep:  # type: ignore[no-untyped-def]
    """The scheduler's push job, once."""
    services = services_of(client.application)
    with services.sessions() as db:
        step = push_next_chunk(db, Actor.job("study.push"), item_id, after_member_id=0,
                               told_so_far=0, outbox=services.outbox, now=clock())
        db.commit()
    return step


def test_withdraw_drops_queued_notices_and_audits_once(client, sec, session, county, clock):
    item = post(client, sec).get_json()["item"]
    call(client, sec, "POST", f"/admin/study/{item['id']}/push")
    run_push(client, item["id"], clock)
    waiting = [row for row in outbox_rows(session) if str(row.status) in ("pending", "held")]
    since = last_audit_id(session)
    answer = call(client, sec, "POST", f"/admin/study/{item['id']}/withdraw")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["dropped_notices"] == len(waiting) > 0
    assert body["item"]["withdrawn_at"] is not None and "撤回" in body["message"]
    entry = one_api_entry(session, since, "study.withdraw", county["secretary"])
    assert entry.after == {"dropped": len(waiting)}
    assert {str(row.status) for row in outbox_rows(session)} <= {"dropped", "sent", "relayed",
                                                                  "undeliverable"}
    problem(call(client, sec, "POST", f"/admin/study/{item['id']}/withdraw"), 409, "refused")


def test_township_staff_post_to_the_township(client, fake, session, people):
    officer = token_of(client, fake.base_url, "officer")
    item = post(client, officer).get_json()["item"]
    assert item["org"] == "东乡党委"
    assert session.get(StudyItem, item["id"]).org_id == people["east"]
    # the branch secretary cannot push or withdraw the township's item: not theirs
    sec = token_of(client, fake.base_url, "secretary")
    for action in ("push", "withdraw"):
        problem(call(client, sec, "POST", f"/admin/study/{item['id']}/{action}"), 404,
                "not-found")
    assert call(client, officer, "POST", f"/admin/study/{item['id']}/push").status_code == 200


def test_members_and_other_branches(client, fake, sec, session, clock):
    item = post(client, sec).get_json()["item"]
    member = token_of(client, fake.base_url, "member")
    refused = problem(post(client, member, title="我也发"), 403, "forbidden")
    assert refused["detail"] == "这个命令只有支部管理员可以使用。"
    problem(call(client, member, "POST", f"/admin/study/{item['id']}/push"), 403, "forbidden")
    other = token_of(client, fake.base_url, "other_admin")
    for action in ("push", "withdraw"):
        problem(call(client, other, "POST", f"/admin/study/{item['id']}/{action}"), 404,
                "not-found")
    problem(call(client, sec, "POST", "/admin/study/999999/push"), 404, "not-found")
    assert session.get(StudyItem, item["id"]).withdrawn_at is None
