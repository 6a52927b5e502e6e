"""双联双促: every change — pair, unpair, a joint meeting, a 联促 item added or closed.

Console views, the roster import and the CLI call these with the acting `Actor` and the
time; each applies the rule (a `JointError` with a catalog key when it refuses), writes
one audit entry and never commits. A joint meeting's notices are the meeting's own
(models.meetings.actions.create_meeting tells every invitee of both orgs).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import words
from models.actors import Actor
from models.console.audit import record_change
from models.delivery.outbox import ChannelPolicy
from models.errors import JointError
from models.joint.queries import live_pair
from models.joint.tables import JointItem, JointPair
from models.meetings.actions import NewMeeting, Scheduled, create_meeting
from models.members.org_levels import OrgLevel, levels_of
from models.members.org_tables import Org

TEXT_MAX = 500
NAME_MAX = 100


def _pair_target(session: Session, pair: JointPair) -> str:
    office, branch = session.get_one(Org, pair.office_id), session.get_one(Org, pair.branch_id)
    return f"{office.name} ⇄ {branch.name}"


def add_pair(session: Session, actor: Actor, office_id: int, branch_id: int,
             now: datetime) -> JointPair:
    """Pair a county office's Party organization with a village branch (flushes).
    JointError when either is of the wrong level or the two are paired already."""
    office, branch = session.get(Org, office_id), session.get(Org, branch_id)
    levels = levels_of(session, [office_id, branch_id])
    if office is None or levels.get(office_id) is not OrgLevel.OFFICE:
        raise JointError("JOINT_NOT_OFFICE", name=office.name if office else office_id)
    if branch is None or levels.get(branch_id) is not OrgLevel.BRANCH:
        raise JointError("JOINT_NOT_BRANCH", name=branch.name if branch else branch_id)
    if live_pair(session, office_id, branch_id) is not None:
        raise JointError("JOINT_ALREADY_PAIRED", office=office.name, branch=branch.name)
    pair = JointPair(office_id=office_id, branch_id=branch_id, started_at=now,
                     created_by=actor.name[:NAME_MAX])
    session.add(pair)
    session.flush()
    record_change(session, actor, org_id=branch_id, action="joint.pair",
                  target=_pair_target(session, pair), now=now, before=None,
                  after={"office_id": office_id, "branch_id": branch_id})
    return pair


def end_pair(session: Session, actor: Actor, pair: JointPair, now: datetime) -> None:
    """End a pair; its joint meetings and 联促 items stay on record."""
    if pair.ended_at is not None:
        raise JointError("JOINT_PAIR_ENDED_ALREADY")
    pair.ended_at = now
    session.flush()
    record_change(session, actor, org_id=pair.branch_id, action="joint.unpair",
                  target=_pair_target(session, pair), now=now,
                  before={"ended_at": None}, after={"ended_at": now.isoformat()})


def create_joint_meeting(session: Session, actor: Actor, new: NewMeeting, partner_id: int, *,
                         outbox: ChannelPolicy, tz: ZoneInfo, now: datetime) -> Scheduled:
    """Schedule a joint meeting (联过) of `new.org_id` with its paired org `partner_id`:
    one meeting row that invites the partner's members too (same 签到码), shows in both
    orgs' lists and 台账, and counts for both per models.joint.kinds. JointError when the
    two are not a live pair."""
    org = session.get_one(Org, new.org_id)
    if live_pair(session, new.org_id, partner_id) is None \
            and live_pair(session, partner_id, new.org_id) is None:
        raise JointError("JOINT_NOT_PAIRED")
    joint = tuple(sorted({*new.joint_org_ids, partner_id}))
    scheduled = create_meeting(session, actor, replace(new, joint_org_ids=joint),
                               outbox=outbox, tz=tz, now=now)
    scheduled.meeting.joint_org_id = partner_id
    session.flush()
    record_change(session, actor, org_id=partner_id, action="joint.meeting",
                  target=f"{scheduled.meeting.kind_name} #{scheduled.meeting.id}", now=now,
                  before=None, after={"host": org.name, "partner_id": partner_id,
                                      "code": scheduled.meeting.code})
    return scheduled


def add_item(session: Session, actor: Actor, pair: JointPair, text: str, owner: str,
             deadline: date | None, now: datetime) -> JointItem:
    """Record one thing the pair agreed to do (联促): what, who (责任人), by when."""
    text, owner = text.strip()[:TEXT_MAX], owner.strip()[:NAME_MAX]
    if not text:
        raise JointError("JOINT_ITEM_TEXT")
    if not owner:
        raise JointError("JOINT_ITEM_OWNER")
    if deadline is None:
        raise JointError("JOINT_ITEM_DEADLINE")
    item = JointItem(pair_id=pair.id, text=text, owner=owner, deadline=deadline,
                     created_at=now, created_by=actor.name[:NAME_MAX])
    session.add(item)
    session.flush()
    record_change(session, actor, org_id=pair.branch_id, action="joint.item",
                  target=words.JOINT_ITEM_TARGET.format(id=item.id), now=now, before=None,
                  after={"text": text, "owner": owner, "deadline": deadline.isoformat()})
    return item


def close_item(session: Session, actor: Actor, item: JointItem, note: str,
               now: datetime) -> None:
    """Close (销号) a 联促 item with a note saying how it was done."""
    if item.closed_at is not None:
        raise JointError("JOINT_ITEM_CLOSED_ALREADY")
    note = note.strip()[:TEXT_MAX]
    if not note:
        raise JointError("JOINT_ITEM_NOTE")
    item.closed_at, item.closed_by, item.close_note = now, actor.name[:NAME_MAX], note
    session.flush()
    pair = session.get_one(JointPair, item.pair_id)
    record_change(session, actor, org_id=pair.branch_id, action="joint.item_close",
                  target=words.JOINT_ITEM_TARGET.format(id=item.id), now=now,
                  before={"closed_at": None}, after={"closed_at": now.isoformat(), "note": note})


def pair_from_roster(session: Session, actor: Actor, links: dict[str, str],
                     now: datetime) -> int:
    """The roster's 联系单位 column ({branch name: office name}): pair each branch with
    that office unless they are paired already (re-importing changes nothing). A name
    that does not name exactly one org of the right level is left alone (the import
    checked the offices before writing). Returns how many pairs were made."""
    made = 0
    for branch_name, office_name in sorted(links.items()):
        offices = _named(session, office_name, OrgLevel.OFFICE)
        branches = _named(session, branch_name, OrgLevel.BRANCH)
        if len(offices) != 1 or len(branches) != 1:
            continue
        if live_pair(session, offices[0], branches[0]) is None:
            add_pair(session, actor, offices[0], branches[0], now)
            made += 1
    return made


def _named(session: Session, name: str, level: OrgLevel) -> list[int]:
    ids = list(session.scalars(select(Org.id).where(Org.name == name)))
    levels = levels_of(session, ids)
    return [org_id for org_id in ids if levels.get(org_id) is level]


def office_named(session: Session, name: str) -> int | None:
    """The one county office of this name (None: none, or several)."""
    found = _named(session, name, OrgLevel.OFFICE)
    return found[0] if len(found) == 1 else None
