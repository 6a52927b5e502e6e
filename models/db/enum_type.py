"""A StrEnum stored as its values in a plain VARCHAR.

Columns such as `meeting.status` or `outbox.channel` hold one of a StrEnum's values.
Typed with `str_enum`, a row read back carries the enum member (still a `str`, so it
compares equal to the bare value) and writing a value outside the enum fails at flush
instead of landing in the table. The schema does not change: no native ENUM type, no
CHECK constraint, the same VARCHAR length the migrations created.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


def str_enum(values: type[StrEnum], length: int) -> Enum:
    """The column type for `values`, as VARCHAR(`length`) (the length the table has)."""
    longest = max(len(member.value) for member in values)
    if longest > length:
        raise ValueError(f"{values.__name__} has a value of {longest} characters, "
                         f"longer than its column's {length}")
    return Enum(values, native_enum=False, create_constraint=False, length=length,
                validate_strings=True, values_callable=lambda e: [m.value for m in e])
