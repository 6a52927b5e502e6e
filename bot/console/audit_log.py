"""The audit log page: every change made in the account's org and below, from every
surface (chat, console, CLI, jobs …), newest first; narrowed by a GET form — surface,
actor (part of a name), org (one in the account's scope, with everything below it) and a
date range in the account's time zone. A filter value that cannot be used is named in a
message and left out; the page is always shown. Each entry's before and after are read
out in words (models.console.audit_display): what changed, in Chinese, at local times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from bot.console.access import current_account, form_id, login_required
from bot.console.request_db import db
from bot.services import services_of
from core import texts, words
from core.localtime import local_range
from models.actors import Surface
from models.console.accounts import scope_ids
from models.console.audit import AuditFilter, entries_for
from models.console.audit_display import describe, member_names_in
from models.members.org_tables import Org
from models.members.org_tree import tree_below

bp = Blueprint("audit", __name__)  # registered under the console in bot/console/__init__.py

SHOWN = 200
ACTOR_CHARS = 50  # longer than any name; a pasted paragraph is cut, not searched
# Dates a browser's date field can send and our timestamps can hold in any zone.
FIRST_YEAR, LAST_YEAR = 1970, 9998


@dataclass
class AskedFilter:
    """The form as typed (to show back in its fields) and what could be used of it."""

    typed: dict[str, str]
    only: AuditFilter
    problems: list[str] = field(default_factory=list)

    @property
    def narrowed(self) -> bool:
        """Whether anything narrows the list."""
        return self.only != AuditFilter()


def _day(raw: str) -> date | None:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def read_filter(args: MultiDict[str, str], scope: set[int], tz: ZoneInfo) -> AskedFilter:
    """The audit filter asked for in the query string; what is wrong is left out."""
    typed = {name: args.get(name, "").strip()[:100] for name in
             ("surface", "actor", "org", "since", "until")}
    problems: list[str] = []
    surface: Surface | None = None
    if typed["surface"]:
        if typed["surface"] in {s.value for s in Surface}:
            surface = Surface(typed["surface"])
        else:
            problems.append(texts.AUDIT_BAD_SURFACE)
    # no control characters (PostgreSQL refuses a NUL in a string), and a bounded length
    actor = "".join(ch for ch in typed["actor"] if ch.isprintable())[:ACTOR_CHARS].strip()
    org_id: int | None = None
    if typed["org"]:
        asked_org = form_id(typed["org"])
        if asked_org is not None and asked_org in scope:
            org_id = asked_org
        else:  # another branch's id reads as no org at all: nothing outside the scope
            problems.append(texts.AUDIT_BAD_ORG)
    days: dict[str, date | None] = {}
    for name, label in (("since", words.AUDIT_FILTER_SINCE), ("until", words.AUDIT_FILTER_UNTIL)):
        days[name] = _day(typed[name]) if typed[name] else None
        if typed[name] and days[name] is None:
            problems.append(texts.AUDIT_BAD_DATE.format(field=label))
    since, until = days["since"], days["until"]
    if since is not None and until is not None and since > until:
        problems.append(texts.AUDIT_DATES_REVERSED)
    only = AuditFilter(
        surface=surface, actor=actor or None, org_id=org_id,
        since=local_range(since, since, tz)[0] if since is not None else None,
        until=local_range(until, until, tz)[1] if until is not None else None)
    return AskedFilter(typed, only, problems)


@bp.get("/audit")
@login_required
def audit_log() -> ResponseReturnValue:
    """Changes in the account's org and below, newest first, as the form narrows them."""
    session = db()
    account = current_account()
    scope = scope_ids(session, account)
    asked = read_filter(request.args, scope, services_of().settings.tz)
    entries = entries_for(session, scope, SHOWN, asked.only)
    names = {org_id: name for org_id, name in session.execute(
        select(Org.id, Org.name).where(Org.id.in_({e.org_id for e in entries})))} \
        if entries else {}
    tz = services_of().settings.tz
    members = member_names_in(session, entries)
    changes = {entry.id: describe(entry, tz, members) for entry in entries}
    return render_template("console/audit.html", entries=entries, names=names,
                           changes=changes, tz=tz, shown=SHOWN, asked=asked,
                           orgs=tree_below(session, account.org_id),
                           surface_names=words.SURFACE_NAMES,
                           action_names=words.AUDIT_ACTION_NAMES)
