"""A county for the 述职评议 tests: 清河县委 over two townships (东乡, 西乡) and a county
office; branch and township secretaries, members, county staff and console accounts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from models.actors import Actor
from models.console.accounts import add_console_user
from models.members.org_tables import Org, OrgAdmin, OrgKind
from models.reviews.tables import Party
from tests.factories import make_branch, make_member

PASSWORD = "correct horse 42"
WEIGHTS = {Party.SELF: 10, Party.COUNTY: 40, Party.LEADER: 20, Party.MEMBERS: 30}
VOTERS = {"张明": "o-zm", "刘芳": "o-lf", "王强": "o-wq"}


def build_county(session: Any, clock: Any) -> dict[str, Any]:
    """The county's tree and people (committed)."""
    county = Org(name="清河县委", kind=OrgKind.COMMITTEE)
    session.add(county)
    session.flush()
    east = Org(name="东乡党委", kind=OrgKind.COMMITTEE, parent_id=county.id)
    west = Org(name="西乡党委", kind=OrgKind.COMMITTEE, parent_id=county.id)
    session.add_all([east, west])
    session.flush()
    office = make_branch(session, "县委机关支部", county)
    liaoyuan = make_branch(session, "辽原村党支部", east)
    east_office = make_branch(session, "东乡机关支部", east)
    far = make_branch(session, "远山村党支部", west)
    li = make_member(session, liaoyuan, "李书记", "13800000001", openid="o-li",
                     is_admin=True, committee_posts="书记")
    make_member(session, liaoyuan, "陈副书记", "13800000009", openid="o-chen",
                committee_posts="副书记")
    voters = {name: make_member(session, liaoyuan, name, f"1380000001{i}", openid=openid)
              for i, (name, openid) in enumerate(VOTERS.items())}
    zhao = make_member(session, far, "赵远", "13800000004", openid="o-zy", is_admin=True,
                       committee_posts="书记")
    far_member = make_member(session, far, "钱多", "13800000005", openid="o-qd")
    # a branch whose roster names no 书记: its admin reports
    quiet = make_branch(session, "静水村党支部", west)
    make_member(session, quiet, "吴支委", "13800000008", is_admin=True, committee_posts="组织委员")
    sun = make_member(session, east_office, "孙乡书记", "13800000006", openid="o-sun",
                      committee_posts="书记")
    zhou = make_member(session, office, "周部长", "13800000007", openid="o-zhou",
                       committee_posts="组织委员")
    session.add_all([OrgAdmin(org_id=east.id, member_id=sun.id),
                     OrgAdmin(org_id=county.id, member_id=zhou.id)])
    session.flush()
    now = clock()
    add_console_user(session, "county", PASSWORD, county, zhou, now)
    add_console_user(session, "east", PASSWORD, east, sun, now)
    add_console_user(session, "west", PASSWORD, west, None, now)
    add_console_user(session, "liaoyuan", PASSWORD, liaoyuan, li, now)
    add_console_user(session, "yuanshan", PASSWORD, far, zhao, now)
    session.commit()
    return {"county": county.id, "east": east.id, "west": west.id, "office": office.id,
            "liaoyuan": liaoyuan.id, "far": far.id, "li": li.id, "zhao": zhao.id,
            "sun": sun.id, "zhou": zhou.id, "far_member": far_member.id,
            "voters": {name: m.id for name, m in voters.items()}}


def zhou_actor(ids: dict[str, Any]) -> Actor:
    """The county's organization head, acting in chat or the console."""
    return Actor.member(ids["zhou"], "周部长")


def deadline(clock: Any, days: int = 10) -> Any:
    """A deadline `days` ahead."""
    return clock() + timedelta(days=days)
