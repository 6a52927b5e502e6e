"""The county's inspection group (巡视组): accounts that score a scheme's inspection
clauses after visiting an org.

An inspector is a member (who logs in to the console through WeChat) or a console
password account, tied to the county committee whose orgs they inspect. Removing one
keeps the row (inactive): the marks they gave still name them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.actors import Actor
from models.console.accounts import ConsoleUser
from models.db.base import Base, UTCDateTime
from models.members.tables import Member


class Inspector(Base):
    """One member or console account in the county's inspection group."""

    __tablename__ = "inspector"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), unique=True)
    console_user_id: Mapped[int | None] = mapped_column(ForeignKey("console_user.id"),
                                                        unique=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    added_by: Mapped[str] = mapped_column(String(100))


def inspector_of_key(session: Session, key: str) -> Inspector | None:
    """The active inspector behind an account key ("member:12", "user:3"), if any."""
    kind, _, number = key.partition(":")
    if not number.isdigit():
        return None
    column = {"member": Inspector.member_id, "user": Inspector.console_user_id}.get(kind)
    if column is None:
        return None
    return session.scalar(select(Inspector).where(column == int(number),
                                                  Inspector.active.is_(True)))


def inspector_of(session: Session, actor: Actor) -> Inspector | None:
    """The active inspector acting, by the actor's account or, for a password account
    linked to a member, by that member."""
    found = inspector_of_key(session, actor.key)
    if found is None and actor.member_id is not None:
        found = inspector_of_key(session, f"member:{actor.member_id}")
    return found


def inspector_name(session: Session, inspector: Inspector) -> str:
    """Who the inspector is, in words (the member's name or the login)."""
    if inspector.member_id is not None:
        member = session.get(Member, inspector.member_id)
        return member.name if member is not None else "?"
    user = session.get(ConsoleUser, inspector.console_user_id)
    return user.login if user is not None else "?"


def active_inspectors(session: Session) -> list[tuple[Inspector, str]]:
    """Every active inspector with their name, by name."""
    rows = list(session.scalars(select(Inspector).where(Inspector.active.is_(True))))
    return sorted(((row, inspector_name(session, row)) for row in rows),
                  key=lambda pair: pair[1])
