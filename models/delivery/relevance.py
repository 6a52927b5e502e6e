"""Whether a notice still matters, judged from its subject ("meeting:7", "study:12").

Held notices (models.delivery.held) and helpers' daily digests (schedules.pairing) drop what no
longer matters instead of delivering it late: a notice for a meeting that has begun or
was cancelled, a cancellation of a meeting the member was never told about, a study
item the member has studied or its author withdrew.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.meetings.tables import Meeting, MeetingStatus
from models.study.tables import StudyItem, StudyRecord

CANCELLATION_KIND = "meeting_cancelled"
# A notice about nothing in particular (a warning, a digest) older than this is news no
# more.
MAX_AGE = timedelta(days=14)


def subject_id(subject: str | None, prefix: str) -> int | None:
    """12 for ("study:12", "study"); None when the subject is about something else."""
    if not subject or not subject.startswith(prefix + ":"):
        return None
    number = subject.split(":", 1)[1]
    return int(number) if number.isdigit() else None


@dataclass(frozen=True)
class Pending:
    """A notice not yet in front of its member (a held row, an open relay)."""

    kind: str
    subject: str | None
    member_id: int | None
    created_at: datetime


class Relevance:
    """What is known about the subjects of a set of notices, loaded in four queries."""

    def __init__(self, session: Session, notices: Iterable[Pending]) -> None:
        notices = list(notices)
        meeting_ids = {m for n in notices if (m := subject_id(n.subject, "meeting"))}
        item_ids = {i for n in notices if (i := subject_id(n.subject, "study"))}
        member_ids = {n.member_id for n in notices if n.member_id is not None}
        self.meetings: dict[int, tuple[datetime, str]] = {}
        self.studied: set[tuple[int, int]] = set()
        self.withdrawn: set[int] = set()
        if meeting_ids:
            self.meetings = {row.id: (row.starts_at, row.status) for row in session.execute(
                select(Meeting.id, Meeting.starts_at, Meeting.status)
                .where(Meeting.id.in_(meeting_ids)))}
        if item_ids:
            self.withdrawn = set(session.scalars(select(StudyItem.id).where(
                StudyItem.id.in_(item_ids), StudyItem.withdrawn_at.is_not(None))))
        if item_ids and member_ids:
            self.studied = set(session.execute(
                select(StudyRecord.item_id, StudyRecord.member_id).where(
                    StudyRecord.item_id.in_(item_ids),
                    StudyRecord.member_id.in_(member_ids))).all())

    def reason_to_drop(self, notice: Pending, now: datetime,
                       told_of_meeting: bool = False) -> str | None:
        """Why `notice` no longer matters, or None if it does.

        `told_of_meeting`: the member already had the meeting's notice (so its
        cancellation still matters to them).
        """
        meeting_id = subject_id(notice.subject, "meeting")
        if meeting_id is not None:
            starts_at, status = self.meetings.get(meeting_id, (None, None))
            if starts_at is None:
                return "meeting deleted"
            if starts_at <= now:
                return "meeting started"
            if notice.kind == CANCELLATION_KIND:
                return None if told_of_meeting else "cancelled before the member heard of it"
            if status == MeetingStatus.CANCELLED:
                return "meeting cancelled"
            return None
        item_id = subject_id(notice.subject, "study")
        if item_id is not None:
            if item_id in self.withdrawn:
                return "withdrawn"
            return "studied" if (item_id, notice.member_id) in self.studied else None
        return "too old" if notice.created_at <= now - MAX_AGE else None
