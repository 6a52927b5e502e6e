"""What an audit entry says, in the words the rest of partybot uses: field names in
Chinese, times in the reader's zone, coded values (branch_assembly, planned) as their
names, member ids as names. The stored entry stays as the action wrote it; only its
reading is translated, and a field or value nobody named is shown as it is, never a
crash (entries outlive the code that wrote them)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import words
from models.console.audit import AuditEntry
from models.members.tables import Member

__all__ = ["FieldChange", "describe", "member_names_in"]

TEXT_SHOWN = 120  # characters of a long value (minutes, a post's body) on the page
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                         r"(Z|[+-]\d{2}:?\d{2})?$")


@dataclass(frozen=True)
class FieldChange:
    """One field of an entry: its name, and its value before and after (None: the entry
    keeps no such side)."""

    label: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        """Whether both sides are known (shown as 前 → 后)."""
        return self.before is not None and self.after is not None


def _moment(text: str, tz: ZoneInfo) -> str | None:
    """An ISO time as the reader's local clock reads it; None when it is not one."""
    if not _ISO_MOMENT.match(text):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:  # the actions keep UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _shown(text: str) -> str:
    return text if len(text) <= TEXT_SHOWN else text[:TEXT_SHOWN] + "…"


def value_text(field: str, value: Any, tz: ZoneInfo, members: Mapping[int, str]) -> str:
    """One stored value as the page shows it."""
    if value is None or value == "":
        return words.AUDIT_EMPTY
    if isinstance(value, bool):
        return words.AUDIT_YES if value else words.AUDIT_NO
    if field in words.AUDIT_MEMBER_FIELDS and isinstance(value, int):
        return members.get(value, f"#{value}")
    if field == "bytes" and isinstance(value, int):
        return words.AUDIT_BYTES.format(kb=max(1, round(value / 1024)))
    if isinstance(value, (list, tuple)):
        return words.LIST_SEP.join(value_text(field, v, tz, members) for v in value) \
            or words.AUDIT_EMPTY
    if isinstance(value, dict):
        parts = [words.AUDIT_FIELD_VALUE.format(field=label_of(k),
                                                value=value_text(str(k), v, tz, members))
                 for k, v in value.items()]
        return words.ITEM_SEP.join(parts) or words.AUDIT_EMPTY
    if isinstance(value, str):
        named = words.AUDIT_VALUE_NAMES.get(field, {}).get(value)
        if named is not None:
            return named
        return _moment(value, tz) or _shown(value)
    return _shown(str(value))


def label_of(field: object) -> str:
    """A field's Chinese name; an unknown one as it was written."""
    return words.AUDIT_FIELD_NAMES.get(str(field), str(field))


def _fields(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[str]:
    seen: dict[str, None] = {}
    for side in (after or {}, before or {}):
        seen.update((str(key), None) for key in side)
    return list(seen)


def describe(entry: AuditEntry, tz: ZoneInfo,
             members: Mapping[int, str] | None = None) -> list[FieldChange]:
    """The entry's fields, in words. With both sides, only what changed (a meeting's
    new time, not its unchanged place), unless nothing differs; a side the entry does
    not keep is None (a new org has no before; a removed one, no after)."""
    members = members or {}
    before = entry.before if isinstance(entry.before, dict) else None
    after = entry.after if isinstance(entry.after, dict) else None
    fields = _fields(before, after)
    if before is not None and after is not None:
        differing = [f for f in fields if before.get(f) != after.get(f)]
        fields = differing or fields

    def side(values: Mapping[str, Any] | None, field: str) -> str | None:
        if values is None:
            return None
        if field not in values:
            return words.AUDIT_REMOVED if values is after else words.AUDIT_EMPTY
        return value_text(field, values[field], tz, members)

    return [FieldChange(label_of(f), side(before, f), side(after, f)) for f in fields]


def member_names_in(session: Session, entries: Iterable[AuditEntry]) -> dict[int, str]:
    """Names of the members the entries name by id (a meeting's recorder, lecturer)."""
    ids: set[int] = set()
    for entry in entries:
        for side in (entry.before, entry.after):
            if isinstance(side, dict):
                ids.update(v for k, v in side.items()
                           if k in words.AUDIT_MEMBER_FIELDS and isinstance(v, int))
    if not ids:
        return {}
    return dict(session.execute(select(Member.id, Member.name).where(Member.id.in_(ids))).all())
