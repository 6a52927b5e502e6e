"""Template configuration: which category template each notice kind uses, and which
notice field fills each of its keywords.

A county adds templates in WeChat's console by picking a category and keywords; the
template id and the keyword list (`thing1`, `time2`, `character_string3` …) are then
fixed, so they are configuration. `PARTYBOT_TEMPLATES_FILE` (TOML) holds them:

    [meeting_notice]
    template_id = "Xq3…"
    title = "会议通知"              # as WeChat shows it; for `templates check` and the sandbox
    [meeting_notice.keywords]
    thing1 = { field = "meeting", name = "会议名称" }
    time2 = { field = "time", name = "会议时间" }

The older `PARTYBOT_TEMPLATE_IDS="kind=ID,…"` still works: such a kind gets the default
keywords below. Each value is fitted to its keyword's type when a notice is queued
(core.template_types); a notice that cannot fit goes by another channel.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core import texts
from core.template_types import RETIRED_KEYWORDS, fit, keyword_type
from core.words import LIST_SEP

_MEETING = ("meeting", "kind", "topic", "time", "place", "code", "text")
# The notice kinds partybot sends, and the fields each kind's notices carry ("text" is
# the first line of the full message, which every kind has).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "meeting_notice": _MEETING,
    "meeting_reminder": _MEETING,
    "meeting_cancelled": _MEETING,
    "study_push": ("title", "summary", "text"),
    "relay_digest": ("count", "members", "text"),
    "weekly_digest": ("period", "org", "text"),
    "compliance_warning": ("branch", "kind", "period", "days", "text"),
}

# A realistic notice of each kind (long values on purpose), to prove a configuration
# fits before a real notice has to.
SAMPLE_FIELDS: dict[str, dict[str, str]] = {
    **{kind: texts.TEMPLATE_SAMPLE_MEETING for kind in
       ("meeting_notice", "meeting_reminder", "meeting_cancelled")},
    "study_push": texts.TEMPLATE_SAMPLE_STUDY,
    "relay_digest": texts.TEMPLATE_SAMPLE_RELAY,
    "weekly_digest": texts.TEMPLATE_SAMPLE_DIGEST,
    "compliance_warning": texts.TEMPLATE_SAMPLE_WARNING,
}


@dataclass(frozen=True)
class Keyword:
    """One keyword of a template: its key (type + number), the notice field that fills
    it, and the name WeChat shows beside it."""

    key: str
    field: str
    name: str = ""


@dataclass(frozen=True)
class TemplateSpec:
    """The template a notice kind is sent with."""

    kind: str
    template_id: str
    title: str
    keywords: tuple[Keyword, ...]

    def render(self, fields: Mapping[str, str]) -> dict[str, dict[str, str]]:
        """WeChat's `data` for a notice with `fields`, each value fitted to its keyword's
        type; ValueError when a value is missing or cannot fit."""
        data: dict[str, dict[str, str]] = {}
        for keyword in self.keywords:
            value = fields.get(keyword.field, "")
            if not value:
                raise ValueError(f"{self.kind}: no {keyword.field} for {keyword.key}")
            data[keyword.key] = {"value": fit(keyword.key, value)}
        return data

    @property
    def shape(self) -> dict[str, object]:
        """Title and keyword names, as the fake WeChat API is told them."""
        return {"title": self.title,
                "keywords": {k.key: k.name or k.key for k in self.keywords}}


# For kinds configured by id only (PARTYBOT_TEMPLATE_IDS), and the sandbox.
_MEETING_KEYWORDS = (("thing1", "meeting"), ("time2", "time"), ("thing3", "place"),
                     ("character_string4", "code"))
DEFAULT_KEYWORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "meeting_notice": _MEETING_KEYWORDS,
    "meeting_reminder": _MEETING_KEYWORDS,
    "meeting_cancelled": (("thing1", "meeting"), ("time2", "time"), ("thing3", "place")),
    "study_push": (("thing1", "title"), ("thing2", "summary")),
    "relay_digest": (("thing1", "count"), ("thing2", "members")),
    "weekly_digest": (("thing1", "org"), ("thing2", "period")),
    "compliance_warning": (("thing1", "branch"), ("thing2", "kind"), ("number3", "days")),
}


def default_spec(kind: str, template_id: str) -> TemplateSpec:
    """The template of `kind` with partybot's default keywords (unknown kinds: the
    first line of the text in `thing1`)."""
    pairs = DEFAULT_KEYWORDS.get(kind, (("thing1", "text"),))
    return TemplateSpec(kind, template_id, texts.TEMPLATE_TITLES.get(kind, ""),
                        tuple(Keyword(key, field, texts.FIELD_NAMES.get(field, key))
                              for key, field in pairs))


# The templates file's sections for 订阅通知 (core.subscribe_messages), not notice kinds.
SUBSCRIBE_SECTIONS = ("subscribe", "miniprogram_subscribe")


class TemplateFileError(ValueError):
    """The templates file is unreadable or malformed; the message says where."""


def load_templates_file(path: Path) -> dict[str, TemplateSpec]:
    """Read a templates file. Structural mistakes raise TemplateFileError; whether each
    template suits its kind is `check_templates`'s job (so that `partybot templates
    check` can show every problem at once)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TemplateFileError(f"{path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TemplateFileError(f"{path}: not valid TOML: {exc}") from exc
    specs: dict[str, TemplateSpec] = {}
    for kind, table in raw.items():
        if kind in SUBSCRIBE_SECTIONS:  # 订阅通知: core.subscribe_messages reads those
            continue
        specs[kind] = read_template_table(path, kind, kind, table)
    return specs


def read_template_table(path: Path | str, where: str, kind: str, table: object) -> TemplateSpec:
    """One template's table of the templates file (`[where]`: its template_id, title and
    keywords, each with the notice field it shows); TemplateFileError saying what is
    wrong. The category templates and the 订阅通知 sections are read alike."""
    if not isinstance(table, dict):
        raise TemplateFileError(f"{path}: [{where}] must be a table")
    template_id = table.get("template_id")
    if not isinstance(template_id, str) or not template_id.strip():
        raise TemplateFileError(f"{path}: [{where}] needs template_id = \"…\"")
    keywords = table.get("keywords")
    if not isinstance(keywords, dict) or not keywords:
        raise TemplateFileError(f"{path}: [{where}.keywords] must list the keywords, "
                                f"e.g. thing1 = {{ field = \"text\" }}")
    parsed = []
    for key, entry in keywords.items():
        entry = {"field": entry} if isinstance(entry, str) else entry
        if not isinstance(entry, dict) or not isinstance(entry.get("field"), str):
            raise TemplateFileError(f"{path}: [{where}.keywords] {key} needs a field")
        declared = entry.get("type")
        if declared is not None and declared != keyword_type(key):
            raise TemplateFileError(f"{path}: [{where}.keywords] {key} is a "
                                    f"{keyword_type(key) or 'no'} keyword, not {declared}")
        parsed.append(Keyword(key, entry["field"], str(entry.get("name", ""))))
    return TemplateSpec(kind, template_id.strip(),
                        str(table.get("title", texts.TEMPLATE_TITLES.get(kind, ""))),
                        tuple(parsed))


@dataclass(frozen=True)
class CheckRow:
    """One line of `partybot templates check`."""

    kind: str
    template_id: str
    keyword: str
    name: str
    field: str
    sample: str  # the sample value as it would be sent
    problem: str  # "" when fine


def check_templates(specs: Mapping[str, TemplateSpec]) -> list[CheckRow]:
    """Every kind partybot sends, and each configured keyword with its sample value or
    what is wrong with it."""
    rows: list[CheckRow] = []
    for kind in [*KIND_FIELDS, *sorted(set(specs) - set(KIND_FIELDS))]:
        spec = specs.get(kind)
        if spec is None:
            rows.append(CheckRow(kind, "", "", "", "", "", ""))
            continue
        if kind not in KIND_FIELDS:
            rows.append(CheckRow(kind, spec.template_id, "", "", "", "",
                                 texts.TEMPLATE_CHECK_UNKNOWN_KIND))
            continue
        sample = {**SAMPLE_FIELDS[kind]}
        for keyword in spec.keywords:
            rows.append(_check_keyword(spec, keyword, sample))
    return rows


def _check_keyword(spec: TemplateSpec, keyword: Keyword, sample: Mapping[str, str]) -> CheckRow:
    row = CheckRow(spec.kind, spec.template_id, keyword.key, keyword.name, keyword.field, "", "")
    if keyword.key in RETIRED_KEYWORDS:
        return _with(row, texts.TEMPLATE_CHECK_RETIRED)
    if keyword_type(keyword.key) is None:
        return _with(row, texts.TEMPLATE_CHECK_NOT_KEYWORD)
    if keyword.field not in KIND_FIELDS[spec.kind]:
        return _with(row, texts.TEMPLATE_CHECK_NO_FIELD.format(
            fields=LIST_SEP.join(KIND_FIELDS[spec.kind])))
    try:
        return CheckRow(**{**row.__dict__, "sample": fit(keyword.key, sample[keyword.field])})
    except ValueError:
        return _with(row, texts.TEMPLATE_CHECK_CANNOT_FIT.format(
            type=keyword_type(keyword.key), sample=sample[keyword.field]))


def _with(row: CheckRow, problem: str) -> CheckRow:
    return CheckRow(**{**row.__dict__, "problem": problem})
