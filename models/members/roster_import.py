"""Writing a validated roster without stopping the bot: stage, then apply in batches.

A 100,000-row import used to run in one transaction holding SQLite's write lock for
20 s while every webhook request waited. Now:

1. The file is read and validated with no transaction open (bot.roster.importing).
2. `plan_roster` reads the current members and branches (a plain read) and decides
   each row: create, update (which member), or unchanged.
3. The rows to write are *staged* into `roster_import_row` in short transactions,
   under a `roster_import` record in state `staging`. Nothing members see changes.
4. `commit_import` flips the record to `applying`: from this moment the import is
   decided. A crash before it leaves only staged rows, which the next import discards
   (nothing of the file was applied); a crash after it is finished by the next import
   (`unfinished_imports`), because each batch deletes the staged rows it applied in
   the same transaction.
5. `create_orgs` makes the missing branches and groups; `apply_batch` writes members
   a few hundred at a time (one short transaction each); `finish_import` closes.

So the file lands all or nothing (in the sense that matters: either none of it is
applied, or all of it is, crash or no crash), and no transaction lasts more than a
batch. Two imports never run at once (models.db.locks, held by the caller).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from core import texts, words
from models.actors import Actor
from models.db.base import table_of
from models.members.org_tables import Org, OrgKind
from models.members.org_tree import ABOVE_BRANCH, committees_by_name, kind_from_name
from models.members.orgs import subtree_ids
from models.members.roster import ImportReport, RosterError, RosterRow, RowProblem
from models.members.roster_tables import ROSTER_COLUMNS, RosterImport, RosterImportRow
from models.members.tables import Member

STAGING, APPLYING, DONE, ABANDONED = "staging", "applying", "done", "abandoned"


@dataclass(frozen=True)
class Importer:
    """Who imports a roster, and how far the file may reach.

    `org_id` is the org the import works within: branch and committee names resolve
    inside its subtree first (a township's 辽原村党支部 before another township's of the
    same name) and new branches go directly under it; None means the whole tree.
    `limited` refuses rows that match a member outside that subtree (the console: an
    account may not move or rewrite someone it cannot see); the CLI is county-wide."""

    actor: Actor  # who the audit log names
    org_id: int | None = None
    limited: bool = False


@dataclass
class RosterPlan:
    """What an import will do: the rows to stage, the counts, the orgs it will create."""

    report: ImportReport
    changes: list[tuple[int | None, RosterRow]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    placements: dict[str, str] = field(default_factory=dict)
    branch_names: set[str] = field(default_factory=set)  # every branch the file names
    # What things move out of (a member's old branch, a branch's old committee): the
    # audit entry is filed where those who lose sight of them still see it.
    left_ids: set[int] = field(default_factory=set)


class OrgNames:
    """Org ids by name, those inside the import's org first: a name used in another
    township too is not ambiguous to this one (issue 23, item 10)."""

    def __init__(self, found: dict[str, list[int]], scope: set[int] | None) -> None:
        self.found = found
        self.scope = scope

    def ids(self, name: str) -> list[int]:
        """The orgs `name` may mean: those in scope if any, else every one."""
        every = self.found.get(name, [])
        inside = [i for i in every if self.scope is not None and i in self.scope]
        return inside or every

    def first(self) -> dict[str, int]:
        """Each name's org (the caller has refused the ambiguous ones)."""
        return {name: self.ids(name)[0] for name in self.found}


def _scope(session: Session, org_id: int | None) -> set[int] | None:
    return set(subtree_ids(session, org_id)) if org_id is not None else None


def _branches_by_name(session: Session) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for org_id, name in session.execute(select(Org.id, Org.name).where(
            Org.kind == OrgKind.BRANCH).order_by(Org.id)):
        found.setdefault(name, []).append(org_id)
    return found


def _groups_by_branch(session: Session) -> dict[tuple[int | None, str], int]:
    return {(parent_id, name): org_id for org_id, parent_id, name in session.execute(
        select(Org.id, Org.parent_id, Org.name).where(Org.kind == OrgKind.GROUP))}


