"""Issue 23, item 11: hostile requests to the console that once answered 500 (on
PostgreSQL where it did): NUL and other control characters in forms and query strings,
ids past a 64-bit integer, impossible quarters, CR/LF in `next`, and parallel polls of
the scan-to-login state on SQLite."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from core import texts
from tests.conftest import CONSOLE_PASSWORD
from tests.test_console_meetings import csrf_of, local_form, logged_in
from tests.test_console_wechat_login import console_app, scene_of_latest_code, wechat

__all__ = ["console_app", "wechat"]  # fixtures used below

HUGE = "99999999999999999999"


def refused_for_controls(caplog: pytest.LogCaptureFixture) -> bool:
    return any("control character" in r.getMessage() for r in caplog.records)


def test_a_nul_in_the_login_name_is_refused_without_logging_in(client, county, caplog):
    token = csrf_of(client.get("/admin/login").get_data(as_text=True))
    answer = client.post("/admin/login", data={"login": "liao\x00yuan", "password": "x",
                                               "csrf_token": token})
    assert answer.status_code == 400
    assert texts.REQUEST_CONTROL_CHARACTERS in answer.get_data(as_text=True)
    assert refused_for_controls(caplog)


@pytest.mark.parametrize("query", ["q=%E5%BC%A0%00", "q=%01", "page=1%00", "q=a%0Db"])
def test_control_characters_in_a_query_string_are_refused(app, county, query, caplog):
    secretary = logged_in(app, "liaoyuan")
    answer = secretary.get(f"/admin/branch/{county['liaoyuan']}?{query}")
    assert answer.status_code == 400
    assert refused_for_controls(caplog)


def test_nul_in_the_meeting_and_study_forms_is_refused(app, county, clock, caplog):
    secretary = logged_in(app, "liaoyuan")
    branch = county["liaoyuan"]
    meeting = local_form(clock, app, place="村委会\x00", csrf_token=secretary.token)
    assert secretary.post(f"/admin/branch/{branch}/meetings/new",
                          data=meeting).status_code == 400
    study = {"title": "学习\x00党章", "body": "第一课", "link": "", "day": "", "time": "",
             "csrf_token": secretary.token}
    assert secretary.post(f"/admin/org/{branch}/study/new", data=study).status_code == 400
    assert refused_for_controls(caplog)


def test_tabs_and_line_breaks_in_a_textarea_still_post(app, county):
    secretary = logged_in(app, "liaoyuan")
    study = {"title": "学习党章", "body": "第一段\r\n\t第二段", "link": "", "day": "",
             "time": "", "csrf_token": secretary.token}
    answer = secretary.post(f"/admin/org/{county['liaoyuan']}/study/new", data=study)
    assert answer.status_code == 302, answer.get_data(as_text=True)


@pytest.mark.parametrize("path", [
    f"/admin/study-image/{HUGE}/x.png",
    f"/admin/study-image/{2**63}/x.png",
    "/admin/study-image/-1/x.png",
])
def test_huge_ids_are_not_found_without_logging_in(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", [
    f"/admin/meeting/{HUGE}", f"/admin/meeting/{2**63}", f"/admin/meeting/{2**31}",
    f"/admin/meeting/{2**31 - 1}", f"/admin/study/{HUGE}", f"/admin/org/{HUGE}",
    f"/admin/branch/{HUGE}/meetings", "/admin/meeting/１２",
])
def test_huge_ids_are_not_found(app, county, path):
    assert logged_in(app, "liaoyuan").get(path).status_code == 404


@pytest.mark.parametrize("quarter", ["9999-4", "0000-1", "0001-1", "2026-5", "２０２６-1"])
def test_impossible_quarters_are_refused(app, county, quarter):
    secretary = logged_in(app, "liaoyuan")
    meetings = secretary.get(f"/admin/branch/{county['liaoyuan']}/meetings?quarter={quarter}")
    assert meetings.status_code == 400
    assert texts.CONSOLE_BAD_QUARTER in meetings.get_data(as_text=True)
    assert secretary.get(f"/admin/export/ledger?quarter={quarter}").status_code == 400


def test_a_real_quarter_is_still_shown(app, county):
    secretary = logged_in(app, "liaoyuan")
    answer = secretary.get(f"/admin/branch/{county['liaoyuan']}/meetings?quarter=2026-4")
    assert answer.status_code == 200 and "2026年第4季度" in answer.get_data(as_text=True)


@pytest.mark.parametrize("target", ["/admin/\r\nSet-Cookie: x=1", "/admin/\nx", "/admin/\r"])
def test_a_line_break_in_next_is_not_followed(client, county, target):
    token = csrf_of(client.get("/admin/login").get_data(as_text=True))
    answer = client.post("/admin/login", data={"login": "liaoyuan", "password": CONSOLE_PASSWORD,
                                               "csrf_token": token, "next": target})
    assert answer.status_code == 302
    assert answer.location == "/admin/" and "Set-Cookie: x" not in str(answer.headers)


def test_parallel_polls_of_scanned_codes_never_fail_on_sqlite(console_app, wechat, fake):
    states: list[str] = []
    for round_ in range(4):
        browsers = [console_app.test_client() for _ in range(8)]
        for number, browser in enumerate(browsers):
            # 32 browsers on one address would meet the QR ration (item 9): 8 machines
            browser.environ_base["REMOTE_ADDR"] = f"127.0.{round_}.{number + 1}"
            browser.get("/admin/login/qr")
            wechat.event("o-admin", "SCAN", scene_of_latest_code(fake))
            wechat.say("o-admin", "确认登录")  # the phone confirms (issue 23, item 4)

        def poll(browser):  # type: ignore[no-untyped-def]
            answers = [browser.get("/admin/login/qr/state") for _ in range(3)]
            return [a.get_json()["state"] if a.status_code == 200 else str(a.status_code)
                    for a in answers]

        with ThreadPoolExecutor(8) as pool:
            for polled in pool.map(poll, browsers):
                states += polled
    # each browser is logged in by its first poll; the later ones find the code used up
    assert states.count("done") == 32 and states.count("expired") == 64, states


@pytest.mark.parametrize("where", ["form", "header"])
def test_a_non_ascii_csrf_token_is_refused_not_a_500(client, county, where):
    client.get("/admin/login")
    data = {"login": "x", "password": "y"}
    if where == "form":
        answer = client.post("/admin/login", data={**data, "csrf_token": "中"})
    else:
        answer = client.post("/admin/login", data=data, headers={"X-CSRF-Token": "é"})
    assert answer.status_code == 400


def test_a_non_ascii_oauth_state_is_refused_not_a_500(client, county):
    client.get("/admin/oauth?next=/admin/")
    answer = client.get("/admin/oauth/callback?code=x&state=%E4%B8%AD")
    assert answer.status_code == 400
