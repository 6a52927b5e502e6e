"""The scheme file: a year's 党建考核 as data (TOML), read into typed dataclasses.

    year = 2026
    name = "嘉荫县2026年度基层党建考核"
    [rules]
    excellent_share_max = 0.3          # 民主评议: at most this share rated 优秀
    [[item]]
    key = "life"
    title = "组织生活"
    [[item.clause]]
    key = "life.meetings"
    title = "按规定召开三会一课"
    points = 10
    applies_to = ["branch", "office"]
    source = "computed"                # computed | self_check | inspection | survey
    measure = "meetings_held"          # computed and survey: a name in the registry
    thresholds = [[0.9, 10], [0.6, 6]] # or linear = [0.5, 1.0]

`parse_scheme` checks everything and reports every problem at once, each naming its
item and clause (`SchemeError.problems`), as `partybot templates check` does.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core import texts
from models.members.org_levels import OrgLevel

ASSESSED_LEVELS = (OrgLevel.TOWNSHIP, OrgLevel.BRANCH, OrgLevel.OFFICE)
KEY_FORM = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")


class Source(StrEnum):
    """How a clause is scored."""

    COMPUTED = "computed"
    SELF_CHECK = "self_check"
    INSPECTION = "inspection"
    SURVEY = "survey"

    @property
    def label(self) -> str:
        """In Chinese."""
        return texts.ASSESS_SOURCE_NAMES[self.value]


MEASURED = (Source.COMPUTED, Source.SURVEY)


@dataclass(frozen=True)
class Scale:
    """How a share (0..1) becomes points: steps (`thresholds`, highest first) or a line."""

    thresholds: tuple[tuple[float, float], ...] = ()
    linear: tuple[float, float] | None = None

    def score(self, share: float, points: float) -> float:
        """The points a share earns."""
        if self.linear is not None:
            low, high = self.linear
            if share <= low:
                return 0.0
            if share >= high:
                return float(points)
            return round(points * (share - low) / (high - low), 2)
        for at_least, earned in self.thresholds:
            if share >= at_least:
                return float(earned)
        return 0.0


@dataclass(frozen=True)
class Clause:
    """One scored line of the scheme."""

    key: str
    title: str
    points: float
    applies_to: frozenset[OrgLevel]
    source: Source
    item_key: str
    item_title: str
    measure: str | None = None
    scale: Scale | None = None


@dataclass(frozen=True)
class Item:
    """A heading (班子建设 …) and its clauses."""

    key: str
    title: str
    clauses: tuple[Clause, ...]

    @property
    def points(self) -> float:
        """The item's points."""
        return sum(clause.points for clause in self.clauses)


@dataclass(frozen=True)
class Rules:
    """Rules other parts of the year read (民主评议's 优秀 cap)."""

    excellent_share_max: float | None = None


@dataclass(frozen=True)
class Scheme:
    """A year's scheme."""

    year: int
    name: str
    items: tuple[Item, ...]
    rules: Rules = field(default_factory=Rules)

    @property
    def clauses(self) -> list[Clause]:
        """Every clause, in order."""
        return [clause for item in self.items for clause in item.clauses]

    @property
    def points(self) -> float:
        """All the points."""
        return sum(item.points for item in self.items)

    def clauses_for(self, level: OrgLevel) -> list[Clause]:
        """The clauses that apply to an org of this level."""
        return [clause for clause in self.clauses if level in clause.applies_to]

    def measures(self) -> set[str]:
        """The measure names the scheme uses."""
        return {clause.measure for clause in self.clauses if clause.measure}


@dataclass(frozen=True)
class Problem:
    """One thing wrong, and where."""

    item: str  # the item's title or key ("" for the whole file)
    clause: str  # the clause's key or title ("" for the item)
    message: str

    def line(self) -> str:
        """One line for a refusal's sentence."""
        where = " / ".join(part for part in (self.item, self.clause) if part)
        return texts.ASSESS_WHERE.format(where=where or texts.ASSESS_WHOLE, message=self.message)


