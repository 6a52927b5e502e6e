"""Who is who in 述职评议: the default list of reporters, who counts as county staff,
who may be a 帮评 leader, whose members vote on whom, and how grades become points.
Read only; the actions (models.reviews.actions) apply these rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import words
from models.actors import Actor
from models.console.accounts import ConsoleUser
from models.members.org_levels import OrgLevel, levels_of
from models.members.org_tables import Org, OrgAdmin
from models.members.orgs import subtree_ids
from models.members.tables import Member, live_member
from models.reviews.tables import POINTS, Grade, Party

SECRETARY = words.REVIEW_SECRETARY_POST
DEPUTY = words.REVIEW_DEPUTY_POST


def is_secretary(posts: str | None) -> bool:
    """Whether the committee posts name the 书记 (a 副书记 alone does not)."""
    return SECRETARY in (posts or "").replace(DEPUTY, "")


def default_reporters(session: Session, county_id: int) -> list[tuple[int, int]]:
    """(member id, org id) of who reports by default: in each branch of the county, its
    members whose posts name the 书记 (a branch with none: its first admin); in each
    township, its admins whose posts do (or, when none does, its first admin) — for the
    township, not for their branch."""
    ids = subtree_ids(session, county_id)
    levels = levels_of(session, ids)
    branches = [i for i, level in levels.items() if level in (OrgLevel.BRANCH, OrgLevel.OFFICE)]
    townships = [i for i, level in levels.items() if level is OrgLevel.TOWNSHIP]
    branch_found: list[tuple[int, int]] = []
    for member_id, branch_id, posts in session.execute(
            select(Member.id, Member.branch_id, Member.committee_posts)
            .where(Member.branch_id.in_(branches), live_member(),
                   Member.committee_posts.is_not(None)).order_by(Member.branch_id, Member.id)):
        if is_secretary(posts):
            branch_found.append((member_id, branch_id))
    found: list[tuple[int, int]] = []
    for township in sorted(townships):
        admins = session.execute(
            select(Member.id, Member.committee_posts)
            .join(OrgAdmin, OrgAdmin.member_id == Member.id)
            .where(OrgAdmin.org_id == township, live_member()).order_by(OrgAdmin.id)).all()
        chosen = [m for m, posts in admins if is_secretary(posts)] or [m for m, _ in admins[:1]]
        found += [(m, township) for m in chosen if m not in {f[0] for f in found}]
    # a township's secretary reports for the township, not for their own branch
    reporting = {m for m, _ in found}
    branch_found = [(m, b) for m, b in branch_found if m not in reporting]
    # a branch whose roster names no 书记: its first admin reports
    covered = {b for _, b in branch_found}
    for member_id, branch_id in session.execute(
            select(Member.id, Member.branch_id).where(
                Member.branch_id.in_([b for b in branches if b not in covered]),
                Member.is_admin.is_(True), live_member()).order_by(Member.id)):
        if branch_id not in covered and member_id not in reporting:
            covered.add(branch_id)
            branch_found.append((member_id, branch_id))
    return branch_found + found


def default_leader(session: Session, org_id: int, member_id: int) -> int | None:
    """The 帮评 leader a reporter gets at first: an admin of the committee above their org
    (the township's 书记 first; for a township secretary, the county's first admin) —
    never themselves. The county changes it on the reporter's page."""
    parent = session.scalar(select(Org.parent_id).where(Org.id == org_id))
    if parent is None:
        return None
    admins = session.execute(
        select(Member.id, Member.committee_posts).join(OrgAdmin, OrgAdmin.member_id == Member.id)
        .where(OrgAdmin.org_id == parent, live_member(), Member.id != member_id)
        .order_by(OrgAdmin.id)).all()
    chosen = [m for m, posts in admins if is_secretary(posts)] or [m for m, _ in admins]
    return chosen[0] if chosen else None


def actor_orgs(session: Session, actor: Actor) -> list[int]:
    """The orgs an actor administers: a member's OrgAdmin rows (and their branch when
    they are its admin), a password account's org."""
    orgs: list[int] = []
    if actor.member_id is not None:
        orgs += session.scalars(select(OrgAdmin.org_id).where(
            OrgAdmin.member_id == actor.member_id)).all()
        member = session.get(Member, actor.member_id)
        if member is not None and member.is_admin:
            orgs.append(member.branch_id)
    kind, _, number = actor.key.partition(":")
    if kind == "user" and number.isdigit():
        user = session.get(ConsoleUser, int(number))
        if user is not None:
            orgs.append(user.org_id)
    return orgs


def is_county_staff(session: Session, actor: Actor, county_id: int) -> bool:
    """Whether the actor administers the round's county committee itself."""
    return actor.key.startswith("cli:") or county_id in actor_orgs(session, actor)


def is_staff_over(session: Session, actor: Actor, org_id: int) -> bool:
    """Whether the actor administers a committee above `org_id` (or the CLI)."""
    if actor.key.startswith("cli:"):
        return True
    return any(org != org_id and org_id in subtree_ids(session, org)
               for org in actor_orgs(session, actor))


def may_lead(session: Session, member_id: int) -> bool:
    """Whether a member may be a 帮评 leader: an admin of a county or township committee."""
    orgs = session.scalars(select(OrgAdmin.org_id).where(OrgAdmin.member_id == member_id)).all()
    return any(level in (OrgLevel.COUNTY, OrgLevel.TOWNSHIP)
               for level in levels_of(session, orgs).values())


def ancestors(session: Session, org_id: int) -> list[int]:
    """`org_id` and every org above it, nearest first."""
    chain: list[int] = []
    current: int | None = org_id
    while current is not None and current not in chain:
        chain.append(current)
        current = session.scalar(select(Org.parent_id).where(Org.id == current))
    return chain


def parse_grade(word: str) -> Grade | None:
    """A grade as typed ("好", "较好" …), or None."""
    cleaned = word.strip().strip(words.TRAILING_PUNCTUATION)
    return next((g for g in Grade if g.value == cleaned), None)


def members_score(counts: Mapping[str, int]) -> float | None:
    """The 测评 score: the average of the votes' points (None without a vote)."""
    votes = sum(counts.values())
    if not votes:
        return None
    return sum(POINTS[grade] * n for grade, n in counts.items()) / votes


def weighted_total(scores: Mapping[Party, float | None],
                   weights: Mapping[Party, int]) -> float | None:
    """Σ weight × score over the parties that graded, divided by their weights' sum:
    a grade not given does not count as zero (None when nobody graded)."""
    given = [(weights[p], s) for p, s in scores.items() if s is not None and weights[p] > 0]
    total_weight = sum(w for w, _ in given)
    if not total_weight:
        return None
    return round(sum(w * s for w, s in given) / total_weight, 1)


def points_of(grade: str | None) -> float | None:
    """A grade's points (None for no grade)."""
    return float(POINTS[grade]) if grade else None


def grade_words() -> Iterable[str]:
    """The grades as typed, best first."""
    return [g.value for g in Grade]
