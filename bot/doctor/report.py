"""The doctor's report: a line per check as it finishes (mark, name, what was found;
under a problem, what to do), a summary, or all of it as JSON for machines."""

from __future__ import annotations

from typing import Any

from bot.doctor.runner import Outcome, Report, Status
from core.texts import doctor as said
from core.texts.doctor import Said

MARKS = {Status.OK: said.MARK_OK, Status.WARN: said.MARK_WARN, Status.FAIL: said.MARK_FAIL,
         Status.SKIP: said.MARK_SKIP}
LANGUAGES = ("zh", "en")


def _in(text: Said, language: str) -> str:
    """`text` in one language, or both joined ("中文 / English")."""
    if language == "zh":
        return text.zh
    if language == "en":
        return text.en
    return f"{text.zh} / {text.en}" if text.zh != text.en else text.zh


def outcome_lines(outcome: Outcome, language: str = "both") -> list[str]:
    """One line for the check; under a warning or failure, what to do (one line per
    language, so that each can be copied as it is)."""
    finding = outcome.finding
    name = said.CHECK_NAMES.get(outcome.check, Said(outcome.check, outcome.check))
    lines = [f"{MARKS[finding.status]} {_in(name, language)}: {_in(finding.detail, language)}"]
    if finding.fix is not None and finding.status in (Status.WARN, Status.FAIL):
        languages = LANGUAGES if language == "both" else (language,)
        lines += [f"{said.FIX_ARROW}{getattr(finding.fix, each)}" for each in languages]
    return lines


def summary_lines(report: Report, language: str = "both") -> list[str]:
    """How many checks came to what, and the verdict."""
    counts = {status.value: report.count(status) for status in Status}
    summary = said.SUMMARY.format(total=len(report.outcomes), **counts)
    verdict = said.VERDICT_FAIL if report.failed else said.VERDICT_OK
    languages = LANGUAGES if language == "both" else (language,)
    return [getattr(summary, each) + (" " if each == "en" else "") + getattr(verdict, each)
            for each in languages]


def as_json(report: Report) -> dict[str, Any]:
    """The report for machines: every check with its status, both languages, seconds."""
    def pair(text: Said | None) -> dict[str, str] | None:
        return None if text is None else {"zh": text.zh, "en": text.en}

    return {
        "ok": not report.failed,
        "counts": {status.value: report.count(status) for status in Status},
        "checks": [{"id": o.check, "status": o.finding.status.value,
                    "name": pair(said.CHECK_NAMES.get(o.check)),
                    "detail": pair(o.finding.detail), "fix": pair(o.finding.fix),
                    "seconds": round(o.seconds, 3)} for o in report.outcomes],
    }
