"""How the sandbox joins the app, in sandbox mode only (create_app calls `mount_sandbox`).

It mounts the fake WeChat API and the chat page under /sandbox, keeps them (and the
published webhook token) to this machine (exposure.guard), and listens to the webhook as
WeChat would: a user's message or event opens their customer-service allowance. The
webhook itself knows nothing of the sandbox; it tells whoever listens
(bot.webhook.listen_to_inbound).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from bot.sandbox import jssdk_stub, pages
from bot.sandbox.exposure import guard
from bot.sandbox.fake_api import install_fake
from bot.services import services_of
from bot.webhook import listen_to_inbound
from core.config import Settings
from core.service_allowance import opening_for
from core.wxml import Inbound
from models.console.accounts import bound_members_admins_first

URL_PREFIX = "/sandbox"


def mount_sandbox(app: Flask, settings: Settings) -> None:
    """Serve the fake WeChat API and the chat page on `app`, for loopback clients."""
    fake = install_fake(app, URL_PREFIX)
    fake.know_templates(settings.templates)
    fake.followers = _followers_of(app)
    app.register_blueprint(pages.bp, url_prefix=URL_PREFIX)
    app.register_blueprint(jssdk_stub.bp, url_prefix=URL_PREFIX)  # the stub JS-SDK
    app.before_request(guard)

    def user_acted(message: Inbound) -> None:
        # The fake serves in this process: like WeChat, it learns of the user's action.
        opening = opening_for(message.msg_type, message.event)
        if opening is not None:
            fake.user_acted(message.from_user, opening)

    listen_to_inbound(app, user_acted)


def _followers_of(app: Flask) -> Callable[[], list[tuple[str, str]]]:
    """Who follows the sandbox account: its bound members, admins first."""

    def followers() -> list[tuple[str, str]]:
        with services_of(app).sessions() as session:
            return bound_members_admins_first(session)

    return followers
