"""一帮一, every change: pair, unpair, suggestions generated, applied and rejected, relays
confirmed by a helper and the proof they send.

A member who is old, immobile or has no smartphone is paired with a nearby helper
(就近、便利、快捷). A member has at most one active helper; a helper helps up to a
capacity. Ended pairs are kept for the record. Each function here is the one place its
change happens, whatever the surface (chat, console, CLI, a job): it takes the acting
`Actor` and the time, applies the rule (PairingError with a catalog key), and writes the
audit entry in the caller's transaction. None of them commits.

The scheduler's sweeps over relays (the daily message to each helper, reminders, the
escalation of relays left undone) are models.pairing.sweeps: they queue notices, and the
outbox itself reads models.pairing.actions (helpers_of), so they cannot live here.
Who helps whom, read only, is models.pairing.queries; matching is models.pairing.matching.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core import texts
from models.actors import Actor
from models.console.audit import record_change
from models.errors import PairingError
from models.members.tables import Member
from models.pairing.matching import (
    MatchingInput,
    PairSuggestion,
    Suggestion,
    Unmatched,
    matching_input,
    suggest_pairs,
)
from models.pairing.queries import (
    active_pair_of,
    cannot_help_because,
    capacity_of,
    is_helper_now,
    members_of,
)
from models.pairing.queries import helpers_of as helpers_of  # delivery reads it from here
from models.pairing.relays import Confirmation, Relay, open_relays
from models.pairing.tables import HelpPair
from models.study.queries import latest_unread
from models.study.records import Feedback, attach_feedback, record_study
from models.study.tables import StudyItem, StudyRecord


def make_pair(session: Session, actor: Actor, helper: Member, member: Member, now: datetime,
              default_capacity: int) -> HelpPair:
    """Pair `member` with `helper` (an admin's 结对); PairingError explains a refusal."""
    return _pair(session, actor, helper, member, now, default_capacity, "pair.create")


def _pair(session: Session, actor: Actor, helper: Member, member: Member, now: datetime,
          default_capacity: int, action: str) -> HelpPair:
    """The rule for a new pair, the pair, and its audit entry (flushes)."""
    if helper.id == member.id:
        raise PairingError("PAIR_SELF")
    for someone in (helper, member):  # forgotten (models.members.forget): nobody to pair
        if someone.forgotten_at is not None:
            raise PairingError("MEMBER_NOT_FOUND", name=someone.name)
    why_not = cannot_help_because(session, helper)
    member_helps = is_helper_now(session, member)
    if why_not is not None and member_helps and cannot_help_because(session, member) is None:
        # "结对 陈强 王帮扶": the names the wrong way round
        why = texts.PAIR_REVERSED_WHY[why_not].format(reason=helper.needs_help)
        raise PairingError("PAIR_REVERSED", helper=helper.name, member=member.name, why=why)
    if why_not is not None:
        raise PairingError(why_not, name=helper.name, reason=helper.needs_help or "")
    if member_helps:
        raise PairingError("PAIR_MEMBER_IS_HELPER", name=member.name)
    if active_pair_of(session, member.id) is not None:
        raise PairingError("PAIR_MEMBER_HAS_HELPER", name=member.name)
    load = len(members_of(session, helper.id))
    if load >= capacity_of(helper, default_capacity):
        raise PairingError("PAIR_HELPER_FULL", name=helper.name, load=load)
    pair = HelpPair(helper_id=helper.id, member_id=member.id, created_at=now,
                    created_by=actor.member_id)
    # The helper role follows the pairs (models.pairing.queries.helping_now): nothing to
    # mark here, and nothing to take back when the last pair ends.
    session.add(pair)
    record_change(session, actor, org_id=member.branch_id, action=action, target=member.name,
                  now=now, after={"helper": helper.name})
    session.flush()
    return pair


def end_pair(session: Session, actor: Actor, member: Member, now: datetime) -> HelpPair:
    """End the member's current pair (解除结对; flushes)."""
    pair = active_pair_of(session, member.id)
    if pair is None:
        raise PairingError("PAIR_NO_HELPER", name=member.name)
    pair.ended_at = now
    record_change(session, actor, org_id=member.branch_id, action="pair.end", target=member.name,
                  now=now, before={"helper": pair.helper.name})
    session.flush()
    return pair


def generate_suggestions(session: Session, actor: Actor, branch_ids: list[int] | None,
                         now: datetime, default_capacity: int,
                         ) -> tuple[MatchingInput, list[Suggestion], list[Unmatched]]:
    """Propose a helper for every member of these branches (all: None) who needs one,
    and keep the proposals for applying (`pairs apply`, the console's 一帮一 page): they
    replace those stored before. One audit entry per branch whose proposals changed (a
    branch where nobody needs a helper has none to change)."""
    found = matching_input(session, branch_ids, default_capacity)
    suggestions, unmatched = suggest_pairs(found.needing, found.helpers, found.load,
                                           found.capacity)
    member_ids = [p.id for p in found.needing]
    for start in range(0, len(member_ids), 5000):  # stay under bind-parameter limits
        session.execute(delete(PairSuggestion).where(
            PairSuggestion.member_id.in_(member_ids[start:start + 5000])))
    session.add_all([PairSuggestion(member_id=s.member_id, helper_id=s.helper_id,
                                    reason=s.reason, created_at=now) for s in suggestions])
    branch_of = {p.id: p.branch_id for p in found.needing}
    needing = Counter(branch_of.values())
    suggested = Counter(branch_of[s.member_id] for s in suggestions)
    left = Counter(branch_of[u.member_id] for u in unmatched)
    for branch_id in sorted(needing):
        record_change(session, actor, org_id=branch_id, action="pair.suggest",
                      target=str(suggested[branch_id]), now=now,
                      after={"needing": needing[branch_id], "suggested": suggested[branch_id],
                             "unmatched": left[branch_id]})
    session.flush()
    return found, suggestions, unmatched


def apply_suggestion(session: Session, actor: Actor, member_id: int, now: datetime,
                     default_capacity: int) -> HelpPair:
    """Make one stored proposal a pair (确认结对; the proposal is used up); flushes.
    PairingError when it is gone or no longer possible."""
    suggestion = session.get(PairSuggestion, member_id)
    if suggestion is None:
        raise PairingError("PAIR_SUGGESTION_GONE")
    helper, member = suggestion.helper, suggestion.member
    session.delete(suggestion)
    session.flush()
    if helper is None or member is None:
        raise PairingError("PAIR_SUGGESTION_GONE")
    return _pair(session, actor, helper, member, now, default_capacity, "pair.apply")


def reject_suggestion(session: Session, actor: Actor, member_id: int, now: datetime) -> None:
    """Drop one stored proposal (放弃); PairingError when it is already gone. Flushes."""
    suggestion = session.get(PairSuggestion, member_id)
    member = session.get(Member, member_id)
    if suggestion is None or member is None:
        raise PairingError("PAIR_SUGGESTION_GONE")
    helper = suggestion.helper
    session.delete(suggestion)
    record_change(session, actor, org_id=member.branch_id, action="pair.reject",
                  target=member.name, now=now, before={"helper": helper.name if helper else ""})
    session.flush()


@dataclass
class Applied:
    """What `pairs apply` did."""

    made: list[tuple[str, str]] = field(default_factory=list)  # helper, member
    skipped: list[tuple[str, str]] = field(default_factory=list)  # member, why


def apply_suggestions(session: Session, actor: Actor, now: datetime,
                      default_capacity: int) -> Applied:
    """Turn every stored proposal into a pair (those still possible; each pair made is
    one audit entry, like 确认结对 in the console); flushes."""
    result = Applied()
    for suggestion in list(session.scalars(select(PairSuggestion).order_by(
            PairSuggestion.member_id))):
        helper, member = suggestion.helper, suggestion.member
        session.delete(suggestion)
        if helper is None or member is None:
            continue
        try:
            _pair(session, actor, helper, member, now, default_capacity, "pair.apply")
        except PairingError as exc:  # the rule checks before it changes anything
            result.skipped.append((member.name, exc.render()))
            continue
        result.made.append((helper.name, member.name))
    session.flush()
    return result


def confirm_relays(session: Session, actor: Actor, helper: Member, member: Member,
                   now: datetime) -> Confirmation:
    """帮学 <姓名> 完成: the helper passed everything open on to `member`: relays
    confirmed, and the newest study item relayed (or, with none, the newest unread)
    recorded as studied via the helper. Nothing open, nothing changes (and no entry)."""
    relays = open_relays(session, helper.id, member.id)
    study_ids = [r.item_id for r in relays if r.item_id is not None]
    item = session.get(StudyItem, study_ids[-1]) if study_ids else \
        latest_unread(session, member, now)
    for relay in relays:
        relay.confirmed_at = now
    studied = item is not None and record_study(session, item, member, now, helper)
    done = Confirmation(item if studied else None, sum(1 for r in relays if r.item_id is None))
    if relays or done.anything:
        after: dict[str, object] = {"helper": helper.name, "relays": len(relays)}
        if done.item is not None:
            after["study"] = done.item.title
        record_change(session, actor, org_id=member.branch_id, action="relay.confirm",
                      target=member.name, now=now, after=after)
    session.flush()
    return done


def keep_relay_proof(session: Session, actor: Actor, record: StudyRecord, feedback: Feedback,
                     now: datetime) -> int:
    """A photo or voice message the helper sent after 帮学 … 完成, kept with the study
    record of the relay; returns how many pieces the record now has (flushes)."""
    pieces = attach_feedback(session, record, feedback, now)
    member = record.member
    record_change(session, actor, org_id=member.branch_id, action="relay.proof",
                  target=member.name, now=now, after={"kind": feedback.kind})
    return pieces



def confirm_relay(session: Session, actor: Actor, helper: Member, member: Member,
                  relay_id: int, now: datetime) -> Confirmation:
    """已转达 for one item of the relay list (the member pages' button beside each line):
    that relay confirmed and, when it is about a study item, the item recorded as studied
    via the helper (as confirm_relays does for all of them). A relay that is not this
    helper's for this member, or no longer on the list, is PairingError("PAIR_RELAY_GONE");
    one already confirmed changes nothing (and no entry)."""
    relay = session.get(Relay, relay_id)
    if relay is None or relay.helper_id != helper.id or relay.member_id != member.id \
            or (relay.confirmed_at is None and relay.dropped_at is not None):
        raise PairingError("PAIR_RELAY_GONE")
    if relay.confirmed_at is not None:
        return Confirmation(None, 0)
    relay.confirmed_at = now
    item = session.get(StudyItem, relay.item_id) if relay.item_id is not None else None
    if item is not None:
        record_study(session, item, member, now, helper)
    after: dict[str, object] = {"helper": helper.name, "relays": 1}
    if item is not None:
        after["study"] = item.title
    record_change(session, actor, org_id=member.branch_id, action="relay.confirm",
                  target=member.name, now=now, after=after)
    session.flush()
    return Confirmation(item, 0 if relay.item_id is not None else 1)
