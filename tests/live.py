"""Serving an app over real HTTP inside a test (werkzeug, threaded)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    """No access log lines in test output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve `app` on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@contextmanager
def serving_own_sandbox(make_app: Callable[[str], Flask]) -> Iterator[tuple[Flask, str]]:
    """Serve the app that `make_app(api_base_url)` builds, its WeChat API pointed at its
    own /sandbox (as `partybot serve` does): bind first, since the port comes first."""
    server = make_server("127.0.0.1", 0, Flask("placeholder"), threaded=True,
                         request_handler=QuietHandler)
    base = f"http://127.0.0.1:{server.port}"
    app = make_app(f"{base}/sandbox")
    server.app = app
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield app, base
    finally:
        server.shutdown()
        thread.join(timeout=5)
