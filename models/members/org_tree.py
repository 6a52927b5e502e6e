"""Shaping the org tree: add, rename and move committees, general branches, branches
and groups — the rules `partybot org add`, the roster's 上级党组织 column and the
console's tree page share.

What may sit under what mirrors the Party's own structure: a 党委 under a 党委 (or at
the top), a 党总支 under a 党委 (or at the top), a 党支部 under either (or at the top),
a 党小组 only under a 党支部. Two children of one parent never share a name (people
find orgs by name, in chat, on the CLI and in the roster). Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import words
from models.errors import DomainError
from models.members.org_tables import Org, OrgKind
from models.members.orgs import subtree_ids
from models.members.tables import Member, live_member

NAME_LIMIT = 100  # org.name's width
# kind -> the kinds its parent may be (None: at the top of the tree)
PARENT_KINDS: dict[str, tuple[str | None, ...]] = {
    OrgKind.COMMITTEE: (None, OrgKind.COMMITTEE),
    OrgKind.GENERAL_BRANCH: (None, OrgKind.COMMITTEE),
    OrgKind.BRANCH: (None, OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH),
    OrgKind.GROUP: (OrgKind.BRANCH,),
}
ABOVE_BRANCH = (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH)


class OrgTreeError(DomainError):
    """A change to the tree that cannot be made."""


def kind_from_name(name: str) -> OrgKind:
    """What an org is, from how Chinese org names end: …党小组, …党总支, …党支部,
    anything else (…党委, …工委, …党组) a committee."""
    for suffixes, kind in words.ORG_KIND_SUFFIXES:
        if name.endswith(suffixes):
            return OrgKind(kind)
    return OrgKind.COMMITTEE


def named_kind(name: str) -> OrgKind | None:
    """The kind an org's name states by its ending (…党支部, …党委); None when the name
    does not say it (新建村)."""
    for suffixes, kind in words.ORG_KIND_NAMED:
        if name.endswith(suffixes):
            return OrgKind(kind)
    return None


def suggest_kind(name: str) -> OrgKind | None:
    """The kind to offer for a new org: the one its name states, else the one its place
    usually has (…村、…社区 a 党支部; …镇、…乡、…街道 a 党委); None when nothing says."""
    name = "".join(name.split())
    stated = named_kind(name)
    if stated is not None:
        return stated
    for places, kind in words.ORG_KIND_PLACES:
        if name.endswith(places):
            return OrgKind(kind)
    return None


def clean_name(raw: str) -> str:
    """The name as stored: spaces inside removed, checked for length and emptiness."""
    name = "".join(raw.split())
    if not name:
        raise OrgTreeError("ORG_NAME_EMPTY")
    if len(name) > NAME_LIMIT or not name.isprintable():
        raise OrgTreeError("ORG_NAME_BAD", limit=NAME_LIMIT)
    return name


def _check_place(session: Session, name: str, kind: str, parent: Org | None,
                 moving: Org | None = None) -> None:
    if (parent.kind if parent else None) not in PARENT_KINDS[kind]:
        raise OrgTreeError("ORG_WRONG_PARENT", kind=words.ORG_KIND_NAMES[kind],
                           parent=parent.name if parent else words.ORG_TOP)
    under = Org.parent_id == parent.id if parent else Org.parent_id.is_(None)
    same_name = select(Org.id).where(Org.name == name, under)
    if moving is not None:
        same_name = same_name.where(Org.id != moving.id)
    if session.scalar(same_name.limit(1)) is not None:
        raise OrgTreeError("ORG_NAME_TAKEN", name=name,
                           parent=parent.name if parent else words.ORG_TOP)


def create_org(session: Session, raw_name: str, parent: Org | None,
               kind: str | None = None) -> Org:
    """A new org under `parent`; its kind from its name unless given (flushes)."""
    name = clean_name(raw_name)
    chosen = OrgKind(kind) if kind else kind_from_name(name)
    _check_place(session, name, chosen, parent)
    org = Org(name=name, kind=str(chosen), parent_id=parent.id if parent else None)
    session.add(org)
    session.flush()
    return org


def rename_org(session: Session, org: Org, raw_name: str) -> str:
    """Give `org` a new name; returns the old one."""
    name = clean_name(raw_name)
    old = org.name
    if name != old:
        parent = org.parent
        _check_place(session, name, org.kind, parent, moving=org)
        org.name = name
        session.flush()
    return old


def move_org(session: Session, org: Org, parent: Org | None) -> Org | None:
    """Put `org` (and everything below it) under `parent`; returns the old parent."""
    if org.kind == OrgKind.GROUP:  # its members belong to its branch: the roster moves them
        raise OrgTreeError("ORG_GROUP_STAYS", name=org.name)
    old = org.parent
    if parent is not None and parent.id in subtree_ids(session, org.id):
        raise OrgTreeError("ORG_MOVE_INTO_ITSELF", name=org.name, parent=parent.name)
    _check_place(session, org.name, org.kind, parent, moving=org)
    org.parent_id = parent.id if parent else None
    # Org.parent is read-only and was loaded above: forget it, so that it is read again.
    session.expire(org, ["parent"])
    session.flush()
    return old


def holdings(session: Session, org: Org) -> list[str]:
    """What still hangs on `org` (members, child orgs, meetings, study items …), in
    words; empty when the org may be removed. Found from every table that points at
    `org`, so a table added later is never left dangling; the audit log is not a
    holding (its entries move to the parent when the org goes)."""
    found: list[str] = []
    for table in Org.metadata.sorted_tables:
        if table.name == "audit_entry":
            continue
        for key in table.foreign_keys:
            if key.column.table.name != Org.__tablename__:
                continue
            used = session.execute(select(key.parent).where(key.parent == org.id)
                                   .limit(1)).first()
            label = words.ORG_HOLDS.get(table.name, words.ORG_HOLDS_OTHER)
            if used is not None and label not in found:
                found.append(label)
    return found


def removable(session: Session, org: Org) -> Org:
    """The parent of `org` when `org` may be deleted: it is not at the top and holds
    nothing (see `holdings`); OrgTreeError names what is left otherwise."""
    parent = org.parent
    if parent is None:
        raise OrgTreeError("ORG_TOP_STAYS", name=org.name)
    held = holdings(session, org)
    if held:
        raise OrgTreeError("ORG_NOT_EMPTY", name=org.name, holds=words.LIST_SEP.join(held))
    return parent


@dataclass(frozen=True)
class TreeNode:
    """One org as the tree page shows it: how deep, how many members."""

    id: int
    name: str
    kind: str
    parent_id: int | None
    depth: int
    members: int  # members of this branch (for a committee: of every branch below), not
    # counting forgotten ones (as the branch's member list)

    @property
    def kind_name(self) -> str:
        return words.ORG_KIND_NAMES[self.kind]


Entry = tuple[int, str, str, "int | None"]  # id, name, kind, parent_id


def tree_below(session: Session, root_id: int, groups: bool = False) -> list[TreeNode]:
    """`root_id` and everything below it, depth first, siblings by name; groups only
    when asked (a county has thousands)."""
    ids = subtree_ids(session, root_id)
    query = select(Org.id, Org.name, Org.kind, Org.parent_id).where(Org.id.in_(ids))
    if not groups:
        query = query.where(Org.kind != OrgKind.GROUP)
    rows: list[Entry] = [(row.id, row.name, row.kind, row.parent_id)
                         for row in session.execute(query)]
    own = dict(session.execute(select(Member.branch_id, func.count(Member.id))
                               .where(Member.branch_id.in_(ids), live_member())
                               .group_by(Member.branch_id)).all())
    if groups:  # a group's members are its branch's too: counted, not added up
        own.update((group_id, count) for group_id, count in session.execute(
            select(Member.group_id, func.count(Member.id)).where(Member.group_id.in_(ids),
                                                                 live_member())
            .group_by(Member.group_id)) if group_id is not None)
    children: dict[int | None, list[Entry]] = {}
    for row in rows:
        children.setdefault(row[3], []).append(row)
    for siblings in children.values():
        siblings.sort(key=lambda row: (row[2] == OrgKind.GROUP, row[1]))
    root = next((row for row in rows if row[0] == root_id), None)
    if root is None:
        return []
    order: list[tuple[Entry, int]] = []
    stack = [(root, 0)]
    while stack:  # depth first, parents before their children
        row, depth = stack.pop()
        order.append((row, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(row[0], [])))
    totals: dict[int, int] = {}
    for (org_id, _, kind, parent_id), _ in reversed(order):  # children before parents
        totals[org_id] = totals.get(org_id, 0) + own.get(org_id, 0)
        if parent_id is not None and kind != OrgKind.GROUP:
            totals[parent_id] = totals.get(parent_id, 0) + totals[org_id]
    return [TreeNode(org_id, name, kind, parent_id, depth, totals[org_id])
            for (org_id, name, kind, parent_id), depth in order]


def committees_by_name(session: Session) -> dict[str, list[int]]:
    """Ids of committees and general branches by name (the roster's 上级党组织)."""
    found: dict[str, list[int]] = {}
    for org_id, name in session.execute(select(Org.id, Org.name).where(
            Org.kind.in_(ABOVE_BRANCH)).order_by(Org.id)):
        found.setdefault(name, []).append(org_id)
    return found
