"""The 台账 of every branch below a township or county as one workbook: a summary sheet
(one row per branch: members, meetings held per kind, attendance), one 会议记录本 sheet
with every branch's meetings, a page each (bot.ledger.record_book), and the branch's own sheet
pair (bot.ledger: meetings, attendance matrix) for each branch.

The summary comes from the count columns closing a meeting keeps (two grouped queries
for all branches); each branch's sheets are the same as a one-branch export. Sheets are
streamed (write-only), and each branch's rows are let go before the next is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import IO
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.ledger.branch import add_branch_sheets
from bot.ledger.evaluation import add_evaluation_sheet
from bot.ledger.record_book import RecordBook
from bot.ledger.records import load_branch_records
from bot.ledger.rectification import add_rectification_sheet
from bot.ledger.sheets import LedgerSheet, ledger_workbook
from core import texts, words
from core.localtime import day, local_range
from models.joint.kinds import JOINT_COUNTED_KINDS
from models.meetings.tables import KIND_NAMES, Meeting, MeetingStatus
from models.members.org_tables import Org
from models.members.tables import Member

SHEET_NAME_CHARS = 12  # the branch's part of a sheet name (Excel allows 31 in all)
NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class OrgLedgerSummary:
    """What went into the workbook."""

    org: str
    branches: int
    meetings: int


def export_org_ledger(session: Session, org: Org, branches: list[Org], start: date, end: date,
                      tz: ZoneInfo, out: str | IO[bytes],
                      progress: Callable[[int, int], None] | None = None) -> OrgLedgerSummary:
    """Write the workbook of `branches` (those below `org`) for meetings in [start, end]."""
    since, until = local_range(start, end, tz)
    period = texts.DATE_RANGE.format(start=day(start), end=day(end))
    ids = [branch.id for branch in branches]
    held: dict[tuple[int, str], int] = {}
    counts: dict[int, list[int]] = {}
    for org_id, kind, number, expected, present, leave, absent in session.execute(
            select(Meeting.org_id, Meeting.kind, func.count(),
                   func.sum(Meeting.expected_count), func.sum(Meeting.present_count),
                   func.sum(Meeting.leave_count), func.sum(Meeting.absent_count))
            .where(Meeting.org_id.in_(ids), Meeting.status == MeetingStatus.HELD,
                   Meeting.starts_at >= since, Meeting.starts_at < until)
            .group_by(Meeting.org_id, Meeting.kind)):
        held[(org_id, kind)] = number
        totals = counts.setdefault(org_id, [0, 0, 0, 0, 0])
        for index, value in enumerate((number, expected, present, leave, absent)):
            totals[index] += int(value or 0)
    # 双联双促: joint meetings held with a paired org count for it too (the kinds
    # models.joint.kinds allows); their attendance stays with the host's figures
    for partner_id, kind, number in session.execute(
            select(Meeting.joint_org_id, Meeting.kind, func.count())
            .where(Meeting.joint_org_id.in_(ids), Meeting.kind.in_(sorted(JOINT_COUNTED_KINDS)),
                   Meeting.status == MeetingStatus.HELD,
                   Meeting.starts_at >= since, Meeting.starts_at < until)
            .group_by(Meeting.joint_org_id, Meeting.kind)):
        partner = partner_id or 0  # never None: the query asks for joint meetings
        held[(partner, kind)] = held.get((partner, kind), 0) + number
        counts.setdefault(partner, [0, 0, 0, 0, 0])[0] += number
    members = {branch_id: number for branch_id, number in session.execute(
        select(Member.branch_id, func.count()).where(Member.branch_id.in_(ids))
        .group_by(Member.branch_id))}
    kinds = [kind for kind in KIND_NAMES if any((i, kind) in held for i in ids)]

    workbook = ledger_workbook()
    columns = [*words.LEDGER_SUMMARY_FIRST, *(KIND_NAMES[k] for k in kinds),
               *words.LEDGER_SUMMARY_LAST]
    summary = LedgerSheet(workbook, words.LEDGER_SUMMARY_SHEET,
                          [6, 22] + [10] * (len(columns) - 2))
    summary.print_setup("landscape", "2:2", "C3")
    summary.title(texts.LEDGER_SUMMARY_TITLE.format(org=org.name, period=period))
    summary.row(columns, "ledger-head")
    for number, branch in enumerate(branches, start=1):
        total, expected, present, leave, absent = counts.get(branch.id, [0, 0, 0, 0, 0])
        rate = f"{present / expected:.0%}" if expected else "—"
        summary.row([number, branch.name, members.get(branch.id, 0),
                     *(held.get((branch.id, kind), 0) for kind in kinds),
                     total, expected, present, leave, absent, rate], "ledger-mark")

    book = RecordBook(workbook, words.LEDGER_BOOK_SHEET)
    meetings = 0
    for number, branch in enumerate(branches, start=1):
        short = NOT_IN_SHEET_NAMES.sub("", branch.name)[:SHEET_NAME_CHARS]
        found = load_branch_records(session, branch, since, until)
        add_branch_sheets(workbook, found, tz, period, prefix=f"{number}{short}-")
        book.add_branch(found, tz)
        meetings += len(found.meetings)
        session.expunge_all()  # one branch's rows at a time in memory
        if progress is not None:
            progress(number, len(branches))
    add_rectification_sheet(workbook, session, ids, start, end, tz)
    add_evaluation_sheet(workbook, session, branches, start, end, tz, org.name, period)
    workbook.save(out)
    return OrgLedgerSummary(org.name, len(branches), meetings)
