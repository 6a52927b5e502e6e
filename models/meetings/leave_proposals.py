"""Leave said in a sentence ("我今天去不了了，家里有事"), waiting for the member's 「是」.

The bot asks back "请假参加 <会议> 吗？" before recording anything, because the sentence
named no 签到码; the question and its answer are a few minutes apart, so what was asked
is kept here (one per member, replaced by the next). Recording the leave itself is
models.meetings.actions.ask_leave, as for 请假 <签到码> <原因>; a proposal is only the
conversation's memory, never a record, so it is not audited.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime
from models.meetings.queries import upcoming_for
from models.meetings.tables import Meeting, MeetingStatus
from models.members.tables import Member

ANSWER_WITHIN = timedelta(minutes=10)  # a 「是」 later than this answers something else
REASON_MAX = 200  # Attendance.reason's length
CANDIDATES = 5  # meetings looked at for a leave without a code


class LeaveProposal(Base):
    """The leave the bot asked a member to confirm."""

    __tablename__ = "leave_proposal"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    reason: Mapped[str | None] = mapped_column(String(REASON_MAX))  # None: asked for next
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())


def propose_leave(session: Session, member: Member, meeting: Meeting, reason: str | None,
                  now: datetime) -> LeaveProposal:
    """Remember that the bot asked `member` to confirm leave for `meeting` (flushes)."""
    proposal = session.get(LeaveProposal, member.id)
    if proposal is None:
        proposal = LeaveProposal(member_id=member.id)
        session.add(proposal)
    proposal.meeting_id = meeting.id
    proposal.reason = reason.strip()[:REASON_MAX] if reason and reason.strip() else None
    proposal.asked_at = now
    session.flush()
    return proposal


def waiting_proposal(session: Session, member_id: int, now: datetime) -> LeaveProposal | None:
    """The member's proposal still waiting for an answer (asked in the last minutes, its
    meeting still open), or None."""
    proposal = session.get(LeaveProposal, member_id)
    if proposal is None or proposal.asked_at < now - ANSWER_WITHIN:
        return None
    meeting = session.get(Meeting, proposal.meeting_id)
    if meeting is None or meeting.status != MeetingStatus.PLANNED or meeting.ends_at < now:
        return None
    return proposal


def drop_proposal(session: Session, member_id: int) -> None:
    """Forget the member's proposal (answered, refused or replaced by a record)."""
    session.execute(delete(LeaveProposal).where(LeaveProposal.member_id == member_id))


def leave_candidates(session: Session, member: Member, now: datetime, tz: ZoneInfo,
                     day: int | None = None) -> list[Meeting]:
    """The member's meetings a leave without a code may be for, soonest first: those not
    yet ended, on the day said ("明天的会": `day` days from today) when one was said."""
    meetings = upcoming_for(session, member, now, limit=CANDIDATES)
    if day is None:
        return meetings
    wanted: date = (now.astimezone(tz) + timedelta(days=day)).date()
    return [m for m in meetings if m.starts_at.astimezone(tz).date() == wanted]
