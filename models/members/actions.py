"""Every change to members and the org tree, one function each, whatever the surface:
binding a WeChat (绑定), releasing it (the admin's 解绑, the console's 解绑微信 button,
`partybot member unbind`), unfollowing, adding, renaming, moving and removing orgs, appointing an
org's admin; exporting and forgetting a member's personal data on request (PIPL).

Each takes the acting `Actor` and the time, applies the rule (models.members.binding,
models.members.org_tree: they raise `DomainError`s with catalog keys), queues the
notices, and writes the audit entry in the caller's transaction. Nothing here commits:
the surface does (the chat's inbox, the console's `save()`, the CLI's session block).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from core import words
from models.actors import Actor, Surface
from models.api.actions import release_miniprogram
from models.console.audit import AuditEntry, record_change
from models.delivery.outbox import ChannelPolicy
from models.members import org_tree
from models.members.binding import (
    BindOutcome,
    BindResult,
    bind_openid,
    release_member,
    unbind_openid,
)
from models.members.forget import Erased, erase_personal_data, is_forgotten
from models.members.org_tables import Org
from models.members.orgs import make_org_admin
from models.members.personal_data import Area, personal_data
from models.members.tables import Member

# What the audit log says a member's WeChat was, before and after (never the openid).
_BOUND = {"wechat": words.EXPORT_BOUND}
_NOT_BOUND = {"wechat": words.EXPORT_NOT_BOUND}
_APP_BOUND = {"miniprogram": words.EXPORT_BOUND}
_APP_NOT_BOUND = {"miniprogram": words.EXPORT_NOT_BOUND}


def bind_wechat(session: Session, openid: str, name: str, phone_suffix: str, now: datetime,
                surface: Surface = Surface.CHAT) -> BindResult:
    """绑定: link `openid` to the roster member called `name` whose phone ends with
    `phone_suffix`. The actor is the member bound — who they are is known only once the
    roster matched, so the action makes the actor itself. Only a new binding is audited
    (a wrong guess is counted by models.db.guesses, not logged as a change)."""
    result = bind_openid(session, openid, name, phone_suffix, now)
    member = result.member
    if result.outcome is BindOutcome.BOUND and member is not None:
        record_change(session, Actor.member(member.id, member.name, surface),
                      org_id=member.branch_id, action="member.bind", target=member.name,
                      now=now, before=_NOT_BOUND, after=_BOUND)
    return result


def unbind_wechat(session: Session, actor: Actor, member: Member, outbox: ChannelPolicy,
                  now: datetime) -> bool:
    """解绑: free the member's WeChat so they can bind a new phone; the old WeChat is told
    and the console sessions it started end. False (nothing written) when the member was
    not bound. The member's mini-program is released too (its tokens end at once)."""
    released_app = release_miniprogram(session, member.id, now)
    if not release_member(session, member, outbox, now):
        if released_app:
            record_change(session, actor, org_id=member.branch_id, action="member.unbind",
                          target=member.name, now=now, before=_APP_BOUND, after=_APP_NOT_BOUND)
        return released_app
    record_change(session, actor, org_id=member.branch_id, action="member.unbind",
                  target=member.name, now=now, before=_BOUND, after=_NOT_BOUND)
    return True


def unfollow(session: Session, openid: str, now: datetime) -> Member | None:
    """The WeChat 取消关注 event: the openid is unlinked (following again means binding
    again). The member is the actor; returns who it was (None: nobody was bound)."""
    member = unbind_openid(session, openid, now)
    if member is not None:
        record_change(session, Actor.member(member.id, member.name, Surface.CHAT),
                      org_id=member.branch_id, action="member.unsubscribe",
                      target=member.name, now=now, before=_BOUND, after=_NOT_BOUND)
    return member


def follow_again(member: Member) -> None:
    """A bound member followed again: notices may reach them once more. Not audited —
    it is WeChat telling us who can be reached, like a delivery receipt, not a change
    anyone made to the roster."""
    member.subscribed = True


