"""`partybot templates check`: the template configuration against the notices partybot
sends, as a table (core.template_messages)."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import click

from bot.cli.support import settings_or_exit
from core import texts
from core.config import Settings
from core.subscribe_messages import Subscriptions, check_subscriptions, load_subscriptions_file
from core.template_messages import (
    KIND_FIELDS,
    CheckRow,
    TemplateFileError,
    TemplateSpec,
    check_templates,
    load_templates_file,
)


@click.group()
def templates() -> None:
    """Template messages."""


@templates.command("check")
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Check this file instead of PARTYBOT_TEMPLATES_FILE.")
def templates_check(path: Path | None) -> None:
    """Validate the template configuration; exit status 1 if anything is wrong."""
    specs: Mapping[str, TemplateSpec]
    subscriptions: Subscriptions
    if path is not None:
        try:
            specs = load_templates_file(path)
            subscriptions = load_subscriptions_file(path)
        except TemplateFileError as exc:
            raise click.ClickException(str(exc)) from None
    else:
        settings = settings_or_exit()
        specs, subscriptions = configured_templates(settings)
    rows = check_templates(specs)
    click.echo(render_table(rows))
    problems = sum(1 for row in rows if row.problem)
    click.echo(texts.TEMPLATE_CHECK_SUMMARY.format(
        kinds=len({row.kind for row in rows if row.template_id}), problems=problems))
    if subscriptions:  # 订阅通知 templates, checked by the same rules
        subscribe_rows = check_subscriptions(subscriptions)
        click.echo("")
        click.echo(render_table(subscribe_rows))
        problems += sum(1 for row in subscribe_rows if row.problem)
        click.echo(texts.SUBSCRIBE_CHECK_SUMMARY.format(kinds=len(subscriptions)))
    sys.exit(1 if problems else 0)


def configured_templates(settings: Settings) -> tuple[Mapping[str, TemplateSpec], Subscriptions]:
    """The template of each notice kind that has one, and the 订阅通知 templates, as the
    settings configure them (`templates check` and `partybot doctor` check these)."""
    configured = settings.templates
    # (the sandbox's templates exist for every kind asked for: ask for each)
    specs = {kind: spec for kind in [*KIND_FIELDS, *configured]
             if (spec := configured.get(kind)) is not None}
    return specs, settings.subscriptions


def render_table(rows: list[CheckRow]) -> str:
    """Rows as aligned columns (Chinese characters count as two)."""
    lines = [list(texts.TEMPLATE_CHECK_HEADER)]
    for row in rows:
        verdict = row.problem or (texts.TEMPLATE_CHECK_OK if row.template_id
                                  else texts.TEMPLATE_CHECK_NOT_SET)
        lines.append([row.kind, row.template_id or "-", row.keyword, row.name, row.field,
                      row.sample, verdict])
    widths = [max(_width(line[i]) for line in lines) for i in range(len(lines[0]) - 1)]
    return "\n".join("  ".join([*(_pad(cell, w) for cell, w in zip(line, widths, strict=False)),
                                line[-1]]).rstrip() for line in lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
