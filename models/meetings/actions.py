"""三会一课: every change to a meeting, whatever the surface — one function each.

Chat handlers, console views, the CLI's demo and the scheduler's sweeper call these with
the acting `Actor` and the time: each applies the rule (models.meetings.rules and
models.meetings.attendance; a `MeetingError` with a catalog key when it refuses), queues
the notices through the outbox (the `ChannelPolicy` handed in) and writes one audit entry
naming the actor and the surface, in the caller's transaction. Nothing here commits.

Reading is in models.meetings.queries; what the console's pages show, in
models.meetings.listing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core import texts
from core.geo import distance_m
from core.notices import MeetingWas, meeting_fields
from models.actors import Actor
from models.console.audit import record_change
from models.delivery.outbox import ChannelPolicy
from models.errors import MeetingError
from models.meetings import attendance, rules
from models.meetings.attendance import Outcome
from models.meetings.code_check_in import MeetingCard, card_for_code, insert_present
from models.meetings.codes import meeting_for_code
from models.meetings.listing import invitee_summary
from models.meetings.notices import (
    Notified,
    notify_cancelled,
    notify_changed,
    notify_created,
    notify_invited,
    notify_uninvited,
    remind,
)
from models.meetings.queries import invitee_ids, is_invited, meeting_near
from models.meetings.rules import NewMeeting
from models.meetings.tables import Attendance, AttendanceStatus, Meeting, MeetingStatus, Method
from models.members.tables import Member

__all__ = ["MINUTES_MAX", "PHOTOS_PER_MEETING", "Changed", "Invites", "MeetingChange",
           "MeetingRecord", "NewMeeting", "Outcome", "Scheduled", "add_photo", "ask_leave",
           "backfill", "cancel_meeting", "change_invitees", "change_meeting", "check_in",
           "check_in_by_code", "close_meeting", "create_meeting", "record_meeting",
           "send_due_reminder", "snapshot"]

MINUTES_MAX = 20_000  # characters of minutes (纪要) kept
PHOTOS_PER_MEETING = 30


def snapshot(meeting: Meeting) -> dict[str, Any]:
    """What the audit log keeps of a meeting."""
    return {"kind": meeting.kind, "starts_at": meeting.starts_at.isoformat(),
            "ends_at": meeting.ends_at.isoformat(), "place": meeting.place,
            "topic": meeting.topic, "status": meeting.status, "code": meeting.code}


def _audit(session: Session, actor: Actor, meeting: Meeting, action: str, now: datetime,
           before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    record_change(session, actor, org_id=meeting.org_id, action=action,
                  target=f"{meeting.kind_name} #{meeting.id}", now=now, before=before,
                  after=after)


def _acting_member(session: Session, actor: Actor) -> Member | None:
    """The member behind the actor (None: a job, the CLI, a password account)."""
    return session.get(Member, actor.member_id) if actor.member_id is not None else None


@dataclass(frozen=True)
class Scheduled:
    """A meeting just scheduled, and how its invitees were told."""

    meeting: Meeting
    notified: Notified


def create_meeting(session: Session, actor: Actor, new: NewMeeting, *, outbox: ChannelPolicy,
                   tz: ZoneInfo, now: datetime) -> Scheduled:
    """Schedule a meeting (its invitees chosen by id: `new`) and send every invitee the
    会议通知. MeetingError for a past time or a clash, and for a start at night the
    secretary has not confirmed (`new.night_confirmed`)."""
    if rules.is_at_night(new.starts_at, tz) and not new.night_confirmed:
        raise MeetingError("MEETING_AT_NIGHT")
    meeting = rules.create_meeting(session, new, created_by=actor.member_id, now=now)
    notified = notify_created(session, outbox, meeting, tz, now)
    _audit(session, actor, meeting, "meeting.create", now, None, snapshot(meeting))
    return Scheduled(meeting, notified)


@dataclass(frozen=True)
class MeetingChange:
    """A meeting's new time, place and topic (ends_at None: keep its length)."""

    starts_at: datetime
    ends_at: datetime | None
    place: str
    topic: str
    # the secretary said yes to a new start between 22:00 and 06:00 (rules.is_at_night)
    night_confirmed: bool = False


@dataclass(frozen=True)
class Invites:
    """Who a meeting invites besides its branch's audience rule, by id: members or
    groups of the host branch (none: the whole branch), and other orgs (joint)."""

    member_ids: tuple[int, ...] = ()
    org_ids: tuple[int, ...] = ()
    joint_org_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Changed:
    """What a change did and who was told: those staying (when it moved), those newly
    invited (会议通知) and those no longer expected (参会调整)."""

    moved: bool
    changed: Notified
    added: Notified
    dropped: Notified
    was: MeetingWas | None = None  # the time, place and topic before (for the reply)

    @property
    def anything(self) -> bool:
        """Whether the meeting changed at all."""
        return self.moved or bool(self.added.total or self.dropped.total)


