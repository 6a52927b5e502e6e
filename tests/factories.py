"""Small helpers to put roster data into a test database."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.member import Member
from models.org import Org, OrgKind


def make_branch(session: Session, name: str = "辽原村党支部", parent: Org | None = None) -> Org:
    """A branch (flushed)."""
    org = Org(name=name, kind=OrgKind.BRANCH, parent_id=parent.id if parent else None)
    session.add(org)
    session.flush()
    return org


def make_member(session: Session, branch: Org, name: str, phone: str | None = None,
                openid: str | None = None, **fields: object) -> Member:
    """A member of `branch` (flushed)."""
    member = Member(name=name, branch_id=branch.id, phone=phone, openid=openid,
                    subscribed=openid is not None, **fields)
    session.add(member)
    session.flush()
    return member
