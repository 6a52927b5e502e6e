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

from bot.sandbox import jssdk_stub, pages, subscribe_page
from bot.sandbox.exposure import guard
from bot.sandbox.fake_api import install_fake
from bot.sandbox.fake_state import FakeWeChat, TemplateShape
from bot.sandbox.fake_subscribe import subscribe
from bot.services import services_of
from bot.webhook import listen_to_inbound
from core.config import Settings
from core.service_allowance import opening_for
from core.subscribe_messages import Subscriptions
from core.wxml import Inbound
from models.console.accounts import bound_members_admins_first

URL_PREFIX = "/sandbox"


def mount_sandbox(app: Flask, settings: Settings) -> None:
    """Serve the fake WeChat API and the chat page on `app`, for loopback clients."""
    fake = install_fake(app, URL_PREFIX)
    fake.know_templates(settings.templates)
    know_subscriptions(fake, settings.subscriptions)
    fake.followers = _followers_of(app)
    app.register_blueprint(pages.bp, url_prefix=URL_PREFIX)
    app.register_blueprint(jssdk_stub.bp, url_prefix=URL_PREFIX)  # the stub JS-SDK
    app.register_blueprint(subscribe_page.bp, url_prefix=URL_PREFIX)
    app.before_request(guard)

    def user_acted(message: Inbound) -> None:
        # The fake serves in this process: like WeChat, it learns of the user's action.
        opening = opening_for(message.msg_type, message.event)
        if opening is not None:
            fake.user_acted(message.from_user, opening)
        learn_subscriptions(fake, message)

    listen_to_inbound(app, user_acted)


def _followers_of(app: Flask) -> Callable[[], list[tuple[str, str]]]:
    """Who follows the sandbox account: its bound members, admins first."""

    def followers() -> list[tuple[str, str]]:
        with services_of(app).sessions() as session:
            return bound_members_admins_first(session)

    return followers


def know_subscriptions(fake: FakeWeChat, subscriptions: Subscriptions) -> None:
    """The account's subscription templates, to show 订阅通知 with their titles."""
    for specs in subscriptions.values():
        for spec in specs:
            fake.templates[spec.template_id] = TemplateShape(
                spec.template.title, {k.key: k.name or k.key for k in spec.template.keywords})


def learn_subscriptions(fake: FakeWeChat, message: Inbound) -> None:
    """A user's subscription answer reached the webhook: WeChat counts it too (one
    message per acceptance, none after a rejection)."""
    container = {"subscribe_msg_popup_event": "SubscribeMsgPopupEvent",
                 "subscribe_msg_change_event": "SubscribeMsgChangeEvent"}.get(message.event or "")
    if container is None:
        return
    for item in message.items(container):
        template_id = item.get("TemplateId", "").strip()
        status = item.get("SubscribeStatusString", "").strip().lower()
        if status == "accept" and container == "SubscribeMsgChangeEvent":
            continue  # a change only turns a subscription off
        if template_id and status in ("accept", "reject"):
            subscribe(fake, message.from_user, template_id, status == "accept")