def change_meeting(session: Session, actor: Actor, meeting: Meeting, change: MeetingChange,
                   invites: Invites | None = None, *, outbox: ChannelPolicy, tz: ZoneInfo,
                   now: datetime) -> Changed:
    """Move a planned meeting or change its place or topic, and (given `invites`) who it
    invites — one change, one audit entry ("meeting.change"; "meeting.invitees" when
    only the invitees changed). Those dropped are told first, at the old time (they are
    not coming to the new one); those added get the 会议通知 at the new time; everyone
    else hears of a move. MeetingError once it has started or for a past time or clash,
    and for a move to a start at night the secretary has not confirmed."""
    if change.starts_at != meeting.starts_at and rules.is_at_night(change.starts_at, tz) \
            and not change.night_confirmed and meeting.status == MeetingStatus.PLANNED \
            and now < min(meeting.starts_at, change.starts_at):  # else the rules refuse it
        raise MeetingError("MEETING_AT_NIGHT")
    before = {**snapshot(meeting), "invitees": invitee_summary(session, meeting)}
    was = MeetingWas.of(meeting)
    invited = rules.InviteeChange((), ())
    dropped = added = changed = Notified()
    if invites is not None:
        invited = rules.change_invitees(session, meeting, invites.member_ids, invites.org_ids,
                                        invites.joint_org_ids, now)
        dropped = notify_uninvited(session, outbox, meeting, invited.removed, tz, now)
    moved = rules.change_meeting(session, meeting, change.starts_at, change.ends_at,
                                 change.place, change.topic, now)
    if invited.added:
        added = notify_invited(session, outbox, meeting, invited.added, tz, now)
    if moved:
        staying = [i for i in invitee_ids(session, meeting) if i not in invited.added]
        changed = notify_changed(session, outbox, meeting, was, tz, now, member_ids=staying)
    result = Changed(moved, changed, added, dropped, was)
    if result.anything:
        _audit(session, actor, meeting, "meeting.change" if moved else "meeting.invitees",
               now, before, {**snapshot(meeting), "invitees": invitee_summary(session, meeting)})
    return result


def change_invitees(session: Session, actor: Actor, meeting: Meeting, invites: Invites, *,
                    outbox: ChannelPolicy, tz: ZoneInfo, now: datetime) -> Changed:
    """Invite others to a planned meeting, its time and place unchanged (change_meeting)."""
    same = MeetingChange(meeting.starts_at, meeting.ends_at, meeting.place, meeting.topic)
    return change_meeting(session, actor, meeting, same, invites, outbox=outbox, tz=tz, now=now)


def cancel_meeting(session: Session, actor: Actor, meeting: Meeting, *, outbox: ChannelPolicy,
                   tz: ZoneInfo, now: datetime) -> Notified:
    """Cancel a planned meeting (its code is free again) and tell every invitee; one
    already cancelled says so and tells nobody again."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingError("MEETING_ALREADY_CANCELLED", **meeting_fields(meeting, tz))
    before = snapshot(meeting)
    rules.cancel_meeting(session, meeting, now)
    notified = notify_cancelled(session, outbox, meeting, tz, now)
    _audit(session, actor, meeting, "meeting.cancel", now, before, snapshot(meeting))
    return notified


def close_meeting(session: Session, actor: Actor, meeting: Meeting, now: datetime) -> int:
    """Mark a meeting held: invitees with no record are absent (the host present).
    Returns how many were marked absent. MeetingError before its start."""
    before = snapshot(meeting)
    absent = rules.close_meeting(session, meeting, now)
    _audit(session, actor, meeting, "meeting.close", now, before, {
        **snapshot(meeting), "expected": meeting.expected_count,
        "present": meeting.present_count, "leave": meeting.leave_count,
        "absent": meeting.absent_count})
    return absent


@dataclass(frozen=True)
class MeetingRecord:
    """A meeting's record: minutes (纪要), recorder and lecturer (member ids or None)."""

    minutes: str | None
    recorder_id: int | None
    lecturer_id: int | None


