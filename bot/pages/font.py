"""The font-size switch (标准 / 大 / 特大) on every page, remembered per member."""

from __future__ import annotations

from flask import Blueprint, redirect, request
from flask.typing import ResponseReturnValue

from bot.console.request_db import db, save
from bot.pages.access import current_member, member_required, safe_next
from bot.services import services_of
from models.members.preferences import font_size_of, set_font_size

bp = Blueprint("font", __name__)


@bp.post("/font")
@member_required
def choose() -> ResponseReturnValue:
    """Remember the size chosen and show the same page again."""
    set_font_size(db(), current_member().id, font_size_of(request.form.get("size")),
                  services_of().clock())
    save()
    return redirect(safe_next(request.form.get("next")))
