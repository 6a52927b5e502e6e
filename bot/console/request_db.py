"""One database session per console request, and one answer to every refusal.

A view asks for `db()` when it needs the database (opened lazily, so a page that only
redirects opens none), calls its feature's action, and `save()`s when the action has
decided; the teardown closes the session, so anything not saved is rolled back.

A `DomainError` raised by an action (or by a view's own form checks) is answered here,
once, for every view: the session is rolled back, the reason logged, and the catalog
sentence shown — on the form it came from, with what was typed kept, when the view
said which form that is (`refusal_form`); otherwise flashed on the page the admin came
from (or `refusal_goes_to`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.services import services_of
from models.db.write_gate import write_session
from models.errors import DomainError

log = logging.getLogger(__name__)

T = TypeVar("T")
FormPage = Callable[[str], str]  # the sentence -> the form's page, rendered


def db() -> Session:
    """This request's session (opened on first use)."""
    found: Session | None = g.get("console_db")
    if found is None:
        found = g.console_db = services_of().sessions()
    return found


def save() -> None:
    """Commit what the request's action decided."""
    _commit(db())


def committed(work: Callable[[Session], T]) -> T:
    """Run `work` in a short transaction of its own, committed at once and apart from the
    request's session (on SQLite with the write lock taken up front): the login
    bookkeeping that must be visible before the request goes on — a password try counted
    before scrypt runs, a session started before its cookie is set, a ticket used up."""
    with write_session(services_of().engine) as session:
        result = work(session)
        _commit(session)
    return result


def _commit(session: Session) -> None:
    session.commit()  # the console's one commit: the request's session, or `committed`


def close_db(_error: BaseException | None = None) -> None:
    """Teardown: close the request's session; whatever was not saved is rolled back."""
    found: Session | None = g.pop("console_db", None)
    if found is not None:
        found.close()


def refusal_form(render: FormPage) -> None:
    """If an action refuses, answer with this form (given the sentence), status 400."""
    g.console_refusal_form = render


def refusal_goes_to(url: str) -> None:
    """If an action refuses, flash the sentence on this page."""
    g.console_refusal_to = url


def refused(error: DomainError) -> ResponseReturnValue:
    """The one handler for a refused console change."""
    found: Session | None = g.get("console_db")
    if found is not None:
        # a wrong guess stays counted (as in chat); anything else is undone
        found.commit() if error.keep_writes else found.rollback()
    log.info("console: %s %s refused: %s", request.method, request.endpoint, error.key)
    sentence = error.render()
    render: FormPage | None = g.pop("console_refusal_form", None)
    if render is not None:
        return render(sentence), 400
    flash(sentence)
    return redirect(g.get("console_refusal_to") or _page_came_from())


def _page_came_from() -> str:
    """The console page the form was on (same host, under /admin), else the home page."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/admin"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("console.overview.overview")
