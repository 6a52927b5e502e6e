"""The password lockout holds under parallel guessing (issue 23, item 2).

16 browsers guess one login's password at once over real HTTP, through four web
"machines" on one database (each its own instance folder, so each its own password gate:
up to four checks hash at once, as on four hosts): at most 10 guesses are evaluated
(scrypt runs at most 10 times), every answer is a page — 401, or 429 from a machine's
gate — never a 500 (on SQLite parallel failures used to end in "database is locked"), and
the right password is refused while the lock lasts. Run on PostgreSQL with
PARTYBOT_TEST_DATABASE_URL.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
import requests
from sqlalchemy import select

import models.console.accounts as console_access
from bot import create_app
from bot.services import services_of
from models.db.guesses import CONSOLE_LOGIN, GuessGuard, release_guess, reserve_guess
from tests.conftest import CONSOLE_PASSWORD
from tests.live import serving

THREADS = 16
MACHINES = 4
GUESSES_EACH = 12


def _browser(base: str) -> tuple[requests.Session, str]:
    browser = requests.Session()
    page = browser.get(f"{base}/admin/login", timeout=30).text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return browser, found.group(1)


def _guess(browser: requests.Session, base: str, token: str, password: str) -> tuple[int, str]:
    answer = browser.post(f"{base}/admin/login", allow_redirects=False, timeout=60,
                          data={"login": "east-it", "password": password,
                                "csrf_token": token})
    return answer.status_code, answer.text


@pytest.fixture
def scrypt_runs(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many passwords were actually checked (the real check still runs)."""
    runs: Counter[str] = Counter()
    real = console_access.password_matches
    lock = threading.Lock()

    def counted(stored: str, password: str) -> bool:
        with lock:
            runs["checked"] += 1
        return real(stored, password)

    monkeypatch.setattr(console_access, "password_matches", counted)
    return runs


def test_parallel_wrong_passwords_get_ten_guesses_and_no_500(settings, clock, county,
                                                             scrypt_runs, tmp_path):
    with ExitStack() as stack:
        apps = []
        for number in range(MACHINES + 1):  # the last one answers the right password
            machine = create_app(settings.with_overrides(
                instance_path=tmp_path / f"machine-{number}"), clock=clock)
            stack.callback(services_of(machine).dispose)
            apps.append(stack.enter_context(serving(machine)))
        browsers = [(apps[i % MACHINES], *_browser(apps[i % MACHINES]))
                    for i in range(THREADS)]

        def guess_many(index: int) -> list[int]:
            base, browser, token = browsers[index]
            return [_guess(browser, base, token, f"wrong {index}-{n}")[0]
                    for n in range(GUESSES_EACH)]

        with ThreadPoolExecutor(THREADS) as pool:
            statuses = Counter(s for answer in pool.map(guess_many, range(THREADS))
                               for s in answer)
        assert set(statuses) <= {401, 429}, statuses
        assert statuses[401] >= CONSOLE_LOGIN.max_failures, statuses
        assert scrypt_runs["checked"] <= CONSOLE_LOGIN.max_failures
        # the right password is refused too while the lock lasts
        status, page = _right_password(apps[MACHINES])
        assert status == 401 and "已锁定" in page


def _right_password(base: str) -> tuple[int, str]:
    browser, token = _browser(base)
    return _guess(browser, base, token, CONSOLE_PASSWORD)


def test_a_late_guess_never_clears_a_lock_that_is_still_on(session, clock):
    key = "login:someone"
    states = [reserve_guess(session, CONSOLE_LOGIN, key, clock()) for _ in range(10)]
    assert all(state.granted for state in states)
    until = states[-1].locked_until
    assert until is not None and states[-1].tries_left == 0
    clock.advance(minutes=5)
    late = reserve_guess(session, CONSOLE_LOGIN, key, clock())  # still locked
    assert not late.granted and late.locked_until == until
    assert session.scalars(select(GuessGuard.locked_until)).one() == until
    clock.advance(minutes=11)  # the lock is over: ten fresh tries
    assert reserve_guess(session, CONSOLE_LOGIN, key, clock()).tries_left == 9


def test_a_right_answer_gives_its_try_back(session, clock):
    key = "login:someone"
    for _ in range(9):
        reserve_guess(session, CONSOLE_LOGIN, key, clock())
    last = reserve_guess(session, CONSOLE_LOGIN, key, clock())
    assert last.granted and last.locked_until is not None
    release_guess(session, CONSOLE_LOGIN, key)  # it was right: undo it, lock and all
    again = reserve_guess(session, CONSOLE_LOGIN, key, clock())
    assert again.granted and again.tries_left == 0
    assert not reserve_guess(session, CONSOLE_LOGIN, key, clock()).granted
