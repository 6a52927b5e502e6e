"""A small real county for issue 28's tests: 嘉荫县委 at the root, two townships, three
village branches and a county office, with staff accounts for each level."""

from __future__ import annotations

from typing import Any

from models.console.accounts import add_console_user
from models.members.org_tables import Org, OrgKind
from models.members.orgs import make_org_admin
from tests.factories import make_branch, make_member

PASSWORD = "correct horse 42"


def build_county(session: Any, now: Any) -> dict[str, Any]:
    """Commit the county; returns ids by name (orgs, members) and the logins made."""
    county = Org(name="嘉荫县委", kind=OrgKind.COMMITTEE)
    session.add(county)
    session.flush()
    east = Org(name="红光乡党委", kind=OrgKind.COMMITTEE, parent_id=county.id)
    west = Org(name="乌云镇党委", kind=OrgKind.COMMITTEE, parent_id=county.id)
    session.add_all([east, west])
    session.flush()
    liaoyuan = make_branch(session, "辽原村党支部", east)
    hongguang = make_branch(session, "红光村党支部", east)
    far = make_branch(session, "远山村党支部", west)
    office = make_branch(session, "县财政局党支部", county)
    secretary = make_member(session, liaoyuan, "李书记", "13800000001", openid="o-li",
                            is_admin=True, committee_posts="书记")
    members = [secretary]
    for i, name in enumerate(["张明", "刘芳", "王强", "陈静"], 2):
        members.append(make_member(session, liaoyuan, name, f"138000000{i:02d}",
                                   openid=f"o-ly{i}"))
    hg = make_member(session, hongguang, "周红", "13800000011", openid="o-hg1",
                     is_admin=True)
    make_member(session, hongguang, "吴刚", "13800000012", openid="o-hg2")
    far_member = make_member(session, far, "赵远", "13800000021", openid="o-far")
    township_staff = make_member(session, hongguang, "孙乡长", "13800000031", openid="o-east")
    make_org_admin(session, east, township_staff.id)
    inspector = make_member(session, office, "钱巡视", "13800000041", openid="o-insp")
    add_console_user(session, "county-it", PASSWORD, county, None, now)
    add_console_user(session, "east-it", PASSWORD, east, None, now)
    add_console_user(session, "west-it", PASSWORD, west, None, now)
    add_console_user(session, "liaoyuan", PASSWORD, liaoyuan, secretary, now)
    add_console_user(session, "inspector", PASSWORD, county, inspector, now)
    session.commit()
    return {"county": county.id, "east": east.id, "west": west.id,
            "liaoyuan": liaoyuan.id, "hongguang": hongguang.id, "far": far.id,
            "office": office.id, "secretary": secretary.id, "hg_admin": hg.id,
            "far_member": far_member.id, "township_staff": township_staff.id,
            "inspector": inspector.id, "liaoyuan_members": [m.id for m in members]}
