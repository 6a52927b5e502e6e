"""GET /api/v1/subscriptions (the mini-program's templates to pass to
wx.requestSubscribeMessage, with my answers) and POST /subscriptions (what that call
answered, recorded by the webhook events' own action for the token's mini-program
openid): an acceptance makes the next reminder go as a mini-program 订阅通知."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from bot import create_app
from bot.sandbox.fake_subscribe import subscribe
from bot.services import services_of
from core.subscribe_messages import ACCOUNT, MINIPROGRAM, SubscribeSpec
from core.template_messages import Keyword, TemplateSpec
from models.console.audit import AuditEntry
from models.delivery.outbox import Channel, Notice, Outbox
from models.delivery.subscriptions import SubscriptionCredit
from models.members.tables import Member
from schedules.delivery_loop import DeliveryWorker
from tests.api_support import bearer, bound_token, problem

MEET = SubscribeSpec(MINIPROGRAM, TemplateSpec("meeting_reminder", "MP-MEET", "会议提醒", (
    Keyword("thing1", "meeting", "会议名称"),)), "pages/meetings/index")
STUDY = SubscribeSpec(MINIPROGRAM, TemplateSpec("study_push", "MP-STUDY", "学习提醒", (
    Keyword("thing1", "title", "学习内容"),)), "pages/study/index")
ACCOUNT_MEET = SubscribeSpec(ACCOUNT, TemplateSpec("meeting_reminder", "ACC-MEET", "会议提醒", (
    Keyword("thing1", "meeting", "会议名称"),)), "")
FIELDS = {"meeting": "支部党员大会", "time": "2026年12月5日 09:00", "place": "村委会"}


@pytest.fixture
def app(api_settings, clock) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The app with two mini-program templates and an account one configured."""
    settings = api_settings.with_overrides(configured_subscriptions={
        "meeting_reminder": (ACCOUNT_MEET, MEET), "study_push": (STUDY,)})
    app = create_app(settings, clock=clock)
    yield app
    services_of(app).dispose()


@pytest.fixture
def token(client, fake, county):  # type: ignore[no-untyped-def]
    """张明's mini-program token."""
    return bound_token(client, fake.base_url, "mp-zm", "张明", "0002")


def _post(client, token, *choices):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/subscriptions", headers=bearer(token), json={
        "choices": [{"template_id": t, "status": s} for t, s in choices]})


def test_the_offered_templates_are_the_miniprograms(client, token):
    answer = client.get("/api/v1/subscriptions", headers=bearer(token))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert [(t["template_id"], t["title"], t["status"], t["credits"])
            for t in body["templates"]] == [("MP-MEET", "会议提醒", None, 0),
                                            ("MP-STUDY", "学习提醒", None, 0)]
    assert body["subscriptions"] == []


def test_accepting_counts_one_message_each_time_and_rejecting_clears(client, token, session):
    saved = _post(client, token, ("MP-MEET", "accept"), ("MP-STUDY", "reject"))
    assert saved.status_code == 200, saved.get_data(as_text=True)
    body = saved.get_json()
    assert body["stored"] == 2
    state = {t["template_id"]: (t["status"], t["credits"]) for t in body["templates"]}
    assert state == {"MP-MEET": ("accept", 1), "MP-STUDY": ("reject", 0)}
    again = _post(client, token, ("MP-MEET", "accept")).get_json()
    assert again["templates"][0]["credits"] == 2
    session.rollback()
    rows = session.scalars(select(SubscriptionCredit).order_by(SubscriptionCredit.id)).all()
    zm = session.scalar(select(Member).where(Member.name == "张明"))
    assert [(r.app, r.openid, r.member_id, r.template_id, r.credits, r.surface)
            for r in rows] == [("miniprogram", "mp-zm", zm.id, "MP-MEET", 2, "api"),
                               ("miniprogram", "mp-zm", zm.id, "MP-STUDY", 0, "api")]
    cleared = _post(client, token, ("MP-MEET", "reject")).get_json()
    assert cleared["templates"][0] == {"kind": "meeting_reminder", "template_id": "MP-MEET",
                                       "title": "会议提醒", "status": "reject", "credits": 0}
    listed = client.get("/api/v1/subscriptions", headers=bearer(token)).get_json()
    assert {s["template_id"] for s in listed["subscriptions"]} == {"MP-MEET", "MP-STUDY"}
    # a member's own answer is its own trace (as the webhook's): no audit entry
    assert session.scalars(select(AuditEntry).where(
        AuditEntry.action == "subscription.change")).all() == []


def test_an_acceptance_sends_the_next_reminder_as_a_subscription_message(
        client, token, session, clock, fake, app):
    _post(client, token, ("MP-MEET", "accept"))
    subscribe(fake.state, "mp-zm", "MP-MEET", True)  # what WeChat knows of the same answer
    services = services_of(app)
    zm = session.scalar(select(Member).where(Member.name == "张明"))
    services.outbox.enqueue(session, "r1", zm, Notice("meeting_reminder", "开会", fields=FIELDS),
                            clock())
    session.commit()
    assert session.scalars(select(Outbox.channel)).all() == [Channel.SUBSCRIBE]
    worker = DeliveryWorker(services, services.wechat, owner="w", batch_size=5,
                            miniprogram=services.wechat)
    try:
        worker.drain(max_seconds=10)
    finally:
        worker.close()
    (sent,) = fake.messages("mp-zm")
    assert sent.channel == "subscribe_mp" and sent.body["template_id"] == "MP-MEET"
    listed = client.get("/api/v1/subscriptions", headers=bearer(token)).get_json()
    assert listed["templates"][0]["credits"] == 0


def test_a_template_not_offered_is_refused_and_nothing_is_stored(client, token, session):
    body = problem(_post(client, token, ("MP-MEET", "accept"), ("ACC-MEET", "accept")), 409,
                   "refused")
    assert "ACC-MEET" in body["detail"]
    session.rollback()
    assert session.scalars(select(SubscriptionCredit)).all() == []


@pytest.mark.parametrize("payload", [
    {}, {"choices": []}, {"choices": [{"template_id": "MP-MEET"}]},
    {"choices": [{"template_id": "MP-MEET", "status": "ban"}]},
    {"choices": [{"template_id": "MP MEET", "status": "accept"}]},
    {"choices": [{"template_id": "MP-MEET", "status": "accept", "x": 1}]},
    {"choices": [{"template_id": "MP-MEET", "status": "accept"}] * 21},
    {"choices": "MP-MEET"},
])
def test_bad_bodies_are_400(client, token, payload):
    problem(client.post("/api/v1/subscriptions", json=payload, headers=bearer(token)), 400,
            "bad-request")
