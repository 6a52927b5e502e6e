"""What the admin endpoints' tests share: a fixed daytime clock (the night rule must not
depend on when the suite runs), the people of the county fixture plus an admin of
another branch, a helper and a township officer, their mini-program tokens, and the
audit entries and outbox rows an action leaves."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.console.audit import AuditEntry
from models.delivery.outbox import Outbox
from models.members.org_tables import Org, OrgAdmin
from tests.api_support import bearer, bound_token, log_in
from tests.factories import make_member

# Monday 7 December 2026, 10:00 in Shanghai
MONDAY_10 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
TUESDAY_15 = "2026-12-08T15:00:00+08:00"

# openid in the mini-program, name, phone tail
PEOPLE = {
    "secretary": ("mp-sec", "李书记", "0001"),
    "member": ("mp-zm", "张明", "0002"),
    "helper": ("mp-helper", "王帮", "0008"),
    "other_admin": ("mp-far-sec", "远书记", "0009"),
    "officer": ("mp-officer", "何委员", "0021"),
    "far_officer": ("mp-far-officer", "西委员", "0022"),
}


def add_people(session: Session, county: dict[str, int]) -> dict[str, int]:
    """A helper in 辽原村, a secretary of 远山村, and township officers (east: over
    辽原村, west: over 远山村) who are plain members of 辽原村 and 远山村."""
    liaoyuan, far = session.get_one(Org, county["liaoyuan"]), session.get_one(Org, county["far"])
    helper = make_member(session, liaoyuan, "王帮", "13800000008", is_helper=True)
    other = make_member(session, far, "远书记", "13800000009", is_admin=True,
                        committee_posts="书记")
    officer = make_member(session, liaoyuan, "何委员", "13800000021")
    far_officer = make_member(session, far, "西委员", "13800000022")
    assert liaoyuan.parent_id is not None and far.parent_id is not None
    session.add(OrgAdmin(org_id=liaoyuan.parent_id, member_id=officer.id))
    session.add(OrgAdmin(org_id=far.parent_id, member_id=far_officer.id))
    session.commit()
    return {"helper": helper.id, "other_admin": other.id, "officer": officer.id,
            "far_officer": far_officer.id, "east": liaoyuan.parent_id, "west": far.parent_id}


def token_of(client: FlaskClient, fake_base: str, role: str) -> str:
    """The role's mini-program token (bound to its roster entry)."""
    openid, name, tail = PEOPLE[role]
    return bound_token(client, fake_base, openid, name, tail)


def unbound_token(client: FlaskClient, fake_base: str) -> str:
    """A mini-program user bound to nobody."""
    return str(log_in(client, fake_base, "mp-stranger")["token"])


def call(client: FlaskClient, token: str, method: str, path: str,
         body: dict[str, Any] | None = None) -> Any:
    """One API call with the token."""
    return client.open(f"/api/v1{path}", method=method, json=body, headers=bearer(token))


def last_audit_id(session: Session) -> int:
    """The newest audit entry's id (0: none)."""
    session.rollback()
    return session.scalar(select(func.max(AuditEntry.id))) or 0


def entries_since(session: Session, since: int) -> list[AuditEntry]:
    """Audit entries written after `since`."""
    session.rollback()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.id > since)
                                .order_by(AuditEntry.id)))


def one_api_entry(session: Session, since: int, action: str, member_id: int) -> AuditEntry:
    """The one audit entry since `since`: `action`, by the member through the API."""
    entries = entries_since(session, since)
    assert [(e.action, e.surface, e.actor_key) for e in entries] \
        == [(action, "api", f"member:{member_id}")], entries
    return entries[0]


def notices_of(session: Session, subject: str) -> set[tuple[str, int | None, str, str]]:
    """The outbox rows about `subject` ("meeting:7"): kind, member, channel, status."""
    session.rollback()
    return {(row.kind, row.member_id, str(row.channel), str(row.status)) for row in
            session.scalars(select(Outbox).where(Outbox.subject == subject))}


def occasions_of(session: Session, subject: str) -> set[tuple[str, int | None, str]]:
    """The outbox rows about `subject` by occasion ("meeting:7:member:3:changed:…":
    "changed")."""
    session.rollback()
    return {(row.kind, row.member_id, row.dedupe_key.split(":")[4]) for row in
            session.scalars(select(Outbox).where(Outbox.subject == subject))}
