"""GET /api/v1/study, /study/<id>, POST /study/<id>/done and /feedback: the items chat's
学习 shows (the branch and the orgs above it; withdrawn ones gone), newest first and
paged, and 已学 / 心得 recorded exactly as chat records them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.console.audit import AuditEntry
from models.members.org_tables import Org
from models.study.tables import StudyFeedback, StudyItemImage, StudyRecord
from tests.api_support import bearer, bound_token, make_item, problem


@pytest.fixture
def app(api_settings, clock) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The app, its WeChat API the fake."""
    app = create_app(api_settings, clock=clock)
    yield app
    services_of(app).dispose()


@pytest.fixture
def items(session, county, clock):  # type: ignore[no-untyped-def]
    """Items for 辽原村: today's, yesterday's, a township one, a withdrawn one, a future
    one; and one for 远山村 (another township)."""
    now = clock()
    east = session.get(Org, county["liaoyuan"]).parent_id
    made = {
        "old": make_item(session, county["liaoyuan"], "上周的学习", now - timedelta(days=7)),
        "township": make_item(session, east, "乡党委的学习", now - timedelta(days=1)),
        "today": make_item(session, county["liaoyuan"], "今天的学习", now - timedelta(minutes=5),
                           body="今天学习的正文"),
        "withdrawn": make_item(session, county["liaoyuan"], "撤回的", now - timedelta(hours=2),
                               withdrawn=now - timedelta(hours=1)),
        "future": make_item(session, county["liaoyuan"], "明天的", now + timedelta(days=1)),
        "far": make_item(session, county["far"], "远山村的学习", now - timedelta(minutes=1)),
    }
    session.add(StudyItemImage(item_id=made["today"].id, pic_url="https://example.org/a.jpg"))
    session.commit()
    return {key: item.id for key, item in made.items()}


@pytest.fixture
def token(client, fake, county):  # type: ignore[no-untyped-def]
    """张明's mini-program token."""
    return bound_token(client, fake.base_url, "mp-zm", "张明", "0002")


def test_the_list_is_newest_first_without_withdrawn_or_future(client, items, token):
    answer = client.get("/api/v1/study", headers=bearer(token)).get_json()
    assert [i["title"] for i in answer["items"]] == ["今天的学习", "乡党委的学习", "上周的学习"]
    first = answer["items"][0]
    assert first["today"] is True and first["studied"] is False and first["org"] == "辽原村党支部"
    assert first["published_at"].endswith("+08:00")
    assert answer["items"][1]["org"] == "东乡党委"
    assert answer["has_more"] is False and answer["page"] == 1


def test_the_list_is_paged(client, items, token):
    first = client.get("/api/v1/study?per_page=2", headers=bearer(token)).get_json()
    second = client.get("/api/v1/study?per_page=2&page=2", headers=bearer(token)).get_json()
    assert [i["id"] for i in first["items"]] == [items["today"], items["township"]]
    assert first["has_more"] is True
    assert [i["id"] for i in second["items"]] == [items["old"]] and not second["has_more"]
    for bad in ("page=0", "per_page=51", "page=x", "per_page=", "other=1"):
        problem(client.get(f"/api/v1/study?{bad}", headers=bearer(token)), 400, "bad-request")


def test_an_item_with_its_photos(client, items, token):
    item = client.get(f"/api/v1/study/{items['today']}", headers=bearer(token)).get_json()
    assert item["title"] == "今天的学习" and item["body"] == "今天学习的正文"
    assert item["images"] == [{"url": "https://example.org/a.jpg"}]
    assert item["studied"] is False and item["studied_at"] is None and item["feedback"] == []


@pytest.mark.parametrize("key", ["far", "withdrawn", "future"])
def test_items_not_mine_are_404(client, items, token, key):
    for path in ("", "/done"):
        method = client.post if path else client.get
        problem(method(f"/api/v1/study/{items[key]}{path}", headers=bearer(token)), 404,
                "not-found")
    problem(client.post(f"/api/v1/study/{items[key]}/feedback", json={"text": "好"},
                        headers=bearer(token)), 404, "not-found")


def test_done_is_the_same_record_as_chats(client, items, token, chat, session):
    done = client.post(f"/api/v1/study/{items['today']}/done", headers=bearer(token))
    assert done.status_code == 200 and done.get_json()["new"] is True
    again = client.post(f"/api/v1/study/{items['today']}/done", headers=bearer(token))
    assert again.get_json()["new"] is False
    records = session.scalars(select(StudyRecord).where(
        StudyRecord.item_id == items["today"])).all()
    assert len(records) == 1 and records[0].via == "self"
    # chat's 已学 of the same item adds nothing either
    chat.say("o-zm", f"已学 {items['today']}")
    session.expire_all()
    assert session.scalar(select(StudyRecord.id).where(
        StudyRecord.item_id == items["today"]).offset(1)) is None
    listed = client.get("/api/v1/study", headers=bearer(token)).get_json()["items"][0]
    assert listed["studied"] is True
    # a member's own 已学 is its own trace, not an audit entry (as in chat)
    assert session.scalars(select(AuditEntry).where(
        AuditEntry.action == "study.studied")).all() == []


def test_chats_record_shows_in_the_api(client, items, token, chat):
    chat.say("o-zm", f"已学 {items['old']}")
    item = client.get(f"/api/v1/study/{items['old']}", headers=bearer(token)).get_json()
    assert item["studied"] is True and item["studied_at"] is not None


def test_feedback_needs_done_first(client, items, token, session):
    path = f"/api/v1/study/{items['today']}/feedback"
    body = problem(client.post(path, json={"text": "学到了"}, headers=bearer(token)), 409,
                   "refused")
    assert "已学" in body["detail"]
    client.post(f"/api/v1/study/{items['today']}/done", headers=bearer(token))
    saved = client.post(path, json={"text": "学到了\n很受教育"}, headers=bearer(token))
    assert saved.get_json() == {"item_id": items["today"], "pieces": 1}
    assert client.post(path, json={"text": "第二条"}, headers=bearer(token)).get_json()[
        "pieces"] == 2
    item = client.get(f"/api/v1/study/{items['today']}", headers=bearer(token)).get_json()
    assert [f["text"] for f in item["feedback"]] == ["学到了\n很受教育", "第二条"]
    assert session.scalars(select(StudyFeedback.kind)).all() == ["text", "text"]


@pytest.mark.parametrize("payload", [{}, {"text": ""}, {"text": 3}, {"text": "a\x00"},
                                     {"text": "字" * 1001}, {"text": "a", "photo": 1}])
def test_bad_feedback_is_400(client, items, token, payload):
    client.post(f"/api/v1/study/{items['today']}/done", headers=bearer(token))
    problem(client.post(f"/api/v1/study/{items['today']}/feedback", json=payload,
                        headers=bearer(token)), 400, "bad-request")