def record_meeting(session: Session, actor: Actor, meeting: Meeting, record: MeetingRecord,
                   now: datetime) -> None:
    """Keep the meeting's minutes, recorder and lecturer; the recorder and the lecturer
    are members of its branch (MeetingError otherwise)."""
    for member_id in (record.recorder_id, record.lecturer_id):
        member = session.get(Member, member_id) if member_id is not None else None
        if member_id is not None and (member is None or member.branch_id != meeting.org_id):
            raise MeetingError("CONSOLE_FORM_MEMBER")
    before = {"minutes": meeting.minutes, "recorder_id": meeting.recorder_id,
              "lecturer_id": meeting.lecturer_id}
    meeting.recorder_id = record.recorder_id
    meeting.lecturer_id = record.lecturer_id
    meeting.minutes = (record.minutes or "").strip()[:MINUTES_MAX] or None
    session.flush()
    _audit(session, actor, meeting, "meeting.record", now, before,
           {"minutes": meeting.minutes, "recorder_id": meeting.recorder_id,
            "lecturer_id": meeting.lecturer_id})


def add_photo(session: Session, actor: Actor, meeting: Meeting,
              store: Callable[[], tuple[str, int]], now: datetime) -> str:
    """Add a photo to the meeting's record; `store` keeps the file (within the org's
    quotas) and says its stored name and size, called only once the rule allows it: a
    cancelled meeting takes none (its photos are on their way out), and at most
    PHOTOS_PER_MEETING. Returns the stored name."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingError("CONSOLE_PHOTO_CANCELLED")
    photos = list(meeting.photos or [])
    if len(photos) >= PHOTOS_PER_MEETING:
        raise MeetingError("CONSOLE_PHOTO_TOO_MANY", limit=PHOTOS_PER_MEETING)
    name, size = store()
    meeting.photos = [*photos, name]
    session.flush()
    _audit(session, actor, meeting, "meeting.photo", now, None, {"photo": name, "bytes": size})
    return name


def check_in(session: Session, actor: Actor, meeting: Meeting, member: Member, method: Method,
             now: datetime) -> Outcome:
    """Record `member` present (themselves by code, QR or location; their helper for
    them). A repeated check-in changes nothing; only a check-in made for someone else is
    audited (a member's own is its own trace: the record names who, when and how)."""
    by = member if actor.member_id == member.id else _acting_member(session, actor)
    outcome = attendance.check_in(session, meeting, member, method, by, now)
    if outcome is not Outcome.ALREADY and actor.acts_for(member.id):
        _audit(session, actor, meeting, "attendance.check_in", now, None,
               {"member": member.name, "status": AttendanceStatus.PRESENT.value,
                "method": str(method)})
    return outcome


def check_in_by_code(session: Session, actor: Actor, openid: str, code: str, member_id: int,
                     now: datetime) -> tuple[Outcome, Meeting | MeetingCard]:
    """签到 <码>: the member's own check-in with the meeting's 签到码; the outcome and
    the meeting (for the reply). Any code that is not one of the member's open meetings
    is a wrong guess (models.meetings.codes), then check_in's rules apply.

    The common case — no pause, the member's branch or group meeting (or they run it),
    check-in open, no record or already present — is read in one prepared statement
    (models.meetings.code_check_in) and writes at most the record: no audit entry, as a
    member's own check-in is its own trace. Anything else goes the general way."""
    card = card_for_code(session, openid, code, member_id)
    if card is not None and actor.member_id == member_id and card.invited \
            and (card.locked_until is None or card.locked_until <= now):
        attendance.check_window(card, now)
        if card.record_status == AttendanceStatus.PRESENT:
            return Outcome.ALREADY, card
        if card.record_status is None and insert_present(session, card.id, member_id,
                                                          str(Method.CODE), now):
            return Outcome.RECORDED, card
    member = session.get_one(Member, member_id)
    meeting = meeting_for_code(session, openid, code,
                               lambda found: is_invited(session, found, member), now)
    return check_in(session, actor, meeting, member, Method.CODE, now), meeting


def ask_leave(session: Session, actor: Actor, meeting: Meeting, member: Member, reason: str,
              method: Method, now: datetime) -> Outcome:
    """Record `member`'s leave (请假) with its reason, before the meeting ends."""
    by = member if actor.member_id == member.id else _acting_member(session, actor)
    outcome = attendance.ask_leave(session, meeting, member, reason, method, by, now)
    if outcome is not Outcome.ALREADY and actor.acts_for(member.id):
        _audit(session, actor, meeting, "attendance.leave", now, None,
               {"member": member.name, "status": AttendanceStatus.LEAVE.value,
                "reason": reason.strip()[:200], "method": str(method)})
    return outcome


def backfill(session: Session, actor: Actor, meeting: Meeting, member: Member,
             status: AttendanceStatus, reason: str | None, now: datetime) -> Attendance:
    """补录: an admin's later entry for a held meeting, flagged as backfilled."""
    record = attendance.backfill(session, meeting, member, status,
                                 _acting_member(session, actor), now, reason)
    _audit(session, actor, meeting, "attendance.backfill", now, {"member": member.name},
           {"member": member.name, "status": record.status, "reason": record.reason})
    return record


DAY_BEFORE = timedelta(hours=24)
HOUR_BEFORE = timedelta(hours=1)


def send_due_reminder(session: Session, meeting: Meeting, *, outbox: ChannelPolicy,
                      tz: ZoneInfo, now: datetime) -> int:
    """会前提醒: the reminder due now (24 hours or 1 hour before the start), once per
    meeting and reminder; returns notices queued. When both are due (the scheduler was
    down) only the nearer one goes out. Not audited: it changes nothing about the
    meeting, it notes that members were told (each notice is in the outbox)."""
    if meeting.status != MeetingStatus.PLANNED or meeting.starts_at <= now:
        return 0
    queued = 0
    if meeting.starts_at - now <= HOUR_BEFORE:
        if meeting.reminded_1h_at is None:
            queued = remind(session, outbox, meeting, "remind-1h", tz, now).total
            meeting.reminded_1h_at = now
        meeting.reminded_24h_at = meeting.reminded_24h_at or now  # superseded
    elif meeting.starts_at - now <= DAY_BEFORE and meeting.reminded_24h_at is None:
        queued = remind(session, outbox, meeting, "remind-24h", tz, now).total
        meeting.reminded_24h_at = now
    return queued


# Check-in by location, for every surface: chat's location message, the member pages
# (wx.getLocation) and the mini-program API. The distance rule lives here only.


@dataclass(frozen=True)
class LocationCheckIn:
    """What a location did: the outcome (None: nobody was checked in), the meeting it
    was for (None: no meeting near), the catalog's sentence to show, and the distance to
    the meeting's coordinates when it was measured."""

    outcome: Outcome | None
    meeting: Meeting | None
    sentence: str
    metres: float | None = None


def check_in_by_location(session: Session, actor: Actor, member: Member, latitude: float,
                         longitude: float, *, radius_m: float, tz: ZoneInfo, now: datetime,
                         meeting: Meeting | None = None) -> LocationCheckIn:
    """Check `member` in by where they are (GCJ-02, as WeChat's location message and
    wx.getLocation({type: "gcj02"}) give it), within `radius_m` (PARTYBOT_CHECKIN_RADIUS_M)
    of the meeting's coordinates.

    With no `meeting`: the member's nearest meeting whose check-in is open ("the meeting
    happening now", as chat's location message). With one (a page's 签到 button): that
    meeting, refused as check_in refuses it (MeetingError: not invited, not open). A
    position that cannot be used, a meeting without coordinates or one too far is not an
    error: the result says so (outcome None) and nothing is written."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)
            and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        sentence = texts.LOCATION_BAD_POSITION if meeting is not None \
            else texts.LOCATION_NO_MEETING.format(radius=radius_m)
        return LocationCheckIn(None, meeting, sentence)
    metres: float | None = None
    if meeting is None:
        near = meeting_near(session, member, latitude, longitude, now, radius_m)
        if near.open_meetings and not near.located:
            return LocationCheckIn(None, None, texts.LOCATION_NO_COORDINATES)
        if near.meeting is None:
            return LocationCheckIn(None, None, texts.LOCATION_NO_MEETING.format(radius=radius_m))
        meeting = near.meeting
    else:
        if not is_invited(session, meeting, member):
            raise MeetingError("NOT_INVITED")
        attendance.check_window(meeting, now)
        if meeting.latitude is None or meeting.longitude is None:
            return LocationCheckIn(None, meeting, texts.LOCATION_NO_COORDINATES)
        metres = distance_m(latitude, longitude, meeting.latitude, meeting.longitude)
        if metres > radius_m:
            return LocationCheckIn(None, meeting, texts.LOCATION_TOO_FAR.format(
                place=meeting.place, distance=round(metres), radius=radius_m), metres)
    outcome = check_in(session, actor, meeting, member, Method.LOCATION, now)
    if outcome is Outcome.ALREADY:
        return LocationCheckIn(outcome, meeting, texts.CHECKIN_ALREADY, metres)
    template = texts.CHECKIN_REPLACED_LEAVE if outcome is Outcome.REPLACED_LEAVE \
        else texts.CHECKIN_OK
    return LocationCheckIn(outcome, meeting, template.format(**meeting_fields(meeting, tz)),
                           metres)


__all__ += ["LocationCheckIn", "check_in_by_location"]
