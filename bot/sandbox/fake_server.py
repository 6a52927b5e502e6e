"""The fake WeChat API mounted on an app: its API blueprint and its web authorization
(bot.sandbox.fake_api, bot.sandbox.fake_oauth), with fresh state.

    python -m bot.sandbox.fake_server --port 9000    # the fake alone
"""

from __future__ import annotations

import contextlib

from flask import Flask

from bot.sandbox import fake_api, fake_oauth
from bot.sandbox.fake_api import FakeWeChat


def install_fake(app: Flask, url_prefix: str = "") -> FakeWeChat:
    """Mount the fake on `app` (at `url_prefix`) with fresh state; returns the state."""
    state = FakeWeChat()
    app.extensions["fake_wechat"] = state
    app.register_blueprint(fake_api.bp, url_prefix=url_prefix or None)
    app.register_blueprint(fake_oauth.bp, url_prefix=url_prefix or None)
    return state


def make_fake_app() -> Flask:
    """A standalone app serving only the fake, at the root."""
    app = Flask("fake_wechat")
    install_fake(app)
    return app


def main() -> None:
    """Serve the fake alone: python -m bot.sandbox.fake_server --port 9000."""
    import argparse

    from werkzeug.serving import make_server

    parser = argparse.ArgumentParser(description="fake WeChat API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args()
    server = make_server(args.host, args.port, make_fake_app(), threaded=True)
    print(f"fake WeChat API on http://{args.host}:{server.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
