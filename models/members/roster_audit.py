"""The audit entry of a roster import: who imported which file and what it changed.

Written in the transaction that decides the import (models.members.roster_import: the status
flips to `applying` and the new orgs are created), so an import that is applied —
even one a crash leaves for the next import to finish — always has its entry, and one
that is discarded has none. Console and CLI alike (issue 23, item 1).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import texts, words
from models.console.audit import AuditEntry, record_change
from models.members.org_tables import Org
from models.members.roster_import import Importer, OrgIds, RosterPlan

ACTION = "roster.import"
NAMES_KEPT = 20  # an entry lists at most this many new or moved orgs, then a count


def record_import(session: Session, importer: Importer, file_name: str, plan: RosterPlan,
                  orgs: OrgIds, now: datetime) -> list[AuditEntry]:
    """One entry per org the import is filed under (see `filed_under`); the caller
    commits, with the import's decision."""
    report = plan.report
    after: dict[str, Any] = {
        # moved: of the changed, those now in another branch
        "added": report.created, "changed": report.updated, "moved": report.moved,
        # The importer never removes members (a file may cover one branch only); the
        # count is kept so every summary reads the same.
        "removed": 0, "unchanged": report.unchanged,
    }
    if report.orgs_created:
        after["orgs_created"] = _names(report.orgs_created)
    if report.orgs_moved:
        after["orgs_moved"] = _names(report.orgs_moved)
    touched = {orgs.branches[name] for name in plan.branch_names if name in orgs.branches}
    touched |= plan.left_ids
    return [record_change(session, importer.actor, org_id=org_id, action=ACTION,
                          target=file_name, now=now, after=after)
            for org_id in filed_under(session, touched)]


def _names(names: list[str]) -> str:
    shown = words.LIST_SEP.join(names[:NAMES_KEPT])
    if len(names) <= NAMES_KEPT:
        return shown
    return texts.ROSTER_AUDIT_MORE.format(shown=shown, count=len(names))


def filed_under(session: Session, org_ids: set[int]) -> list[int]:
    """The lowest org above all of `org_ids` (the org itself when there is one), so
    everyone who sees any of them sees the entry; one per top org when they do not
    share one."""
    parents = dict(session.execute(select(Org.id, Org.parent_id)).all())
    common: dict[int, list[int]] = {}  # top org -> the path down they all share
    for org_id in sorted(org_ids):
        path: list[int] = []
        node: int | None = org_id
        while node is not None and node not in path:  # `not in`: a cycle never hangs
            path.append(node)
            node = parents.get(node)
        path.reverse()
        shared = common.setdefault(path[0], path)
        size = 0
        while size < min(len(shared), len(path)) and shared[size] == path[size]:
            size += 1
        common[path[0]] = shared[:size]
    return [path[-1] for path in common.values()]
