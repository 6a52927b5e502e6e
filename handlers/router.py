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
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from core import texts
from core.config import Settings
from core.reading import Reading
from core.wxml import Article, Inbound
from models.actors import Actor, Surface
from models.delivery.outbox import ChannelPolicy
from models.errors import DomainError
from models.members.queries import Caller
from models.members.tables import Member

__all__ = ["Context", "DomainError", "News", "Reply", "Role", "Route", "Router", "Sender",
           "Takes"]


class Role(Enum):
    """Who may use a handler."""

    ANYONE = "anyone"
    MEMBER = "member"  # bound to the roster
    HELPER = "helper"  # bound and marked 帮扶人
    ADMIN = "admin"  # bound and a branch admin
    ANY_ADMIN = "any_admin"  # a branch admin or an org admin (township / county)

    def allows(self, caller: Sender | Caller | None) -> bool:
        """Whether `caller` (None: not bound) has this role."""
        if self is Role.ANYONE:
            return True
        if caller is None:
            return False
        if self is Role.HELPER:
            return caller.is_helper
        if self is Role.ADMIN:
            return caller.is_admin
        if self is Role.ANY_ADMIN:
            return caller.is_admin or caller.is_org_admin
        return True

    def refusal(self) -> str:
        """What to tell someone who lacks this role."""
        return {
            Role.MEMBER: texts.NEED_BINDING,
            Role.HELPER: texts.NEED_HELPER,
            Role.ADMIN: texts.NEED_ADMIN,
            Role.ANY_ADMIN: texts.NEED_ADMIN,
        }.get(self, texts.NEED_BINDING)


class Takes(Enum):
    """What a command's arguments look like. A message that starts with a command word
    but does not fit is not that command: "学习了党章，很受教育" is a 心得, not 学习."""

    ANYTHING = "anything"
    NOTHING = "nothing"  # 会议, 我的, 统计 …
    NUMBER = "number"  # nothing, or one number (学习 12)
    TOPIC = "topic"  # nothing, or one word (帮助 签到)

    def fit(self, args: list[str]) -> bool:
        """Whether `args` can be this command's arguments."""
        if self is Takes.NOTHING:
            return not args
        if self is Takes.NUMBER:
            return not args or (len(args) == 1 and any(c.isdigit() for c in args[0]))
        if self is Takes.TOPIC:
            return len(args) <= 1
        return True


@dataclass(frozen=True)
class News:
    """A news (图文) reply."""

    articles: list[Article]


# A handler answers with text, a news reply, or None ("success": nothing to say).
Reply = str | News | None


class Sender:
    """Who is writing, bound to the roster — the one object a handler asks: ids and roles
    from the inbox's one-statement lookup (no ORM load: the busiest commands need only
    these), the member's row on first use, and the actor of their changes."""

    __slots__ = ("_context", "_member", "branch_id", "is_admin", "is_helper", "is_org_admin",
                 "member_id", "name")

    def __init__(self, found: Caller, context: Context) -> None:
        self.member_id = found.member_id
        self.name = found.name
        self.branch_id = found.branch_id
        self.is_admin = found.is_admin
        self.is_helper = found.is_helper
        self.is_org_admin = found.is_org_admin
        self._context = context
        self._member: Member | None = None

    @property
    def member(self) -> Member:
        """The sender's row (loaded once, in the request's session)."""
        if self._member is None:
            member = self._context.session.get(Member, self.member_id)
            if member is None:  # unbound or removed since the lookup, in this transaction
                raise LookupError(f"member {self.member_id} is gone")
            self._member = member
        return self._member

    @property
    def actor(self) -> Actor:
        """The sender as the actor of a change (the audit log's "who", surface chat)."""
        return Actor.member(self.member_id, self.name, Surface.CHAT)