def _org_facts(session: Session, org: Org) -> dict[str, str]:
    parent = org.parent
    return {"name": org.name, "kind": words.ORG_KIND_NAMES[org.kind],
            "parent": parent.name if parent else words.ORG_TOP}


def create_org(session: Session, actor: Actor, name: str, parent: Org | None,
               kind: str | None, now: datetime) -> Org:
    """A new org under `parent`; OrgTreeError when the tree's rules forbid it. Without a
    `kind`, the name must state it (…党支部, …党委): 「新建村」 is never guessed to be a
    党委 (ORG_KIND_NOT_CHOSEN). Flushes, so the id is known."""
    spoken = "".join(name.split())
    if kind is None and spoken and org_tree.named_kind(spoken) is None:
        raise org_tree.OrgTreeError("ORG_KIND_NOT_CHOSEN", name=spoken)
    org = org_tree.create_org(session, name, parent, kind)
    record_change(session, actor, org_id=org.id, action="org.create", target=org.name,
                  now=now, after=_org_facts(session, org))
    return org


def rename_org(session: Session, actor: Actor, org: Org, name: str, now: datetime) -> str:
    """A new name for `org`; returns the old one (audited only when it changed)."""
    old = org_tree.rename_org(session, org, name)
    if old != org.name:
        record_change(session, actor, org_id=org.id, action="org.rename", target=org.name,
                      now=now, before={"name": old}, after={"name": org.name})
    return old


def move_org(session: Session, actor: Actor, org: Org, parent: Org | None,
             now: datetime) -> Org | None:
    """Put `org` and everything below it under `parent`; returns the old parent."""
    old = org_tree.move_org(session, org, parent)
    record_change(session, actor, org_id=org.id, action="org.move", target=org.name, now=now,
                  before={"parent": old.name if old else words.ORG_TOP},
                  after={"parent": parent.name if parent else words.ORG_TOP})
    return old


def remove_org(session: Session, actor: Actor, org: Org, now: datetime) -> Org:
    """Delete an empty org (OrgTreeError names what it still holds); its audit entries,
    this one included, are filed under its parent so its history stays readable there.
    Returns the parent."""
    parent = org_tree.removable(session, org)
    facts = _org_facts(session, org)
    session.execute(update(AuditEntry).where(AuditEntry.org_id == org.id)
                    .values(org_id=parent.id))
    session.delete(org)
    record_change(session, actor, org_id=parent.id, action="org.remove", target=org.name,
                  now=now, before=facts)
    session.flush()
    return parent


def appoint_org_admin(session: Session, actor: Actor, org: Org, member: Member,
                      now: datetime) -> bool:
    """Make `member` an admin of `org` (township/county staff: warnings, digests, the
    console); False (nothing written) when they already are."""
    if not make_org_admin(session, org, member.id):
        return False
    record_change(session, actor, org_id=org.id, action="org.admin", target=member.name,
                  now=now, after={"admin": member.name})
    return True


def export_member_data(session: Session, actor: Actor, member: Member,
                       now: datetime) -> list[Area]:
    """Everything partybot holds about `member` (models.members.personal_data), for the
    workbook `partybot member export` writes; the export itself is audited (who read
    whose data, through what)."""
    areas = personal_data(session, member)
    record_change(session, actor, org_id=member.branch_id, action="member.export",
                  target=member.name, now=now, after={"member_id": member.id})
    return areas


def forget_member(session: Session, actor: Actor, member: Member, now: datetime) -> Erased | None:
    """Forget `member` on request (models.members.forget: the phone, every WeChat
    identity, 心得 texts, photos and voice go; the name becomes a stable pseudonym; the
    rows that count stay). None (nothing written) when they were forgotten already.
    The audit entry names the member by id and pseudonym only, and the entries about
    them lose their name and phone too. The caller commits, then deletes
    `Erased.files` (models.db.stored_files.remove_files)."""
    if is_forgotten(member):
        return None
    erased = erase_personal_data(session, member, now)
    record_change(session, actor, org_id=member.branch_id, action="member.forget",
                  target=erased.pseudonym, now=now,
                  after={"member_id": member.id, "photos": len(erased.files)})
    return erased
