"""The roster's optional 联系单位 column (双联双促): on a branch's rows, the name of the
county office paired with that branch. Read beside the roster contract (DESIGN.md
section 5): a file without the column imports exactly as before; with it, the import
checks the names before writing anything and pairs each branch after the members are in
(models.joint.actions.pair_from_roster; re-importing changes nothing)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core import texts
from models.joint.actions import office_named
from models.members.roster import RosterRow, RowProblem


def roster_links(rows: list[RosterRow]) -> tuple[dict[str, tuple[str, int]], list[RowProblem]]:
    """{branch: (office name, first line)} from the rows that fill the column, and a
    problem for each row naming a different office than an earlier row of its branch."""
    links: dict[str, tuple[str, int]] = {}
    problems: list[RowProblem] = []
    for row in rows:
        if not row.liaison:
            continue
        earlier, first = links.setdefault(row.branch, (row.liaison, row.line))
        if earlier != row.liaison:
            problems.append(RowProblem(row.line, texts.JOINT_ROSTER_DIFFERS.format(
                first=first, earlier=earlier)))
    return links, problems


def office_problems(session: Session, links: dict[str, tuple[str, int]],
                    rows: list[RosterRow]) -> list[RowProblem]:
    """A problem for each office name that is neither one county office already nor a
    branch of this file (an office whose members the same file brings)."""
    in_file = {row.branch for row in rows}
    return [RowProblem(line, texts.JOINT_ROSTER_NO_OFFICE.format(name=office))
            for office, line in sorted(set(links.values()), key=lambda link: link[1])
            if office not in in_file and office_named(session, office) is None]
