"""A member's own settings for their pages (/m/): the font size, for now.

A preference changes nothing anyone else sees, so it is not an audited change: a plain
function sets it. One row per member who ever chose; no row means the defaults."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime
from models.members.tables import Member


class FontSize(StrEnum):
    """标准 / 大 / 特大: the class on the pages' <html> (font-standard …)."""

    STANDARD = "standard"
    LARGE = "large"
    XLARGE = "xlarge"


class PagePreference(Base):
    """What a member chose for their pages."""

    __tablename__ = "page_preference"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True)
    font_size: Mapped[str] = mapped_column(String(10), default=FontSize.STANDARD)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


_VISITOR = (select(Member, PagePreference.font_size)
            .outerjoin(PagePreference, PagePreference.member_id == Member.id))


def page_visitor(session: Session, openid: str) -> tuple[Member, FontSize] | None:
    """The member bound to `openid` and their font size, in one query (every page asks
    it: a member unbound meanwhile is a stranger on their next page)."""
    row = session.execute(_VISITOR.where(Member.openid == openid)).first()
    if row is None:
        return None
    member, size = row
    return member, font_size_of(size)


def font_size_of(value: str | None) -> FontSize:
    """A stored or sent size, or the standard one for anything else."""
    try:
        return FontSize(value or FontSize.STANDARD)
    except ValueError:
        return FontSize.STANDARD


def set_font_size(session: Session, member_id: int, size: FontSize, now: datetime) -> None:
    """Remember the member's font size (flushes)."""
    row = session.get(PagePreference, member_id)
    if row is None:
        session.add(PagePreference(member_id=member_id, font_size=size, changed_at=now))
    else:
        row.font_size, row.changed_at = size, now
    session.flush()
