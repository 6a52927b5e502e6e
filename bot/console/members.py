"""A branch's members in the console: unbind a member's WeChat (the chat's 解绑, the
same action: models.members.actions.unbind_wechat), forget a member on request (county
staff only: models.members.actions.forget_member), and the member list as a workbook
in the roster's own format — so a secretary can correct it in Excel and import it
again."""

from __future__ import annotations

import logging
from io import BytesIO
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, send_file, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import aliased

from bot.console.access import (
    branch_in_scope,
    console_actor,
    current_account,
    login_required,
)
from bot.console.request_db import db, save
from bot.services import services_of
from bot.workbook import Sheet, file_name, new_workbook
from core import texts, words
from models.db.stored_files import remove_files
from models.members.actions import forget_member, unbind_wechat
from models.members.org_tables import Org
from models.members.tables import Member
from models.pairing.tables import HelpPair

log = logging.getLogger(__name__)

bp = Blueprint("members", __name__)  # registered under the console in bot/console/__init__.py

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTRA_COLUMNS = (words.EXPORT_WECHAT, words.EXPORT_HELPER)  # not read back by the importer


@bp.post("/branch/<int:branch_id>/member/<int:member_id>/unbind")
@login_required
def unbind_member(branch_id: int, member_id: int) -> ResponseReturnValue:
    """解绑: free the member's WeChat so they can bind a new phone."""
    services = services_of()
    session = db()
    branch_in_scope(session, branch_id)
    member = session.get(Member, member_id)
    if member is None or member.branch_id != branch_id:
        abort(404)
    released = unbind_wechat(session, console_actor(), member, services.outbox,
                             services.clock())
    save()
    flash((texts.UNBIND_OK if released else texts.UNBIND_NOT_BOUND).format(name=member.name))
    return redirect(url_for("console.overview.branch", branch_id=branch_id))


def county_account() -> bool:
    """Whether the logged-in account is the county's: staff of the org at the top of the
    tree (forgetting a member is the county's decision, not a branch's or a township's)."""
    account = current_account()
    if not account.is_staff:
        return False
    org = db().get(Org, account.org_id)
    return org is not None and org.parent_id is None


@bp.post("/branch/<int:branch_id>/member/<int:member_id>/forget")
@login_required
def forget(branch_id: int, member_id: int) -> ResponseReturnValue:
    """注销个人数据: forget the member on their request (county staff only; anyone else
    gets a 404, as for an org outside their scope)."""
    services = services_of()
    session = db()
    branch_in_scope(session, branch_id)
    if not county_account():
        abort(404)
    member = session.get(Member, member_id)
    if member is None or member.branch_id != branch_id:
        abort(404)
    erased = forget_member(session, console_actor(), member, services.clock())
    save()
    if erased is None:
        flash(texts.CONSOLE_FORGET_ALREADY)
    else:
        removed = remove_files(Path(services.settings.instance_path), erased.files)
        log.info("member %d forgotten from the console; %d photo files deleted", member_id,
                 removed)
        flash(texts.CONSOLE_FORGET_DONE.format(pseudonym=erased.pseudonym))
    return redirect(url_for("console.overview.branch", branch_id=branch_id))


@bp.get("/branch/<int:branch_id>/members.xlsx")
@login_required
def export_members(branch_id: int) -> ResponseReturnValue:
    """The branch's members in the roster's columns (plus WeChat and helper)."""
    session = db()
    org = branch_in_scope(session, branch_id)
    parent = org.parent
    group, helper = aliased(Org), aliased(Member)
    rows = session.execute(
        select(Member, group.name, helper.name)
        .outerjoin(group, group.id == Member.group_id)
        .outerjoin(HelpPair, (HelpPair.member_id == Member.id)
                   & HelpPair.ended_at.is_(None))
        .outerjoin(helper, helper.id == HelpPair.helper_id)
        .where(Member.branch_id == branch_id).order_by(Member.name)).all()
    book = new_workbook()  # the one writer: a name like "=1+2" stays text
    sheet = Sheet(book, words.EXPORT_MEMBERS_SHEET)
    sheet.row([*words.ROSTER_COLUMNS, words.COL_COMMITTEE, words.COL_LATITUDE,
               words.COL_LONGITUDE, *EXTRA_COLUMNS])
    for member, group_name, helper_name in rows:
        roles = [*(member.committee_posts or "").split(words.LIST_SEP)]
        roles += [words.ROLE_ADMIN] if member.is_admin else []
        roles += [words.ROLE_HELPER] if member.is_helper else []
        sheet.row([
            member.name, org.name, group_name or "", member.phone or "",
            words.LIST_SEP.join(r for r in roles if r),
            member.needs_help_note or member.needs_help or "", member.address or "",
            parent.name if parent is not None and parent.kind != "branch" else "",
            member.latitude, member.longitude,
            words.EXPORT_BOUND if member.openid else words.EXPORT_NOT_BOUND,
            helper_name or ""])
    out = BytesIO()
    book.save(out)
    name = org.name
    out.seek(0)
    return send_file(out, mimetype=XLSX, as_attachment=True,
                     download_name=file_name(f"{name}{words.EXPORT_MEMBERS_SUFFIX}.xlsx"))
