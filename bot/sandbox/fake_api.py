"""A fake of the WeChat API, served over real HTTP (tests, benchmarks, the sandbox).

It issues access tokens (and invalidates them the way WeChat does), records every
message it is asked to deliver, and can be told to misbehave: any errcode, HTTP 5xx,
latency, dropped connections, expired tokens. Endpoints, relative to its base URL:

    GET  /cgi-bin/token                 POST /cgi-bin/stable_token
    POST /cgi-bin/message/custom/send   POST /cgi-bin/message/template/send
    POST /cgi-bin/menu/create           POST /cgi-bin/qrcode/create
    POST /cgi-bin/menu/addconditional   GET  /cgi-bin/menu/delete
    POST /cgi-bin/tags/create           GET  /cgi-bin/tags/get
    POST /cgi-bin/tags/members/batchtagging   POST /cgi-bin/tags/members/batchuntagging
    GET  /cgi-bin/user/info             GET  /cgi-bin/media/get (and PicUrl: /mmbiz/<key>)
    GET  /connect/oauth2/authorize      GET  /sns/oauth2/access_token
    GET  /cgi-bin/ticket/getticket      (bot/sandbox/fake_jssdk.py)
    POST /cgi-bin/message/subscribe/bizsend   POST /cgi-bin/message/subscribe/send
    GET  /sns/jscode2session (the mini-program's login)   POST /cgi-bin/user/info/batchget
    GET  /cgi-bin/menu/get              GET  /cgi-bin/getcallbackip (partybot doctor)

and the controls `/_fake/...` (faults, messages, stats, reset, user actions, templates,
the menu a user sees) used by tests, the sandbox page and `partybot chat`.

This module puts the fake together: its state is bot/sandbox/fake_state.py, what every
endpoint does with a call bot/sandbox/fake_http.py, and the endpoints one module per
thing faked (fake_token, fake_messages, fake_menus, fake_users, fake_qrcodes, fake_oauth,
fake_controls, fake_subscribe), each a blueprint that `install_fake` registers.

Like WeChat it counts customer-service messages: a user's message allows 5 within 48
hours, a click, scan or follow 3 within a minute, each action resetting the count
(core.service_allowance); past it, 45047; with none open, 45015. It learns user actions
from the sandbox's webhook (same process, bot/sandbox/mount.py) or from
`POST /_fake/user_action`.
"""

from __future__ import annotations

import contextlib

from flask import Blueprint, Flask

from bot.sandbox import (
    fake_controls,
    fake_jssdk,
    fake_media,
    fake_menus,
    fake_messages,
    fake_miniprogram,
    fake_oauth,
    fake_qrcodes,
    fake_subscribe,
    fake_token,
    fake_users,
)
from bot.sandbox.fake_http import STATE_KEY
from bot.sandbox.fake_state import (
    CLIENT_MSG_ID_SECONDS,
    OLD_TOKEN_GRACE,
    TOKEN_TTL,
    Delivered,
    FakeWeChat,
    Fault,
    TemplateShape,
    scene_of_ticket,
)

# What tests, benchmarks and the sandbox import from here.
__all__ = ["CLIENT_MSG_ID_SECONDS", "OLD_TOKEN_GRACE", "TOKEN_TTL", "Delivered", "FakeWeChat",
           "Fault", "TemplateShape", "install_fake", "make_fake_app", "scene_of_ticket"]

# Every faked endpoint, WeChat's API first, then the controls.
BLUEPRINTS: tuple[Blueprint, ...] = (
    fake_token.bp, fake_messages.bp, fake_menus.bp, fake_users.bp, fake_qrcodes.bp,
    fake_oauth.bp, fake_controls.bp, fake_media.bp,
    fake_jssdk.bp,  # GET /cgi-bin/ticket/getticket (the JS-SDK's ticket)
    fake_subscribe.bp,  # message/subscribe/bizsend and send (订阅通知)
    fake_miniprogram.bp,  # sns/jscode2session, user/info/batchget
)


def install_fake(app: Flask, url_prefix: str = "") -> FakeWeChat:
    """Mount the fake on `app` (at `url_prefix`) with fresh state; returns the state."""
    state = FakeWeChat()
    app.extensions[STATE_KEY] = state
    fake_media.install_media(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint, url_prefix=url_prefix or None)
    return state


def make_fake_app() -> Flask:
    """A standalone app serving only the fake, at the root."""
    app = Flask("fake_wechat")
    install_fake(app)
    return app


def main() -> None:
    """Serve the fake alone: python -m bot.sandbox.fake_api --port 9000."""
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
