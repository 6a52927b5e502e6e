"""一帮一 and delivery in the console, per branch.

一帮一: the pairs (unpair), stored suggestions with their reasons (apply or reject one
by one; 生成建议 runs the same matching as `partybot pairs suggest` for this branch),
relay completion this month and the members not reached. Delivery: how the branch's
notices went out per channel, what is held or failed and why (WeChat's reason in
Chinese), who cannot be reached at all, and the photos the branch stores against its
quotas (township and county staff: their whole scope; the county: the free disk). The
changes are models.pairing.actions (the same the chat and `partybot pairs` call), the
reading models.pairing.matching, models.pairing.reports, models.delivery.reach and
models.db.stored_files — the chat's 统计 reads the same.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.console.access import (
    branch_in_scope,
    console_actor,
    current_account,
    form_id,
    login_required,
)
from bot.console.request_db import db, refusal_goes_to, save
from bot.console.uploads import free_disk
from bot.services import services_of
from core import texts, words
from core.localtime import start_of_day, start_of_month
from models.db.stored_files import Usage, megabytes, usage
from models.delivery.reach import (
    branch_reach,
    failure_text,
    recent_failures,
    unreachable_members,
)
from models.errors import PairingError
from models.members.org_tables import Org
from models.members.orgs import subtree_query
from models.members.tables import Member
from models.pairing.actions import (
    apply_suggestion,
    end_pair,
    generate_suggestions,
    reject_suggestion,
)
from models.pairing.matching import names_needing_a_helper, waiting_suggestions
from models.pairing.reports import branch_pair_report
from models.pairing.tables import HelpPair

bp = Blueprint("pairs", __name__)  # registered under the console in bot/console/__init__.py

REACH_DAYS = (7, 30, 90)


def _pairs_of(session: Session, branch_id: int) -> list[tuple[int, str, str, str | None]]:
    helper = aliased(Member)
    return [(member_id, member, helper_name, note) for member_id, member, helper_name, note in
            session.execute(select(Member.id, Member.name, helper.name,
                                   Member.needs_help_note)
                            .join(HelpPair, HelpPair.member_id == Member.id)
                            .join(helper, helper.id == HelpPair.helper_id)
                            .where(Member.branch_id == branch_id, HelpPair.ended_at.is_(None))
                            .order_by(helper.name, Member.name))]


@bp.get("/branch/<int:branch_id>/pairs")
@login_required
def pairs(branch_id: int) -> ResponseReturnValue:
    """The branch's 一帮一: pairs, suggestions, this month's relays."""
    services = services_of()
    now = services.clock()
    session = db()
    org = branch_in_scope(session, branch_id)
    report = branch_pair_report(session, branch_id, start_of_month(now, services.settings.tz),
                                now)
    needing = names_needing_a_helper(session, branch_id)
    return render_template("console/pairs.html", org=org, pairs=_pairs_of(session, branch_id),
                           suggestions=waiting_suggestions(session, [branch_id]),
                           report=report, needing=needing)


@bp.post("/branch/<int:branch_id>/pairs")
@login_required
def change_pairs(branch_id: int) -> ResponseReturnValue:
    """suggest | apply <member> | reject <member> | end <member>."""
    services = services_of()
    now = services.clock()
    capacity = services.settings.helper_capacity
    action = request.form.get("action", "")
    member_id = form_id(request.form.get("member"))
    session = db()
    branch_in_scope(session, branch_id)
    here = url_for("console.pairs.pairs", branch_id=branch_id)
    refusal_goes_to(here)
    member = session.get(Member, member_id) if member_id else None
    actor = console_actor()
    if action == "suggest":
        found, made, unmatched = generate_suggestions(session, actor, [branch_id], now, capacity)
        message = texts.CONSOLE_PAIRS_SUGGESTED.format(
            needing=len(found.needing), suggested=len(made), unmatched=len(unmatched)) \
            if found.needing else texts.CONSOLE_PAIRS_NONE_NEEDED
    elif member is None or member.branch_id != branch_id:  # not this branch's to change
        raise PairingError("PAIR_SUGGESTION_GONE")
    elif action == "apply":
        pair = apply_suggestion(session, actor, member.id, now, capacity)
        message = texts.CONSOLE_PAIR_MADE.format(helper=pair.helper.name, member=member.name)
    elif action == "reject":
        reject_suggestion(session, actor, member.id, now)
        message = texts.CONSOLE_PAIR_REJECTED
    elif action == "end":
        pair = end_pair(session, actor, member, now)
        message = texts.CONSOLE_PAIR_ENDED.format(helper=pair.helper.name, member=member.name)
    else:
        raise PairingError("PAIR_SUGGESTION_GONE")
    save()
    flash(message)
    return redirect(here)


@bp.get("/branch/<int:branch_id>/reach")
@login_required
def reach(branch_id: int) -> ResponseReturnValue:
    """How the branch's notices reached its members over the last 7, 30 or 90 days."""
    services = services_of()
    days = request.args.get("days", type=int) or 30
    days = days if days in REACH_DAYS else 30
    since = services.clock() - timedelta(days=days)
    session = db()
    org = branch_in_scope(session, branch_id)
    found = branch_reach(session, branch_id, since)
    reasons = [(failure_text(key), count) for key, count in found.failed.most_common()]
    return render_template(
        "console/reach.html", org=org, reach=found, reasons=reasons, days=days,
        choices=REACH_DAYS, unreachable=unreachable_members(session, branch_id),
        failures=recent_failures(session, branch_id, since), tz=services.settings.tz,
        failure_text=failure_text, kind_names=words.NOTICE_KIND_NAMES,
        storage=_storage(session, branch_id), mb=megabytes)


def _storage(session: Session, branch_id: int) -> dict[str, object]:
    """The branch's stored photos against its quotas; staff also see their scope's
    total, and the county (the top of the tree) the free space of the instance folder's
    disk, which every org's photos share."""
    services = services_of()
    settings = services.settings
    day = start_of_day(services.clock(), settings.tz)
    account = current_account()
    found: dict[str, object] = {"branch": usage(session, [branch_id], day),
                                "daily": settings.upload_daily_bytes,
                                "total": settings.upload_total_bytes}
    if account.is_staff:
        top = session.get(Org, account.org_id)
        scope: Usage = usage(session, subtree_query(account.org_id), day)
        found["scope"] = (top.name if top else "", scope.total)
        if top is not None and top.parent_id is None:
            free = free_disk(Path(settings.instance_path))
            found["free_gb"] = f"{free / 1024 ** 3:.1f}"
    return found
