"""Forgetting a member on request (PIPL's right to deletion): what goes, what stays.

Goes: the phone, address and coordinates; every WeChat identity (openid, unionid, the
mini-program's openid and its tokens, console accounts and sessions, login tickets,
subscriptions, menu tags, allowances); 心得 texts, photos (rows here, files after the
caller's commit) and voice; questions' texts and leave reasons; drafts, page settings;
the inbound messages and outbox rows that were theirs. Their name, phone, openids and
texts are replaced wherever a log repeats them (audit entries of their orgs, other
people's notices and stored replies, relay texts, their branch's minutes).

Stays, under a pseudonym that is the same every time (`pseudonym`): the member row with
its branch, attendance rows (status and method), study records, relays, pairs (ended),
questions (answered or not) — so a past quarter's compliance, study counts and the 台账
add up exactly as before. `forgotten_at` is set: meetings from then on no longer expect
them (models.meetings.queries.invitee_ids), and no forward-looking audience or list holds
them (models.members.tables.live_member: pushes, 未学, suggestions, lookups by name).

The name is replaced, not erased, because a row must still say "someone": with no
phone, openid or unionid left, nobody can bind to the pseudonymous row again; the same
person binding later is a new member (a roster import with their name and phone creates
one).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, delete, false, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from core import texts
from models.api.tables import ApiToken, MiniProgramUser
from models.console.accounts import ConsoleUser
from models.console.audit import AuditEntry
from models.console.logins import LoginTicket
from models.console.sessions import ConsoleSession
from models.db.guesses import GuessGuard
from models.db.inbound import InboundMessage
from models.db.stored_files import FEEDBACK, StoredFile
from models.delivery.allowance import ServiceAllowance
from models.delivery.outbox import Outbox
from models.delivery.reply_rest import ReplyRest
from models.delivery.subscriptions import SubscriptionCredit
from models.joint.tables import JointItem, JointPair
from models.meetings.leave_proposals import LeaveProposal
from models.meetings.pending import PendingMeeting
from models.meetings.tables import Attendance, Meeting
from models.members.menu_tags import MenuTag
from models.members.org_tables import Org, OrgAdmin
from models.members.preferences import PagePreference
from models.members.roster_tables import RosterImportRow
from models.members.tables import Member
from models.pairing.matching import PairSuggestion
from models.pairing.relays import Relay
from models.pairing.tables import HelpPair
from models.questions.tables import Question
from models.reviews.tables import ReviewItem, ReviewReporter, ReviewRound
from models.study.drafts import PostDraft, PostDraftImage
from models.study.tables import PendingPost, StudyFeedback, StudyRecord, StudyView

BATCH = 500  # rows rewritten per statement batch
NAME_MIN = 2  # a one-character "name" would match half of every text


def pseudonym(member_id: int) -> str:
    """The name a forgotten member shows under: the same for the same member every time
    (a short hash of the id), different for two members."""
    tag = hashlib.sha256(f"partybot-member:{member_id}".encode()).hexdigest()[:8]
    return texts.FORGOTTEN_NAME.format(tag=tag)


def is_forgotten(member: Member) -> bool:
    """Whether the member was forgotten already."""
    return member.forgotten_at is not None


@dataclass(frozen=True)
class Erased:
    """What forgetting did: the pseudonym, and the photo files to delete after commit
    (paths under the uploads folder, for models.db.stored_files.remove_files)."""

    pseudonym: str
    files: list[str]


def _replace(value: Any, needles: Sequence[tuple[str, str]]) -> Any:
    """`value` with each needle replaced, inside JSON lists and dicts too."""
    if isinstance(value, str):
        for needle, replacement in needles:
            value = value.replace(needle, replacement)
        return value
    if isinstance(value, list):
        return [_replace(item, needles) for item in value]
    if isinstance(value, dict):
        return {_replace(k, needles): _replace(v, needles) for k, v in value.items()}
    return value


def _patterns(needles: Sequence[tuple[str, str]]) -> list[str]:
    """What to look for in a column: each needle as written and as JSON escapes it
    (a JSON column stores Chinese as \\uXXXX)."""
    found: list[str] = []
    for needle, _ in needles:
        found.append(needle)
        escaped = json.dumps(needle)[1:-1]
        if escaped != needle:
            found.append(escaped)
    return found


def scrub_column(session: Session, column: InstrumentedAttribute[Any],
                 needles: Sequence[tuple[str, str]], *where: Any) -> int:
    """Rewrite the rows whose `column` mentions a needle (narrowed by `where`), in
    batches; returns how many changed."""
    model = column.class_
    key = next(iter(model.__mapper__.primary_key))
    text_of = cast(column, Text)
    mentions = or_(*[text_of.contains(p, autoescape=True) for p in _patterns(needles)])
    rows = session.execute(select(key, column).where(mentions, *where)).all()
    changed = 0
    for start in range(0, len(rows), BATCH):
        for pk, value in rows[start:start + BATCH]:
            new = _replace(value, needles)
            if new != value:
                session.execute(update(model).where(key == pk).values({column.key: new})
                                .execution_options(synchronize_session=False))
                changed += 1
    return changed


def _org_chain(session: Session, member: Member) -> list[int]:
    """The orgs whose audit log may speak of the member: their branch and group, the
    branch's ancestors, and the orgs they administer."""
    ids = {member.branch_id, *([member.group_id] if member.group_id else [])}
    ids |= set(session.scalars(select(OrgAdmin.org_id).where(OrgAdmin.member_id == member.id)))
    org = session.get(Org, member.branch_id)
    while org is not None and org.parent_id is not None and org.parent_id not in ids:
        ids.add(org.parent_id)
        org = session.get(Org, org.parent_id)
    return sorted(ids)


