"""`partybot doctor`: is it healthy? The configuration checked against reality, a
line per check, in Chinese and English; exit status 1 when any check fails."""

from __future__ import annotations

import json
import sys

import click

from bot.cli.own_command import partybot_command


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--lang", type=click.Choice(["both", "zh", "en"]), default="both",
              show_default=True, help="Language of the report.")
@click.option("--time-limit", default=15.0, show_default=True, type=click.FloatRange(0.1),
              help="Seconds each check may take before it counts as failed.")
def doctor(as_json: bool, lang: str, time_limit: float) -> None:
    """Check the configuration, database, scheduler, outbox, WeChat account, files and
    disk; say what to fix. Exit status 1 if any check fails (warnings: 0)."""
    from bot.doctor.checks import all_checks
    from bot.doctor.report import as_json as report_json
    from bot.doctor.report import outcome_lines, summary_lines
    from bot.doctor.runner import Doctor, Outcome, run_checks

    checkup = Doctor(command=partybot_command())

    def show(outcome: Outcome) -> None:
        if not as_json:
            for line in outcome_lines(outcome, lang):
                click.echo(line)

    try:
        report = run_checks(checkup, all_checks(), time_limit, show)
    finally:
        checkup.dispose()
    if as_json:
        click.echo(json.dumps(report_json(report), ensure_ascii=False, indent=2))
    else:
        for line in summary_lines(report, lang):
            click.echo(line)
    sys.exit(1 if report.failed else 0)
