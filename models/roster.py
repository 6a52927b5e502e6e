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

from models.member import Member, NeedsHelp
from models.org import Org, OrgKind, add_org, child_org

COLUMNS = ("姓名", "支部", "党小组", "手机", "角色", "需帮扶", "住址")
# Optional extras: where the member lives, for nearest-helper matching (一帮一).
OPTIONAL_COLUMNS = ("纬度", "经度")
REQUIRED = ("姓名", "支部")
ALIASES = {
    "党支部": "支部", "所在支部": "支部", "小组": "党小组", "手机号": "手机", "手机号码": "手机",
    "电话": "手机", "联系电话": "手机", "地址": "住址", "家庭住址": "住址", "身份": "角色",
}
ROLE_ADMIN = "管理员"
ROLE_HELPER = "帮扶人"
ROLE_WORDS = {"", "党员", ROLE_ADMIN, ROLE_HELPER}
HELP_REASONS = {r.value for r in NeedsHelp}
MOBILE = re.compile(r"^1\d{10}$")
LANDLINE = re.compile(r"^0\d{9,11}$")

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class RosterError(ValueError):
    """The file as a whole cannot be imported (e.g. a required column is missing)."""


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
        return f"第 {self.line} 行：{self.message}"


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
            warnings.append(f"忽略未知的列「{name}」")
        elif name in positions:
            raise RosterError(f"表头里「{name}」出现了两次")
        else:
            positions[name] = index
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        raise RosterError(
            f"表头缺少必填列：{'、'.join(missing)}（表头应为：{'，'.join(COLUMNS)}）"
        )
    return positions, warnings


def normalize_phone(raw: str) -> str | None:
    """Digits only, without +86; None if empty. Raises ValueError if not a phone number."""
    digits = re.sub(r"[\s\-()（）]", "", raw)
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
    """Validate one data row; raises ValueError with a Chinese message."""

    def get(column: str) -> str:
        index = positions.get(column)
        return _cell(values[index]) if index is not None and index < len(values) else ""

    name = "".join(get("姓名").split())
    if not name:
        raise ValueError("姓名为空")
    if len(name) > 50:
        raise ValueError("姓名太长（最多 50 个字）")
    branch = get("支部")
    if not branch:
        raise ValueError("支部为空")
    if len(branch) > 100:
        raise ValueError("支部名称太长（最多 100 个字）")
    group = get("党小组") or None
    if group is not None and len(group) > 100:
        raise ValueError("党小组名称太长（最多 100 个字）")
    try:
        phone = normalize_phone(get("手机"))
    except ValueError:
        raise ValueError(f"手机号「{get('手机')}」不是有效的号码") from None
    roles = {r for r in re.split(r"[、,，/;；\s]+", get("角色")) if r}
    unknown_roles = roles - ROLE_WORDS
    if unknown_roles:
        raise ValueError(
            f"角色「{'、'.join(sorted(unknown_roles))}」无法识别（可填：空、管理员、帮扶人）"
        )
    needs_help = get("需帮扶") or None
    if needs_help is not None and needs_help not in HELP_REASONS:
        raise ValueError(
            f"需帮扶「{needs_help}」无法识别（可填：空、{'、'.join(r.value for r in NeedsHelp)}）"
        )
    address = get("住址") or None
    if address is not None and len(address) > 200:
        raise ValueError("住址太长（最多 200 个字）")
    latitude, longitude = _coordinate(get("纬度"), 90), _coordinate(get("经度"), 180)
    if (latitude is None) != (longitude is None):
        raise ValueError("纬度和经度要么都填，要么都不填")
    return RosterRow(line, name, branch, group, phone, ROLE_ADMIN in roles, ROLE_HELPER in roles,
                     needs_help, address, latitude, longitude)


def _coordinate(text: str, limit: float) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"坐标「{text}」不是数字") from None
    if not -limit <= value <= limit:
        raise ValueError(f"坐标「{text}」超出范围")
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
            progress("校验", count, total)
        if all(_cell(v) == "" for v in values):
            continue
        try:
            row = parse_row(line, values, positions)
        except ValueError as exc:
            problems.append(RowProblem(line, str(exc)))
            continue
        first = seen.setdefault(row.identity, line)
        if first != line:
            problems.append(RowProblem(line, f"与第 {first} 行是同一人（姓名和手机号相同）"))
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
            raise ValueError(f"系统里有 {len(found)} 个叫「{name}」的支部，无法确定是哪一个")
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
            progress("写入", count, len(rows))
        try:
            branch = orgs.branch(row.branch)
        except ValueError as exc:
            problems.append(RowProblem(row.line, str(exc)))
            continue
        group = orgs.group(branch, row.group) if row.group else None
        wanted = {
            "branch_id": branch.id, "group_id": group.id if group else None,
            "phone": row.phone, "is_admin": row.is_admin, "is_helper": row.is_helper,
            "needs_help": row.needs_help, "address": row.address,
        }
        if row.latitude is not None:
            wanted.update(latitude=row.latitude, longitude=row.longitude)
        member = existing.get(row.identity)
        if member is None:
            member = Member(name=row.name, subscribed=False, **wanted)
            session.add(member)
            existing[row.identity] = member
            report.created += 1
        elif any(getattr(member, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(member, k, v)
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    report.orgs_created = orgs.created
    return report, problems
