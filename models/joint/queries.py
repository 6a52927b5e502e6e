"""Reading 双联双促: live pairs, an org's partners, the pairs an account sees, and each
pair's year — its joint sessions, who took part from each side, its 联促 items."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from models.db.base import id_list
from models.joint.tables import JointItem, JointPair
from models.meetings.tables import Attendance, AttendanceStatus, Meeting, MeetingStatus
from models.members.org_tables import Org
from models.members.tables import Member


def live_pair(session: Session, office_id: int, branch_id: int) -> JointPair | None:
    """The live pair of this office and branch."""
    return session.scalar(select(JointPair).where(
        JointPair.office_id == office_id, JointPair.branch_id == branch_id,
        JointPair.ended_at.is_(None)))


def partners_of(session: Session, org_id: int) -> list[Org]:
    """The orgs `org_id` is pairing with now (an office's branches, a branch's offices)."""
    other = select(JointPair.branch_id).where(JointPair.office_id == org_id,
                                              JointPair.ended_at.is_(None)).union(
        select(JointPair.office_id).where(JointPair.branch_id == org_id,
                                          JointPair.ended_at.is_(None)))
    return list(session.scalars(select(Org).where(Org.id.in_(other)).order_by(Org.name)))


def pairs_seen(session: Session, visible: Collection[int]) -> list[JointPair]:
    """Pairs with either side among `visible` (the account's scope), live first."""
    ids = id_list(list(visible))
    return list(session.scalars(select(JointPair).where(
        or_(JointPair.office_id.in_(ids), JointPair.branch_id.in_(ids)))
        .order_by(JointPair.ended_at.is_not(None), JointPair.office_id, JointPair.branch_id,
                  JointPair.id)))


def _of_pair(pair: JointPair) -> ColumnElement[bool]:
    return or_(and_(Meeting.org_id == pair.office_id, Meeting.joint_org_id == pair.branch_id),
               and_(Meeting.org_id == pair.branch_id, Meeting.joint_org_id == pair.office_id))


@dataclass
class PairYear:
    """One pair over a span: its joint sessions, participants by side, items."""

    pair: JointPair
    sessions: list[Meeting] = field(default_factory=list)  # not cancelled, earliest first
    held: int = 0
    office_people: list[str] = field(default_factory=list)  # names, present at least once
    branch_people: list[str] = field(default_factory=list)
    items: list[JointItem] = field(default_factory=list)


def pair_year(session: Session, pair: JointPair, start: datetime, end: datetime) -> PairYear:
    """The pair's joint sessions starting in [start, end), who came, and its items."""
    year = PairYear(pair)
    year.sessions = list(session.scalars(select(Meeting).where(
        _of_pair(pair), Meeting.status != MeetingStatus.CANCELLED,
        Meeting.starts_at >= start, Meeting.starts_at < end)
        .order_by(Meeting.starts_at, Meeting.id)))
    year.held = sum(m.status == MeetingStatus.HELD for m in year.sessions)
    counted = _participants(session, [pair], start, end)
    year.office_people = sorted(counted[pair.id][0].values())
    year.branch_people = sorted(counted[pair.id][1].values())
    year.items = list(session.scalars(select(JointItem).where(JointItem.pair_id == pair.id)
                                      .order_by(JointItem.closed_at.is_not(None),
                                                JointItem.deadline, JointItem.id)))
    return year


def _participants(session: Session, pairs: Sequence[JointPair], start: datetime,
                  end: datetime) -> dict[int, tuple[dict[int, str], dict[int, str]]]:
    """Per pair: (office members present, branch members present) as {id: name}, over
    the pair's joint sessions in [start, end). One query for all the pairs."""
    found: dict[int, tuple[dict[int, str], dict[int, str]]] = defaultdict(lambda: ({}, {}))
    by_orgs = {(p.office_id, p.branch_id): p for p in pairs}
    if not pairs:
        return found
    org_ids = id_list(list({i for p in pairs for i in (p.office_id, p.branch_id)}))
    rows = session.execute(
        select(Meeting.org_id, Meeting.joint_org_id, Member.id, Member.name, Member.branch_id)
        .join(Attendance, Attendance.meeting_id == Meeting.id)
        .join(Member, Member.id == Attendance.member_id)
        # both sides are among org_ids: the joint_org_id index finds the few joint ones
        .where(Meeting.joint_org_id.in_(org_ids), Meeting.org_id.in_(org_ids),
               Meeting.status == MeetingStatus.HELD, Meeting.starts_at >= start,
               Meeting.starts_at < end, Attendance.status == AttendanceStatus.PRESENT))
    for host, partner, member_id, name, branch_id in rows:
        pair = by_orgs.get((host, partner or 0)) or by_orgs.get((partner or 0, host))
        if pair is None:
            continue
        office, branch = found[pair.id]
        if branch_id == pair.office_id:
            office[member_id] = name
        elif branch_id == pair.branch_id:
            branch[member_id] = name
    return found


@dataclass(frozen=True)
class PairLine:
    """One pair on the list page: this span's sessions and participants per side."""

    pair: JointPair
    office: str
    branch: str
    sessions: int  # joint sessions held
    office_people: int
    branch_people: int
    open_items: int


@dataclass
class PairList:
    """The pairs an account sees with totals (the county's figures: pairs, office
    members taking part, joint sessions)."""

    lines: list[PairLine]
    live_pairs: int = 0
    sessions: int = 0
    office_people: int = 0  # distinct office members present at a joint session
    branch_people: int = 0


def pair_list(session: Session, visible: Collection[int], start: datetime,
              end: datetime) -> PairList:
    """Every pair the account sees, with this span's figures (a fixed number of
    queries, whatever the number of pairs)."""
    pairs = pairs_seen(session, visible)
    names = {org_id: name for org_id, name in session.execute(select(Org.id, Org.name).where(
        Org.id.in_(id_list(list({i for p in pairs for i in (p.office_id, p.branch_id)})))))}
    held: dict[tuple[int, int], int] = defaultdict(int)
    if pairs:
        org_ids = id_list(list(names))
        for host, partner in session.execute(select(Meeting.org_id, Meeting.joint_org_id).where(
                Meeting.joint_org_id.in_(org_ids), Meeting.org_id.in_(org_ids),
                Meeting.status == MeetingStatus.HELD, Meeting.starts_at >= start,
                Meeting.starts_at < end)):
            held[(host, partner or 0)] += 1
    open_items: dict[int, int] = defaultdict(int)
    for (pair_id,) in session.execute(select(JointItem.pair_id).where(
            JointItem.pair_id.in_(id_list([p.id for p in pairs])),
            JointItem.closed_at.is_(None))):
        open_items[pair_id] += 1
    people = _participants(session, pairs, start, end)
    result = PairList([])
    office_all: set[int] = set()
    branch_all: set[int] = set()
    for pair in pairs:
        office, branch = people[pair.id]
        sessions = held[(pair.office_id, pair.branch_id)] + held[(pair.branch_id, pair.office_id)]
        result.lines.append(PairLine(pair, names.get(pair.office_id, ""),
                                     names.get(pair.branch_id, ""), sessions, len(office),
                                     len(branch), open_items[pair.id]))
        result.live_pairs += pair.ended_at is None
        result.sessions += sessions
        office_all.update(office)
        branch_all.update(branch)
    result.office_people, result.branch_people = len(office_all), len(branch_all)
    return result
