"""The dispatcher: feature routers included in a fixed order, catch-all last.

Text commands are matched by their word, longest first ("代请假" before "请假"), so
that members may type "签到1234" without a space. Everything else — message types,
events, menu clicks, QR scenes, the catch-all — goes to the first route, in router
order, that accepts it.
"""

from __future__ import annotations

from core import texts
from handlers import delivery_reports, general, meetings, membership, pairing, stats, study
from handlers.router import Context, Reply, Role, Route, Router, normalize_text

# Order matters for non-command routes: feature routers first, the catch-all last.
ROUTERS: list[Router] = [
    membership.router, meetings.router, stats.router, study.router, pairing.router,
    delivery_reports.router, general.router,
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
        self.commands = sorted(commands, key=lambda r: len(r.key), reverse=True)
        self._help_cache: dict[tuple[bool, bool, bool, bool], str] = {}

    def match_command(self, text: str) -> tuple[Route, list[str]] | None:
        """The command route for this (normalized) text and its arguments."""
        for route in self.commands:
            if text.startswith(route.key):
                return route, text[len(route.key):].split()
        return None

    def dispatch(self, ctx: Context) -> Reply:
        """Run the handler for `ctx.message` and return its reply."""
        ctx.dispatcher = self
        message = ctx.message
        if message.msg_type == "text":
            ctx.text = normalize_text(message.content)
            found = self.match_command(ctx.text)
            if found is not None:
                route, ctx.args = found
                ctx.word = route.key
                return route.run(ctx)
            return self._first(ctx, ("message", "text"), ("fallback", ""))
        if message.msg_type == "event":
            event = message.event or ""
            if event == "click":
                if message.event_key.startswith(MENU_COMMAND_PREFIX):
                    ctx.text = normalize_text(message.event_key[len(MENU_COMMAND_PREFIX):])
                    found = self.match_command(ctx.text)
                    if found is not None:
                        route, ctx.args = found
                        ctx.word = route.key
                        return route.run(ctx)
                    return self._first(ctx, ("fallback", ""))
                return self._first(ctx, ("menu", message.event_key), ("event", event))
            scene = _scene_of(message.event or "", message.event_key)
            if scene is not None:
                for route in self.routes:
                    if route.kind == "scene" and scene.startswith(route.key):
                        ctx.scene = scene
                        return route.run(ctx)
            return self._first(ctx, ("event", event))
        return self._first(ctx, ("message", message.msg_type))

    def _first(self, ctx: Context, *wanted: tuple[str, str]) -> Reply:
        for kind, key in wanted:
            for route in self.routes:
                if route.kind == kind and route.key == key and (
                    route.when is None or route.when(ctx)
                ):
                    return route.run(ctx)
        return None

    def help_text(self, ctx: Context) -> str:
        """帮助, generated from the registry: only what this user may do."""
        caller = ctx.caller
        roles = (caller is not None, bool(caller and caller.is_helper),
                 bool(caller and caller.is_admin), bool(caller and caller.is_org_admin))
        cached = self._help_cache.get(roles)
        if cached is None:
            lines = [texts.HELP_HEADER]
            lines += [
                texts.HELP_LINE.format(usage=r.usage, summary=r.summary)
                for r in self.routes
                if r.kind == "command" and r.role.allows(caller)
            ]
            if caller is None:
                lines.append(texts.HELP_UNBOUND_HINT)
            cached = self._help_cache[roles] = "\n".join(lines)
        return cached


def _scene_of(event: str, event_key: str) -> str | None:
    """The QR scene of a SCAN, or of a subscribe made by scanning (qrscene_...)."""
    if event == "scan" and event_key:
        return event_key
    if event == "subscribe" and event_key.startswith("qrscene_"):
        return event_key[len("qrscene_"):]
    return None


dispatcher = Dispatcher(ROUTERS)

__all__ = ["Context", "Dispatcher", "Role", "dispatcher"]
