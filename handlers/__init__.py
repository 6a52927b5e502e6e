"""The dispatcher: feature routers included in a fixed order, catch-all last.

Importing this package builds nothing: `build_dispatcher()` includes the routers, and
the app factory calls it (bot.services). `handlers.dispatcher`, for callers that want
the default one (tests, `partybot menu check`), is built on first use.

Text is read by core.reading's tolerant reader ("签到：1234", "签 到 一二三四。",
"请假2255有事", "学完了"), and a command runs when its word was read and its arguments
fit. Everything else — other text, message types, events, menu clicks, QR scenes, the
catch-all — goes to the first route, in router order, that accepts it.
"""

from __future__ import annotations

import functools
from typing import Any

from core import texts, words
from core.conversation import has_placeholders, says_arrived, tidy_quotes, without_placeholders
from core.reading import Reader, Reading
from core.reply_pagination import first_page
from handlers import (
    console_login,
    conversation,
    delivery_reports,
    evaluation,
    general,
    leave,
    meeting_changes,
    meetings,
    membership,
    new_meeting,
    pairing,
    posting,
    reviews,
    stats,
    study,
    subscriptions,
    survey,
)
from handlers.router import Context, Reply, Role, Route, Router, Sender
from models.delivery.reply_rest import keep_rest, secret_rest


def routers() -> list[Router]:
    """The feature routers in dispatch order: order matters for non-command routes,
    feature routers first, the catch-all last."""
    return [
        membership.router, meetings.router, leave.router, new_meeting.router,
        meeting_changes.router, stats.router, posting.router,
        study.router, pairing.router, console_login.router, delivery_reports.router,
        evaluation.router,
        reviews.router,
        subscriptions.router, conversation.router, general.router,
        survey.router,  # issue 28: a command only, so after the catch-all is fine
    ]


# Menu buttons (bot/menu.py) send "CMD:<command word>": a click runs that command.
MENU_COMMAND_PREFIX = "CMD:"


class Dispatcher:
    """Routes a message to one handler; built once, before the first message."""

    def __init__(self, routers: list[Router]) -> None:
        self.routes: list[Route] = [route for router in routers for route in router.routes]
        commands = [r for r in self.routes if r.kind == "command"]
        words = [r.key for r in commands]
        duplicated = {w for w in words if words.count(w) > 1}
        if duplicated:
            raise ValueError(f"command words registered twice: {sorted(duplicated)}")
        self.by_word = {route.key: route for route in commands}
        self.captures = [r for r in self.routes if r.kind == "capture"]
        self.reader = Reader(self.by_word)
        self._help_cache: dict[tuple[bool, ...], str] = {}

    def read(self, text: str) -> Reading:
        """How the reader reads `text` against this dispatcher's command words."""
        return self.reader.read(text)

    def command_for(self, ctx: Context, text: str) -> Route | None:
        """Read `text` into `ctx`; the command route it names, if its arguments fit."""
        reading = ctx.reading = self._read_as_meant(text)
        ctx.text = reading.normalized
        route = self.by_word.get(reading.word)
        if route is None or not route.takes.fit(reading.args):
            return None
        ctx.word, ctx.args = route.key, reading.args
        return route

    def _read_as_meant(self, text: str) -> Reading:
        """The reading of `text`, with two things old members say read as commands:
        "I'm here" in any words (我到了, 来了, 报到) is 签到, and help's placeholder
        brackets copied with a command ("请假 <4587> ‹家里有事>") are not part of it."""
        reading = self.reader.read(text)
        if not reading.word and says_arrived(text):
            return Reading(text, words.CMD_CHECK_IN, (), reading.normalized)
        if reading.word in words.PLACEHOLDER_COMMANDS and has_placeholders(text):
            return self.reader.read(without_placeholders(text))
        return reading

    def dispatch(self, ctx: Context) -> Reply:
        """Run the handler for `ctx.message` and return its reply, cut to one WeChat
        message (the rest waits for 更多)."""
        return fit_reply(ctx, self._dispatch(ctx))

    def _dispatch(self, ctx: Context) -> Reply:
        ctx.dispatcher = self
        message = ctx.message
        if message.msg_type == "text":
            return self.dispatch_text(ctx, message.content)
        if message.msg_type == "event":
            event = message.event or ""
            if event == "click":
                if message.event_key.startswith(MENU_COMMAND_PREFIX):
                    route = self.command_for(ctx, message.event_key[len(MENU_COMMAND_PREFIX):])
                    return route.run(ctx) if route else self._first(ctx, ("fallback", ""))
                return self._first(ctx, ("menu", message.event_key), ("event", event))
            scene = _scene_of(message.event or "", message.event_key)
            if scene is not None:
                for route in self.routes:
                    if route.kind == "scene" and scene.startswith(route.key):
                        ctx.scene = scene
                        return route.run(ctx)
            return self._first(ctx, ("event", event))
        if message.msg_type == "voice":
            return self.dispatch_voice(ctx)
        return self._first(ctx, ("message", message.msg_type))

    def dispatch_voice(self, ctx: Context) -> Reply:
        """A voice message: when WeChat recognised a command in it ("签到，一二三四。"),
        that command runs, and the reply says what was heard; otherwise the voice
        routes (a 心得, a helper's proof, or what was heard and how to go on)."""
        heard = (ctx.message.get("Recognition") or "").strip()
        if heard:
            route = self.command_for(ctx, heard)
            if route is not None:
                reply = route.run(ctx)
                if isinstance(reply, str) and reply:
                    return texts.VOICE_RAN.format(text=heard[:60]) + reply
                return reply
        return self._first(ctx, ("message", "voice"))

    def answer_text_routes(self, ctx: Context) -> Reply:
        """The reply of the text routes (bare 签到码, small talk, questions) to
        `ctx.text`, without the catch-all: None when none takes it."""
        return self._first(ctx, ("message", "text"))

    def topic_help(self, route: Route) -> str:
        """帮助 for one command: how to type it, what it does, an example."""
        example = texts.COMMAND_EXAMPLES.get(route.key)
        line = texts.HELP_LINE.format(usage=route.usage, summary=route.summary)
        return line + (texts.HELP_EXAMPLE.format(example=example) if example else "")

    def dispatch_text(self, ctx: Context, text: str) -> Reply:
        """A text (typed, or recognised from speech): a capture that takes it (a draft
        being written), its command, or the first text route that takes it (bare
        签到码, 心得, small talk, questions), or the catch-all."""
        route = self.command_for(ctx, text)
        for capture in self.captures:
            if capture.when is None or capture.when(ctx):
                return capture.run(ctx)
        if route is not None:
            return route.run(ctx)
        return self._first(ctx, ("message", "text"), ("fallback", ""))

    def _first(self, ctx: Context, *wanted: tuple[str, str]) -> Reply:
        for kind, key in wanted:
            for route in self.routes:
                if route.kind == kind and route.key == key and (
                    route.when is None or route.when(ctx)
                ):
                    return route.run(ctx)
        return None

    def help_text(self, ctx: Context, everything: bool = False) -> str:
        """帮助, generated from the registry: the few commands this person uses most
        (8 lines at most, for an old phone's screen), or with `everything`, all they may
        use; 帮助 <命令> explains one."""
        caller = ctx.caller
        roles = (caller is not None, bool(caller and caller.is_helper),
                 bool(caller and caller.is_admin), bool(caller and caller.is_org_admin),
                 everything)
        cached = self._help_cache.get(roles)
        if cached is None:
            allowed = [r for r in self.routes if r.kind == "command" and r.role.allows(caller)
                       and not (caller is not None and r.key == words.CMD_BIND)]
            if everything:
                lines = [texts.HELP_HEADER]
                lines += [texts.HELP_LINE.format(usage=r.usage, summary=r.summary)
                          for r in allowed]
            else:
                first = _help_words(caller)
                shown = [r for word in first for r in allowed if r.key == word]
                lines = [texts.HELP_HEADER]
                lines += [texts.HELP_SHORT_LINE.format(usage=r.usage, summary=r.summary)
                          for r in shown]
                lines.append(texts.HELP_UNBOUND_HINT if caller is None else texts.HELP_MORE)
            cached = self._help_cache[roles] = "\n".join(lines)
        return cached