def plan_roster(session: Session, rows: list[RosterRow],
                importer: Importer | None = None) -> RosterPlan:
    """Compare validated rows with the database (reads only). A limited importer's rows
    that match a member outside its org are problems: the row would move that member
    or rewrite their roles."""
    importer = importer or Importer(Actor.cli())
    plan = RosterPlan(ImportReport())
    scope = _scope(session, importer.org_id)
    branches = OrgNames(_branches_by_name(session), scope)
    groups = _groups_by_branch(session)
    group = aliased(Org)
    existing: dict[tuple[str, str, Any], tuple[Any, ...]] = {}
    # Plain tuples, not ORM objects: 100,000 members fit in a few tens of MB. Without a
    # phone a member is known by name + branch id (names of branches may repeat).
    for member in session.execute(select(
            Member.id, Member.name, Member.phone, Member.branch_id, group.name,
            Member.is_admin, Member.is_helper, Member.needs_help, Member.address,
            Member.latitude, Member.longitude, Member.needs_help_note,
            Member.committee_posts)
            .outerjoin(group, Member.group_id == group.id).order_by(Member.id)):
        key = (member[1], "phone", member[2]) if member[2] else (member[1], "branch",
                                                                 member[3])
        held = existing.get(key)
        # The same person twice (inside and outside): the importer means its own.
        if held is None or (scope is not None and held[3] not in scope
                            and member[3] in scope):
            existing[key] = tuple(member)
    new_orgs: dict[str, None] = {}
    _plan_placements(session, rows, branches, scope, plan, new_orgs)
    for row in rows:
        plan.branch_names.add(row.branch)
        found = branches.ids(row.branch)
        if len(found) > 1:
            plan.problems.append(RowProblem(row.line, RosterError(
                "ROSTER_AMBIGUOUS_BRANCH", count=len(found), name=row.branch).render()))
            continue
        branch_id = found[0] if found else None
        if branch_id is None:
            new_orgs.setdefault(row.branch)
        if row.group and (branch_id is None or (branch_id, row.group) not in groups):
            new_orgs.setdefault(f"{row.branch}/{row.group}")
        identity = (row.name, "phone", row.phone) if row.phone else (row.name, "branch",
                                                                     branch_id)
        current = existing.get(identity)
        if current is None:
            plan.changes.append((None, row))
            plan.report.created += 1
            continue
        if importer.limited and scope is not None and current[3] not in scope:
            phone = texts.ROSTER_PHONE_SHOWN.format(phone=row.phone) if row.phone else ""
            plan.problems.append(RowProblem(row.line, texts.ROSTER_MEMBER_OUTSIDE.format(
                name=row.name, phone=phone)))
            continue
        wanted = (row.phone, branch_id, row.group, row.is_admin, row.is_helper,
                  row.needs_help, row.address, row.needs_help_note, row.committee_posts)
        have = (current[2], current[3], current[4], current[5], current[6], current[7],
                current[8], current[11], current[12])
        moved = row.latitude is not None and (current[9], current[10]) != (
            row.latitude, row.longitude)
        if wanted != have or moved:
            plan.changes.append((current[0], row))
            plan.report.updated += 1
            if branch_id != current[3]:
                plan.report.moved += 1
                plan.left_ids.add(current[3])
        else:
            plan.report.unchanged += 1
    plan.report.orgs_created = list(new_orgs)
    return plan


def _plan_placements(session: Session, rows: list[RosterRow], branches: OrgNames,
                     scope: set[int] | None, plan: RosterPlan,
                     new_orgs: dict[str, None]) -> None:
    """上级党组织: which committees to create and which branches move under another."""
    first_line: dict[str, int] = {}
    for row in rows:
        if row.committee and row.branch not in plan.placements:
            plan.placements[row.branch] = row.committee
            first_line[row.branch] = row.line
    if not plan.placements:
        return
    committees = OrgNames(committees_by_name(session), scope)
    parents = dict(session.execute(select(Org.id, Org.parent_id).where(
        Org.kind == OrgKind.BRANCH)).all())
    names = dict(session.execute(select(Org.id, Org.name).where(
        Org.kind.in_(ABOVE_BRANCH))).all())
    for branch, committee in plan.placements.items():
        found = committees.ids(committee)
        if len(found) > 1:
            plan.problems.append(RowProblem(first_line[branch], RosterError(
                "ROSTER_AMBIGUOUS_COMMITTEE", count=len(found), name=committee).render()))
            continue
        if not found:
            new_orgs.setdefault(committee)
        existing = branches.ids(branch)
        if len(existing) == 1 and (not found or parents.get(existing[0]) != found[0]):
            old_id = parents.get(existing[0])
            old = names.get(old_id or 0, words.ORG_TOP)
            if old_id is not None:
                plan.left_ids.add(old_id)
            plan.report.orgs_moved.append(texts.ROSTER_ORG_MOVED.format(
                branch=branch, old=old, new=committee))


def start_import(session: Session, file_name: str, parent: Org | None, plan: RosterPlan,
                 now: datetime) -> int:
    """Open an import in state `staging`; returns its id (flushes)."""
    record = RosterImport(file_name=file_name[:200], status=STAGING,
                          parent_id=parent.id if parent else None,
                          created=plan.report.created, updated=plan.report.updated,
                          unchanged=plan.report.unchanged, started_at=now,
                          placements=plan.placements or None)
    session.add(record)
    session.flush()
    return record.id


def stage_rows(session: Session, import_id: int,
               changes: Iterable[tuple[int | None, RosterRow]]) -> None:
    """Stage a batch of changes (one INSERT … executemany)."""
    values = [{
        "import_id": import_id, "member_id": member_id, "name": row.name,
        "branch": row.branch, "group": row.group, "phone": row.phone,
        "is_admin": row.is_admin, "is_helper": row.is_helper, "needs_help": row.needs_help,
        "needs_help_note": row.needs_help_note, "committee_posts": row.committee_posts,
        "address": row.address, "latitude": row.latitude, "longitude": row.longitude,
    } for member_id, row in changes]
    if values:
        session.execute(insert(table_of(RosterImportRow)), values)


