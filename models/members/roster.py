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

from core import texts, words
from models.db.base import table_of
from models.errors import DomainError
from models.members.org_tables import Org
from models.members.org_tree import ABOVE_BRANCH, kind_from_name
from models.members.tables import Member, NeedsHelp

COLUMNS = words.ROSTER_COLUMNS
# Optional extras: where the member lives, for nearest-helper matching (一帮一).
OPTIONAL_COLUMNS = (*words.ROSTER_OPTIONAL_COLUMNS, words.COL_LIAISON)
REQUIRED = words.ROSTER_REQUIRED
ALIASES = words.ROSTER_ALIASES
ROLE_ADMIN = words.ROLE_ADMIN
ROLE_HELPER = words.ROLE_HELPER
ROLE_WORDS = {"", words.ROLE_MEMBER, ROLE_ADMIN, ROLE_HELPER}
HELP_REASONS = {r.value for r in NeedsHelp}
PHONE_PUNCTUATION = re.compile(r"[\s\-()\uff08\uff09]")  # incl. full-width brackets
MOBILE = re.compile(r"^1\d{10}$")
# Control characters other than tab, newline and CR: NUL was stored on SQLite and made
# PostgreSQL fail; none has a place in a name or an address.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Limits are the columns' own sizes, so a row that passes always fits.
def _width(model: type[Member] | type[Org], column: str) -> int:
    width = getattr(table_of(model).c[column].type, "length", None)
    assert isinstance(width, int), column
    return width


NAME_LIMIT = _width(Member, "name")
ORG_NAME_LIMIT = _width(Org, "name")
ADDRESS_LIMIT = _width(Member, "address")
LANDLINE = re.compile(r"^0\d{9,11}$")

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class RosterError(DomainError):
    """The file as a whole (or one row) cannot be imported; a catalog key and fields."""


@dataclass(frozen=True, slots=True)  # slots: a 200,000-row file is 200,000 of these
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
    needs_help_note: str | None = None
    committee_posts: str | None = None
    committee: str | None = None  # 上级党组织: the committee the branch belongs to
    liaison: str | None = None  # 联系单位: the county office paired with the branch (双联双促)

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
    updated: int = 0  # of which `moved` changed branch
    unchanged: int = 0
    moved: int = 0
    orgs_created: list[str] = field(default_factory=list)
    orgs_moved: list[str] = field(default_factory=list)
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

    for column, index in positions.items():
        if index < len(values) and isinstance(values[index], str) \
                and CONTROL.search(values[index]):
            raise RosterError("ROSTER_CONTROL_CHARACTER", column=column)

    name = "".join(get(words.COL_NAME).split())
    if not name:
        raise RosterError("ROSTER_NAME_EMPTY")
    if len(name) > NAME_LIMIT:
        raise RosterError("ROSTER_NAME_TOO_LONG", limit=NAME_LIMIT)
    # A line break or tab typed into an org's cell (Alt+Enter in Excel) is a space: it
    # would otherwise live in the org's name, and in every download's file name.
    branch = " ".join(get(words.COL_BRANCH).split())
    if not branch:
        raise RosterError("ROSTER_BRANCH_EMPTY")
    if len(branch) > ORG_NAME_LIMIT:
        raise RosterError("ROSTER_BRANCH_TOO_LONG", limit=ORG_NAME_LIMIT)
    group = " ".join(get(words.COL_GROUP).split()) or None
    if group is not None and len(group) > ORG_NAME_LIMIT:
        raise RosterError("ROSTER_GROUP_TOO_LONG", limit=ORG_NAME_LIMIT)
    try:
        phone = normalize_phone(get(words.COL_PHONE))
    except ValueError:
        raise RosterError("ROSTER_BAD_PHONE", phone=get(words.COL_PHONE)[:30]) from None
    roles = [r for r in re.split(words.ROLE_SEPARATORS, get(words.COL_ROLE)) if r]
    unknown_roles = set(roles) - ROLE_WORDS - set(words.COMMITTEE_POSTS)
    if unknown_roles:
        raise RosterError("ROSTER_BAD_ROLE",
                          roles=words.LIST_SEP.join(sorted(unknown_roles))[:60])
    posts = [r for r in dict.fromkeys(roles) if r in words.COMMITTEE_POSTS]
    needs_help, needs_help_note = read_needs_help(get(words.COL_NEEDS_HELP))
    address = get(words.COL_ADDRESS) or None
    if address is not None and len(address) > ADDRESS_LIMIT:
        raise RosterError("ROSTER_ADDRESS_TOO_LONG", limit=ADDRESS_LIMIT)
    committee = "".join(get(words.COL_COMMITTEE).split()) or None
    if committee is not None:
        if len(committee) > ORG_NAME_LIMIT:
            raise RosterError("ROSTER_COMMITTEE_TOO_LONG", limit=ORG_NAME_LIMIT)
        if kind_from_name(committee) not in ABOVE_BRANCH:
            raise RosterError("ROSTER_COMMITTEE_NOT_ABOVE", name=committee)
    latitude = _coordinate(get(words.COL_LATITUDE), 90)
    longitude = _coordinate(get(words.COL_LONGITUDE), 180)
    if (latitude is None) != (longitude is None):
        raise RosterError("ROSTER_HALF_COORDINATES")
    liaison = " ".join(get(words.COL_LIAISON).split()) or None
    if liaison is not None and len(liaison) > ORG_NAME_LIMIT:
        raise RosterError("JOINT_ROSTER_TOO_LONG", limit=ORG_NAME_LIMIT)
    return RosterRow(line, name, branch, group, phone, ROLE_ADMIN in roles, ROLE_HELPER in roles,
                     needs_help, address, latitude, longitude, needs_help_note,
                     words.LIST_SEP.join(posts) or None, committee, liaison)


NOTE_LIMIT = 100


def read_needs_help(cell: str) -> tuple[str | None, str | None]:
    """The reason a member needs a helper, and the roster's own words when they are not
    exactly a reason: "腿脚不好" → (行动不便, 腿脚不好); words no rule knows → (其他, words).
    Nothing is refused: the admin's words are kept."""
    text = " ".join(cell.split())
    if not text or text.lower() in words.NEEDS_HELP_NONE:
        return None, None
    if text in HELP_REASONS:
        return text, None
    note = text[:NOTE_LIMIT]
    for keywords, reason in words.NEEDS_HELP_KEYWORDS:
        if any(keyword in text for keyword in keywords):
            return reason, note
    return words.NEEDS_HELP_OTHER, note


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
    committee_of: dict[str, tuple[str, int]] = {}  # branch -> (上级党组织, first line)
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
        if row.committee:
            earlier, first = committee_of.setdefault(row.branch, (row.committee, line))
            if earlier != row.committee:
                problems.append(RowProblem(line, texts.ROSTER_COMMITTEE_DIFFERS.format(
                    branch=row.branch, first=first, earlier=earlier, name=row.committee)))
                continue
        valid.append(row)
    return valid, problems
