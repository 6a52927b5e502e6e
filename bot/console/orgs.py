"""The org tree in the console: township and county staff see their tree and add,
rename, move and remove (when empty) the orgs below them (models.members.org_tree's
rules, the same as `partybot org add` and the roster's 上级党组织); every change is one action
(models.members.actions), audited there as from the CLI.

An account's own org is its root: it may be renamed but not moved (moving it would
take it out of the account's own reach), and nothing is moved outside the scope.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.console.access import (
    console_actor,
    current_account,
    form_id,
    login_required,
    scoped_org,
)
from bot.console.request_db import db, refusal_form, save
from bot.services import services_of
from core import texts, words
from models.members import actions
from models.members.org_tables import Org, OrgKind
from models.members.org_tree import (
    ABOVE_BRANCH,
    PARENT_KINDS,
    holdings,
    suggest_kind,
    tree_below,
)

bp = Blueprint("orgs", __name__)  # registered under the console in bot/console/__init__.py

NAME_MAX = 200  # longer than any name allowed, so the rule's own message is shown
ADDABLE_KINDS = (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH)


def _staff_only() -> None:
    """Branch secretaries see the tree of their branch but do not reshape it."""
    if not current_account().is_staff:
        abort(403, texts.CONSOLE_ORGS_STAFF_ONLY)


def _parents_for(session: Session, kind: str) -> list[tuple[int, str]]:
    """Orgs in scope that may hold an org of `kind`, indented as in the tree."""
    allowed = PARENT_KINDS[kind]
    return [(node.id, words.INDENT * node.depth + node.name)
            for node in tree_below(session, current_account().org_id)
            if node.kind in allowed]


def _kind_hints() -> list[tuple[tuple[str, ...], str]]:
    """The endings that suggest a kind, for the form's script (the same as `suggest_kind`:
    the name's own ending first, then the place's)."""
    return [(endings, kind) for endings, kind in (*words.ORG_KIND_NAMED, *words.ORG_KIND_PLACES)]


def _tree_page(session: Session, form: dict[str, str], error: str | None) -> str:
    nodes = tree_below(session, current_account().org_id)
    holders = [(node.id, words.INDENT * node.depth + node.name) for node in nodes
               if node.kind in ABOVE_BRANCH]
    suggested = suggest_kind(form["name"]) if form["name"] else None
    chosen = form["kind"] or (suggested.value if suggested in ADDABLE_KINDS else "")
    return render_template("console/orgs.html", nodes=nodes, holders=holders, form=form,
                           error=error, kinds=[(k.value, words.ORG_KIND_NAMES[k])
                                               for k in ADDABLE_KINDS],
                           chosen_kind=chosen, kind_hints=_kind_hints(), OrgKind=OrgKind)


@bp.get("/orgs")
@login_required
def org_tree() -> ResponseReturnValue:
    """The tree from the account's org down, with member counts."""
    parent = request.args.get("parent", "")
    return _tree_page(db(), {"parent": parent, "name": "", "kind": ""}, None)


@bp.post("/orgs")
@login_required
def add_org() -> ResponseReturnValue:
    """Add a committee, general branch or branch under an org in scope; its kind as
    chosen on the form, or as its name states it (…党支部), never guessed."""
    _staff_only()
    form = {key: (request.form.get(key) or "").strip()[:NAME_MAX]
            for key in ("name", "parent", "kind")}
    session = db()
    parent_id = form_id(form["parent"])
    parent = scoped_org(session, parent_id) if parent_id is not None else None
    if parent is None:
        abort(400, texts.CONSOLE_ORG_PICK_PARENT)
    kind = form["kind"] if form["kind"] in ADDABLE_KINDS else None
    refusal_form(lambda sentence: _tree_page(db(), form, sentence))
    org = actions.create_org(session, console_actor(), form["name"], parent, kind,
                             services_of().clock())
    save()
    flash(texts.CONSOLE_ORG_ADDED.format(name=org.name, kind=words.ORG_KIND_NAMES[org.kind],
                                         parent=parent.name))
    return redirect(url_for("console.orgs.org_tree") + f"#org-{org.id}")


@bp.get("/org/<int:org_id>")
@login_required
def org_page(org_id: int) -> ResponseReturnValue:
    """One org: rename it, move it, and what is below it."""
    session = db()
    return _org_page(session, scoped_org(session, org_id), None)


def _org_page(session: Session, org: Org, error: str | None) -> str:
    below = tree_below(session, org.id, groups=True)
    root = org.id == current_account().org_id
    inside = {node.id for node in below}
    inside.add(org.parent_id or 0)  # where it is now is no choice
    parents = [] if root else [(org_id, label) for org_id, label in
                               _parents_for(session, org.kind) if org_id not in inside]
    parent = org.parent
    held = holdings(session, org)
    return render_template("console/org.html", org=org, below=below, parents=parents,
                           parent=parent, root=root, error=error,
                           held=words.LIST_SEP.join(held),
                           kind_name=words.ORG_KIND_NAMES[org.kind], OrgKind=OrgKind)


@bp.post("/org/<int:org_id>/rename")
@login_required
def rename_org_from_page(org_id: int) -> ResponseReturnValue:
    """A new name (the old one is kept in the audit log)."""
    _staff_only()
    session = db()
    org = scoped_org(session, org_id)
    refusal_form(lambda sentence: _org_page(db(), org, sentence))
    old = actions.rename_org(session, console_actor(), org,
                             (request.form.get("name") or "")[:NAME_MAX], services_of().clock())
    save()
    flash(texts.CONSOLE_ORG_RENAMED.format(old=old, name=org.name))
    return redirect(url_for("console.orgs.org_page", org_id=org_id))


@bp.post("/org/<int:org_id>/move")
@login_required
def move_org_from_page(org_id: int) -> ResponseReturnValue:
    """Put the org (and all below it) under another org in scope."""
    _staff_only()
    session = db()
    org = scoped_org(session, org_id)
    if org.id == current_account().org_id:
        abort(403, texts.CONSOLE_ORG_OWN_ROOT)
    target = request.form.get("parent") or ""
    parent_id = form_id(target)
    parent = scoped_org(session, parent_id) if parent_id is not None else None
    if parent is None:
        abort(400, texts.CONSOLE_ORG_PICK_PARENT)
    refusal_form(lambda sentence: _org_page(db(), org, sentence))
    actions.move_org(session, console_actor(), org, parent, services_of().clock())
    save()
    flash(texts.CONSOLE_ORG_MOVED.format(name=org.name, parent=parent.name))
    return redirect(url_for("console.orgs.org_page", org_id=org_id))


@bp.post("/org/<int:org_id>/remove")
@login_required
def remove_org_from_page(org_id: int) -> ResponseReturnValue:
    """Delete an empty org (no members, child orgs, meetings …); a non-empty one is
    refused with what it still holds."""
    _staff_only()
    session = db()
    org = scoped_org(session, org_id)
    if org.id == current_account().org_id:
        abort(403, texts.CONSOLE_ORG_OWN_ROOT_STAYS)
    name = org.name
    refusal_form(lambda sentence: _org_page(db(), scoped_org(db(), org_id), sentence))
    parent = actions.remove_org(session, console_actor(), org, services_of().clock())
    save()
    flash(texts.CONSOLE_ORG_REMOVED.format(name=name, parent=parent.name))
    return redirect(url_for("console.orgs.org_tree") + f"#org-{parent.id}")