def commit_import(session: Session, import_id: int) -> None:
    """Every row is staged: from now on the import will be applied, crash or not."""
    session.execute(update(RosterImport).where(RosterImport.id == import_id)
                    .values(status=APPLYING))


def unfinished_imports(session: Session) -> list[RosterImport]:
    """Imports left behind by a crash: `staging` ones to discard, `applying` to finish."""
    return list(session.scalars(select(RosterImport).where(
        RosterImport.status.in_((STAGING, APPLYING))).order_by(RosterImport.id)))


def abandon_import(session: Session, import_id: int, now: datetime) -> None:
    """Discard a crashed import that never finished staging (nothing was applied)."""
    session.execute(delete(RosterImportRow).where(RosterImportRow.import_id == import_id))
    session.execute(update(RosterImport).where(RosterImport.id == import_id)
                    .values(status=ABANDONED, finished_at=now))


@dataclass
class OrgIds:
    """Branch and group ids by name, after `create_orgs`."""

    branches: dict[str, int]
    groups: dict[tuple[int | None, str], int]


def create_orgs(session: Session, import_id: int) -> OrgIds:
    """Create the branches and groups the staged rows name that do not exist yet
    (idempotent: a resumed import finds the ones it made before the crash)."""
    parent_id, placements = session.execute(select(
        RosterImport.parent_id, RosterImport.placements).where(
        RosterImport.id == import_id)).one()
    placements = placements or {}
    # The same resolution as plan_roster's, so a resumed import lands where it was planned.
    scope = _scope(session, parent_id)
    committees = OrgNames(committees_by_name(session), scope).first()
    for name in dict.fromkeys(placements.values()):
        if name not in committees:
            committees[name] = _add_org(session, name, kind_from_name(name), parent_id)
    needed = session.execute(select(RosterImportRow.branch, RosterImportRow.group)
                             .where(RosterImportRow.import_id == import_id).distinct()).all()
    branches = OrgNames(_branches_by_name(session), scope).first()
    groups = _groups_by_branch(session)
    for branch_name, group_name in needed:
        if branch_name not in branches:
            above = committees[placements[branch_name]] if branch_name in placements \
                else parent_id
            branches[branch_name] = _add_org(session, branch_name, OrgKind.BRANCH, above)
        branch_id = branches[branch_name]
        if group_name and (branch_id, group_name) not in groups:
            groups[(branch_id, group_name)] = _add_org(session, group_name, OrgKind.GROUP,
                                                       branch_id)
    for branch_name, name in placements.items():  # existing branches the file moves
        if branch_name in branches:
            session.execute(update(Org).where(Org.id == branches[branch_name],
                                              Org.parent_id.is_distinct_from(committees[name]))
                            .values(parent_id=committees[name]))
    return OrgIds(branches, groups)


def _add_org(session: Session, name: str, kind: str, parent_id: int | None) -> int:
    org = Org(name=name, kind=str(kind), parent_id=parent_id)
    session.add(org)
    session.flush()
    return org.id


def apply_batch(session: Session, import_id: int, orgs: OrgIds, size: int,
                now: datetime) -> int:
    """Apply up to `size` staged rows and delete them; returns how many were applied."""
    staged = session.scalars(select(RosterImportRow).where(
        RosterImportRow.import_id == import_id).order_by(RosterImportRow.id)
        .limit(size)).all()
    if not staged:
        return 0
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row in staged:
        branch_id = orgs.branches[row.branch]
        values: dict[str, Any] = {
            "branch_id": branch_id,
            "group_id": orgs.groups[(branch_id, row.group)] if row.group else None,
            **{name: getattr(row, name) for name in ROSTER_COLUMNS},
        }
        if row.member_id is None:
            inserts.append({**values, "name": row.name, "subscribed": False,
                            "latitude": row.latitude, "longitude": row.longitude,
                            "created_at": now})
        else:
            if row.latitude is not None:
                values.update(latitude=row.latitude, longitude=row.longitude)
            updates.append({"id": row.member_id, **values})
    if inserts:
        session.execute(insert(table_of(Member)), inserts)
    # executemany per set of columns (rows with coordinates set two more)
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for changed in updates:
        by_columns.setdefault(tuple(sorted(changed)), []).append(changed)
    member_table = table_of(Member)
    for columns, batch in by_columns.items():
        statement = update(member_table).where(member_table.c.id == bindparam("member_id"))
        statement = statement.values({c: bindparam(f"new_{c}") for c in columns if c != "id"})
        session.execute(statement, [
            {"member_id": row["id"], **{f"new_{c}": row[c] for c in columns if c != "id"}}
            for row in batch])
    session.execute(delete(RosterImportRow).where(
        RosterImportRow.id.in_([row.id for row in staged])))
    return len(staged)


def finish_import(session: Session, import_id: int, now: datetime) -> RosterImport:
    """Mark the import done; returns its record (with the counts)."""
    session.execute(update(RosterImport).where(RosterImport.id == import_id)
                    .values(status=DONE, finished_at=now))
    record = session.get(RosterImport, import_id)
    assert record is not None
    return record
