"""Who may use the console, and what they see.

Two kinds of account: a bound member with an admin role (logged in through WeChat —
web authorization or scanning the login QR code), and a password account for staff with
no bound WeChat (county IT, auditors; `partybot console-user add`). Either way the
account is tied to one org and sees that org and everything below it: a branch
secretary their branch, township staff the township's branches, county staff all. That
rule lives here, once; every console view asks `in_scope`.

Passwords are hashed with scrypt (hashlib); a login gets 10 tries within 15 minutes,
counted before hashing, then is locked for 15 minutes (models.db.guesses).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core import texts
from models.assessment.inspector_table import Inspector
from models.console.sessions import end_all_sessions, member_key, user_key
from models.db.base import Base, UTCDateTime
from models.db.guesses import CONSOLE_LOGIN, GuessState, forget_failures, reserve_guess
from models.errors import DomainError
from models.members.org_tables import Org, OrgAdmin
from models.members.orgs import admin_org_of, subtree_ids
from models.members.roster import RosterRow, RowProblem
from models.members.tables import Member

LOGIN_MAX = 40
PASSWORD_MIN = 10
# scrypt's cost: 16 MiB of memory per check, about 50 ms on this machine's cores.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


class ConsoleUser(Base):
    """A password account for the console."""

    __tablename__ = "console_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(LOGIN_MAX), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Read-only: `console-user add` writes the ids.
    org: Mapped[Org] = relationship(viewonly=True)
    member: Mapped[Member | None] = relationship(viewonly=True)


def hash_password(password: str) -> str:
    """scrypt with a random salt, self-describing ("scrypt$n$r$p$salt$hash")."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            maxmem=64 * 1024 * 1024)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def password_matches(stored: str, password: str) -> bool:
    """Whether `password` is the one `stored` was made from (constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        found = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n),
                               r=int(r), p=int(p), maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found.hex(), digest)


def add_console_user(session: Session, login: str, password: str, org: Org,
                     member: Member | None, now: datetime) -> ConsoleUser:
    """A new password account (flushes); DomainError for a taken login or a short
    password."""
    login = login.strip()
    if not login or len(login) > LOGIN_MAX or any(char.isspace() for char in login):
        raise DomainError("CONSOLE_BAD_LOGIN", limit=LOGIN_MAX)
    if len(password) < PASSWORD_MIN:
        raise DomainError("CONSOLE_PASSWORD_SHORT", minimum=PASSWORD_MIN)
    if session.scalar(select(ConsoleUser.id).where(ConsoleUser.login == login)) is not None:
        raise DomainError("CONSOLE_LOGIN_TAKEN", login=login)
    user = ConsoleUser(login=login, password_hash=hash_password(password), org_id=org.id,
                       member_id=member.id if member else None, created_at=now)
    session.add(user)
    session.flush()
    return user


def change_password(session: Session, login: str, password: str,
                    now: datetime) -> tuple[ConsoleUser, int]:
    """A new password for the account `login`: every console session of the account ends
    and its wrong-password count starts afresh. Returns the account and how many
    sessions ended; DomainError for an unknown login or a short password."""
    if len(password) < PASSWORD_MIN:
        raise DomainError("CONSOLE_PASSWORD_SHORT", minimum=PASSWORD_MIN)
    user = session.scalar(select(ConsoleUser).where(ConsoleUser.login == login.strip()))
    if user is None:
        raise DomainError("CONSOLE_NO_SUCH_LOGIN", login=login[:LOGIN_MAX])
    user.password_hash = hash_password(password)
    forget_failures(session, CONSOLE_LOGIN, _guess_key(user.login))
    return user, end_all_sessions(session, user_key(user.id), now)


def end_member_sessions(session: Session, member_id: int, now: datetime) -> int:
    """Every console session of a member (「退出电脑端」): those their WeChat logged in and
    those of the password accounts linked to them; returns how many ended."""
    users = session.scalars(select(ConsoleUser.id).where(ConsoleUser.member_id == member_id))
    keys = [member_key(member_id), *(user_key(user_id) for user_id in users)]
    return sum(end_all_sessions(session, key, now) for key in keys)


def _guess_key(login: str) -> str:
    return f"login:{login.strip()[:LOGIN_MAX]}"


def reserve_password_try(session: Session, login: str, now: datetime) -> GuessState:
    """Take one of the login's 10 tries before its password is hashed; not `granted`
    while the login is locked. The caller commits this at once, in its own short
    transaction: parallel guesses then see the count before anyone spends 50 ms in
    scrypt, and no row lock is held while hashing."""
    return reserve_guess(session, CONSOLE_LOGIN, _guess_key(login), now)


def user_with_password(session: Session, login: str, password: str) -> int | None:
    """The id of the password account `login` if `password` is its password (reads
    only; call it after a granted `reserve_password_try`)."""
    user = session.scalar(select(ConsoleUser).where(ConsoleUser.login == login.strip()))
    # An unknown login costs the same hash as a known one: no hint which logins exist.
    stored = user.password_hash if user is not None else _DUMMY_HASH
    if not password_matches(stored, password) or user is None:
        return None
    return user.id


def password_login_done(session: Session, user_id: int, now: datetime) -> ConsoleUser | None:
    """A right password: the login's count starts afresh and the login time is kept."""
    user = session.get(ConsoleUser, user_id)
    if user is not None:
        forget_failures(session, CONSOLE_LOGIN, _guess_key(user.login))
        user.last_login_at = now
    return user


