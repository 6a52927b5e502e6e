"""Party members (党员): the roster, roles and the WeChat openid they bound."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.errors import MemberLookupError
from models.members.tables import Member, live_member


def branch_admin_names(session: Session, branch_id: int, limit: int = 3) -> list[str]:
    """The names of the branch's admins (who answers members' questions)."""
    return list(session.scalars(select(Member.name).where(
        Member.branch_id == branch_id, Member.is_admin.is_(True))
        .order_by(Member.id).limit(limit)))


def find_member(session: Session, branch_id: int | None, name: str,
                phone_suffix: str | None = None, include_forgotten: bool = False) -> Member:
    """The one member called `name` — of the branch `branch_id`, or of the whole roster
    when it is None — whose phone ends with `phone_suffix` when one is given;
    MemberLookupError if none or several.

    Every place that names a member (补录, 结对, 解除结对, 解绑 in chat; `partybot member
    unbind`, `org-admin`, `console-user add`) uses this, so that two members with the
    same name are never confused: the person asking is told instead.

    A forgotten member (models.members.forget) is not found under their pseudonym —
    nothing may act on them as on a live member — except by `partybot member export`
    and `forget` (`include_forgotten`: forgetting twice says so; the export shows what
    is left).
    """
    where = [Member.name == name]
    if not include_forgotten:
        where.append(live_member())
    if branch_id is not None:
        where.append(Member.branch_id == branch_id)
    if phone_suffix:
        where.append(Member.phone.endswith(phone_suffix, autoescape=True))
    found = list(session.scalars(select(Member).where(*where).order_by(Member.id).limit(2)))
    anywhere = branch_id is None
    if not found:
        raise MemberLookupError("MEMBER_NOT_FOUND_ANYWHERE" if anywhere else "MEMBER_NOT_FOUND",
                                name=name)
    if len(found) > 1:
        count = session.scalar(select(func.count()).select_from(Member).where(*where))
        raise MemberLookupError("MEMBER_AMBIGUOUS_ANYWHERE" if anywhere else "MEMBER_AMBIGUOUS",
                                name=name, count=count)
    return found[0]


def member_by_openid(session: Session, openid: str) -> Member | None:
    """The member bound to this openid, if any."""
    return session.scalar(select(Member).where(Member.openid == openid))


@dataclass(frozen=True)
class Caller:
    """Who sent a message, as the router needs it: enough for role checks and help
    (looked up by the webhook: models.db.webhook_statements)."""

    member_id: int
    name: str
    branch_id: int
    is_admin: bool
    is_helper: bool
    is_org_admin: bool = False  # administers an org (township / county)
