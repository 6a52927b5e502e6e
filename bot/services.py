"""What the web app and the CLI share: settings, database, dispatcher, crypto, clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.inbox import Inbox
from bot.signing import Envelope
from handlers import Dispatcher
from models.base import make_engine, make_session_factory, utcnow


@dataclass
class Services:
    """Built once per process by `build_services`."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    envelope: Envelope | None
    inbox: Inbox
    clock: Callable[[], datetime] = field(default=utcnow)

    def dispose(self) -> None:
        """Close pooled database connections."""
        self.engine.dispose()


def build_services(
    settings: Settings,
    clock: Callable[[], datetime] | None = None,
    dispatcher: Dispatcher | None = None,
) -> Services:
    """Connect to the database and set up the AES envelope when a key is configured."""
    from handlers import dispatcher as default_dispatcher

    engine = make_engine(settings.database_url)
    envelope = (
        Envelope(settings.wechat_token, settings.encoding_aes_key, settings.effective_app_id)
        if settings.encoding_aes_key
        else None
    )
    inbox = Inbox.create(engine, dispatcher or default_dispatcher, settings)
    return Services(settings, engine, make_session_factory(engine), envelope, inbox,
                    clock or utcnow)


def services_of(app: Flask | None = None) -> Services:
    """The Services of `app` (default: the current app)."""
    return (app or current_app).extensions["partybot"]
