"""一帮一, read only: who helps whom, and how many a helper may help.

The changes to pairs are models.pairing.actions; these answer questions about them for
the actions, the chat, the console and delivery (which relays a notice to a member's
helper)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from models.errors import PairingError
from models.members.preferences import FontSize, PagePreference, font_size_of
from models.members.tables import Member
from models.pairing.tables import HelpPair


def active_pair_of(session: Session, member_id: int) -> HelpPair | None:
    """The member's current pair, if any."""
    return session.scalar(select(HelpPair).where(HelpPair.member_id == member_id,
                                                 HelpPair.ended_at.is_(None)))


def helper_of(session: Session, member_id: int) -> Member | None:
    """The member's current helper, if any."""
    pair = active_pair_of(session, member_id)
    return pair.helper if pair else None


def members_of(session: Session, helper_id: int) -> list[Member]:
    """The members a helper currently helps."""
    ids = select(HelpPair.member_id).where(HelpPair.helper_id == helper_id,
                                           HelpPair.ended_at.is_(None))
    return list(session.scalars(select(Member).where(Member.id.in_(ids)).order_by(Member.id)))


def capacity_of(member: Member, default: int) -> int:
    """How many members this helper may help."""
    return member.helper_capacity if member.helper_capacity is not None else default


def helpers_of(session: Session, member_ids: list[int]) -> dict[int, int]:
    """member id → helper id, for those of `member_ids` with an active pair."""
    found: dict[int, int] = {}
    for start in range(0, len(member_ids), 5000):  # stay under bind-parameter limits
        found.update({member_id: helper_id for member_id, helper_id in session.execute(
            select(HelpPair.member_id, HelpPair.helper_id).where(
                HelpPair.member_id.in_(member_ids[start:start + 5000]),
                HelpPair.ended_at.is_(None)))})
    return found


def helper_member(session: Session, helper: Member, name: str) -> Member:
    """One of the members `helper` helps, by name; PairingError if there is none such."""
    for member in members_of(session, helper.id):
        if member.name == name:
            return member
    raise PairingError("PAIR_NOT_YOURS", name=name)


def helping_now(member_id: Any) -> ColumnElement[bool]:
    """SQL: the member (by id column) helps someone now. The helper role follows the
    pairs: a member is a helper while helping someone, or when the roster says so
    (`Member.is_helper`, which only the roster sets)."""
    return exists(select(HelpPair.id).where(HelpPair.helper_id == member_id,
                                            HelpPair.ended_at.is_(None)))


def helper_role(member: Any) -> ColumnElement[bool]:
    """SQL: the member (`Member` or its table) has the helper role now: helping someone,
    or a 帮扶人 by the roster who needs no help (one marked by an old 结对 the wrong way
    round keeps no role)."""
    return (member.is_helper & member.needs_help.is_(None)) | helping_now(member.id)


def is_helper_now(session: Session, member: Member) -> bool:
    """Whether `member` has the helper role now (see `helper_role`)."""
    return (member.is_helper and member.needs_help is None) or bool(
        session.scalar(select(helping_now(member.id))))


def helper_role_ids(session: Session, member_ids: list[int]) -> set[int]:
    """Those of `member_ids` who have the helper role now."""
    found: set[int] = set()
    for start in range(0, len(member_ids), 5000):  # stay under bind-parameter limits
        found.update(session.scalars(select(Member.id).where(
            Member.id.in_(member_ids[start:start + 5000]), helper_role(Member))))
    return found


def cannot_help_because(session: Session, member: Member) -> str | None:
    """Why `member` cannot be anyone's helper (a catalog key), None when they can: one
    who needs help, has no WeChat (relays reach a helper in WeChat), or is helped."""
    if member.needs_help is not None:
        return "PAIR_HELPER_NEEDS_HELP"
    if member.openid is None:
        return "PAIR_HELPER_NO_WECHAT"
    if active_pair_of(session, member.id) is not None:
        return "PAIR_HELPER_IS_HELPED"
    return None


_PAGE_VISITOR = (select(Member, PagePreference.font_size, helping_now(Member.id))
                 .outerjoin(PagePreference, PagePreference.member_id == Member.id))


def page_visitor_and_role(session: Session,
                          openid: str) -> tuple[Member, FontSize, bool] | None:
    """The member bound to `openid`, their font size and whether they have the helper
    role now (`is_helper_now`), in one query: every member page asks all three."""
    row = session.execute(_PAGE_VISITOR.where(Member.openid == openid)).first()
    if row is None:
        return None
    member, size, helps = row
    return member, font_size_of(size), \
        bool(member.is_helper and member.needs_help is None) or bool(helps)
