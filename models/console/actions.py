"""Changes to console password accounts, one function each (`partybot console-user
add|password` today; any later surface calls the same): the rule in
models.console.accounts, the audit entry here, in the caller's transaction.

The entry names the login, never the password or its hash: the audit log is read by
every admin above the account's org.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models.actors import Actor
from models.console.accounts import ConsoleUser, add_console_user, change_password
from models.console.audit import record_change
from models.members.org_tables import Org
from models.members.tables import Member


def add_console_account(session: Session, actor: Actor, login: str, password: str, org: Org,
                        member: Member | None, now: datetime) -> ConsoleUser:
    """A new password account that sees `org` and below (flushes); DomainError for a bad
    or taken login or a short password."""
    user = add_console_user(session, login, password, org, member, now)
    record_change(session, actor, org_id=org.id, action="console_user.add", target=user.login,
                  now=now, after={"login": user.login, "org": org.name,
                                  "member": member.name if member else None})
    return user


def change_console_password(session: Session, actor: Actor, login: str, password: str,
                            now: datetime) -> int:
    """A new password for the account `login`; every session of it ends. Returns how
    many ended; DomainError for an unknown login or a short password."""
    user, ended = change_password(session, login, password, now)
    record_change(session, actor, org_id=user.org_id, action="console_user.password",
                  target=user.login, now=now, after={"sessions_ended": ended})
    return ended