def _their_texts(session: Session, member_id: int, record_ids: list[int]) -> list[str]:
    """Texts they wrote (心得, questions, leave reasons): other rows may quote them."""
    found = list(session.scalars(select(StudyFeedback.text).where(
        StudyFeedback.record_id.in_(record_ids), StudyFeedback.text.is_not(None))))
    found += list(session.scalars(select(Question.text).where(Question.member_id == member_id)))
    found += list(session.scalars(select(Attendance.reason).where(
        Attendance.member_id == member_id, Attendance.reason.is_not(None))))
    found += list(session.scalars(select(LeaveProposal.reason).where(
        LeaveProposal.member_id == member_id, LeaveProposal.reason.is_not(None))))
    return [t for t in found if t and len(t.strip()) >= NAME_MIN]


def _needles(member: Member, openids: Iterable[str], written: Iterable[str],
             name: str) -> list[tuple[str, str]]:
    """(text, replacement): longest first, so a text quoting the name is replaced whole."""
    pairs: dict[str, str] = {t: texts.FORGOTTEN_TEXT for t in written}
    pairs.update({o: "" for o in openids if o})
    if member.phone:
        pairs[member.phone] = ""
    if member.unionid:
        pairs[member.unionid] = ""
    if len(name) >= NAME_MIN:
        pairs[name] = pseudonym(member.id)
    return sorted(pairs.items(), key=lambda pair: -len(pair[0]))


