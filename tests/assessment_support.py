"""A small county's 2025 for the assessment tests: a county committee, two townships,
three village branches and a county office, meetings held, missed, cancelled and
doubled, study items and records, notices in every state, relays confirmed, open and
dropped — written as rows, so that the tests can count them again independently."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from models.assessment.ratios import Ratio
from models.delivery.held import COMBINED_KIND
from models.delivery.outbox import Channel, Outbox, Status
from models.meetings.tables import Meeting, MeetingKind, MeetingStatus
from models.members.org_tables import Org, OrgKind
from models.members.tables import Member
from models.pairing.relays import Relay
from models.study.tables import StudyItem, StudyRecord
from tests.factories import make_member

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2025
PASSWORD = "correct horse 42"
SCHEME_FILE = Path(__file__).parent / "data" / "assessment_scheme.toml"
# The README's complete example scheme (the merger points this at README.md).
README_WITH_SCHEME = Path(__file__).resolve().parent.parent / "README.md"


def local(year: int, month: int, day: int, hour: int = 9) -> datetime:
    """A local wall-clock time as UTC (what the columns store)."""
    return datetime(year, month, day, hour, tzinfo=TZ).astimezone(UTC)


@dataclass
class Year:
    """The ids the tests look for, and the rows written (to count again)."""

    ids: dict[str, int] = field(default_factory=dict)
    meetings: list[Meeting] = field(default_factory=list)
    members: dict[str, list[int]] = field(default_factory=dict)  # org key -> member ids
    items: list[StudyItem] = field(default_factory=list)
    records: list[tuple[int, int]] = field(default_factory=list)  # item id, member id
    notices: list[tuple[int, Status, Status | None]] = field(default_factory=list)
    relays: list[Relay] = field(default_factory=list)


def build_county(session: Session) -> Year:
    """The county and its 2025 (committed)."""
    year = Year()
    county = Org(name="嘉荫县委", kind=OrgKind.COMMITTEE)
    session.add(county)
    session.flush()
    east = Org(name="东乡党委", kind=OrgKind.COMMITTEE, parent_id=county.id)
    west = Org(name="西乡党委", kind=OrgKind.COMMITTEE, parent_id=county.id)
    office = Org(name="县教育局机关党支部", kind=OrgKind.BRANCH, parent_id=county.id)
    session.add_all([east, west, office])
    session.flush()
    liaoyuan = Org(name="辽原村党支部", kind=OrgKind.BRANCH, parent_id=east.id)
    hongguang = Org(name="红光村党支部", kind=OrgKind.BRANCH, parent_id=east.id)
    far = Org(name="远山村党支部", kind=OrgKind.BRANCH, parent_id=west.id)
    session.add_all([liaoyuan, hongguang, far])
    session.flush()
    group = Org(name="第一党小组", kind=OrgKind.GROUP, parent_id=liaoyuan.id)
    session.add(group)
    session.flush()
    year.ids = {"county": county.id, "east": east.id, "west": west.id, "office": office.id,
                "liaoyuan": liaoyuan.id, "hongguang": hongguang.id, "far": far.id,
                "group": group.id}
    people = {
        "liaoyuan": [("李书记", "o-li", True), ("张明", "o-zm", False), ("刘芳", None, False),
                     ("赵大爷", None, False)],
        "hongguang": [("王书记", "o-wang", True), ("孙红", "o-sun", False)],
        "far": [("赵远", "o-zy", True), ("钱山", None, False), ("周水", "o-zs", False)],
        "office": [("吴局长", "o-wu", True), ("郑干事", "o-zheng", False)],
    }
    for key, rows in people.items():
        branch = session.get(Org, year.ids[key])
        assert branch is not None
        year.members[key] = []
        for index, (name, openid, admin) in enumerate(rows):
            phone = f"139{sum(map(len, year.members.values())) + 1:08d}"
            member = make_member(session, branch, name, phone,
                                 openid=openid, is_admin=admin,
                                 group_id=group.id if key == "liaoyuan" and index < 2 else None)
            year.members[key].append(member.id)
    _meetings(session, year)
    _study(session, year, county.id)
    _notices(session, year)
    _relays(session, year)
    session.commit()
    return year


def _meeting(session: Session, year: Year, org: str, kind: MeetingKind, when: datetime,
             status: MeetingStatus = MeetingStatus.HELD, expected: int = 0,
             present: int = 0) -> None:
    meeting = Meeting(org_id=year.ids[org], kind=kind, starts_at=when,
                      ends_at=when + timedelta(hours=2), place="村委会", status=status,
                      code=f"{len(year.meetings):04d}", expected_count=expected,
                      present_count=present, absent_count=expected - present)
    session.add(meeting)
    year.meetings.append(meeting)


def _meetings(session: Session, year: Year) -> None:
    k = MeetingKind
    # 辽原村: assemblies in Q1 (twice) and Q2, one cancelled in Q3, one planned in Q4;
    # 支委会 in 10 months; 党小组会 in 6; 党课 every quarter; 组织生活会 once; a 2024
    # assembly and a 2026 one outside the year.
    _meeting(session, year, "liaoyuan", k.BRANCH_ASSEMBLY, local(YEAR, 1, 10), expected=4,
             present=4)
    _meeting(session, year, "liaoyuan", k.BRANCH_ASSEMBLY, local(YEAR, 3, 31, 20), expected=4,
             present=2)
    _meeting(session, year, "liaoyuan", k.BRANCH_ASSEMBLY, local(YEAR, 4, 1, 1), expected=4,
             present=3)  # 01:00 on 1 April local: the second quarter (UTC says March)
    _meeting(session, year, "liaoyuan", k.BRANCH_ASSEMBLY, local(YEAR, 8, 1),
             MeetingStatus.CANCELLED)
    _meeting(session, year, "liaoyuan", k.BRANCH_ASSEMBLY, local(YEAR, 11, 1),
             MeetingStatus.PLANNED)
    _meeting(session, year, "liaoyuan", k.BRANCH_ASSEMBLY, local(YEAR - 1, 12, 30), expected=4,
             present=4)
    _meeting(session, year, "liaoyuan", k.BRANCH_ASSEMBLY, local(YEAR + 1, 1, 1, 2), expected=4,
             present=4)
    for month in range(1, 11):
        _meeting(session, year, "liaoyuan", k.COMMITTEE_MEETING, local(YEAR, month, 5),
                 expected=2, present=2 if month % 2 else 1)
    for month in (1, 2, 3, 7, 8, 9):
        _meeting(session, year, "liaoyuan", k.GROUP_MEETING, local(YEAR, month, 12),
                 expected=2, present=2)
    for month in (2, 5, 8, 11):
        _meeting(session, year, "liaoyuan", k.PARTY_LECTURE, local(YEAR, month, 20),
                 expected=4, present=3)
    _meeting(session, year, "liaoyuan", k.LIFE_MEETING, local(YEAR, 12, 20), expected=4,
             present=4)
    # 红光村 (no groups): every month's 支委会, every quarter's assembly, three lectures.
    for month in range(1, 13):
        _meeting(session, year, "hongguang", k.COMMITTEE_MEETING, local(YEAR, month, 6),
                 expected=2, present=2)
    for month in (1, 4, 7, 10):
        _meeting(session, year, "hongguang", k.BRANCH_ASSEMBLY, local(YEAR, month, 15),
                 expected=2, present=1)
    for month in (3, 6, 9):
        _meeting(session, year, "hongguang", k.PARTY_LECTURE, local(YEAR, month, 25),
                 expected=2, present=2)
    _meeting(session, year, "hongguang", k.THEME_DAY, local(YEAR, 7, 1), expected=2,
             present=2)  # not a required kind: counts for attendance only
    # 远山村 met once; the office held its assemblies.
    _meeting(session, year, "far", k.COMMITTEE_MEETING, local(YEAR, 6, 6), expected=3,
             present=1)
    for month in (2, 5, 8, 11):
        _meeting(session, year, "office", k.BRANCH_ASSEMBLY, local(YEAR, month, 3),
                 expected=2, present=2)
    session.flush()


def _item(session: Session, year: Year, org_id: int, when: datetime,
          withdrawn: bool = False) -> StudyItem:
    item = StudyItem(org_id=org_id, title=f"学习{len(year.items)}", body="",
                     content_hash=f"h{len(year.items)}", publish_at=when, push_at=when,
                     pushed_at=when, withdrawn_at=when + timedelta(hours=1) if withdrawn
                     else None)
    session.add(item)
    session.flush()
    year.items.append(item)
    return item


def _study(session: Session, year: Year, county_id: int) -> None:
    everyone = _item(session, year, county_id, local(YEAR, 3, 1))
    second = _item(session, year, county_id, local(YEAR, 9, 1))
    own = _item(session, year, year.ids["liaoyuan"], local(YEAR, 5, 1))
    east = _item(session, year, year.ids["east"], local(YEAR, 6, 1))
    old = _item(session, year, county_id, local(YEAR - 1, 12, 1))
    gone = _item(session, year, county_id, local(YEAR, 4, 1), withdrawn=True)
    liaoyuan, hongguang = year.members["liaoyuan"], year.members["hongguang"]
    far, office = year.members["far"], year.members["office"]
    records = [(everyone, liaoyuan[:3]), (second, liaoyuan[:1]), (own, liaoyuan),
               (east, liaoyuan[:2] + hongguang), (everyone, hongguang), (old, liaoyuan),
               (gone, liaoyuan[:1]), (everyone, far[:1]), (second, office)]
    for item, members in records:
        for member_id in members:
            session.add(StudyRecord(item_id=item.id, member_id=member_id,
                                    studied_at=item.publish_at + timedelta(hours=3)))
            year.records.append((item.id, member_id))
    session.flush()


def _notices(session: Session, year: Year) -> None:
    rows: list[tuple[str, Status, Channel, Status | None, datetime]] = [
        ("liaoyuan", Status.SENT, Channel.TEMPLATE, None, local(YEAR, 2, 1)),
        ("liaoyuan", Status.SENT, Channel.CUSTOM, None, local(YEAR, 2, 2)),
        ("liaoyuan", Status.RELAYED, Channel.RELAY, None, local(YEAR, 2, 3)),
        ("liaoyuan", Status.FAILED, Channel.TEMPLATE, None, local(YEAR, 2, 4)),
        ("liaoyuan", Status.HELD, Channel.NONE, None, local(YEAR, 2, 5)),
        ("liaoyuan", Status.UNDELIVERABLE, Channel.NONE, None, local(YEAR, 2, 6)),
        ("liaoyuan", Status.MERGED, Channel.CUSTOM, Status.SENT, local(YEAR, 2, 7)),
        ("liaoyuan", Status.MERGED, Channel.CUSTOM, Status.FAILED, local(YEAR, 2, 8)),
        ("liaoyuan", Status.SENT, Channel.TEMPLATE, None, local(YEAR - 1, 12, 31)),
        ("liaoyuan", Status.SENT, Channel.TAG, None, local(YEAR, 3, 1)),  # not a notice
        ("hongguang", Status.SENT, Channel.SUBSCRIBE, None, local(YEAR, 5, 1)),
        ("hongguang", Status.PENDING, Channel.TEMPLATE, None, local(YEAR, 5, 2)),
        ("far", Status.DROPPED, Channel.NONE, None, local(YEAR, 5, 3)),
    ]
    for index, (org, status, channel, carried, when) in enumerate(rows):
        carrier_id = None
        if carried is not None:
            carrier = Outbox(dedupe_key=f"combined:{index}", kind=COMBINED_KIND,
                             member_id=year.members[org][1], channel=Channel.CUSTOM,
                             payload={}, status=carried, send_after=when, created_at=when)
            session.add(carrier)
            session.flush()
            carrier_id = carrier.id
        session.add(Outbox(dedupe_key=f"n:{index}", kind="meeting_notice",
                           member_id=year.members[org][1], channel=channel, payload={},
                           status=status, send_after=when, created_at=when,
                           carried_by=carrier_id))
        if channel != Channel.TAG and when.astimezone(TZ).year == YEAR:
            year.notices.append((year.ids[org], status, carried))
    session.flush()


def _relays(session: Session, year: Year) -> None:
    helper = year.members["liaoyuan"][1]
    rows = [("liaoyuan", 3, local(YEAR, 4, 2), None), ("liaoyuan", 3, None, None),
            ("liaoyuan", 2, None, local(YEAR, 4, 9)),  # dropped before confirmed
            ("liaoyuan", 3, local(YEAR, 5, 2), None), ("far", 1, None, None)]
    for index, (org, member_index, confirmed, dropped) in enumerate(rows):
        relay = Relay(dedupe_key=f"r:{index}", helper_id=helper,
                      member_id=year.members[org][member_index], kind="study_push",
                      text="学习", created_at=local(YEAR, 4, 1 + index),
                      confirmed_at=confirmed, dropped_at=dropped)
        session.add(relay)
        year.relays.append(relay)
    session.flush()


def ratio_sum(*ratios: Ratio) -> Ratio:
    """Ratios added up."""
    return sum(ratios, Ratio(0, 0))


def member(session: Session, name: str) -> Member:
    """A member by name."""
    from sqlalchemy import select

    return session.scalars(select(Member).where(Member.name == name)).one()