def fit_reply(ctx: Context, reply: Reply) -> Reply:
    """A text reply longer than WeChat's 2,048 bytes: its first page, ending with how to
    see more; the rest is kept for 更多."""
    if not isinstance(reply, str):
        return reply
    whole = tidy_quotes(reply)
    page, rest = first_page(whole, texts.MORE_FOOTER)
    if rest and ctx.secret_reply:  # not the choices: 更多 runs the command again
        keep_rest(ctx.session, ctx.openid, secret_rest(
            ctx.secret_command or ctx.word, ctx.secret_shown + len(whole) - len(rest)), ctx.now)
    elif rest:
        keep_rest(ctx.session, ctx.openid, rest, ctx.now)
    return page


def _help_words(caller: Sender | None) -> tuple[str, ...]:
    if caller is None:
        return words.HELP_FOR_STRANGER
    if caller.is_admin:
        return words.HELP_FOR_ADMIN
    if caller.is_org_admin:
        return words.HELP_FOR_ORG_ADMIN
    if caller.is_helper:
        return words.HELP_FOR_HELPER
    return words.HELP_FOR_MEMBER


def _scene_of(event: str, event_key: str) -> str | None:
    """The QR scene of a SCAN, or of a subscribe made by scanning (qrscene_...)."""
    if event == "scan" and event_key:
        return event_key
    if event == "subscribe" and event_key.startswith("qrscene_"):
        return event_key[len("qrscene_"):]
    return None


def build_dispatcher() -> Dispatcher:
    """A dispatcher over every feature router, in order."""
    return Dispatcher(routers())


@functools.cache
def default_dispatcher() -> Dispatcher:
    """The process's default dispatcher, built on first use (routers never change after
    import, so one is enough)."""
    return build_dispatcher()


def __getattr__(name: str) -> Any:
    # `from handlers import dispatcher` builds the default dispatcher then, not at import.
    if name == "dispatcher":
        return default_dispatcher()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Context", "Dispatcher", "Role", "build_dispatcher", "default_dispatcher",
           "routers"]
