"""/m/bind: a stranger binds to the roster (姓名 + 手机后四位) by the chat's action, with
its brute-force limit and its answers."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, g, redirect, render_template, request
from flask.typing import ResponseReturnValue

from bot.console.request_db import db, save
from bot.pages.access import safe_next, visitor_openid, visitor_required
from bot.services import services_of
from core import texts
from core.bind_reading import read_bind_words
from models.actors import Surface
from models.members.actions import bind_wechat
from models.members.binding import BindOutcome, BindResult, bind_sentence

bp = Blueprint("bind", __name__)

log = logging.getLogger(__name__)

FIELD_MAX = 40  # a name is at most 20 characters, a phone number 11 digits and marks


@bp.route("/bind", methods=["GET", "POST"])
@visitor_required
def bind() -> ResponseReturnValue:
    """The binding form; a bound member is sent on to the page they asked for."""
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if g.get("member") is not None:  # bound already (here, in chat, another tab)
            return redirect(next_url)
        return render_template("pages/bind.html", next=next_url, name="", phone="", error=None)
    name = request.form.get("name", "")[:FIELD_MAX]
    phone = request.form.get("phone", "")[:FIELD_MAX]
    # the chat's reading: traditional characters, full-width digits, a whole number
    read = read_bind_words(f"{name} {phone}")
    if read.name is None or read.suffix is None:
        error = texts.PAGES_BIND_NAME if read.name is None else texts.PAGES_BIND_NUMBER
        return render_template("pages/bind.html", next=next_url, name=name, phone=phone,
                               error=error), 400
    services = services_of()
    result = bind_wechat(db(), visitor_openid(), read.name, read.suffix, services.clock(),
                         Surface.PAGE)
    save()  # a wrong guess counts, as in chat
    if result.outcome in (BindOutcome.BOUND, BindOutcome.ALREADY_BOUND_SELF):
        log.info("pages: a visitor bound to the roster (%s)", result.outcome.value)
        flash(answer(result))
        return redirect(next_url)
    log.info("pages: binding refused (%s)", result.outcome.value)
    return render_template("pages/bind.html", next=next_url, name=name, phone=phone,
                           error=answer(result)), 400


def answer(result: BindResult) -> str:
    """The chat's sentence for this outcome."""
    return bind_sentence(result, services_of().settings.tz)
