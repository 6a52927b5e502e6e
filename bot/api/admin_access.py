"""Who may use the admin endpoints, exactly as chat decides it (handlers.router.Role):
a branch admin (`Member.is_admin`) for the branch's meetings; a branch admin or township /
county staff (an `OrgAdmin` row) for 发布 / 推送 / 撤回 and 统计. Anyone else bound gets
403; something outside the caller's own branch or area is 404, never "not yours"."""

from __future__ import annotations

from bot.api.problems import Problem
from bot.api.runner import Call
from core import texts
from models.members.org_tables import Org
from models.members.orgs import admin_org_of, subtree_ids
from models.members.tables import Member


def branch_admin(call: Call) -> Member:
    """The caller, a branch admin (chat's Role.ADMIN); a 403 problem otherwise."""
    me = call.me
    if not me.is_admin:
        raise Problem("forbidden", texts.NEED_ADMIN)
    return me


def any_admin(call: Call) -> tuple[Member, Org | None]:
    """The caller and the org they administer (township / county staff), if any: chat's
    Role.ANY_ADMIN; a 403 problem for a member who is neither."""
    me = call.me
    org = admin_org_of(call.session, me.id)
    if not me.is_admin and org is None:
        raise Problem("forbidden", texts.NEED_ADMIN)
    return me, org


def not_found() -> Problem:
    """Not there, or not the caller's: one answer for both."""
    return Problem("not-found", texts.API_NOT_FOUND)


def in_area(call: Call, org: Org | None, org_id: int) -> bool:
    """Whether `org_id` is in `org`'s subtree (False without an org)."""
    return org is not None and org_id in subtree_ids(call.session, org.id)
