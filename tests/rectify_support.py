"""A county for the 整顿台账 tests: 嘉荫县委 over two townships (东乡, 西乡), 辽原村 in
the east and 远山村 in the west, a county office branch with the 挂点领导 王县长,
password accounts for the county, each township and 辽原村's secretary, and an east
township admin bound to WeChat."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from models.actors import Actor
from models.console.accounts import add_console_user
from models.members.org_tables import Org, OrgKind
from models.members.orgs import make_org_admin
from models.rectification.actions import NewProblem, add_problem, mark_weak
from models.rectification.tables import Problem
from tests.conftest import CONSOLE_PASSWORD
from tests.factories import make_branch, make_member

COUNTY_ACTOR = Actor.cli("county-staff")


def build_county(session: Session, now: datetime) -> dict[str, Any]:
    """The orgs, members and accounts (committed)."""
    county = Org(name="嘉荫县委", kind=OrgKind.COMMITTEE)
    session.add(county)
    session.flush()
    east = Org(name="东乡党委", kind=OrgKind.COMMITTEE, parent_id=county.id)
    west = Org(name="西乡党委", kind=OrgKind.COMMITTEE, parent_id=county.id)
    session.add_all([east, west])
    session.flush()
    liaoyuan = make_branch(session, "辽原村党支部", east)
    far = make_branch(session, "远山村党支部", west)
    office = make_branch(session, "县委办党支部", county)
    secretary = make_member(session, liaoyuan, "李书记", "13800000001", openid="o-li",
                            is_admin=True, committee_posts="书记")
    leader = make_member(session, office, "王县长", "13800000009", openid="o-wang")
    clerk = make_member(session, make_branch(session, "东乡机关党支部", east), "周干事",
                        "13800000008", openid="o-zhou")
    make_org_admin(session, east, clerk.id)
    west_clerk = make_member(session, far, "吴干事", "13800000007", openid="o-wu")
    make_org_admin(session, west, west_clerk.id)
    add_console_user(session, "county-it", CONSOLE_PASSWORD, county, None, now)
    add_console_user(session, "east-it", CONSOLE_PASSWORD, east, None, now)
    add_console_user(session, "west-it", CONSOLE_PASSWORD, west, None, now)
    add_console_user(session, "liaoyuan", CONSOLE_PASSWORD, liaoyuan, secretary, now)
    session.commit()
    return {"county": county.id, "east": east.id, "west": west.id, "liaoyuan": liaoyuan.id,
            "far": far.id, "office": office.id, "secretary": secretary.id,
            "leader": leader.id, "clerk": clerk.id, "west_clerk": west_clerk.id}


def file_problem(session: Session, ids: dict[str, Any], branch: str, year: int,
                 deadline: date, now: datetime, **fields: Any) -> Problem:
    """Mark the branch weak for the year if needed and file one problem (flushes)."""
    from sqlalchemy import select

    from models.rectification.tables import WeakBranch

    weak = session.scalars(select(WeakBranch).where(
        WeakBranch.branch_id == ids[branch], WeakBranch.year == year)).first()
    if weak is None:
        weak = mark_weak(session, COUNTY_ACTOR, ids[branch], year, "班子涣散", ids["county"],
                         now)
    spec = {"category": "班子不强", "description": "支部班子长期不全", "measures": "补选委员",
            "deadline": deadline, "owner_id": ids["secretary"] if branch == "liaoyuan" else None,
            "owner_name": "" if branch == "liaoyuan" else "赵某", "leader_id": ids["leader"]}
    spec.update(fields)
    return add_problem(session, COUNTY_ACTOR, weak, NewProblem(**spec), ids["county"], now)
