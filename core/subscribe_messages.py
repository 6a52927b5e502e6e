"""订阅通知 configuration: per notice kind, the subscription template a member may accept
(one acceptance allows one message) and which notice field fills each keyword.

The sections live in `PARTYBOT_TEMPLATES_FILE` beside the category templates:

    [subscribe.meeting_reminder]            # the official account (message/subscribe/bizsend)
    template_id = "Qm8…"
    title = "会议提醒"
    page = "https://example.org/m/meetings"  # optional (else the notice's link)
    [subscribe.meeting_reminder.keywords]
    thing1 = { field = "meeting", name = "会议名称" }
    time2 = { field = "time", name = "会议时间" }

    [miniprogram_subscribe.meeting_reminder]  # the mini-program (message/subscribe/send)
    template_id = "Zt1…"
    page = "pages/meetings/index"
    [miniprogram_subscribe.meeting_reminder.keywords]
    thing1 = "meeting"

Keywords are typed exactly like category templates' (core.template_types: `thing` at most
20 characters, `phrase` at most 5 Chinese characters, `time` a date and clock …); a value
that cannot fit is refused by WeChat with 47003, so `partybot templates check` tries a
sample of every kind first.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import texts
from core.template_messages import (
    DEFAULT_KEYWORDS,
    KIND_FIELDS,
    SAMPLE_FIELDS,
    CheckRow,
    Keyword,
    TemplateFileError,
    TemplateSpec,
    _check_keyword,
    read_template_table,
)

ACCOUNT = "account"  # the official account's 订阅通知
MINIPROGRAM = "miniprogram"  # the mini-program's subscription messages
# The templates file's section for each app.
SECTIONS = {"subscribe": ACCOUNT, "miniprogram_subscribe": MINIPROGRAM}


@dataclass(frozen=True)
class SubscribeSpec:
    """One subscription template: which app it belongs to, where tapping leads, and its
    keywords (rendered like a category template's)."""

    app: str  # ACCOUNT or MINIPROGRAM
    template: TemplateSpec
    page: str = ""

    @property
    def kind(self) -> str:
        """The notice kind it carries."""
        return self.template.kind

    @property
    def template_id(self) -> str:
        """WeChat's id of the template."""
        return self.template.template_id

    def message(self, fields: Mapping[str, str], url: str | None) -> dict[str, Any]:
        """What the delivery loop sends (without `touser`); ValueError when a value
        cannot fit its keyword."""
        page = self.page or (url or "" if self.app == ACCOUNT else "")
        return {"app": self.app, "template_id": self.template_id,
                "data": self.template.render(fields), **({"page": page} if page else {})}


Subscriptions = Mapping[str, tuple[SubscribeSpec, ...]]


def sandbox_subscriptions() -> dict[str, tuple[SubscribeSpec, ...]]:
    """In sandbox mode, unless configured: an account template for every kind
    (`sandbox-sub-<kind>`, default keywords), so that the sandbox can accept one."""
    return {kind: (SubscribeSpec(ACCOUNT, TemplateSpec(
        kind, f"sandbox-sub-{kind}", texts.TEMPLATE_TITLES.get(kind, ""),
        tuple(Keyword(key, field, texts.FIELD_NAMES.get(field, key))
              for key, field in DEFAULT_KEYWORDS.get(kind, (("thing1", "text"),))))),)
        for kind in KIND_FIELDS}


def load_subscriptions_file(path: Path) -> dict[str, tuple[SubscribeSpec, ...]]:
    """The subscription sections of a templates file, per kind (the account's first).
    A structural mistake raises TemplateFileError naming where."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TemplateFileError(f"{path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TemplateFileError(f"{path}: not valid TOML: {exc}") from exc
    found: dict[str, list[SubscribeSpec]] = {}
    for section, app in SECTIONS.items():
        kinds = raw.get(section, {})
        if not isinstance(kinds, dict):
            raise TemplateFileError(f"{path}: [{section}] must be a table of kinds")
        for kind, table in kinds.items():
            found.setdefault(kind, []).append(_spec(path, f"{section}.{kind}", app, kind, table))
    return {kind: tuple(specs) for kind, specs in found.items()}


def _spec(path: Path, where: str, app: str, kind: str, table: object) -> SubscribeSpec:
    spec = read_template_table(path, where, kind, table)
    assert isinstance(table, dict)  # (read_template_table refused anything else)
    page = table.get("page", "")
    if not isinstance(page, str):
        raise TemplateFileError(f"{path}: [{where}] page must be a string")
    return SubscribeSpec(app, spec, page.strip())

def check_subscriptions(specs: Subscriptions) -> list[CheckRow]:
    """`partybot templates check`'s rows for the subscription templates: each keyword
    with its sample value, or what is wrong (kind, keyword type, field, page)."""
    rows: list[CheckRow] = []
    for kind in sorted(specs):
        for spec in specs[kind]:
            label = f"{kind} ({spec.app})"
            if kind not in KIND_FIELDS:
                rows.append(CheckRow(label, spec.template_id, "", "", "", "",
                                     texts.TEMPLATE_CHECK_UNKNOWN_KIND))
                continue
            if spec.app == ACCOUNT and spec.page and \
                    not spec.page.startswith(("http://", "https://")):
                rows.append(CheckRow(label, spec.template_id, "page", "", "", spec.page,
                                     texts.SUBSCRIBE_CHECK_PAGE_URL))
            if spec.app == MINIPROGRAM and spec.page.startswith(("http://", "https://")):
                rows.append(CheckRow(label, spec.template_id, "page", "", "", spec.page,
                                     texts.SUBSCRIBE_CHECK_PAGE_PATH))
            sample = {**SAMPLE_FIELDS[kind]}
            for keyword in spec.template.keywords:
                row = _check_keyword(spec.template, keyword, sample)
                rows.append(CheckRow(**{**row.__dict__, "kind": label}))
    return rows


def subscriptions_from(path: str | None) -> dict[str, tuple[SubscribeSpec, ...]]:
    """The templates file's subscription templates (none without a file)."""
    return load_subscriptions_file(Path(path)) if path else {}


@dataclass(frozen=True)
class Offered:
    """A subscription template a page offers (`wx-open-subscribe`'s template ids, or the
    mini-program's `wx.requestSubscribeMessage`)."""

    kind: str
    template_id: str
    title: str


def offered_templates(specs: Subscriptions, app: str = ACCOUNT) -> list[Offered]:
    """The templates of `app` a member may subscribe to, one per template id, in the
    order of the notice kinds (a page passes their ids to the open tag)."""
    seen: dict[str, Offered] = {}
    for kind in [*KIND_FIELDS, *sorted(set(specs) - set(KIND_FIELDS))]:
        for spec in specs.get(kind, ()):
            if spec.app == app and spec.template_id not in seen:
                seen[spec.template_id] = Offered(kind, spec.template_id, spec.template.title)
    return list(seen.values())
