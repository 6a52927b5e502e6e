"""The county's inspection group (巡视组): accounts that score a scheme's inspection
clauses after visiting an org.

An inspector is a member (who logs in to the console through WeChat) or a console
password account, tied to the county committee whose orgs they inspect. Removing one
keeps the row (inactive): the marks they gave still name them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.actors import Actor
from models.assessment.inspector_table import Inspector
from models.console.accounts import ConsoleUser
from models.members.tables import Member

__all__ = ["Inspector", "active_inspectors", "inspector_name", "inspector_of",
           "inspector_of_key"]


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
