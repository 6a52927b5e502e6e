"""What the web app and the CLI share: settings, database, dispatcher, crypto, clock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.inbox import Inbox
from bot.signing import Envelope
from handlers import Dispatcher
from models.base import make_engine, make_session_factory, utcnow

if TYPE_CHECKING:
    from bot.wechat import WeChatAPI


@dataclass
class Services:
    """Built once per process by `build_services`."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    envelope: Envelope | None
    inbox: Inbox
    clock: Callable[[], datetime] = field(default=utcnow)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)
    # Re-entrant: making one cached object may need another (the worker needs the client).
    _cache_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def wechat(self) -> WeChatAPI:
        """This process's WeChat API client (made on first use)."""
        from bot.wechat import make_client

        return self._once("wechat", lambda: make_client(self.engine, self.settings, self.clock))

    def _once(self, name: str, make: Callable[[], Any]) -> Any:
        with self._cache_lock:
            if name not in self._cache:
                self._cache[name] = make()
            return self._cache[name]

    def cached(self, name: str, make: Callable[[], Any]) -> Any:
        """A per-process object made once (the delivery worker, for instance)."""
        return self._once(name, make)

    def dispose(self) -> None:
        """Close pooled database connections and anything cached."""
        for item in self._cache.values():
            close = getattr(item, "close", None)
            if callable(close):
                close()
        self._cache.clear()
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
