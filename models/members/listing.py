"""The console's member list of a branch: searched by name or phone in the database and
shown a page at a time, so a branch of thousands (a big import) is one short page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models.members.tables import Member, live_member

PER_PAGE = 50


@dataclass(frozen=True)
class MemberPage:
    """One page of a branch's members (by name), and where it sits in the whole list."""

    members: list[Member]
    total: int  # members matching the search
    page: int  # 1-based, within 1..pages
    pages: int
    forgotten: int = 0  # forgotten members of the branch: counted, never listed


def member_page(session: Session, branch_id: int, query: str = "", page: int = 1,
                per_page: int = PER_PAGE) -> MemberPage:
    """Members of the branch whose name or phone contains `query` (as typed: % and _
    are plain characters), page `page` of them; a page past the end shows the last.
    Forgotten members are not listed (nothing can be done to them), only counted."""
    where = [Member.branch_id == branch_id, live_member()]
    if query:
        where.append(or_(Member.name.contains(query, autoescape=True),
                         Member.phone.contains(query, autoescape=True)))
    total = session.scalar(select(func.count(Member.id)).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    members = list(session.scalars(select(Member).where(*where)
                                   .order_by(Member.name, Member.id)
                                   .offset((page - 1) * per_page).limit(per_page)))
    forgotten = session.scalar(select(func.count(Member.id)).where(
        Member.branch_id == branch_id, Member.forgotten_at.is_not(None))) or 0
    return MemberPage(members, total, page, pages, forgotten)
