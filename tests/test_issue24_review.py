"""Issue 24 reviewed as an attacker would: the one refusal handler never sends an admin
off the console, a refused change writes nothing, other branches' objects stay 404 on the
new and renamed endpoints, every POST needs its CSRF token, and no id typed into a form or
the audit filter — superscript digits, a number no column holds — answers with a 500."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from models.console.audit import AuditEntry
from models.meetings.tables import Meeting
from models.members.org_tables import Org
from models.members.tables import Member
from tests.conftest import Chat
from tests.factories import make_meeting
from tests.test_console_meetings import create, local_form, logged_in

# `str.isdigit` accepts these, `int()` does not (or they overflow SQLite's INTEGER)
ODD_IDS = ["²", "¹²", "99999999999999999999999", "-1", "1e3", " 7"]
OFF_SITE = ["http://evil.example/admin", "//evil.example/admin", "https://evil.example/",
            "http://localhost.evil.example/admin", "javascript:alert(1)//localhost/admin",
            "http://localhost//evil.example", "http://localhost/admin/..//evil.example"]


def audit_count(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(AuditEntry))


def own_meeting(app, county, clock, session, browser):  # type: ignore[no-untyped-def]
    assert create(browser, county["liaoyuan"], local_form(clock, app)).status_code == 302
    return session.scalars(select(Meeting.id).order_by(Meeting.id.desc())).first()


@pytest.mark.parametrize("referrer", OFF_SITE)
def test_a_refusal_never_sends_the_admin_off_the_console(app, county, clock, session,
                                                         referrer):
    browser = logged_in(app, "liaoyuan")
    meeting_id = own_meeting(app, county, clock, session, browser)
    # closing before the start is refused: the sentence is flashed where the admin came from
    answer = browser.post(f"/admin/meeting/{meeting_id}/close",
                          data={"csrf_token": browser.token},
                          headers={"Referer": referrer})
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith("/admin") and not location.startswith("//"), location
    assert "evil" not in location and "javascript" not in location


def test_a_refusal_flashed_on_a_page_without_its_own_place_goes_back_within_admin(
        app, county, session):
    """pairs: a member of another branch is refused; the Referer is another host's."""
    browser = logged_in(app, "liaoyuan")
    before = audit_count(session)
    answer = browser.post(f"/admin/branch/{county['liaoyuan']}/pairs",
                          data={"csrf_token": browser.token, "action": "apply",
                                "member": "1"}, headers={"Referer": "//evil.example/x"})
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/admin/branch/")
    assert audit_count(session) == before


def test_a_refused_meeting_form_keeps_what_was_typed_and_writes_nothing(app, county, clock,
                                                                        session):
    browser = logged_in(app, "liaoyuan")
    before = audit_count(session)
    answer = create(browser, county["liaoyuan"],
                    local_form(clock, app, hours=-30, place="我打的地点", topic="我打的主题"))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "我打的地点" in page and "我打的主题" in page
    assert session.scalar(select(func.count()).select_from(Meeting)) == 0
    assert audit_count(session) == before


def test_a_refused_close_leaves_the_meeting_and_the_audit_log_as_they_were(
        app, county, clock, session):
    browser = logged_in(app, "liaoyuan")
    meeting_id = own_meeting(app, county, clock, session, browser)
    before = audit_count(session)
    browser.post(f"/admin/meeting/{meeting_id}/close", data={"csrf_token": browser.token})
    session.expire_all()
    assert session.get(Meeting, meeting_id).status.value == "planned"
    assert audit_count(session) == before


def route_value(rule: Any, name: str, ids: defaultdict[str, int]) -> object:
    """A value the route accepts: one of an `any(...)` converter's words, else an id."""
    words = getattr(rule._converters[name], "items", None)
    return sorted(words)[0] if words else ids[name]


