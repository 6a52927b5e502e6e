"""A branch for 民主评议 tests: the county fixture's 辽原村 (李书记, 张明, 刘芳) plus 王帮扶
(a helper with WeChat), 赵大爷 (no phone, helped by 李书记 himself) and 孙奶奶 (no phone,
helped by 王帮扶); 刘芳 is a second branch admin (组织委员)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from models.actors import Actor
from models.members.org_tables import Org
from models.members.tables import Member
from models.pairing.actions import make_pair
from tests.factories import make_member

GRADE_WORDS = ("优秀", "合格", "基本合格", "不合格")
GRADE_CODES = {"优秀": "excellent", "合格": "qualified", "基本合格": "basic",
               "不合格": "unqualified"}


def flat_lines(value: Any, path: str = "") -> list[str]:
    """A JSON value (an audit entry's before/after) as one line per leaf, with its path."""
    if isinstance(value, dict):
        return [line for key, inner in value.items() for line in flat_lines(inner, f"{path}.{key}")]
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return [line for i, inner in enumerate(value) for line in flat_lines(inner, f"{path}.{i}")]
    return [f"{path}: {value}"]


def evaluation_branch(session: Any, county: dict[str, int], clock: Any) -> dict[str, int]:
    """Add the members above to 辽原村; their ids by name."""
    branch = session.get(Org, county["liaoyuan"])
    secretary = session.get(Member, county["secretary"])
    secretary.is_helper = True
    liu = session.scalar(select(Member).where(Member.name == "刘芳"))
    liu.is_admin = True
    wang = make_member(session, branch, "王帮扶", "13800000007", openid="o-wang",
                       is_helper=True)
    zhao = make_member(session, branch, "赵大爷", None, needs_help="无手机")
    sun = make_member(session, branch, "孙奶奶", None, needs_help="无手机")
    actor = Actor.cli("test")
    make_pair(session, actor, secretary, zhao, clock(), 3)
    make_pair(session, actor, wang, sun, clock(), 3)
    session.commit()
    return {m.name: m.id for m in session.scalars(select(Member).where(
        Member.branch_id == branch.id))}


def linked_lines(outputs: list[str], votes: list[tuple[str, str | None, str, str]]) -> list[str]:
    """Lines of `outputs` that put a voter (name or openid) next to a choice they made:
    votes are (voter name, voter openid, member rated, grade word)."""
    found = []
    for output in outputs:
        for line in re.split(r"[\n\r]|</tr>|</li>|</p>", output):
            for voter, openid, rated, grade in votes:
                if (voter in line or (openid and openid in line)) and rated in line and (
                        grade in line or GRADE_CODES[grade] in line):
                    found.append(f"{voter}→{rated} {grade}: {line[:200]}")
    return found
