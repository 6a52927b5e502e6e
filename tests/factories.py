"""Small helpers to put roster data into a test database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.service_allowance import MESSAGE, Opening
from models.db.inbound import InboundMessage
from models.db.webhook_statements import open_allowance
from models.delivery.allowance import ServiceAllowance
from models.members.org_tables import Org, OrgKind
from models.members.tables import Member


def make_township(session: Session, name: str = "红光乡党委") -> Org:
    """A township committee (flushed)."""
    org = Org(name=name, kind=OrgKind.COMMITTEE)
    session.add(org)
    session.flush()
    return org


def make_branch(session: Session, name: str = "辽原村党支部", parent: Org | None = None) -> Org:
    """A branch (flushed)."""
    org = Org(name=name, kind=OrgKind.BRANCH, parent_id=parent.id if parent else None)
    session.add(org)
    session.flush()
    return org


def make_member(session: Session, branch: Org, name: str, phone: str | None = None,
                openid: str | None = None, **fields: object) -> Member:
    """A member of `branch` (flushed)."""
    member = Member(name=name, branch_id=branch.id, phone=phone, openid=openid,
                    subscribed=openid is not None, **fields)
    session.add(member)
    session.flush()
    return member


def make_meeting(session: Session, branch: Org, starts_at, kind: str = "branch_assembly",
                 place: str = "村委会", latitude: float | None = None,
                 longitude: float | None = None, created: object = None, **fields: object):
    """A planned meeting (flushed), created as if an hour before `created` (default: now)."""
    from datetime import timedelta

    from models.meetings.rules import NewMeeting, create_meeting
    from models.meetings.tables import MeetingKind

    now = created or starts_at - timedelta(days=2)
    return create_meeting(session, NewMeeting(org_id=branch.id, kind=MeetingKind(kind),
                                              starts_at=starts_at, place=place,
                                              latitude=latitude, longitude=longitude,
                                              **fields), created_by=None, now=now)


def wrote_to_us(session: Session, openid: str, now: datetime, fake: Any = None,
                opening: Opening = MESSAGE) -> None:
    """The member acted (a message by default): their customer-service allowance opens
    in partybot's database and, given the test's fake WeChat API, at the fake too."""
    open_allowance(session, openid, opening, now)
    if fake is not None:
        fake.state.user_acted(openid, opening)


def last_message_at(session: Session, openid: str) -> datetime | None:
    """When this user last sent us anything (message, menu click, scan, follow)."""
    return session.scalar(
        select(func.max(InboundMessage.received_at)).where(InboundMessage.openid == openid)
    )


def allowance_of(session: Session, openid: str) -> ServiceAllowance | None:
    """The member's allowance row (open or not)."""
    return session.get(ServiceAllowance, openid)