class SchemeError(ValueError):
    """The scheme has problems; every one is listed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(problem.line() for problem in problems))
        self.problems = problems


ITEM_FIELDS = {"key", "title", "clause"}
CLAUSE_FIELDS = {"key", "title", "points", "applies_to", "source", "measure", "thresholds",
                 "linear"}
TOP_FIELDS = {"year", "name", "rules", "item"}


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer past a float
        return None
    return number if math.isfinite(number) else None  # not inf or nan


class _Reader:
    """Collects problems while reading; `where` names the item and clause."""

    def __init__(self, measures: Collection[str] | None) -> None:
        self.measures = measures
        self.problems: list[Problem] = []
        self.item = ""
        self.clause = ""

    def wrong(self, message: str) -> None:
        self.problems.append(Problem(self.item, self.clause, message))

    def text(self, table: dict[str, Any], name: str) -> str:
        value = table.get(name)
        if value is None:
            self.wrong(texts.ASSESS_MISSING.format(field=name))
            return ""
        if not isinstance(value, str) or not value.strip():
            self.wrong(texts.ASSESS_NOT_TEXT.format(field=name))
            return ""
        return value.strip()

    def unknown(self, table: dict[str, Any], allowed: set[str]) -> None:
        for name in table:
            if name not in allowed:
                self.wrong(texts.ASSESS_UNKNOWN_FIELD.format(field=name))

    def read(self, raw: dict[str, Any]) -> Scheme | None:
        self.unknown(raw, TOP_FIELDS)
        year = raw.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
            self.wrong(texts.ASSESS_BAD_YEAR)
            year = 0
        name = self.text(raw, "name")
        rules = self.rules(raw.get("rules", {}))
        items_raw = raw.get("item")
        items: list[Item] = []
        if not isinstance(items_raw, list) or not items_raw:
            self.wrong(texts.ASSESS_NO_ITEMS)
            items_raw = []
        item_keys: set[str] = set()
        clause_first: dict[str, str] = {}
        for index, table in enumerate(items_raw, 1):
            item = self.item_of(index, table, item_keys, clause_first)
            if item is not None:
                items.append(item)
        if self.problems:
            return None
        return Scheme(year, name, tuple(items), rules)

    def rules(self, table: object) -> Rules:
        self.item, self.clause = "[rules]", ""
        if not isinstance(table, dict):
            self.wrong(texts.ASSESS_NOT_LIST.format(field="rules"))
            return Rules()
        self.unknown(table, {"excellent_share_max"})
        share = table.get("excellent_share_max")
        if share is None:
            return Rules()
        value = _number(share)
        if value is None or not 0 <= value <= 1:
            self.wrong(texts.ASSESS_RULE_SHARE)
            return Rules()
        return Rules(value)

    def item_of(self, index: int, table: object, keys: set[str],
                clause_first: dict[str, str]) -> Item | None:
        self.item, self.clause = texts.ASSESS_NTH_ITEM.format(n=index), ""
        if not isinstance(table, dict):
            self.wrong(texts.ASSESS_NOT_LIST.format(field="item"))
            return None
        title = table.get("title")
        if isinstance(title, str) and title.strip():
            self.item = title.strip()
        self.unknown(table, ITEM_FIELDS)
        key = self.text(table, "key")
        title = self.text(table, "title")
        if key and not KEY_FORM.match(key):
            self.wrong(texts.ASSESS_KEY_FORM)
        if key in keys:
            self.wrong(texts.ASSESS_DUPLICATE_ITEM.format(key=key))
        keys.add(key)
        clauses_raw = table.get("clause")
        if not isinstance(clauses_raw, list) or not clauses_raw:
            self.wrong(texts.ASSESS_NO_CLAUSES)
            clauses_raw = []
        clauses = []
        for number, raw in enumerate(clauses_raw, 1):
            clause = self.clause_of(number, raw, key, title, clause_first)
            if clause is not None:
                clauses.append(clause)
        return Item(key, title, tuple(clauses))

    def clause_of(self, number: int, table: object, item_key: str, item_title: str,
                  first: dict[str, str]) -> Clause | None:
        self.clause = texts.ASSESS_NTH_CLAUSE.format(n=number)
        if not isinstance(table, dict):
            self.wrong(texts.ASSESS_NOT_LIST.format(field="clause"))
            return None
        if isinstance(table.get("key"), str) and table["key"].strip():
            self.clause = table["key"].strip()
        self.unknown(table, CLAUSE_FIELDS)
        key = self.text(table, "key")
        title = self.text(table, "title")
        if key and not KEY_FORM.match(key):
            self.wrong(texts.ASSESS_KEY_FORM)
        if key and key in first:
            self.wrong(texts.ASSESS_DUPLICATE_CLAUSE.format(key=key, first=first[key]))
        elif key:
            first[key] = self.item
        points = _number(table.get("points"))
        if "points" not in table:
            self.wrong(texts.ASSESS_MISSING.format(field="points"))
        elif points is None:
            self.wrong(texts.ASSESS_NOT_NUMBER.format(field="points"))
        elif points <= 0:
            self.wrong(texts.ASSESS_POINTS_POSITIVE)
        levels = self.levels(table.get("applies_to"))
        source = self.source(table.get("source"))
        measure, scale = self.measured(table, source, points or 0.0)
        return Clause(key, title, points or 0.0, levels, source or Source.COMPUTED, item_key,
                      item_title, measure, scale)

    def levels(self, value: object) -> frozenset[OrgLevel]:
        allowed = ", ".join(level.value for level in ASSESSED_LEVELS)
        if value is None:
            self.wrong(texts.ASSESS_MISSING.format(field="applies_to"))
            return frozenset()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.wrong(texts.ASSESS_NOT_LIST.format(field="applies_to"))
            return frozenset()
        if not value:
            self.wrong(texts.ASSESS_APPLIES_EMPTY)
        found = set()
        for entry in value:
            if entry not in {level.value for level in ASSESSED_LEVELS}:
                self.wrong(texts.ASSESS_APPLIES_TO.format(allowed=allowed, got=entry))
            else:
                found.add(OrgLevel(entry))
        return frozenset(found)

    def source(self, value: object) -> Source | None:
        allowed = ", ".join(source.value for source in Source)
        if value is None:
            self.wrong(texts.ASSESS_MISSING.format(field="source"))
            return None
        if value not in {source.value for source in Source}:
            self.wrong(texts.ASSESS_SOURCE.format(allowed=allowed, got=value))
            return None
        return Source(str(value))

    def measured(self, table: dict[str, Any], source: Source | None,
                 points: float) -> tuple[str | None, Scale | None]:
        has_scale = "thresholds" in table or "linear" in table
        if source is None:
            return None, None
        if source not in MEASURED:
            if "measure" in table or has_scale:
                self.wrong(texts.ASSESS_MEASURE_NOT_HERE.format(source=source.value))
            return None, None
        known = ", ".join(sorted(self.measures)) if self.measures is not None else ""
        measure = table.get("measure")
        if measure is None:
            self.wrong(texts.ASSESS_MEASURE_MISSING.format(source=source.value, known=known))
        elif not isinstance(measure, str):
            self.wrong(texts.ASSESS_NOT_TEXT.format(field="measure"))
            measure = None
        elif self.measures is not None and measure not in self.measures:
            self.wrong(texts.ASSESS_MEASURE_UNKNOWN.format(measure=measure, known=known))
        return measure, self.scale(table, points)

    def scale(self, table: dict[str, Any], points: float) -> Scale | None:
        thresholds, linear = table.get("thresholds"), table.get("linear")
        if thresholds is None and linear is None:
            self.wrong(texts.ASSESS_SCALE_MISSING)
            return None
        if thresholds is not None and linear is not None:
            self.wrong(texts.ASSESS_SCALE_BOTH)
            return None
        if linear is not None:
            pair = [_number(v) for v in linear] if isinstance(linear, list) else []
            if len(pair) != 2 or None in pair or not 0 <= pair[0] < pair[1] <= 1:  # type: ignore[operator]
                self.wrong(texts.ASSESS_LINEAR_FORM)
                return None
            return Scale(linear=(float(pair[0] or 0), float(pair[1] or 0)))
        steps: list[tuple[float, float]] = []
        if not isinstance(thresholds, list) or not thresholds:
            self.wrong(texts.ASSESS_THRESHOLD_FORM)
            return None
        for step in thresholds:
            pair = [_number(v) for v in step] if isinstance(step, list) else []
            if len(pair) != 2 or pair[0] is None or pair[1] is None:
                self.wrong(texts.ASSESS_THRESHOLD_FORM)
                continue
            share, score = pair[0], pair[1]
            if not 0 <= share <= 1:
                self.wrong(texts.ASSESS_THRESHOLD_SHARE.format(share=_shown(share)))
            if points and not 0 <= score <= points:
                self.wrong(texts.ASSESS_THRESHOLD_POINTS.format(score=_shown(score),
                                                                points=_shown(points)))
            steps.append((share, score))
        return Scale(thresholds=tuple(sorted(steps, reverse=True)))


def _shown(value: float) -> str:
    return f"{value:g}"


def parse_scheme(text: str, measures: Collection[str] | None = None) -> Scheme:
    """The scheme in `text`; SchemeError with every problem. `measures`: the names a
    computed or survey clause may use (None: any, for reading a scheme checked before)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError([Problem("", "", texts.ASSESS_SCHEME_NOT_TOML.format(error=exc))]) \
            from None
    except RecursionError:  # arrays nested thousands deep
        raise SchemeError([Problem("", "", texts.ASSESS_SCHEME_NOT_TOML.format(
            error=texts.ASSESS_NESTED_TOO_DEEP))]) from None
    reader = _Reader(measures)
    scheme = reader.read(raw)
    if scheme is None:
        raise SchemeError(reader.problems)
    return scheme


def points_text(value: float) -> str:
    """Points as people write them: 10, 2.5."""
    return _shown(round(value, 2))
