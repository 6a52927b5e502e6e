"""`partybot assess check|load|sheet|close`: the year's 党建考核 from the command line.

`check` and `load` show every problem of a scheme file at once, as a table (item,
clause, what is wrong), the way `partybot templates check` shows templates; `load`
then loads it through the same action as the console's scheme page."""

from __future__ import annotations

import sys
import unicodedata
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import click

from bot.cli.support import database, one_org
from core import texts
from models.assessment.ratios import Span
from models.assessment.scheme import Problem, Scheme, SchemeError, Source, points_text


@click.group()
def assess() -> None:
    """党建考核: schemes and score sheets."""


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path}: {exc}") from None


def problem_table(problems: list[Problem]) -> str:
    """Problems as aligned columns (Chinese characters count as two)."""
    rows = [list(texts.ASSESS_SCHEME_HEADER)]
    rows += [[p.item or texts.ASSESS_WHOLE, p.clause or texts.ASSESS_NO_ITEM, p.message]
             for p in problems]
    return aligned(rows)


def aligned(rows: list[list[str]]) -> str:
    """Rows as columns; the last column is not padded."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join([*(_pad(cell, w) for cell, w in zip(row, widths, strict=False)),
                                row[-1]]).rstrip() for row in rows)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def summary(scheme: Scheme) -> str:
    """Items, clauses, points, and how many clauses each source scores."""
    counts = Counter(clause.source for clause in scheme.clauses)
    sources = texts.ASSESS_LIST_SEPARATOR.join(
        texts.ASSESS_SOURCE_COUNT.format(source=source.label, count=counts[source])
        for source in Source if counts[source])
    lines = [texts.ASSESS_SCHEME_SUMMARY.format(
        year=scheme.year, name=scheme.name, items=len(scheme.items),
        clauses=len(scheme.clauses), points=points_text(scheme.points)),
        texts.ASSESS_SCHEME_SOURCES.format(sources=sources)]
    lines += [texts.ASSESS_ITEM_LINE.format(title=item.title, points=points_text(item.points),
                                            clauses=len(item.clauses))
              for item in scheme.items]
    return "\n".join(lines)


def _checked(path: Path) -> Scheme:
    from models.assessment.actions import check_scheme

    try:
        return check_scheme(_read(path))
    except SchemeError as exc:
        click.echo(problem_table(exc.problems))
        click.echo(texts.ASSESS_SCHEME_PROBLEMS.format(count=len(exc.problems)))
        sys.exit(1)


@assess.command("check")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
def assess_check(path: Path) -> None:
    """Check a scheme file (TOML) without loading it; exit status 1 on problems."""
    click.echo(summary(_checked(path)))
    click.echo(texts.ASSESS_SCHEME_OK)


@assess.command("load")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
def assess_load(path: Path) -> None:
    """Check a scheme file (TOML) and load it for its year (replacing the year's scheme
    while the year is open)."""
    from models.actors import Actor
    from models.assessment.actions import load_scheme
    from models.db.base import utcnow

    scheme = _checked(path)
    click.echo(summary(scheme))
    with database() as (_, session):
        load_scheme(session, Actor.cli(), _read(path), utcnow())
        session.commit()
    click.echo(texts.ASSESS_SCHEME_LOADED.format(year=scheme.year))


@assess.command("sheet")
@click.argument("org_name", metavar="ORG")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the sheet to this workbook.")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Count from this day (YYYY-MM-DD, within the year; default 1 January).")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Count up to this day (default: the year's end, or today while it runs).")
def assess_sheet(org_name: str, year: int, xlsx: Path | None, first: datetime | None,
                 last: datetime | None) -> None:
    """Print an org's score sheet: each clause, its score and source, the total; over the
    whole year, or any period of it (--from/--to). A closed year's sheet is the frozen one."""
    from bot.assess_workbook import score_text, sheet_title, write_sheet_workbook
    from models.assessment.context import use_settings
    from models.assessment.sheets import compute_sheets, span_to_date, stored_scheme
    from models.db.base import utcnow

    with database(write=False) as (settings, session):
        org = one_org(session, org_name)
        if stored_scheme(session, year) is None:
            raise click.ClickException(texts.ASSESS_NO_SCHEME.format(year=year))
        use_settings(session, settings.tz, settings.cadence)
        today = utcnow().astimezone(settings.tz).date()
        span = span_to_date(year, today)
        span = Span(first.date() if first else span.first, last.date() if last else span.last)
        if not (date(year, 1, 1) <= span.first <= span.last <= date(year, 12, 31)):
            raise click.ClickException(texts.ASSESS_BAD_PERIOD.format(year=year))
        sheets = compute_sheets(session, year, [org.id], span)
    sheet = sheets.get(org.id)
    if sheet is None or not sheet.lines:
        click.echo(texts.ASSESS_SHEET_EMPTY.format(org=org.name))
        return
    click.echo(sheet_title(sheet) + (texts.ASSESS_SHEET_FROZEN.format(year=year)
                                     if sheet.frozen else ""))
    rows = [list(texts.ASSESS_SHEET_HEADER)]
    rows += [[line.item_title, line.clause_title, points_text(line.points),
              score_text(line.score), line.source.label, line.detail]
             for line in sheet.lines]
    click.echo(aligned(rows))
    click.echo(texts.ASSESS_SHEET_TOTAL.format(total=points_text(sheet.total),
                                               possible=points_text(sheet.possible)))
    if xlsx is not None:
        write_sheet_workbook(sheet, xlsx)
        click.echo(texts.ASSESS_SHEET_WRITTEN.format(path=xlsx))


@assess.command("close")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
def assess_close(year: int) -> None:
    """Close the year: freeze every org's sheet (later records no longer change it)."""
    from models.actors import Actor
    from models.assessment.actions import close_year
    from models.assessment.context import use_settings
    from models.db.base import utcnow

    with database() as (settings, session):
        use_settings(session, settings.tz, settings.cadence)
        orgs = close_year(session, Actor.cli(), year, utcnow())
        session.commit()
    click.echo(texts.ASSESS_CLOSED.format(year=year, orgs=orgs))
