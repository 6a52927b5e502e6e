"""What a process of partybot holds once: settings, database, clock, WeChat client and
the channel policy. The scheduler's jobs get it; the web app extends it (bot.services).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.jssdk import TicketKeeper
from core.wechat import WeChatAPI, make_client
from models.db.base import utcnow
from models.db.engine import make_engine, make_session_factory
from models.delivery.access_token import DatabaseTokenStore
from models.delivery.jsapi_ticket import DatabaseTicketStore
from models.delivery.outbox import ChannelPolicy


@dataclass
class Runtime:
    """Built once per process by `build_runtime` (or `bot.services.build_services`)."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    outbox: ChannelPolicy
    clock: Callable[[], datetime] = field(default=utcnow)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)
    # Re-entrant: making one cached object may need another (the worker needs the client).
    _cache_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def wechat(self) -> WeChatAPI:
        """This process's WeChat API client (made on first use)."""
        client: WeChatAPI = self.cached("wechat", lambda: make_client(
            DatabaseTokenStore(self.engine, self.settings.effective_app_id), self.settings,
            self.clock))
        return client

    @property
    def jsapi_ticket(self) -> TicketKeeper:
        """This process's keeper of the shared JS-SDK ticket (made on first use): the
        scheduler refreshes it, pages only read it (`usable()`)."""
        keeper: TicketKeeper = self.cached("jsapi_ticket", lambda: TicketKeeper(
            DatabaseTicketStore(self.engine, self.settings.effective_app_id), self.settings,
            self.clock, self.wechat))
        return keeper

    @property
    def miniprogram_wechat(self) -> WeChatAPI | None:
        """The mini-program's API client (its own app id, secret and shared token), for
        its subscription messages; None when no mini-program is configured
        (PARTYBOT_MINIPROGRAM_APP_ID / _SECRET)."""
        app_id = getattr(self.settings, "miniprogram_app_id", None)
        secret = getattr(self.settings, "miniprogram_app_secret", None)
        if not app_id or not secret:
            return None
        own = self.settings.with_overrides(app_id=app_id, app_secret=secret)
        client: WeChatAPI = self.cached("miniprogram_wechat", lambda: make_client(
            DatabaseTokenStore(self.engine, app_id), own, self.clock))
        return client

    def cached(self, name: str, make: Callable[[], Any]) -> Any:
        """A per-process object made once (the client, the delivery worker)."""
        with self._cache_lock:
            if name not in self._cache:
                self._cache[name] = make()
            return self._cache[name]

    def dispose(self) -> None:
        """Close pooled database connections and anything cached."""
        for item in self._cache.values():
            close = getattr(item, "close", None)
            if callable(close):
                close()
        self._cache.clear()
        self.engine.dispose()


def build_runtime(settings: Settings, clock: Callable[[], datetime] | None = None) -> Runtime:
    """Connect to the database; bind the channel policy to the template configuration."""
    engine = make_engine(settings.database_url)
    return Runtime(settings, engine, make_session_factory(engine),
                   ChannelPolicy(settings.templates, settings.subscriptions,
                                 public_url=settings.public_url), clock or utcnow)