def test_every_console_post_needs_its_csrf_token(app, county, clock, session):
    browser = logged_in(app, "liaoyuan")
    meeting_id = own_meeting(app, county, clock, session, browser)
    # any other id in a route (a survey, a round, a problem …) is 1; a year is a year
    ids: defaultdict[str, int] = defaultdict(lambda: 1, {
        "branch_id": county["liaoyuan"], "meeting_id": meeting_id,
        "org_id": county["liaoyuan"], "member_id": county["secretary"], "year": 2026})
    posts = [rule for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/admin") and "POST" in rule.methods]
    assert len(posts) > 15
    for rule in posts:
        path = rule.build({name: route_value(rule, name, ids) for name in rule.arguments})[1]
        assert browser.post(path, data={"x": "1"}).status_code == 400, path
    assert audit_count(session) == 1  # only the meeting made above


def test_another_branchs_objects_are_404_on_the_new_endpoints(app, county, clock, session,
                                                              chat: Chat):
    far = session.get(Member, session.scalar(select(Member.id).where(Member.name == "赵远")))
    far_meeting = make_meeting(session, session.get(Org, county["far"]),
                               clock() + timedelta(hours=3))
    session.commit()
    before = audit_count(session)
    browser = logged_in(app, "liaoyuan")
    for path in (f"/admin/meeting/{far_meeting.id}/edit", f"/admin/org/{county['far']}",
                 f"/admin/org/{county['far']}/study", f"/admin/org/{county['far']}/study/new",
                 f"/admin/branch/{county['far']}/pairs",
                 f"/admin/branch/{county['far']}/questions"):
        assert browser.get(path).status_code == 404, path
    for path in (f"/admin/meeting/{far_meeting.id}/edit",
                 f"/admin/meeting/{far_meeting.id}/cancel",
                 f"/admin/branch/{county['far']}/member/{far.id}/unbind",
                 f"/admin/branch/{county['liaoyuan']}/member/{far.id}/unbind",
                 f"/admin/branch/{county['far']}/pairs",
                 f"/admin/org/{county['far']}/study/new"):
        answer = browser.post(path, data={"csrf_token": browser.token, "action": "suggest",
                                          "title": "x", "text": "y"})
        assert answer.status_code == 404, path
    session.expire_all()
    assert session.get(Member, far.id).openid == "o-zy"
    assert audit_count(session) == before


def test_the_audit_filter_shows_no_other_orgs_entries(app, county, clock, session):
    west = logged_in(app, "west-it")
    create(logged_in(app, "liaoyuan"), county["liaoyuan"], local_form(clock, app))
    for query in (f"org={county['liaoyuan']}", "actor=%", "actor=_", "actor=李书记",
                  "surface=console", "since=1970-01-01&until=9998-12-31"):
        page = west.get(f"/admin/audit?{query}").get_data(as_text=True)
        assert "李书记" not in page.split("<table")[-1] if "<table" in page else True, query
        assert "安排会议" not in page, query


@pytest.mark.parametrize("query", [
    "org=²", "org=¹²", "org=99999999999999999999999", "org=-1", "org=%00", "actor=%00%25_",
    "actor=" + "%25" * 5000, "since=2020-02-30", "since=0000-01-01", "until=99999-12-31",
    "since=%C2%B2", "surface=%E2%80%AE", "org=" + "9" * 5000])
def test_audit_filter_input_is_never_a_500(app, county, query):
    answer = logged_in(app, "east-it").get(f"/admin/audit?{query}")
    assert answer.status_code in (200, 400), (query, answer.status_code)


@pytest.mark.parametrize("odd", ODD_IDS)
def test_an_odd_id_in_a_meeting_form_is_refused_not_a_500(app, county, clock, session, odd):
    browser = logged_in(app, "liaoyuan")
    meeting_id = own_meeting(app, county, clock, session, browser)
    before = audit_count(session)
    answers = [
        create(browser, county["liaoyuan"], local_form(clock, app, host=odd)),
        create(browser, county["liaoyuan"], {**local_form(clock, app), "joint": odd}),
        browser.post(f"/admin/meeting/{meeting_id}/edit",
                     data={**local_form(clock, app, host=odd), "csrf_token": browser.token}),
        browser.post(f"/admin/meeting/{meeting_id}/record",
                     data={"recorder": odd, "minutes": "x", "csrf_token": browser.token}),
        browser.post(f"/admin/meeting/{meeting_id}/backfill",
                     data={"member": odd, "status": "present", "csrf_token": browser.token}),
        browser.post(f"/admin/branch/{county['liaoyuan']}/pairs",
                     data={"action": "apply", "member": odd, "csrf_token": browser.token}),
    ]
    assert [a.status_code for a in answers if a.status_code >= 500] == [], odd
    assert audit_count(session) == before


@pytest.mark.parametrize("odd", ODD_IDS)
def test_an_odd_parent_in_the_org_forms_is_refused_not_a_500(app, county, session, odd):
    browser = logged_in(app, "east-it")
    before = audit_count(session)
    answers = [browser.post("/admin/orgs", data={"name": "新村党支部", "parent": odd,
                                                 "kind": "branch",
                                                 "csrf_token": browser.token}),
               browser.post(f"/admin/org/{county['liaoyuan']}/move",
                            data={"parent": odd, "csrf_token": browser.token})]
    assert [a.status_code for a in answers if a.status_code >= 500] == [], odd
    assert audit_count(session) == before
