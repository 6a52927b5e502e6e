"""What a helper still has to pass on, as the daily message, the urgent message and 帮学
all show it: one list, so their counts agree.

Relays that no longer matter are dropped here (models.delivery.relevance): a meeting that has
begun, a notice of a meeting since cancelled (with its cancellation too, if the helper
had not yet been told of the meeting: a notice and its cancellation collapse to
nothing), a study item the member has studied. Each item shows when it happens: a
meeting's date and time, else when the notice was sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core import texts
from core.localtime import when
from core.notices import first_line, names_list
from core.words import ITEM_SEP
from models.delivery.relevance import CANCELLATION_KIND, Pending, Relevance, subject_id
from models.members.tables import Member
from models.pairing.relays import Relay

URGENT_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class RelayItem:
    """One thing to pass on, and when it happens."""

    relay: Relay
    happens_at: datetime
    about_meeting: bool

    # 26: a change's first line whole ("【会议变更】组织生活会改期，原12月19日19:00")
    def line(self, tz: ZoneInfo, width: int = 26) -> str:
        """e.g. "【会议通知】支部党员大会，12月5日（周五）09:00"."""
        return texts.RELAY_ITEM.format(what=first_line(self.relay.text, width),
                                       when=when(self.happens_at, tz))


def current_relays(session: Session, now: datetime, helper_ids: Sequence[int] | None = None,
                   member_id: int | None = None,
                   undigested_only: bool = False) -> list[RelayItem]:
    """Open relays (of these helpers, for this member, not yet in a message), oldest
    first; those that no longer matter are marked dropped (the caller commits)."""
    query = select(Relay).where(Relay.confirmed_at.is_(None), Relay.dropped_at.is_(None))
    if helper_ids is not None:
        query = query.where(Relay.helper_id.in_(list(helper_ids)))
    if member_id is not None:
        query = query.where(Relay.member_id == member_id)
    if undigested_only:
        query = query.where(Relay.digested_at.is_(None))
    relays = list(session.scalars(query.order_by(Relay.id)))
    if not relays:
        return []
    relevance = Relevance(session, (_pending(r) for r in relays))
    told = _helpers_told_of_meetings(session, relays)
    items = []
    for relay in relays:
        reason = relevance.reason_to_drop(
            _pending(relay), now, told_of_meeting=(relay.member_id, relay.subject) in told)
        if reason is not None:
            relay.dropped_at = now
            continue
        meeting_id = subject_id(relay.subject, "meeting")
        starts_at = relevance.meetings.get(meeting_id, (None, None))[0] \
            if meeting_id is not None else None
        items.append(RelayItem(relay, starts_at or relay.created_at, starts_at is not None))
    session.flush()
    return items


def urgent(items: list[RelayItem], now: datetime) -> list[RelayItem]:
    """Items about a meeting less than 24 hours away (they cannot wait for 09:00)."""
    return [item for item in items if item.about_meeting
            and item.happens_at - now <= URGENT_WITHIN]


def _pending(relay: Relay) -> Pending:
    return Pending(relay.kind, relay.subject, relay.member_id, relay.created_at)


def _helpers_told_of_meetings(session: Session,
                              relays: list[Relay]) -> set[tuple[int, str | None]]:
    """(member, "meeting:N") of cancellations whose meeting's notice the helper was
    already given (in a message, or confirmed as passed on)."""
    asked = {(r.member_id, r.subject) for r in relays
             if r.kind == CANCELLATION_KIND and r.subject}
    if not asked:
        return set()
    found = session.execute(select(Relay.member_id, Relay.subject).where(
        Relay.member_id.in_({m for m, _ in asked}), Relay.subject.in_({s for _, s in asked}),
        Relay.kind != CANCELLATION_KIND,
        or_(Relay.digested_at.is_not(None), Relay.confirmed_at.is_not(None))))
    return {(m, s) for m, s in found} & asked


def lines_by_member(session: Session, items: list[RelayItem], tz: ZoneInfo) -> str:
    """One line per member: "· 赵大爷：item（when）；item（when）"."""
    by_member: dict[int, list[RelayItem]] = {}
    for item in items:
        by_member.setdefault(item.relay.member_id, []).append(item)
    names = dict(session.execute(select(Member.id, Member.name).where(
        Member.id.in_(list(by_member)))).all())
    return "\n".join(texts.NOTICE_RELAY_DIGEST_LINE.format(
        name=names.get(member_id, ""), items=ITEM_SEP.join(item.line(tz) for item in found))
        for member_id, found in sorted(by_member.items()))


def member_names(session: Session, items: list[RelayItem]) -> str:
    """"赵大爷、孙奶奶" for a template's members keyword."""
    ids = list(dict.fromkeys(item.relay.member_id for item in items))
    names = dict(session.execute(select(Member.id, Member.name).where(Member.id.in_(ids))).all())
    return names_list([names[i] for i in ids if i in names], 3)
