"""Importing a roster file: read and validate with no lock held, then stage and apply
in short transactions (models.members.roster_import), so the bot keeps answering.

The steps and what each holds:

- read + validate (bot.roster.reading, models.members.roster): no transaction, no lock;
- plan: one read transaction;
- stage, commit, create orgs, apply: one short write transaction per batch of
  BATCH_ROWS rows — on SQLite each takes the write gate for milliseconds, so webhook
  requests interleave with the import instead of waiting for all of it.

Only one import runs at a time (a named lock); the next import first finishes or
discards whatever a crashed one left (see models.members.roster_import).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import ParamSpec

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.roster.reading import read_table
from core import texts
from core.metrics import metrics
from models.actors import Actor
from models.db.engine import make_session_factory
from models.db.locks import try_lock
from models.db.write_gate import write_session
from models.joint.actions import pair_from_roster
from models.joint.roster import office_problems, roster_links
from models.members.org_tables import Org, OrgKind
from models.members.orgs import find_org
from models.members.roster import (
    ImportReport,
    Progress,
    RosterError,
    RosterRow,
    RowProblem,
    map_header,
    validate_rows,
)
from models.members.roster_audit import record_import
from models.members.roster_import import (
    APPLYING,
    Importer,
    OrgIds,
    abandon_import,
    apply_batch,
    commit_import,
    create_orgs,
    finish_import,
    plan_roster,
    stage_rows,
    start_import,
    unfinished_imports,
)

BATCH_ROWS = 500  # a few milliseconds of SQLite's write lock per batch
IMPORT_LOCK = "partybot-roster-import"
P = ParamSpec("P")

Clock = Callable[[], datetime]
RowCheck = Callable[[Session, list[RosterRow]], list[RowProblem]]


class RosterRejected(Exception):
    """Rows are wrong; nothing was written. `problems` says which and why."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(texts.ROSTER_ROWS_WRONG.format(count=len(problems)))
        self.problems = problems


def _utcnow() -> datetime:
    return datetime.now(UTC)


