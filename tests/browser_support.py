"""Waiting in a browser test for something the page does later (an image loading, a
callback firing).

Playwright's own ``wait_for_function`` polls with ``new Function`` inside the page, and
the pages' Content-Security-Policy forbids that ('unsafe-eval'): on a busy machine, when
the first check is not yet true, the poll fails with an EvalError. ``page.evaluate`` is
compiled by the DevTools protocol instead, which the policy does not cover, so the wait
polls from Python.
"""

from __future__ import annotations

import time
from typing import Any

POLL_SECONDS = 0.05


def wait_until(tab: Any, script: str, timeout: float = 15.0) -> Any:
    """Evaluate ``script`` in ``tab`` until it gives a truthy value; return that value.
    Fails the test with the script's text after ``timeout`` seconds."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            value = tab.evaluate(script)
        except Error as error:  # the page is between two documents (a form just posted)
            value, last = None, error
        else:
            last = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {script} ({last})")
        time.sleep(POLL_SECONDS)