_DUMMY_HASH = hash_password(secrets.token_hex(8))


@dataclass(frozen=True)
class Account:
    """Who is using the console: their name, their org and what they may see."""

    kind: str  # "member" (through WeChat) or "user" (password)
    id: int
    name: str
    org_id: int
    org_name: str
    is_staff: bool  # township / county: sees several branches

    @property
    def key(self) -> str:
        """How the session remembers the account ("member:12", "user:3")."""
        return f"{self.kind}:{self.id}"


def account_of_member(session: Session, member_id: int) -> Account | None:
    """A member's console account: township/county staff their org, a branch admin
    their branch; None for anyone else."""
    member = session.get(Member, member_id)
    if member is None:
        return None
    org = admin_org_of(session, member.id)
    if org is not None:
        return Account("member", member.id, member.name, org.id, org.name, True)
    if member.is_admin:
        return Account("member", member.id, member.name, member.branch_id,
                       member.branch.name, False)
    return _inspector_account(session, member)


def _inspector_account(session: Session, member: Member) -> Account | None:
    """Issue 28: a member of the county's inspection group (巡视组) who holds no admin
    role uses the console at the county's scope, to visit and score its orgs."""
    found = session.scalar(select(Inspector).where(Inspector.member_id == member.id,
                                                   Inspector.active.is_(True)))
    county = session.get(Org, found.county_id) if found is not None else None
    if county is None:
        return None
    return Account("member", member.id, member.name, county.id, county.name, True)


def account_of_user(session: Session, user_id: int) -> Account | None:
    """A password account's console account."""
    user = session.get(ConsoleUser, user_id)
    if user is None:
        return None
    org = user.org
    return Account("user", user.id, user.login, org.id, org.name, org.kind != "branch")


def account_by_key(session: Session, key: str) -> Account | None:
    """The account a session remembers (None when it no longer exists or lost its role)."""
    kind, _, number = key.partition(":")
    if not number.isdigit():
        return None
    if kind == "member":
        return account_of_member(session, int(number))
    if kind == "user":
        return account_of_user(session, int(number))
    return None


def scope_ids(session: Session, account: Account) -> set[int]:
    """The orgs this account sees: its own and everything below."""
    return set(subtree_ids(session, account.org_id))


def in_scope(session: Session, account: Account, org_id: int) -> bool:
    """Whether the account may see org `org_id` (the one rule every view asks)."""
    return org_id in scope_ids(session, account)


def bound_members_admins_first(session: Session, limit: int = 30) -> list[tuple[str, str]]:
    """(openid, "name · org") of bound members, those who may use the console first
    (the sandbox offers them as the people holding the phone)."""
    is_org_admin = select(OrgAdmin.id).where(OrgAdmin.member_id == Member.id).exists()
    rows = session.execute(
        select(Member.openid, Member.name, Org.name)
        .join(Org, Org.id == Member.branch_id)
        .where(Member.openid.is_not(None))
        .order_by((Member.is_admin | is_org_admin).desc(), Member.id)
        .limit(limit)).all()
    return [(str(openid), f"{name} · {org}") for openid, name, org in rows]


def member_of_account(session: Session, account: Account) -> Member | None:
    """The member behind an account (a password account may have none)."""
    if account.kind == "member":
        return session.get(Member, account.id)
    user = session.get(ConsoleUser, account.id)
    return user.member if user else None


def roster_rows_outside(session: Session, account: Account,
                        rows: list[RosterRow]) -> list[RowProblem]:
    """A roster uploaded in the console stays within the account's scope: a branch
    secretary's file names only their branch (and no 上级党组织); staff name branches
    and committees in their subtree, or new ones (created under their org). Rows that
    name a *member* outside the scope are refused when the import is planned
    (models.members.roster_import, `Importer.limited`): only the plan knows who a row means."""
    scope = scope_ids(session, account)
    problems: list[RowProblem] = []
    if not account.is_staff:
        for row in rows:
            if row.branch != account.org_name or row.committee:
                problems.append(RowProblem(row.line, texts.CONSOLE_ROSTER_OWN_BRANCH.format(
                    branch=account.org_name)))
        return problems
    names = {org.name for org in session.scalars(select(Org).where(
        Org.name.in_({r.branch for r in rows} | {r.committee for r in rows if r.committee})))}
    inside = {name for name, in session.execute(select(Org.name).where(
        Org.id.in_(scope), Org.name.in_(names)))} if names else set()
    for row in rows:
        for name in (row.branch, row.committee):
            if name and name in names and name not in inside:
                problems.append(RowProblem(row.line, texts.CONSOLE_ROSTER_OUTSIDE.format(
                    name=name)))
                break
    return problems
