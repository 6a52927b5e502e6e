"""Issue 23, item 11: every console, sandbox and health route, fuzzed (hypothesis) in
its path values, its query string and — for POST routes — its form, as a logged-in
secretary (with a valid CSRF token) and as a stranger: never a 500.

The routes come from the app's own url_map, so a route added later is fuzzed too. The
example count is small per route (the whole run takes seconds on SQLite and on
PostgreSQL); the values are the ones that once crashed something: numbers past 2**31
and 2**63, NUL and CR/LF, other scripts' digits, impossible quarters, very long text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from bot import create_app
from bot.services import services_of
from tests.test_console_meetings import local_form, logged_in

PREFIXES = ("/admin", "/sandbox", "/healthz")
# would end the secretary's session for the examples after them
SKIPPED = {"console.auth.logout", "console.auth.logout_everywhere"}
# per route, per browser and method; PARTYBOT_FUZZ_EXAMPLES=200 for a deeper run by hand
EXAMPLES = int(os.environ.get("PARTYBOT_FUZZ_EXAMPLES", "4"))

ODD_VALUES = ["9999-4", "0000-1", "2026-4", "2026-5", "/admin/", "/admin/\r\nX-A: 1",
              "//evil.example/", "\\\\evil", "１２", "²", "٣", "-1", "1e400", "nan", "",
              " ", "\x00", "a\x00b", "\r\n", "\t", "'; --", "<script>", "%00", "..%2F..",
              "../../etc/passwd", "x" * 5000]
VALUES = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.integers(-1, 12).map(str),  # the ids that exist
    st.integers(2**31 - 2, 2**31 + 2).map(str),
    st.integers(2**63 - 2, 2**64 + 2).map(str),
    st.text(max_size=40),
)
QUERY_KEYS = ["quarter", "page", "q", "next", "org", "days", "kind", "branch", "parent",
              "typed", "code", "state", "year", "openid", "ticket", "appid", "grant_type",
              "secret", "access_token", "scope", "redirect_uri"]
FORM_KEYS = ["login", "password", "next", "kind", "day", "start", "end", "place", "topic",
             "audience", "host", "joint", "status", "reason", "member", "minutes", "title",
             "body", "link", "time", "confirm", "action", "name", "parent", "answer",
             "helper", "openid", "text", "ticket", "csrf_token"]
QUERIES = st.dictionaries(st.sampled_from(QUERY_KEYS), VALUES, max_size=3)
FORMS = st.dictionaries(st.sampled_from(FORM_KEYS), VALUES, max_size=6)


@pytest.fixture
def fuzz_app(api_settings, clock) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The app with the sandbox served (its WeChat API is the fake)."""
    app = create_app(api_settings, clock=clock)
    yield app
    services_of(app).dispose()


def routes(app: Flask) -> list[tuple[Rule, str]]:
    """(rule, method) for every route under PREFIXES."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIXES) and rule.endpoint not in SKIPPED:
            found += [(rule, method) for method in sorted(rule.methods or ())
                      if method in ("GET", "POST")]
    return sorted(found, key=lambda pair: (pair[0].rule, pair[1]))


def url_for_rule(rule: Rule, values: dict[str, str], query: dict[str, str]) -> str:
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: quote(values[m[1]], safe=""),
                  rule.rule)
    return path + ("?" + urlencode(query) if query else "")


def fuzz(browser: FlaskClient, rule: Rule, method: str, token: str | None) -> None:
    """Send EXAMPLES hostile requests to one route; fail on any 5xx."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(path=st.fixed_dictionaries({name: VALUES for name in rule.arguments}),
           query=QUERIES, form=FORMS)
    def one(path: dict[str, str], query: dict[str, str], form: dict[str, str]) -> None:
        url = url_for_rule(rule, path, query)
        if method == "GET":
            answer = browser.get(url)
        else:
            answer = browser.post(url, data={**form, **({"csrf_token": token} if token else {})})
        assert answer.status_code < 500, (method, url, form, answer.get_data(as_text=True))

    one()


def test_no_route_answers_500_to_hostile_input(fuzz_app, county, clock):
    secretary = logged_in(fuzz_app, "liaoyuan")
    branch = county["liaoyuan"]
    # something behind the small ids: two meetings and a study item
    for hours in (0.5, 24):
        made = secretary.post(f"/admin/branch/{branch}/meetings/new", data=local_form(
            clock, fuzz_app, hours=hours, csrf_token=secretary.token))
        assert made.status_code == 302
    posted = secretary.post(f"/admin/org/{branch}/study/new", data={
        "title": "学习党章", "body": "第一课", "csrf_token": secretary.token})
    assert posted.status_code == 302
    stranger = fuzz_app.test_client()
    checked = routes(fuzz_app)
    assert len(checked) > 60  # the console, the sandbox and health are all there
    for rule, method in checked:
        fuzz(secretary, rule, method, secretary.token)
        fuzz(stranger, rule, method, None)
    # still logged in: the examples ran as the secretary to the end
    assert secretary.get("/admin/orgs").status_code == 200
