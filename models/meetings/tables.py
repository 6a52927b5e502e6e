"""The 三会一课 tables: meetings, who each invites, and attendance; their kinds and statuses."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import words
from models.db.base import Base, UTCDateTime, utcnow
from models.db.enum_type import str_enum
from models.members.org_tables import Org
from models.members.tables import Member

CHECK_IN_OPENS = timedelta(hours=1)  # before the start
DEFAULT_DURATION = timedelta(hours=2)
AUDIENCE_ALL = "all"  # the whole branch
AUDIENCE_INVITED = "invited"  # only the meeting's invites (and its host, recorder, lecturer)
CODE_DIGITS = 4


class MeetingKind(StrEnum):
    """三会一课 and the other kinds of organizational life."""

    BRANCH_ASSEMBLY = "branch_assembly"  # 支部党员大会
    COMMITTEE_MEETING = "committee_meeting"  # 支部委员会会议
    GROUP_MEETING = "group_meeting"  # 党小组会
    PARTY_LECTURE = "party_lecture"  # 党课
    THEME_DAY = "theme_day"  # 主题党日
    LIFE_MEETING = "life_meeting"  # 组织生活会
    OTHER = "other"


KIND_NAMES: dict[str, str] = words.MEETING_KIND_NAMES
# What admins type in 新建会议 (the contract's short names, and the full ones).
KIND_WORDS = {word: MeetingKind(kind) for word, kind in words.MEETING_KIND_WORDS.items()}


class MeetingStatus(StrEnum):
    """planned → held (closed) or cancelled."""

    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class AttendanceStatus(StrEnum):
    """签到 / 请假 / 缺席."""

    PRESENT = "present"
    LEAVE = "leave"
    ABSENT = "absent"


class Method(StrEnum):
    """How an attendance record was made."""

    CODE = "code"
    QR = "qr"
    LOCATION = "location"
    ADMIN = "admin"
    HELPER = "helper"


class Meeting(Base):
    """One meeting of a branch."""

    __tablename__ = "meeting"
    __table_args__ = (
        Index("ix_meeting_org_id_starts_at", "org_id", "starts_at"),
        Index("ix_meeting_status_starts_at", "status", "starts_at"),
        Index("ix_meeting_joint_org_id_starts_at", "joint_org_id", "starts_at"),
        # A 签到码 is unique among open meetings only; closed meetings free theirs.
        Index("uq_meeting_open_code", "code", unique=True,
              sqlite_where=text("status = 'planned'"),
              postgresql_where=text("status = 'planned'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    kind: Mapped[str] = mapped_column(String(30))
    topic: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # who is invited: the whole branch ("all"), or only the invites (a 支委会's
    # committee, a 党小组会's group) and the host, recorder and lecturer
    audience: Mapped[str] = mapped_column(String(10), default=AUDIENCE_ALL,
                                          server_default=AUDIENCE_ALL)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    recorder_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    lecturer_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    status: Mapped[MeetingStatus] = mapped_column(str_enum(MeetingStatus, 20),
                                                  default=MeetingStatus.PLANNED)
    code: Mapped[str] = mapped_column(String(8))
    minutes: Mapped[str | None] = mapped_column(Text)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_24h_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_1h_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Attendance counts, set when the meeting is closed and after each 补录
    # (models.meetings.compliance reads these instead of every attendance row).
    expected_count: Mapped[int] = mapped_column(Integer, default=0)
    present_count: Mapped[int] = mapped_column(Integer, default=0)
    leave_count: Mapped[int] = mapped_column(Integer, default=0)
    absent_count: Mapped[int] = mapped_column(Integer, default=0)
    # The sign-in sheet's check-in QR code, made once (each is a WeChat call) and reused
    # while it lasts (see checkin_qr_to_reuse).
    qr_url: Mapped[str | None] = mapped_column(String(200))
    qr_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 双联双促: a joint meeting (联过) held with the host's paired org (models.joint); it
    # shows in both orgs' lists and 台账 and counts for both per models.joint.kinds.
    joint_org_id: Mapped[int | None] = mapped_column(ForeignKey("org.id"))

    # Read-only (lazy, one identity-map look-up each): the actions write the ids.
    org: Mapped[Org] = relationship(foreign_keys=[org_id], viewonly=True)
    host: Mapped[Member | None] = relationship(foreign_keys=[host_id], viewonly=True)
    recorder: Mapped[Member | None] = relationship(foreign_keys=[recorder_id], viewonly=True)
    lecturer: Mapped[Member | None] = relationship(foreign_keys=[lecturer_id], viewonly=True)
    creator: Mapped[Member | None] = relationship(foreign_keys=[created_by], viewonly=True)
    joint_org: Mapped[Org | None] = relationship(foreign_keys=[joint_org_id], viewonly=True)

    @property
    def kind_name(self) -> str:
        """The kind in Chinese."""
        return KIND_NAMES.get(self.kind, self.kind)

    @property
    def qr_scene(self) -> str:
        """The parametric QR scene that checks in to this meeting."""
        return f"{QR_SCENE_PREFIX}{self.id}"


QR_SCENE_PREFIX = "meeting:"
# A stored check-in code that will not last as long as wanted is still reused unless a
# new one would last this much longer: a meeting past WeChat's 30-day limit gets a
# fresher code at most once a day, not at every view of its sheet.
QR_RENEW_GAIN = timedelta(days=1)


class MeetingInvite(Base):
    """An org (all its members) or a member invited besides the meeting's branch."""

    __tablename__ = "meeting_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("org.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))

    org: Mapped[Org | None] = relationship(viewonly=True)
    member: Mapped[Member | None] = relationship(viewonly=True)


class Attendance(Base):
    """One invitee's record for one meeting."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(str_enum(AttendanceStatus, 10))
    method: Mapped[Method] = mapped_column(str_enum(Method, 10))
    reason: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    backfilled: Mapped[bool] = mapped_column(Boolean, default=False)

    meeting: Mapped[Meeting] = relationship(viewonly=True)
    member: Mapped[Member] = relationship(foreign_keys=[member_id], viewonly=True)
    # Who recorded it (a helper's 代签, an admin's 补录); None: the member themselves.
    recorder: Mapped[Member | None] = relationship(foreign_keys=[recorded_by], viewonly=True)
