"""What a survey shows the org above: per branch, how many answered of how many, whether
the quorum was met, and — only then — the counts per question and choice. A branch
never reads its own results (`visible_orgs`), and no list is ranked."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.members.org_tables import Org
from models.survey.tables import (
    CHOICES,
    Choice,
    Survey,
    SurveyQuestion,
    SurveyRespondent,
    SurveyTally,
    SurveyTarget,
)


def quorum_met(answered: int, members: int, quorum: float) -> bool:
    """Whether enough of the branch's members answered (a branch of none never does)."""
    return members > 0 and answered >= math.ceil(quorum * members - 1e-9)


@dataclass(frozen=True)
class BranchResult:
    """One branch's results (`counts` empty below the quorum)."""

    org_id: int
    name: str
    members: int
    answered: int
    met: bool
    counts: dict[int, dict[Choice, int]]  # question id -> choice -> count

    def satisfied_share(self) -> float | None:
        """满意 answers among all answers (None below the quorum or with none)."""
        total = sum(sum(c.values()) for c in self.counts.values())
        done = sum(c.get(Choice.SATISFIED, 0) for c in self.counts.values())
        return done / total if self.met and total else None


def visible_orgs(scope: Iterable[int], own_org_id: int) -> set[int]:
    """The branches whose results an account sees: those below its own org, never its
    own (results go to the org above)."""
    return {org_id for org_id in scope if org_id != own_org_id}


def survey_results(session: Session, survey: Survey,
                   org_ids: Iterable[int]) -> list[BranchResult]:
    """The results of the survey's branches among `org_ids`, by name."""
    wanted = list(org_ids)
    targets = session.execute(
        select(SurveyTarget.org_id, Org.name, SurveyTarget.members)
        .join(Org, Org.id == SurveyTarget.org_id)
        .where(SurveyTarget.survey_id == survey.id, SurveyTarget.org_id.in_(wanted))
        .order_by(Org.name, Org.id)).all()
    ids = [org_id for org_id, _, _ in targets]
    answered = dict(session.execute(
        select(SurveyRespondent.org_id, func.count()).where(
            SurveyRespondent.survey_id == survey.id, SurveyRespondent.org_id.in_(ids))
        .group_by(SurveyRespondent.org_id)).all())
    counts: dict[int, dict[int, dict[Choice, int]]] = {}
    for org_id, question_id, choice, count in session.execute(
            select(SurveyTally.org_id, SurveyTally.question_id, SurveyTally.choice,
                   SurveyTally.count).where(SurveyTally.survey_id == survey.id,
                                            SurveyTally.org_id.in_(ids))):
        counts.setdefault(org_id, {}).setdefault(question_id, {})[Choice(choice)] = count
    results = []
    for org_id, name, members in targets:
        got = answered.get(org_id, 0)
        met = quorum_met(got, members, survey.quorum)
        results.append(BranchResult(org_id, name, members, got, met,
                                    counts.get(org_id, {}) if met else {}))
    return results


def total_of(results: Iterable[BranchResult],
             questions: Iterable[SurveyQuestion]) -> dict[int, dict[Choice, int]]:
    """The counts of the branches that met the quorum, added up per question."""
    total = {q.id: dict.fromkeys(CHOICES, 0) for q in questions}
    for result in results:
        for question_id, by_choice in result.counts.items():
            for choice, count in by_choice.items():
                total.setdefault(question_id, dict.fromkeys(CHOICES, 0))[choice] += count
    return total
