"""A small demo county for `partybot run` on an empty database.

One township committee, two village branches and the township office's branch, a
dozen members: branch admins, helpers, two members who need help (no WeChat), the
township's organization officer (an org admin), the rest ordinary members. Bound
members get readable demo openids so that `partybot chat --openid demo-admin` works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import words
from core.config import Settings
from models.actors import Actor
from models.delivery.outbox import ChannelPolicy
from models.meetings import rules
from models.meetings.actions import NewMeeting, create_meeting
from models.meetings.attendance import check_in
from models.meetings.tables import Meeting, MeetingKind, MeetingStatus, Method
from models.meetings.trends import last_quarters
from models.members.org_tables import Org, OrgAdmin, OrgKind
from models.members.orgs import add_org, make_org_admin
from models.members.tables import Member, NeedsHelp
from models.pairing.tables import HelpPair
from models.study.actions import PushTimes, publish_post, push_item_now
from models.study.posting import make_draft


@dataclass(frozen=True)
class DemoUser:
    """A demo member one can chat as."""

    openid: str
    name: str
    role: str
    branch: str


# name, phone, branch index, group, admin, helper, needs help, openid
_PEOPLE = [
    ("李书记", "13800000001", 0, "第一党小组", True, False, None, "demo-admin"),
    ("王帮扶", "13800000002", 0, "第一党小组", False, True, None, "demo-helper"),
    ("张明", "13800000003", 0, "第一党小组", False, False, None, "demo-member"),
    ("刘芳", "13800000004", 0, "第二党小组", False, False, None, "demo-member-2"),
    ("赵大爷", "13800000005", 0, "第二党小组", False, False, NeedsHelp.OLD_PHONE, None),
    ("孙奶奶", None, 0, "第二党小组", False, False, NeedsHelp.NO_PHONE, None),
    ("陈强", "13800000007", 0, "第一党小组", False, False, None, None),
    ("周书记", "13800000011", 1, None, True, False, None, "demo-admin-2"),
    ("吴丽", "13800000012", 1, None, False, True, None, "demo-helper-2"),
    ("郑伟", "13800000013", 1, None, False, False, None, "demo-member-3"),
    ("冯军", "13800000014", 1, None, False, False, None, None),
    ("韩梅", "13800000015", 1, None, False, False, None, None),
    ("何委员", "13800000021", 2, None, False, False, None, "demo-township"),
]


def database_is_empty(session: Session) -> bool:
    """No member exists yet."""
    return (session.scalar(select(func.count()).select_from(Member)) or 0) == 0


def demo_users(session: Session) -> list[DemoUser]:
    """The bound demo members (openids starting with "demo-"), to print on start."""
    members = session.scalars(
        select(Member).where(Member.openid.like("demo-%")).order_by(Member.id)
    )
    org_admins = set(session.scalars(select(OrgAdmin.member_id)))
    return [
        DemoUser(m.openid or "", m.name,
                 words.ROLE_ORG_ADMIN if m.id in org_admins
                 else words.ROLE_BRANCH_ADMIN if m.is_admin
                 else words.ROLE_HELPER if m.is_helper else words.ROLE_MEMBER,
                 m.branch.name)
        for m in members
    ]


def seed_demo(session: Session, now: datetime, outbox: ChannelPolicy | None = None,
              tz: ZoneInfo | None = None) -> None:
    """Create the demo county (flushes, never commits): people, pairs, and — so that
    every command shows something on a newcomer's first try — a study item, a meeting
    about to begin with its 签到码, and (with `outbox`) its notices, which leave the
    helper relays to pass on."""
    township = add_org(session, "红光乡党委", OrgKind.COMMITTEE)
    branches = [
        add_org(session, "辽原村党支部", OrgKind.BRANCH, township),
        add_org(session, "红光村党支部", OrgKind.BRANCH, township),
        add_org(session, "红光乡机关党支部", OrgKind.BRANCH, township),
    ]
    groups: dict[tuple[int, str], int] = {}
    for name, phone, b, group, admin, helper, needs, openid in _PEOPLE:
        branch = branches[b]
        group_id = None
        if group:
            if (branch.id, group) not in groups:
                groups[(branch.id, group)] = add_org(session, group, OrgKind.GROUP, branch).id
            group_id = groups[(branch.id, group)]
        session.add(Member(
            name=name, phone=phone, branch_id=branch.id, group_id=group_id, is_admin=admin,
            is_helper=helper, needs_help=needs.value if needs else None,
            address=f"{branch.name.removesuffix('党支部')}", openid=openid,
            bound_at=now if openid else None, subscribed=openid is not None,
        ))
    session.flush()
    # 一帮一: 王帮扶 helps the two members who cannot use WeChat.
    helper = session.scalar(select(Member).where(Member.openid == "demo-helper"))
    assert helper is not None
    for name in ("赵大爷", "孙奶奶"):
        member = session.scalar(select(Member).where(Member.name == name))
        assert member is not None
        session.add(HelpPair(helper_id=helper.id, member_id=member.id, created_at=now))
    # 何委员 is the township's organization officer: warnings about its branches reach her.
    # (Seeding is the made-up county as it stands before anyone acts: not audited.)
    township_admin = session.scalar(select(Member).where(Member.openid == "demo-township"))
    assert township_admin is not None
    make_org_admin(session, township, township_admin.id)
    secretary = session.scalar(select(Member).where(Member.openid == "demo-admin"))
    assert secretary is not None
    secretary.committee_posts = "书记"
    helper.committee_posts = "组织委员"
    session.flush()
    zone = tz or ZoneInfo("Asia/Shanghai")
    # Posted by the operator who started the demo, in the secretary's name, and pushed
    # at once: the newcomer's first 学习 finds it, their phone is told within a minute.
    seeded = publish_post(session, Actor.cli(), branches[0], make_draft(
        "学习党章第一章 总纲",
        "中国共产党是中国工人阶级的先锋队，同时是中国人民和中华民族的先锋队。"
        "请大家认真学习，结合本村实际谈体会。", now), now,
        PushTimes(zone, Settings.study_push_time), author=secretary, confirmed=True)
    assert seeded.item is not None
    push_item_now(session, Actor.cli(), branches[0], seeded.item.id, now)
    _seed_history(session, branches, now, zone)
    about_to_begin = NewMeeting(
        org_id=branches[0].id, kind=MeetingKind.BRANCH_ASSEMBLY,
        starts_at=now + timedelta(minutes=40), place="村委会",
        topic="学习二十届四中全会精神", host_id=secretary.id,
        # the operator starting the demo at night still wants a meeting to check in to
        night_confirmed=True)
    if outbox is not None and tz is not None:  # `partybot run`: scheduled, told, audited
        create_meeting(session, Actor.cli(), about_to_begin, outbox=outbox, tz=tz, now=now)
    else:
        rules.create_meeting(session, about_to_begin, created_by=secretary.id, now=now)
    session.flush()


# The last three quarters, per branch: (kind, how many held), so that the console's trend
# and the 台账 have something to show; the newest quarter is left to the newcomer.
_HISTORY = [
    [(MeetingKind.BRANCH_ASSEMBLY, 1), (MeetingKind.COMMITTEE_MEETING, 3),
     (MeetingKind.PARTY_LECTURE, 1), (MeetingKind.GROUP_MEETING, 2)],
    [(MeetingKind.BRANCH_ASSEMBLY, 1), (MeetingKind.COMMITTEE_MEETING, 2)],
    [(MeetingKind.COMMITTEE_MEETING, 3), (MeetingKind.PARTY_LECTURE, 1)],
]


# When the made-up meetings began, local time: a village meets in the morning, the
# afternoon or after the day's work — never in the small hours (issue 25).
_HISTORY_HOURS = [(9, 0), (14, 30), (19, 30), (15, 0)]


def _seed_history(session: Session, branches: list[Org], now: datetime, tz: ZoneInfo) -> None:
    """Held meetings in the three quarters before this one, most members present.

    Made with the rules under the actions (models.meetings.rules): this is a made-up
    past, not changes anyone made, so it leaves no audit entries and sends no notices."""
    for back, quarter in enumerate(last_quarters(now, tz, 4)[:-1]):
        for number, branch in enumerate(branches):
            members = list(session.scalars(select(Member).where(
                Member.branch_id == branch.id).order_by(Member.id)))
            for kind, times in _HISTORY[(number + back) % len(_HISTORY)]:
                for time_ in range(times):
                    hour, minute = _HISTORY_HOURS[(number + time_) % len(_HISTORY_HOURS)]
                    start = quarter.start.astimezone(tz) + timedelta(
                        days=10 + 25 * time_ + number, hours=hour, minutes=minute)
                    meeting = rules.create_meeting(session, NewMeeting(
                        org_id=branch.id, kind=kind, starts_at=start, place="村委会",
                        topic=words.DEMO_HISTORY_TOPIC), created_by=None,
                        now=start - timedelta(days=3))
                    for index, member in enumerate(members):
                        if (index + time_ + back) % 5:  # four in five come
                            check_in(session, meeting, member, Method.CODE, member,
                                     start + timedelta(minutes=5))
                    rules.close_meeting(session, meeting, start + timedelta(hours=2))


def demo_meeting_code(session: Session) -> str:
    """The 签到码 of the demo's open meeting (for the start-up hints)."""
    return session.scalar(select(Meeting.code).where(
        Meeting.status == MeetingStatus.PLANNED).order_by(Meeting.id.desc()).limit(1)) or "1234"


def demo_township(session: Session) -> str | None:
    """The demo township's name (for the console hint), if the demo county is there."""
    return session.scalar(select(Org.name).where(Org.kind == OrgKind.COMMITTEE)
                          .order_by(Org.id).limit(1))