def throttled(progress: Progress | None) -> Progress | None:
    """Pass on a stage's progress every 1,000 rows, or every 5% of a big file (about
    20 lines a stage), and always its last step."""
    if progress is None:
        return None
    last: dict[str, int] = {}

    def report(stage: str, done: int, total: int) -> None:
        step = max(1000, (total // 20) // 1000 * 1000)
        if done >= total or done - last.get(stage, 0) >= step:
            last[stage] = done
            progress(stage, done, total)

    return report


def command_line_importer() -> Importer:
    """The CLI as an importer: county-wide, audited as the operating-system user."""
    return Importer(Actor.cli())


def resolve_parent(session: Session, name: str | None) -> Org | None:
    """The org new branches go under (`--parent`), which must exist and be unique."""
    if not name:
        return None
    found = [o for o in find_org(session, name) if o.kind != OrgKind.GROUP]
    if len(found) != 1:
        if not found:
            raise RosterError("ROSTER_NO_PARENT", name=name)
        raise RosterError("ROSTER_MANY_PARENTS", count=len(found), name=name)
    return found[0]


@contextmanager
def _only_import(engine: Engine) -> Iterator[None]:
    lock = try_lock(engine, IMPORT_LOCK)
    if lock is None:
        raise RosterError("ROSTER_IMPORT_BUSY")
    try:
        yield
    finally:
        lock.release()


def _counted(func: Callable[P, ImportReport]) -> Callable[P, ImportReport]:
    """Count each import in the metrics: imported, refused (a wrong file or row, another
    import running) or failed (anything else)."""

    @functools.wraps(func)
    def counted(*args: P.args, **kwargs: P.kwargs) -> ImportReport:
        outcome = "failed"
        try:
            report = func(*args, **kwargs)
            outcome = "imported"
            return report
        except (RosterRejected, RosterError):
            outcome = "refused"
            raise
        finally:
            metrics().roster_imports.labels(outcome).inc()

    return counted


@_counted
def import_roster(
    engine: Engine,
    path: Path,
    parent_name: str | None = None,
    progress: Progress | None = None,
    clock: Clock = _utcnow,
    *,
    importer: Importer | None = None,
    file_name: str | None = None,
    check: RowCheck | None = None,
) -> ImportReport:
    """Import a roster file; commits. All or nothing: a file with any wrong row raises
    RosterRejected (some rows) or RosterError (the file) and writes nothing.

    `importer` says who imports and within which org (default: the CLI, county-wide);
    `parent_name` (the CLI's --parent) sets that org by name. New branches go under it.
    `check` may refuse rows for reasons of its own (the console: branch names outside
    the account's scope). The import is audited under `file_name` (default the path's)."""
    progress = throttled(progress)
    importer = importer or command_line_importer()
    file_name = file_name or path.name
    table = read_table(path)
    positions, warnings = map_header(table.header)
    if parent_name is not None:
        with make_session_factory(engine)() as session:
            parent = resolve_parent(session, parent_name)
            importer = replace(importer, org_id=parent.id if parent else None)
    rows, problems = validate_rows(table.rows, positions, progress, table.estimated_rows)
    if not problems and check is not None:
        with make_session_factory(engine)() as session:
            problems = check(session, rows)
    links, link_problems = roster_links(rows)  # 联系单位 (双联双促): empty without the column
    if links and not problems:
        with make_session_factory(engine)() as session:
            link_problems += office_problems(session, links, rows)
    problems = problems + link_problems
    if problems:
        raise RosterRejected(problems)
    with _only_import(engine):
        notes = finish_unfinished_imports(engine, progress, clock)
        with make_session_factory(engine)() as session:
            plan = plan_roster(session, rows, importer)
        if plan.problems:
            raise RosterRejected(plan.problems)
        del rows  # the plan holds what is still needed
        with write_session(engine) as session:
            parent = session.get(Org, importer.org_id) if importer.org_id else None
            import_id = start_import(session, file_name, parent, plan, clock())
            session.commit()
        changes = plan.changes
        for start in range(0, len(changes), BATCH_ROWS):
            with write_session(engine) as session:
                stage_rows(session, import_id, changes[start:start + BATCH_ROWS])
                session.commit()
            if progress:
                progress(texts.ROSTER_STAGE_STAGE, min(start + BATCH_ROWS, len(changes)),
                         len(changes))
        with write_session(engine) as session:
            # Decided, and audited in the same transaction (the new orgs are made here
            # so the entry can be filed under them).
            commit_import(session, import_id)
            orgs = create_orgs(session, import_id)
            record_import(session, importer, file_name, plan, orgs, clock())
            session.commit()
        _apply(engine, import_id, len(changes), progress, clock, orgs)
        if links:
            with write_session(engine) as session:
                made = pair_from_roster(session, importer.actor,
                                        {branch: office for branch, (office, _) in links.items()},
                                        clock())
                session.commit()
            if made:
                warnings.append(texts.JOINT_ROSTER_PAIRED.format(count=made))
    plan.report.warnings = notes + warnings
    return plan.report


def _apply(engine: Engine, import_id: int, total: int, progress: Progress | None,
           clock: Clock, orgs: OrgIds | None = None) -> None:
    if orgs is None:  # a resumed import: make (or find) its orgs
        with write_session(engine) as session:
            orgs = create_orgs(session, import_id)
            session.commit()
    done = 0
    while True:
        with write_session(engine) as session:
            applied = apply_batch(session, import_id, orgs, BATCH_ROWS, clock())
            session.commit()
        if not applied:
            break
        done += applied
        if progress:
            progress(texts.ROSTER_STAGE_WRITE, done, total)
    with write_session(engine) as session:
        finish_import(session, import_id, clock())
        session.commit()


def finish_unfinished_imports(engine: Engine, progress: Progress | None = None,
                              clock: Clock = _utcnow) -> list[str]:
    """Finish imports a crash left decided (`applying`), discard undecided ones;
    returns a note per import handled. Call with the import lock held."""
    notes: list[str] = []
    with make_session_factory(engine)() as session:
        leftovers = [(i.id, i.status, i.file_name) for i in unfinished_imports(session)]
    for import_id, status, file_name in leftovers:
        if status == APPLYING:
            _apply(engine, import_id, 0, progress, clock)
            notes.append(texts.ROSTER_RESUMED.format(file=file_name))
        else:
            with write_session(engine) as session:
                abandon_import(session, import_id, clock())
                session.commit()
            notes.append(texts.ROSTER_DISCARDED.format(file=file_name))
    return notes
