"""Router, handler context, role checks and the reply types.

Every handler has one signature, `handler(ctx: Context) -> Reply`, and is registered
on its module's `Router` with a decorator that says what it answers (a command word,
a message type, an event, a menu key or a QR scene prefix) and who may use it. The
role check lives in the decorator, so a handler body only ever sees allowed users.
"""

from __future__ import annotations

import inspect
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from bot.wxml import Article, Inbound
from handlers import texts

if TYPE_CHECKING:
    from bot.config import Settings
    from models.member import Member


class Role(Enum):
    """Who may use a handler."""

    ANYONE = "anyone"
    MEMBER = "member"  # bound to the roster
    HELPER = "helper"  # bound and marked 帮扶人
    ADMIN = "admin"  # bound and a branch admin

    def allows(self, member: Member | None) -> bool:
        """Whether `member` (None: not bound) has this role."""
        if self is Role.ANYONE:
            return True
        if member is None:
            return False
        if self is Role.HELPER:
            return member.is_helper
        if self is Role.ADMIN:
            return member.is_admin
        return True

    def refusal(self) -> str:
        """What to tell someone who lacks this role."""
        return {
            Role.MEMBER: texts.NEED_BINDING,
            Role.HELPER: texts.NEED_HELPER,
            Role.ADMIN: texts.NEED_ADMIN,
        }.get(self, texts.NEED_BINDING)


class DomainError(Exception):
    """A request that cannot be done; the message is a polite Chinese reply.

    Raising it rolls back whatever the handler changed.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class News:
    """A news (图文) reply."""

    articles: list[Article]


# A handler answers with text, a news reply, or None ("success": nothing to say).
Reply = str | News | None


@dataclass
class Context:
    """What a handler gets: the message, a session (never committed here), the time."""

    session: Session
    message: Inbound
    now: datetime
    settings: Settings
    text: str = ""  # normalized text content for text messages
    args: list[str] = field(default_factory=list)  # words after the command word
    dispatcher: Any = None  # the Dispatcher running this handler (帮助 reads its registry)
    scene: str = ""  # the QR scene of a SCAN or scan-to-follow, without "qrscene_"
    _member: Any = field(default=False, repr=False)  # False = not looked up yet

    @property
    def openid(self) -> str:
        """The sender."""
        return self.message.from_user

    @property
    def member(self) -> Member | None:
        """The roster member bound to the sender, looked up once."""
        if self._member is False:
            from models.member import member_by_openid

            self._member = member_by_openid(self.session, self.openid)
        return self._member

    def forget_member(self) -> None:
        """Drop the cached member (after binding or unbinding changed it)."""
        self._member = False


Handler = Callable[[Context], Reply]


@dataclass(frozen=True)
class Route:
    """One registered handler and what it answers."""

    handler: Handler
    role: Role
    kind: str  # "command", "message", "event", "menu", "scene", "fallback"
    key: str = ""  # command word, message type, event name, menu key or scene prefix
    usage: str = ""  # how to type a command, for 帮助
    when: Callable[[Context], bool] | None = None

    @property
    def summary(self) -> str:
        """First line of the handler's docstring (shown in 帮助)."""
        doc = inspect.getdoc(self.handler) or ""
        return doc.splitlines()[0] if doc else ""

    def run(self, ctx: Context) -> Reply:
        """Check the role, then call the handler."""
        if not self.role.allows(ctx.member if self.role is not Role.ANYONE else None):
            return self.role.refusal()
        return self.handler(ctx)


class Router:
    """Handlers of one feature module, in registration order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.routes: list[Route] = []

    def _register(self, kind: str, key: str, role: Role, usage: str = "",
                  when: Callable[[Context], bool] | None = None) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            self.routes.append(Route(handler, role, kind, key, usage, when))
            return handler

        return decorator

    def command(self, word: str, role: Role = Role.ANYONE,
                usage: str = "") -> Callable[[Handler], Handler]:
        """A text command: the message starts with `word`, the rest are `ctx.args`."""
        return self._register("command", normalize_text(word), role, usage or word)

    def message(self, msg_type: str, role: Role = Role.ANYONE,
                when: Callable[[Context], bool] | None = None) -> Callable[[Handler], Handler]:
        """A message type (image, voice, location, text...), optionally only `when`."""
        return self._register("message", msg_type.lower(), role, when=when)

    def event(self, name: str, role: Role = Role.ANYONE) -> Callable[[Handler], Handler]:
        """An event (subscribe, unsubscribe, templatesendjobfinish...)."""
        return self._register("event", name.lower(), role)

    def menu(self, key: str, role: Role = Role.ANYONE) -> Callable[[Handler], Handler]:
        """A click on the menu button with this key."""
        return self._register("menu", key, role)

    def scene(self, prefix: str, role: Role = Role.ANYONE) -> Callable[[Handler], Handler]:
        """A parametric QR scan whose scene starts with `prefix` (SCAN or subscribe)."""
        return self._register("scene", prefix, role)

    def fallback(self, role: Role = Role.ANYONE) -> Callable[[Handler], Handler]:
        """Any text nothing else answered (register it in the last router)."""
        return self._register("fallback", "", role)


def normalize_text(text: str) -> str:
    """Full-width letters, digits and spaces to ASCII; runs of spaces to one; trimmed.

    Members type on phones with Chinese input methods: "签到　１２３４" must work.
    """
    return " ".join(unicodedata.normalize("NFKC", text).split())
