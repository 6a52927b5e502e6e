"""The audit page: entries from every surface, narrowed by surface, actor, org and
dates (in the account's time zone), within the account's scope whatever the filter
says; bad filter input is named and left out, never a 500. And retention: the daily
upkeep job drops entries older than PARTYBOT_AUDIT_RETENTION_DAYS (0 keeps them)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.services import services_of
from core import texts, words
from core.config import load_settings
from models.actors import Actor
from models.console.audit import AuditEntry, record_change
from tests.factories import make_branch
from tests.test_console_meetings import logged_in


@pytest.fixture
def entries(app, session, county, clock):  # type: ignore[no-untyped-def]
    """Five changes: in 辽原村 from chat, console, CLI and a job; one in 远山村 (west);
    and one in 河口村, a second branch of the east township."""
    from models.members.org_tables import Org

    east = session.get(Org, county["liaoyuan"]).parent_id
    hekou = make_branch(session, "河口村党支部", session.get(Org, east))
    tz = services_of(app).settings.tz
    noon = datetime(2026, 5, 10, 12, 0, tzinfo=tz)  # local noon: dates read locally
    made = [
        (Actor.member(county["secretary"], "李书记"), county["liaoyuan"], "meeting.create",
         "五月党员大会", noon - timedelta(days=9)),
        (Actor.console("user:9", "王管理", None), county["liaoyuan"], "meeting.cancel",
         "五月党课", noon - timedelta(days=5)),
        (Actor.cli(), county["liaoyuan"], "member.unbind", "刘芳", noon - timedelta(days=1)),
        (Actor.job("meetings.close"), county["liaoyuan"], "meeting.close", "四月支委会",
         noon + timedelta(hours=11, minutes=30)),  # 23:30 local: still the 10th there
        (Actor.console("user:8", "赵西乡", None), county["far"], "meeting.create",
         "远山村党课", noon),
        (Actor.console("user:7", "孙河口", None), hekou.id, "meeting.create", "河口村党课",
         noon - timedelta(days=2)),
    ]
    for actor, org_id, action, target, at in made:
        record_change(session, actor, org_id=org_id, action=action, target=target, now=at)
    session.commit()
    return {"hekou": hekou.id, "east": east}


def page(browser, **query: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    answer = browser.get("/admin/audit", query_string=query)
    return answer.status_code, answer.get_data(as_text=True)


ALL_TARGETS = {"五月党员大会", "五月党课", "刘芳", "四月支委会", "远山村党课", "河口村党课"}


def shown(body: str) -> set[str]:
    return {target for target in ALL_TARGETS if f"<td>{target}</td>" in body}


def test_the_page_shows_every_surface_in_scope(app, entries):
    status, body = page(logged_in(app, "east-it"))
    assert status == 200
    assert shown(body) == {"五月党员大会", "五月党课", "刘芳", "四月支委会", "河口村党课"}
    for surface in ("chat", "console", "cli", "job"):
        assert f"<td>{words.SURFACE_NAMES[surface]}</td>" in body


def test_filter_by_surface(app, entries):
    east = logged_in(app, "east-it")
    assert shown(page(east, surface="chat")[1]) == {"五月党员大会"}
    assert shown(page(east, surface="cli")[1]) == {"刘芳"}
    assert shown(page(east, surface="job")[1]) == {"四月支委会"}
    assert shown(page(east, surface="console")[1]) == {"五月党课", "河口村党课"}
    assert shown(page(east, surface="api")[1]) == set()


def test_filter_by_part_of_the_actor_name(app, entries):
    east = logged_in(app, "east-it")
    assert shown(page(east, actor="书记")[1]) == {"五月党员大会"}
    assert shown(page(east, actor="管理")[1]) == {"五月党课"}
    # wildcards are letters here, not patterns
    assert shown(page(east, actor="%")[1]) == set()
    assert shown(page(east, actor="_")[1]) == set()


def test_filter_by_org_takes_the_org_and_below(app, entries, county):
    east = logged_in(app, "east-it")
    assert shown(page(east, org=str(entries["hekou"]))[1]) == {"河口村党课"}
    assert shown(page(east, org=str(county["liaoyuan"]))[1]) == {
        "五月党员大会", "五月党课", "刘芳", "四月支委会"}
    assert shown(page(east, org=str(entries["east"]))[1]) == {
        "五月党员大会", "五月党课", "刘芳", "四月支委会", "河口村党课"}


def test_filter_by_local_dates(app, entries):
    east = logged_in(app, "east-it")
    # days are the account's: the entry at 23:30 local is on the 10th, whatever UTC says
    assert shown(page(east, since="2026-05-10")[1]) == {"四月支委会"}
    assert shown(page(east, until="2026-05-01")[1]) == {"五月党员大会"}
    assert shown(page(east, since="2026-05-05", until="2026-05-09")[1]) == {
        "五月党课", "刘芳", "河口村党课"}
    assert shown(page(east, since="2026-05-09", until="2026-05-09")[1]) == {"刘芳"}


def test_filters_combined(app, entries, county):
    east = logged_in(app, "east-it")
    status, body = page(east, surface="console", org=str(county["liaoyuan"]),
                        since="2026-05-01", until="2026-05-10", actor="王")
    assert status == 200 and shown(body) == {"五月党课"}
    assert shown(page(east, surface="console", actor="孙")[1]) == {"河口村党课"}
    assert shown(page(east, surface="chat", org=str(entries["hekou"]))[1]) == set()


def test_the_form_keeps_what_was_asked(app, entries, county):
    _, body = page(logged_in(app, "east-it"), surface="cli", actor="王管",
                   org=str(county["liaoyuan"]), since="2026-05-01", until="2026-05-10")
    assert '<option value="cli" selected>' in body
    assert 'name="actor" value="王管"' in body
    assert f'<option value="{county["liaoyuan"]}" selected>' in body
    assert 'name="since" value="2026-05-01"' in body
    assert 'name="until" value="2026-05-10"' in body


def test_a_secretary_never_sees_another_branch_whatever_the_filter(app, entries, county):
    secretary = logged_in(app, "liaoyuan")
    assert shown(page(secretary)[1]) == {"五月党员大会", "五月党课", "刘芳", "四月支委会"}
    for other in (county["far"], entries["hekou"], entries["east"]):
        status, body = page(secretary, org=str(other))
        assert status == 200
        assert "远山村党课" not in body and "河口村党课" not in body
        assert texts.AUDIT_BAD_ORG in body
        # the secretary's own org list offers no other branch
        assert f'<option value="{other}"' not in body
    west = logged_in(app, "west-it")
    assert shown(page(west, org=str(county["liaoyuan"]))[1]) == {"远山村党课"}


@pytest.mark.parametrize(("query", "sentence"), [
    ({"surface": "telegram"}, texts.AUDIT_BAD_SURFACE),
    ({"org": "abc"}, texts.AUDIT_BAD_ORG),
    ({"org": "-1"}, texts.AUDIT_BAD_ORG),
    ({"org": "9" * 40}, texts.AUDIT_BAD_ORG),
    ({"since": "2026-13-01"}, texts.AUDIT_BAD_DATE.format(field=words.AUDIT_FILTER_SINCE)),
    ({"until": "yesterday"}, texts.AUDIT_BAD_DATE.format(field=words.AUDIT_FILTER_UNTIL)),
    ({"since": "0001-01-01"}, texts.AUDIT_BAD_DATE.format(field=words.AUDIT_FILTER_SINCE)),
    ({"until": "9999-12-31"}, texts.AUDIT_BAD_DATE.format(field=words.AUDIT_FILTER_UNTIL)),
    ({"since": "2026-05-10", "until": "2026-05-01"}, texts.AUDIT_DATES_REVERSED),
])
def test_bad_filter_input_is_named_and_the_page_still_shown(app, entries, query, sentence):
    status, body = page(logged_in(app, "east-it"), **query)
    assert status == 200
    assert sentence in body
    assert "<h1>操作记录</h1>" in body


def test_odd_actor_text_never_breaks_the_page(app, entries):
    east = logged_in(app, "east-it")
    for actor in ("'; drop table audit_entry; --", "书" * 5000, "李书记 "):
        status, _ = page(east, actor=actor)
        assert status == 200, actor
    # bytes that are no UTF-8 (a lone surrogate's encoding, a stray 0xFF)
    assert east.get("/admin/audit?actor=%ED%A0%80&surface=%FF&org=%FF").status_code == 200
    assert shown(page(east, actor=" 书记 ")[1]) == {"五月党员大会"}
    # a NUL (which PostgreSQL refuses in a string) never reaches the page at all
    assert page(east, actor="李\x00书记")[0] == 400


def test_retention_job_prunes_old_entries(app, session, county, clock, caplog):
    from schedules.upkeep import prune_audit_log

    for days in (10, 29, 31, 400):
        record_change(session, Actor.cli(), org_id=county["liaoyuan"], action="org.rename",
                      target=f"{days} days", now=clock() - timedelta(days=days))
    session.commit()
    services = services_of(app)
    runtime = replace(services, settings=services.settings.with_overrides(
        audit_retention_days=30))
    with caplog.at_level(logging.INFO, logger="schedules.upkeep"):
        assert prune_audit_log(runtime) == 2
    assert "pruned 2 audit entries older than 30 days" in caplog.text
    assert prune_audit_log(runtime) == 0  # twice is harmless
    session.rollback()
    assert set(session.scalars(select(AuditEntry.target))) == {"10 days", "29 days"}


@pytest.mark.parametrize("days", [0, 10**9])
def test_retention_zero_or_beyond_the_calendar_keeps_everything(app, session, county, clock,
                                                                days):
    from schedules.upkeep import prune_audit_log

    record_change(session, Actor.cli(), org_id=county["liaoyuan"], action="org.rename",
                  target="old", now=clock() - timedelta(days=3650))
    session.commit()
    services = services_of(app)
    assert prune_audit_log(replace(services, settings=services.settings.with_overrides(
        audit_retention_days=days))) == 0
    session.rollback()
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_retention_setting(tmp_path):
    base = {"PARTYBOT_INSTANCE_PATH": str(tmp_path)}
    assert load_settings(base, dotenv_path=None).audit_retention_days == 1825
    assert load_settings({**base, "PARTYBOT_AUDIT_RETENTION_DAYS": "0"},
                         dotenv_path=None).audit_retention_days == 0


def test_retention_job_is_scheduled_daily():
    from schedules.registry import JOBS
    from schedules.upkeep import prune_audit_log

    spec = JOBS["upkeep.prune_audit"]
    assert spec.func is prune_audit_log and spec.trigger == "cron"
    assert set(spec.trigger_kwargs(load_settings({}, dotenv_path=None))) == {"hour", "minute"}


def test_entries_for_never_leaves_the_scope_given(session, entries, county):
    from models.console.audit import AuditFilter, entries_for

    own = {county["liaoyuan"], county["group"]}
    assert entries_for(session, own, only=AuditFilter(org_id=county["far"])) == []
    assert entries_for(session, own, only=AuditFilter(org_id=entries["east"])) != []
    assert {e.org_id for e in entries_for(
        session, own, only=AuditFilter(org_id=entries["east"]))} == {county["liaoyuan"]}
