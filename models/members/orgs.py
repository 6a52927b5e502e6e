"""The organization tree: committee / general branch / branch / group."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models.members.org_tables import Org, OrgAdmin, OrgKind


def find_org(session: Session, name: str, kind: str | None = None) -> list[Org]:
    """Orgs with this exact name (optionally of one kind); names may repeat across the tree."""
    query = select(Org).where(Org.name == name)
    if kind is not None:
        query = query.where(Org.kind == kind)
    return list(session.scalars(query.order_by(Org.id)))


def add_org(session: Session, name: str, kind: str, parent: Org | None = None) -> Org:
    """Create an org under `parent` (flushes, so the id is known)."""
    org = Org(name=name, kind=str(kind), parent_id=parent.id if parent else None)
    session.add(org)
    session.flush()
    return org


def groups_of(session: Session, branch_id: int) -> dict[str, int]:
    """The branch's 党小组 by name."""
    rows = session.execute(select(Org.name, Org.id).where(
        Org.parent_id == branch_id, Org.kind == OrgKind.GROUP).order_by(Org.id))
    return {name: org_id for name, org_id in rows}


def subtree_query(org_id: int) -> Select[tuple[int]]:
    """The ids of `org_id` and every org below it, as a recursive query to run or nest."""
    tree = select(Org.id).where(Org.id == org_id).cte("tree", recursive=True)
    tree = tree.union_all(select(Org.id).where(Org.parent_id == tree.c.id))
    return select(tree.c.id)


def subtree_ids(session: Session, org_id: int) -> list[int]:
    """`org_id` and every org below it (a recursive query)."""
    return list(session.scalars(subtree_query(org_id)))


def branches_under(session: Session, org_id: int) -> list[Org]:
    """The branches in the subtree of `org_id` (the org itself if it is a branch)."""
    ids = subtree_ids(session, org_id)
    return list(session.scalars(select(Org).where(Org.id.in_(ids), Org.kind == OrgKind.BRANCH)
                                .order_by(Org.id)))


@dataclass(frozen=True)
class OrgRef:
    """An org's id, name and parent without an ORM object: a page of a thousand branches
    spent more time building Org objects than querying them."""

    id: int
    name: str
    parent_id: int | None


def branch_refs_under(session: Session, org_id: int) -> list[OrgRef]:
    """The branches in the subtree of `org_id` (as branches_under), in one query."""
    return [OrgRef(org, name, parent) for org, name, parent in session.execute(
        select(Org.id, Org.name, Org.parent_id).where(Org.id.in_(subtree_query(org_id)),
                                                      Org.kind == OrgKind.BRANCH)
        .order_by(Org.id))]


def admins_of(session: Session, org_id: int) -> list[int]:
    """Member ids administering exactly this org (OrgAdmin rows)."""
    return list(session.scalars(select(OrgAdmin.member_id).where(OrgAdmin.org_id == org_id)))


def make_org_admin(session: Session, org: Org, member_id: int) -> bool:
    """Make the member an admin of `org` (township/county staff); False if already."""
    exists = session.scalar(select(OrgAdmin.id).where(OrgAdmin.org_id == org.id,
                                                      OrgAdmin.member_id == member_id))
    if exists is not None:
        return False
    session.add(OrgAdmin(org_id=org.id, member_id=member_id))
    session.flush()
    return True


def admin_org_of(session: Session, member_id: int) -> Org | None:
    """The first org this member administers (township/county staff), if any."""
    return session.scalar(select(Org).join(OrgAdmin, OrgAdmin.org_id == Org.id)
                          .where(OrgAdmin.member_id == member_id).order_by(OrgAdmin.id).limit(1))