@dataclass
class Context:
    """What a handler gets: the message, the time, and the request's transaction.

    `session` is an ORM Session on the request's connection and transaction, made on
    first use; handlers flush but never commit (the inbox commits, with the message's
    dedupe key, or rolls everything back). `outbox` queues notices under the channel
    policy, built once per process.
    """

    connection: Connection
    message: Inbound
    now: datetime
    settings: Settings
    outbox: ChannelPolicy
    lookup_caller: Callable[[], Caller | None]  # the inbox's one-statement lookup
    text: str = ""  # normalized text content for text messages
    word: str = ""  # the command word matched (for usage replies)
    args: list[str] = field(default_factory=list)  # words after the command word
    reading: Reading | None = None  # how the text was read (Reading.rest: free text as typed)
    dispatcher: Any = None  # the Dispatcher running this handler (帮助 reads its registry)
    scene: str = ""  # the QR scene of a SCAN or scan-to-follow, without "qrscene_"
    # The reply names the sender's secret-ballot choices (民主评议): it is sent, but the
    # copy kept with the openid for WeChat's retries (inbound_message) is a neutral text.
    secret_reply: bool = False
    secret_shown: int = 0  # 更多 of a secret reply: the characters shown before this page
    secret_command: str = ""  # 更多 of a secret reply: the command that made it
    _session: Session | None = field(default=None, repr=False)
    _caller: Any = field(default=False, repr=False)  # False = not looked up yet

    @property
    def openid(self) -> str:
        """The sender."""
        return self.message.from_user

    @property
    def session(self) -> Session:
        """An ORM session joined to this request's transaction."""
        if self._session is None:
            self._session = Session(bind=self.connection, expire_on_commit=False)
        return self._session

    @property
    def caller(self) -> Sender | None:
        """Who is writing (None: not bound to the roster), looked up once. Handlers open
        to anyone ask this; handlers whose role requires binding use `me`."""
        if self._caller is False:
            if self._session is not None:
                self._session.flush()  # let the lookup see the handler's own changes
            found = self.lookup_caller()
            self._caller = None if found is None else Sender(found, self)
        caller: Sender | None = self._caller
        return caller

    @property
    def me(self) -> Sender:
        """The bound sender, in handlers whose role requires binding (the router has
        checked the role before the handler runs)."""
        caller = self.caller
        if caller is None:
            raise LookupError("ctx.me used in a handler open to unbound users")
        return caller

    @property
    def tz(self) -> ZoneInfo:
        """The account's zone."""
        return self.settings.tz

    def rest(self, index: int) -> str:
        """Free text from argument `index` on, exactly as typed (a reason, a topic)."""
        if self.reading is not None and self.reading.word == self.word:
            return self.reading.rest(index)
        return " ".join(self.args[index:])

    def forget_member(self) -> None:
        """Look the caller up again next time (after binding or unbinding)."""
        self._caller = False

    def finish(self) -> None:
        """Flush the handler's ORM changes into the transaction and release the session."""
        if self._session is not None:
            self._session.flush()
            self._session.close()
            self._session = None

    def discard(self) -> None:
        """Drop the session without flushing (the transaction is being rolled back)."""
        if self._session is not None:
            self._session.close()
            self._session = None


Handler = Callable[[Context], Reply]


@dataclass(frozen=True)
class Route:
    """One registered handler and what it answers."""

    handler: Handler
    role: Role
    kind: str  # "command", "capture", "message", "event", "menu", "scene", "fallback"
    key: str = ""  # command word, message type, event name, menu key or scene prefix
    usage: str = ""  # how to type a command, for 帮助
    when: Callable[[Context], bool] | None = None
    takes: Takes = Takes.ANYTHING
    refusal: str = ""  # catalog key of the refusal, when the role's own does not fit

    @property
    def summary(self) -> str:
        """First line of the handler's docstring (shown in 帮助)."""
        doc = inspect.getdoc(self.handler) or ""
        return doc.splitlines()[0] if doc else ""

    def run(self, ctx: Context) -> Reply:
        """Check the role, then call the handler."""
        if not self.role.allows(ctx.caller if self.role is not Role.ANYONE else None):
            return getattr(texts, self.refusal) if self.refusal else self.role.refusal()
        return self.handler(ctx)


class Router:
    """Handlers of one feature module, in registration order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.routes: list[Route] = []

    def _register(self, kind: str, key: str, role: Role, usage: str = "",
                  when: Callable[[Context], bool] | None = None,
                  takes: Takes = Takes.ANYTHING,
                  refusal: str = "") -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            self.routes.append(Route(handler, role, kind, key, usage, when, takes, refusal))
            return handler

        return decorator

    def command(self, word: str, role: Role = Role.ANYONE, usage: str = "",
                takes: Takes = Takes.ANYTHING) -> Callable[[Handler], Handler]:
        """A text command: the message starts with `word` (as core.reading reads it),
        the rest are `ctx.args`."""
        return self._register("command", normalize_text(word), role, usage or word,
                              takes=takes)

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

    def scene(self, prefix: str, role: Role = Role.ANYONE,
              refusal: str = "") -> Callable[[Handler], Handler]:
        """A parametric QR scan whose scene starts with `prefix` (SCAN or subscribe);
        `refusal` names the catalog sentence for someone without the role (a scan says
        what binding is for)."""
        return self._register("scene", prefix, role, refusal=refusal)

    def capture(self, role: Role = Role.ANYONE,
                when: Callable[[Context], bool] | None = None) -> Callable[[Handler], Handler]:
        """Text taken before any command while `when` holds (something being written
        over several messages, like a post): the message is read first, so `when` can
        let a few command words through."""
        return self._register("capture", "", role, when=when)

    def fallback(self, role: Role = Role.ANYONE) -> Callable[[Handler], Handler]:
        """Any text nothing else answered (register it in the last router)."""
        return self._register("fallback", "", role)


def normalize_text(text: str) -> str:
    """Full-width letters, digits and spaces to ASCII; runs of spaces to one; trimmed.

    Members type on phones with Chinese input methods: "签到　１２３４" must work.
    """
    return " ".join(unicodedata.normalize("NFKC", text).split())
