"""The roster (DESIGN.md section 5): validate every row, then apply all or nothing.

A member is identified by name + phone, or by name + branch when the row has no
phone. Importing the same file twice changes nothing; a changed row updates the
member's branch, group, roles, needs-help reason and address. Members missing from
the file are left alone (a roster file may cover one branch only).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import texts, words
from models.errors import DomainError
from models.member import Member, NeedsHelp
from models.org import Org, OrgKind, add_org, child_org

COLUMNS = words.ROSTER_COLUMNS
# Optional extras: where the member lives, for nearest-helper matching (一帮一).
OPTIONAL_COLUMNS = words.ROSTER_OPTIONAL_COLUMNS
REQUIRED = words.ROSTER_REQUIRED
ALIASES = words.ROSTER_ALIASES
ROLE_ADMIN = words.ROLE_ADMIN
ROLE_HELPER = words.ROLE_HELPER
ROLE_WORDS = {"", words.ROLE_MEMBER, ROLE_ADMIN, ROLE_HELPER}
HELP_REASONS = {r.value for r in NeedsHelp}
PHONE_PUNCTUATION = re.compile(r"[\s\-()\uff08\uff09]")  # incl. full-width brackets
MOBILE = re.compile(r"^1\d{10}$")
LANDLINE = re.compile(r"^0\d{9,11}$")

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class RosterError(DomainError):
    """The file as a whole (or one row) cannot be imported; a catalog key and fields."""


@dataclass(frozen=True)
class RosterRow:
    """One validated row."""

    line: int
    name: str
    branch: str
    group: str | None
    phone: str | None
    is_admin: bool
    is_helper: bool
    needs_help: str | None
    address: str | None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def identity(self) -> tuple[str, str, str]:
        """What makes two rows the same person."""
        return (self.name, "phone", self.phone) if self.phone else (self.name, "branch",
                                                                     self.branch)


@dataclass
class RowProblem:
    """What is wrong with one line of the file."""

    line: int
    message: str

    def __str__(self) -> str:
        return texts.ROSTER_ROW.format(line=self.line, message=self.message)


@dataclass
class ImportReport:
    """What an import did (or would have done)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    orgs_created: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _cell(value: Any) -> str:
    """A cell as clean text: Excel numbers without '.0', full-width to half-width."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def map_header(header: list[Any]) -> tuple[dict[str, int], list[str]]:
    """Column positions by canonical name, and warnings about ignored columns."""
    positions: dict[str, int] = {}
    warnings: list[str] = []
    for index, raw in enumerate(header):
        name = _cell(raw).replace(" ", "")
        name = ALIASES.get(name, name)
        if not name:
            continue
        if name not in COLUMNS and name not in OPTIONAL_COLUMNS:
            warnings.append(texts.ROSTER_UNKNOWN_COLUMN.format(name=name))
        elif name in positions:
            raise RosterError("ROSTER_DUPLICATE_COLUMN", name=name)
        else:
            positions[name] = index
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        raise RosterError("ROSTER_MISSING_COLUMNS", missing=words.LIST_SEP.join(missing),
                          columns=words.LIST_SEP.join(COLUMNS))
    return positions, warnings


def normalize_phone(raw: str) -> str | None:
    """Digits only, without +86; None if empty. Raises ValueError if not a phone number."""
    digits = re.sub(PHONE_PUNCTUATION, "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits:
        return None
    if MOBILE.match(digits) or LANDLINE.match(digits):
        return digits
    raise ValueError(raw)


def parse_row(line: int, values: list[Any], positions: dict[str, int]) -> RosterRow:
    """Validate one data row; RosterError says what is wrong."""

    def get(column: str) -> str:
        index = positions.get(column)
        return _cell(values[index]) if index is not None and index < len(values) else ""

    name = "".join(get(words.COL_NAME).split())
    if not name:
        raise RosterError("ROSTER_NAME_EMPTY")
    if len(name) > 50:
        raise RosterError("ROSTER_NAME_TOO_LONG", limit=50)
    branch = get(words.COL_BRANCH)
    if not branch:
        raise RosterError("ROSTER_BRANCH_EMPTY")
    if len(branch) > 100:
        raise RosterError("ROSTER_BRANCH_TOO_LONG", limit=100)
    group = get(words.COL_GROUP) or None
    if group is not None and len(group) > 100:
        raise RosterError("ROSTER_GROUP_TOO_LONG", limit=100)
    try:
        phone = normalize_phone(get(words.COL_PHONE))
    except ValueError:
        raise RosterError("ROSTER_BAD_PHONE", phone=get(words.COL_PHONE)[:30]) from None
    roles = {r for r in re.split(words.ROLE_SEPARATORS, get(words.COL_ROLE)) if r}
    unknown_roles = roles - ROLE_WORDS
    if unknown_roles:
        raise RosterError("ROSTER_BAD_ROLE",
                          roles=words.LIST_SEP.join(sorted(unknown_roles))[:60])
    needs_help = get(words.COL_NEEDS_HELP) or None
    if needs_help is not None and needs_help not in HELP_REASONS:
        raise RosterError("ROSTER_BAD_NEEDS_HELP", value=needs_help[:30],
                          allowed=words.LIST_SEP.join(r.value for r in NeedsHelp))
    address = get(words.COL_ADDRESS) or None
    if address is not None and len(address) > 200:
        raise RosterError("ROSTER_ADDRESS_TOO_LONG", limit=200)
    latitude = _coordinate(get(words.COL_LATITUDE), 90)
    longitude = _coordinate(get(words.COL_LONGITUDE), 180)
    if (latitude is None) != (longitude is None):
        raise RosterError("ROSTER_HALF_COORDINATES")
    return RosterRow(line, name, branch, group, phone, ROLE_ADMIN in roles, ROLE_HELPER in roles,
                     needs_help, address, latitude, longitude)


def _coordinate(text: str, limit: float) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RosterError("ROSTER_BAD_COORDINATE", text=text[:30]) from None
    if not -limit <= value <= limit:
        raise RosterError("ROSTER_COORDINATE_RANGE", text=text[:30])
    return value


def validate_rows(
    rows: Iterable[tuple[int, list[Any]]],
    positions: dict[str, int],
    progress: Progress | None = None,
    total: int = 0,
) -> tuple[list[RosterRow], list[RowProblem]]:
    """Check every row (blank rows skipped); duplicates of a person are problems too."""
    valid: list[RosterRow] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str, str], int] = {}
    for count, (line, values) in enumerate(rows, start=1):
        if progress and count % 1000 == 0:
            progress(texts.ROSTER_STAGE_VALIDATE, count, total)
        if all(_cell(v) == "" for v in values):
            continue
        try:
            row = parse_row(line, values, positions)
        except RosterError as exc:
            problems.append(RowProblem(line, exc.render()))
            continue
        first = seen.setdefault(row.identity, line)
        if first != line:
            problems.append(RowProblem(line, texts.ROSTER_SAME_PERSON.format(first=first)))
            continue
        valid.append(row)
    return valid, problems


class _OrgResolver:
    """Finds or creates branches and groups by name, remembering what it created."""

    def __init__(self, session: Session, parent: Org | None) -> None:
        self.session = session
        self.parent = parent
        self.created: list[str] = []
        self.branches: dict[str, list[Org]] = {}
        for org in session.scalars(select(Org).where(Org.kind == OrgKind.BRANCH)):
            self.branches.setdefault(org.name, []).append(org)
        self.groups: dict[tuple[int, str], Org] = {}

    def branch(self, name: str) -> Org:
        found = self.branches.get(name, [])
        if len(found) > 1:
            raise RosterError("ROSTER_AMBIGUOUS_BRANCH", count=len(found), name=name)
        if found:
            return found[0]
        org = add_org(self.session, name, OrgKind.BRANCH, self.parent)
        self.branches[name] = [org]
        self.created.append(name)
        return org

    def group(self, branch: Org, name: str) -> Org:
        key = (branch.id, name)
        org = self.groups.get(key) or child_org(self.session, branch, name)
        if org is None:
            org = add_org(self.session, name, OrgKind.GROUP, branch)
            self.created.append(f"{branch.name}/{name}")
        self.groups[key] = org
        return org


def apply_roster(
    session: Session,
    rows: list[RosterRow],
    parent: Org | None = None,
    progress: Progress | None = None,
) -> tuple[ImportReport, list[RowProblem]]:
    """Create or update members for validated rows (flushes, never commits).

    Returns problems found only against the database (an ambiguous branch name); the
    caller must roll back when there are any, so that nothing from the file is kept.
    """
    report = ImportReport()
    problems: list[RowProblem] = []
    orgs = _OrgResolver(session, parent)
    existing: dict[tuple[str, str, str], Member] = {}
    for member in session.scalars(select(Member)):
        key = (member.name, "phone", member.phone) if member.phone else (
            member.name, "branch", member.branch.name)
        existing.setdefault(key, member)

    for count, row in enumerate(rows, start=1):
        if progress and count % 1000 == 0:
            progress(texts.ROSTER_STAGE_WRITE, count, len(rows))
        try:
            branch = orgs.branch(row.branch)
        except RosterError as exc:
            problems.append(RowProblem(row.line, exc.render()))
            continue
        group = orgs.group(branch, row.group) if row.group else None
        wanted: dict[str, Any] = {
            "branch_id": branch.id, "group_id": group.id if group else None,
            "phone": row.phone, "is_admin": row.is_admin, "is_helper": row.is_helper,
            "needs_help": row.needs_help, "address": row.address,
        }
        if row.latitude is not None:
            wanted.update(latitude=row.latitude, longitude=row.longitude)
        found = existing.get(row.identity)
        if found is None:
            member = Member(name=row.name, subscribed=False, **wanted)
            session.add(member)
            existing[row.identity] = member
            report.created += 1
        elif any(getattr(found, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(found, k, v)
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    report.orgs_created = orgs.created
    return report, problems