def erase_personal_data(session: Session, member: Member, now: datetime) -> Erased:
    """Forget `member` (see the module's docstring); flushes. The caller audits."""
    mid, name, alias = member.id, member.name, pseudonym(member.id)
    mini_openids = list(session.scalars(select(MiniProgramUser.openid).where(
        or_(MiniProgramUser.member_id == mid,
            MiniProgramUser.unionid == member.unionid if member.unionid else false()))))
    openids = [o for o in [member.openid, *mini_openids] if o]
    record_ids = list(session.scalars(select(StudyRecord.id).where(StudyRecord.member_id == mid)))
    needles = _needles(member, openids, _their_texts(session, mid, record_ids), name)
    account_ids = list(session.scalars(select(ConsoleUser.id).where(
        ConsoleUser.member_id == mid)))
    keys = [f"member:{mid}", *(f"user:{i}" for i in account_ids)]
    chain = _org_chain(session, member)

    # Logs that repeat them: scrubbed before the rows they came from go.
    session.execute(update(AuditEntry).where(AuditEntry.actor_key.in_(keys))
                    .values(actor_name=alias).execution_options(synchronize_session=False))
    about = or_(AuditEntry.org_id.in_(chain), AuditEntry.actor_key.in_(keys))
    columns: tuple[InstrumentedAttribute[Any], ...] = (
        AuditEntry.target, AuditEntry.before, AuditEntry.after)
    for column in columns:
        scrub_column(session, column, needles, about)
    columns = (Outbox.payload, Outbox.last_error, InboundMessage.reply, ReplyRest.text)
    for column in columns:
        scrub_column(session, column, needles)
    scrub_column(session, Relay.text, needles, or_(Relay.member_id == mid, Relay.helper_id == mid))
    columns = (Meeting.minutes, Meeting.topic)
    for column in columns:
        scrub_column(session, column, needles, Meeting.org_id.in_(chain))
    scrub_column(session, Question.answer, needles, Question.branch_id == member.branch_id)
    # 述职评议 (issue 28): names kept as the actor wrote them, reports and items' words
    for column in (ReviewRound.opened_by, ReviewRound.closed_by, ReviewReporter.county_by,
                   ReviewReporter.report, ReviewItem.text, ReviewItem.added_by,
                   ReviewItem.done_note, ReviewItem.confirmed_by):
        scrub_column(session, column, needles)
    # 双联双促: the 联促 items of their org's pairs name owners and closers as typed
    their_pairs = select(JointPair.id).where(or_(JointPair.branch_id == member.branch_id,
                                                 JointPair.office_id == member.branch_id))
    for column in (JointItem.text, JointItem.owner, JointItem.close_note, JointItem.created_by,
                   JointItem.closed_by):
        scrub_column(session, column, needles, JointItem.pair_id.in_(their_pairs))

    # Photos of their 心得: rows now, files after the commit.
    photos = list(session.scalars(select(StoredFile).where(
        StoredFile.owner == FEEDBACK, StoredFile.owner_id.in_(record_ids))))
    files = [row.path for row in photos]
    session.execute(delete(StoredFile).where(StoredFile.id.in_([row.id for row in photos]))
                    .execution_options(synchronize_session=False))
    session.execute(delete(StudyFeedback).where(StudyFeedback.record_id.in_(record_ids))
                    .execution_options(synchronize_session=False))

    # Their own rows with nothing to count: gone.
    for model, where in (
            (ApiToken, or_(ApiToken.member_id == mid, ApiToken.openid.in_(openids))),
            (MiniProgramUser, MiniProgramUser.openid.in_(mini_openids)),
            (SubscriptionCredit, or_(SubscriptionCredit.member_id == mid,
                                     SubscriptionCredit.openid.in_(openids))),
            (InboundMessage, InboundMessage.openid.in_(openids)),
            (Outbox, or_(Outbox.member_id == mid, Outbox.openid.in_(openids))),
            (ServiceAllowance, ServiceAllowance.openid.in_(openids)),
            (ReplyRest, ReplyRest.openid.in_(openids)),
            (MenuTag, MenuTag.openid.in_(openids)),
            (GuessGuard, GuessGuard.openid.in_(openids)),
            (ConsoleSession, ConsoleSession.account_key.in_(keys)),
            (ConsoleUser, ConsoleUser.member_id == mid),
            (LoginTicket, LoginTicket.member_id == mid),
            (OrgAdmin, OrgAdmin.member_id == mid),
            (PagePreference, PagePreference.member_id == mid),
            (StudyView, StudyView.member_id == mid),
            (PendingPost, PendingPost.member_id == mid),
            (PostDraftImage, PostDraftImage.member_id == mid),
            (PostDraft, PostDraft.member_id == mid),
            (LeaveProposal, LeaveProposal.member_id == mid),
            (PendingMeeting, PendingMeeting.member_id == mid),
            (PairSuggestion, or_(PairSuggestion.member_id == mid,
                                 PairSuggestion.helper_id == mid))):
        session.execute(delete(model).where(where).execution_options(synchronize_session=False))

    # Rows that count stay, without what they said.
    session.execute(update(Attendance).where(Attendance.member_id == mid)
                    .values(reason=None).execution_options(synchronize_session=False))
    session.execute(update(Question).where(Question.member_id == mid)
                    .values(text=texts.FORGOTTEN_TEXT, answer=None)
                    .execution_options(synchronize_session=False))
    session.execute(update(Relay).where(or_(Relay.member_id == mid, Relay.helper_id == mid),
                                        Relay.confirmed_at.is_(None), Relay.dropped_at.is_(None))
                    .values(dropped_at=now).execution_options(synchronize_session=False))
    session.execute(update(HelpPair).where(or_(HelpPair.member_id == mid,
                                               HelpPair.helper_id == mid),
                                           HelpPair.ended_at.is_(None))
                    .values(ended_at=now).execution_options(synchronize_session=False))
    roster_rows = or_(RosterImportRow.member_id == mid,
                      (RosterImportRow.name == name) & (RosterImportRow.phone == member.phone)
                      if member.phone else false())
    session.execute(update(RosterImportRow).where(roster_rows).values(
        name=alias, phone=None, address=None, needs_help_note=None, latitude=None,
        longitude=None).execution_options(synchronize_session=False))

    member.name = alias
    member.phone = member.openid = member.unionid = member.address = None
    member.needs_help_note = member.committee_posts = None
    member.latitude = member.longitude = member.bound_at = None
    member.helper_capacity = None
    member.subscribed = member.is_admin = member.is_helper = False
    member.forgotten_at = now
    session.flush()
    return Erased(alias, files)
