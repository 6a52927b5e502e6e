"""帮扶 for a helper's page: the members I help, for each what is waiting to be passed on
(the same relay list as chat's 帮学 and the daily message: models.pairing.relay_items),
what 帮学 … 完成 would record as studied, and the meetings I can 代签 for them now (in
their check-in window, not yet present).

Read only, no Flask — except that reading the relay list drops the relays that no
longer matter, as chat's 帮学 does (the caller commits). The changes the page offers are
the chat's own actions, taking the page's actor (`Actor.member(id, name, Surface.PAGE)`):
已转达 is models.pairing.actions.confirm_relays, 代签 models.meetings.actions.check_in
with Method.HELPER, 代请假 models.meetings.actions.ask_leave with Method.HELPER.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.notices import first_line
from models.delivery.relevance import subject_id
from models.errors import PairingError
from models.meetings.queries import open_for_check_in
from models.meetings.tables import KIND_NAMES, Attendance, AttendanceStatus
from models.members.tables import Member
from models.pairing.queries import members_of
from models.pairing.relay_items import current_relays
from models.study.queries import latest_unread
from models.study.tables import StudyItem

WHAT_WIDTH = 40  # characters of a relay's first line shown


@dataclass(frozen=True)
class RelayWaiting:
    """One thing to pass on, and when it happens (a meeting's start, else when sent)."""

    relay_id: int
    kind: str  # the notice kind (study_push, meeting_notice …)
    what: str  # its first line
    text: str  # the whole notice, to read out to the member
    happens_at: datetime
    about_meeting: bool
    item_id: int | None  # the study item it is about
    meeting_id: int | None  # the meeting it is about


@dataclass(frozen=True)
class ProxyChance:
    """A meeting of the member's whose check-in is open now: the helper can 代签."""

    meeting_id: int
    kind_name: str
    topic: str
    place: str
    starts_at: datetime
    ends_at: datetime
    on_leave: bool  # the member asked leave (a 代签 replaces it)


@dataclass(frozen=True)
class HelpedMember:
    """One member I help, and what I can do for them now."""

    member_id: int
    name: str
    needs_help: str | None  # 老式手机 / 行动不便 / …
    needs_help_note: str | None  # the roster's own words
    phone_tail: str | None  # the last four digits, to call them
    has_wechat: bool
    relays: list[RelayWaiting]  # oldest first
    study_to_confirm: tuple[int, str] | None  # what 已转达 records as studied (id, title)
    proxy_now: list[ProxyChance]  # soonest first


@dataclass(frozen=True)
class HelperView:
    """The helper's page."""

    helper_id: int
    members: list[HelpedMember]  # by member id (the order they were paired in chat)

    @property
    def waiting(self) -> int:
        """How many things are waiting to be passed on, in all."""
        return sum(len(m.relays) for m in self.members)


def helper_view(session: Session, helper: Member, now: datetime) -> HelperView:
    """The members `helper` helps now, each with their relays, the study 已转达 would
    record and the meetings open for 代签 (the relay list drops what no longer matters:
    the caller commits)."""
    members = members_of(session, helper.id)
    by_member: dict[int, list[RelayWaiting]] = {}
    for item in current_relays(session, now, [helper.id]):
        relay = item.relay
        by_member.setdefault(relay.member_id, []).append(RelayWaiting(
            relay.id, relay.kind, first_line(relay.text, WHAT_WIDTH), relay.text,
            item.happens_at, item.about_meeting, relay.item_id,
            subject_id(relay.subject, "meeting")))
    chances = {member.id: open_for_check_in(session, member, now) for member in members}
    statuses = _statuses(session, [(member_id, meeting.id)
                                   for member_id, meetings in chances.items()
                                   for meeting in meetings])
    helped = []
    for member in members:
        relays = by_member.get(member.id, [])
        study_ids = [r.item_id for r in relays if r.item_id is not None]
        helped.append(HelpedMember(
            member.id, member.name, member.needs_help, member.needs_help_note,
            member.phone[-4:] if member.phone and len(member.phone) >= 4 else None,
            member.openid is not None, relays,
            _study_to_confirm(session, member, study_ids, now),
            [ProxyChance(m.id, KIND_NAMES.get(m.kind, m.kind), m.topic or "", m.place,
                         m.starts_at, m.ends_at,
                         statuses.get((member.id, m.id)) == AttendanceStatus.LEAVE)
             for m in chances[member.id]
             if statuses.get((member.id, m.id)) != AttendanceStatus.PRESENT]))
    return HelperView(helper.id, helped)


def _study_to_confirm(session: Session, member: Member, study_ids: list[int],
                      now: datetime) -> tuple[int, str] | None:
    """What confirm_relays records as studied: the newest study relayed, else the
    newest item the member has not studied."""
    item = session.get(StudyItem, study_ids[-1]) if study_ids \
        else latest_unread(session, member, now)
    return (item.id, item.title) if item is not None else None


def _statuses(session: Session, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """(member, meeting) → the member's attendance status, for these pairs."""
    if not pairs:
        return {}
    rows = session.execute(select(Attendance.member_id, Attendance.meeting_id,
                                  Attendance.status).where(
        Attendance.member_id.in_({m for m, _ in pairs}),
        Attendance.meeting_id.in_({g for _, g in pairs})))
    return {(member_id, meeting_id): status for member_id, meeting_id, status in rows}


def helped_member(session: Session, helper: Member, member_id: int) -> Member:
    """One of the members `helper` helps now, by id (a page's form carries ids);
    PairingError("PAIR_NOT_YOURS") for anyone else."""
    for member in members_of(session, helper.id):
        if member.id == member_id:
            return member
    found = session.get(Member, member_id)
    raise PairingError("PAIR_NOT_YOURS", name=found.name if found is not None else member_id)
