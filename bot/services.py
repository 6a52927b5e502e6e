"""What the web app and the CLI share: the runtime, plus the webhook's inbox and crypto."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app

from bot.inbox import Inbox
from core.config import Settings
from core.signing import Envelope
from handlers import Dispatcher
from schedules.runtime import Runtime, build_runtime


@dataclass(kw_only=True)
class Services(Runtime):
    """The runtime of a web process: also the AES envelope and the inbox."""

    envelope: Envelope | None
    inbox: Inbox


def build_services(
    settings: Settings,
    clock: Callable[[], datetime] | None = None,
    dispatcher: Dispatcher | None = None,
) -> Services:
    """Connect to the database and set up the AES envelope when a key is configured."""
    from handlers import build_dispatcher

    runtime = build_runtime(settings, clock)
    envelope = envelope_of(settings)
    inbox = Inbox.create(runtime.engine, dispatcher or build_dispatcher(), settings,
                         runtime.outbox)
    return Services(runtime.settings, runtime.engine, runtime.sessions, runtime.outbox,
                    runtime.clock, envelope=envelope, inbox=inbox)


def envelope_of(settings: Settings) -> Envelope | None:
    """The safe-mode envelope of the configured account (None without an AES key)."""
    if not settings.encoding_aes_key:
        return None
    return Envelope(settings.wechat_token, settings.encoding_aes_key, settings.effective_app_id)


def services_of(app: Flask | None = None) -> Services:
    """The Services of `app` (default: the current app)."""
    services: Services = (app or current_app).extensions["partybot"]
    return services
