"""Where an org stands in the county, as the county's yearly work reads it.

The tree stores kinds (committee, general branch, branch, group), not places. The
assessment scheme, 述职评议 and 双联双促 speak of places: the county committee at the
root, township committees under it, village branches under a township, and county
offices (机关党组织: a branch or general branch hanging directly under the county).
A root committee with no committee below it is a township on its own (an account that
serves one township, as many tests and small deployments do), not a county.
This module is the one rule that turns the first into the second.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.members.org_tables import Org, OrgKind


class OrgLevel(StrEnum):
    """The names a scheme's `applies_to` uses."""

    COUNTY = "county"  # the root committee
    TOWNSHIP = "township"  # a committee below the root
    BRANCH = "branch"  # a branch or general branch inside a township
    OFFICE = "office"  # a branch or general branch directly under the county
    GROUP = "group"  # a 党小组: never assessed on its own


def levels_of(session: Session, org_ids: Iterable[int] | None = None) -> dict[int, OrgLevel]:
    """Each org's level (every org when `org_ids` is None). One query over the tree:
    the level depends on the org's kind and its parent's."""
    rows = session.execute(select(Org.id, Org.kind, Org.parent_id)).all()
    kind = {org_id: org_kind for org_id, org_kind, _ in rows}
    parent = {org_id: parent_id for org_id, _, parent_id in rows}
    counties = {parent_id for org_id, org_kind, parent_id in rows
                if org_kind == OrgKind.COMMITTEE and parent_id is not None
                and parent.get(parent_id) is None}
    wanted = list(kind) if org_ids is None else [i for i in org_ids if i in kind]
    return {org_id: _level(org_id, kind[org_id], parent[org_id], counties)
            for org_id in wanted}


def _level(org_id: int, kind: str, parent_id: int | None, counties: set[int]) -> OrgLevel:
    if kind == OrgKind.GROUP:
        return OrgLevel.GROUP
    if kind == OrgKind.COMMITTEE:
        return OrgLevel.COUNTY if org_id in counties else OrgLevel.TOWNSHIP
    return OrgLevel.OFFICE if parent_id in counties else OrgLevel.BRANCH


def level_of(session: Session, org_id: int) -> OrgLevel | None:
    """One org's level (None when the org does not exist)."""
    return levels_of(session, [org_id]).get(org_id)
