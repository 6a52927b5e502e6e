"""The org tree in the console: township and county staff see their tree and add,
rename and move the orgs below them (models.members.org_tree's rules, the same as
`partybot org add` and the roster's 上级党组织); every change goes to the audit log.

An account's own org is its root: it may be renamed but not moved (moving it would
take it out of the account's own reach), and nothing is moved outside the scope.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.console.access import audit_change, current_account, login_required, scoped_org
from bot.services import services_of
from core import texts, words
from models.errors import DomainError
from models.members.org_tables import Org, OrgKind
from models.members.org_tree import (
    ABOVE_BRANCH,
    PARENT_KINDS,
    create_org,
    move_org,
    rename_org,
    tree_below,
)

bp = Blueprint("orgs", __name__)  # registered under the console in bot/console/__init__.py

log = logging.getLogger(__name__)

NAME_MAX = 200  # longer than any name allowed, so the rule's own message is shown
ADDABLE_KINDS = (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH)


def _staff_only() -> None:
    """Branch secretaries see the tree of their branch but do not reshape it."""
    if not current_account().is_staff:
        abort(403, texts.CONSOLE_ORGS_STAFF_ONLY)


def _audit(session: Session, org: Org, action: str, before: dict[str, Any] | None,
           after: dict[str, Any]) -> None:
    audit_change(session, org.id, action, org.name, before, after)


def _parents_for(session: Session, kind: str) -> list[tuple[int, str]]:
    """Orgs in scope that may hold an org of `kind`, indented as in the tree."""
    allowed = PARENT_KINDS[kind]
    return [(node.id, words.INDENT * node.depth + node.name)
            for node in tree_below(session, current_account().org_id)
            if node.kind in allowed]


def _tree_page(session: Session, form: dict[str, str], error: str | None,
               status: int = 200) -> ResponseReturnValue:
    nodes = tree_below(session, current_account().org_id)
    holders = [(node.id, words.INDENT * node.depth + node.name) for node in nodes
               if node.kind in ABOVE_BRANCH]
    return render_template("console/orgs.html", nodes=nodes, holders=holders, form=form,
                           error=error, kinds=[(k.value, words.ORG_KIND_NAMES[k])
                                               for k in ADDABLE_KINDS],
                           OrgKind=OrgKind), status


@bp.get("/orgs")
@login_required
def org_tree() -> ResponseReturnValue:
    """The tree from the account's org down, with member counts."""
    with services_of().sessions() as session:
        parent = request.args.get("parent", "")
        return _tree_page(session, {"parent": parent, "name": "", "kind": ""}, None)


@bp.post("/orgs")
@login_required
def add_org() -> ResponseReturnValue:
    """Add a committee, general branch or branch under an org in scope."""
    _staff_only()
    form = {key: (request.form.get(key) or "").strip()[:NAME_MAX]
            for key in ("name", "parent", "kind")}
    with services_of().sessions() as session:
        parent = scoped_org(session, int(form["parent"])) if form["parent"].isdigit() else None
        if parent is None:
            abort(400, texts.CONSOLE_ORG_PICK_PARENT)
        kind = form["kind"] if form["kind"] in ADDABLE_KINDS else None
        try:
            org = create_org(session, form["name"], parent, kind)
            _audit(session, org, "org.create", None,
                   {"name": org.name, "kind": words.ORG_KIND_NAMES[org.kind],
                    "parent": parent.name})
            session.commit()
        except DomainError as error:
            session.rollback()
            log.info("console: org not added: %s", error.key)
            return _tree_page(session, form, error.render(), 400)
        flash(texts.CONSOLE_ORG_ADDED.format(name=org.name, kind=words.ORG_KIND_NAMES[org.kind],
                                             parent=parent.name))
        return redirect(url_for("console.orgs.org_tree") + f"#org-{org.id}")


@bp.get("/org/<int:org_id>")
@login_required
def org_page(org_id: int) -> ResponseReturnValue:
    """One org: rename it, move it, and what is below it."""
    with services_of().sessions() as session:
        return _org_page(session, scoped_org(session, org_id), None)


def _org_page(session: Session, org: Org, error: str | None,
              status: int = 200) -> ResponseReturnValue:
    below = tree_below(session, org.id, groups=True)
    root = org.id == current_account().org_id
    inside = {node.id for node in below}
    inside.add(org.parent_id or 0)  # where it is now is no choice
    parents = [] if root else [(org_id, label) for org_id, label in
                               _parents_for(session, org.kind) if org_id not in inside]
    parent = session.get(Org, org.parent_id) if org.parent_id else None
    return render_template("console/org.html", org=org, below=below, parents=parents,
                           parent=parent, root=root, error=error,
                           kind_name=words.ORG_KIND_NAMES[org.kind], OrgKind=OrgKind), status


@bp.post("/org/<int:org_id>/rename")
@login_required
def rename_org_from_page(org_id: int) -> ResponseReturnValue:
    """A new name (the old one is kept in the audit log)."""
    _staff_only()
    with services_of().sessions() as session:
        org = scoped_org(session, org_id)
        try:
            old = rename_org(session, org, (request.form.get("name") or "")[:NAME_MAX])
            if old != org.name:
                _audit(session, org, "org.rename", {"name": old}, {"name": org.name})
            session.commit()
        except DomainError as error:
            session.rollback()
            return _org_page(session, org, error.render(), 400)
        flash(texts.CONSOLE_ORG_RENAMED.format(old=old, name=org.name))
        return redirect(url_for("console.orgs.org_page", org_id=org_id))


@bp.post("/org/<int:org_id>/move")
@login_required
def move_org_from_page(org_id: int) -> ResponseReturnValue:
    """Put the org (and all below it) under another org in scope."""
    _staff_only()
    with services_of().sessions() as session:
        org = scoped_org(session, org_id)
        if org.id == current_account().org_id:
            abort(403, texts.CONSOLE_ORG_OWN_ROOT)
        target = request.form.get("parent") or ""
        parent = scoped_org(session, int(target)) if target.isdigit() else None
        if parent is None:
            abort(400, texts.CONSOLE_ORG_PICK_PARENT)
        try:
            old = move_org(session, org, parent)
            _audit(session, org, "org.move", {"parent": old.name if old else words.ORG_TOP},
                   {"parent": parent.name})
            session.commit()
        except DomainError as error:
            session.rollback()
            return _org_page(session, org, error.render(), 400)
        flash(texts.CONSOLE_ORG_MOVED.format(name=org.name, parent=parent.name))
        return redirect(url_for("console.orgs.org_page", org_id=org_id))
