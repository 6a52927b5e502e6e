"""Everything partybot holds about one member, area by area (PIPL's right of access):
what `partybot member export` writes as a workbook, one sheet per area.

Each area is a title, Chinese headers (core.texts.personal_data) and rows of plain
values; bot/member_export.py writes them through the one workbook writer. Photos and
voice are listed (their file or WeChat link), not copied into the workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from core import texts, words
from models.api.tables import ApiToken, MiniProgramUser
from models.console.accounts import ConsoleUser
from models.console.audit import AuditEntry
from models.db.inbound import InboundMessage
from models.delivery.subscriptions import SubscriptionCredit
from models.meetings.leave_proposals import LeaveProposal
from models.meetings.tables import Attendance, Meeting
from models.members.menu_tags import MenuTag
from models.members.org_tables import Org, OrgAdmin
from models.members.preferences import PagePreference
from models.members.tables import Member
from models.pairing.relays import Relay
from models.pairing.tables import HelpPair
from models.questions.tables import Question
from models.study.tables import StudyFeedback, StudyItem, StudyRecord

ROW_LIMIT = 100_000  # per sheet: a member's whole history stays far below it


@dataclass
class Area:
    """One sheet: its title, headers and rows."""

    title: str
    headers: Sequence[str]
    rows: list[Sequence[Any]] = field(default_factory=list)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else ""


def _yes(value: bool) -> str:
    return texts.PD_YES if value else texts.PD_NO


def _fields(labels: dict[str, str], values: dict[str, Any]) -> Area:
    area = Area("", (texts.PD_FIELD, texts.PD_VALUE))
    area.rows = [(labels[key], values.get(key, "")) for key in labels]
    return area


def _profile(session: Session, member: Member) -> Area:
    group = session.get(Org, member.group_id) if member.group_id else None
    roles = [words.ROLE_ADMIN] if member.is_admin else []
    roles += [words.ROLE_HELPER] if member.is_helper else []
    area = _fields(texts.PD_PROFILE_FIELDS, {
        "id": member.id, "name": member.name, "branch": member.branch.name,
        "group": group.name if group else "", "phone": member.phone or "",
        "roles": words.LIST_SEP.join(roles), "committee_posts": member.committee_posts or "",
        "needs_help": member.needs_help_note or member.needs_help or "",
        "address": member.address or "", "latitude": member.latitude,
        "longitude": member.longitude, "created_at": _when(member.created_at)})
    area.title = texts.PD_SHEET_PROFILE
    return area


def _bindings(session: Session, member: Member) -> Area:
    mini = list(session.scalars(select(MiniProgramUser.openid).where(
        MiniProgramUser.member_id == member.id)))
    tokens = session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.member_id == member.id)) or 0
    logins = list(session.scalars(select(ConsoleUser.login).where(
        ConsoleUser.member_id == member.id)))
    orgs = list(session.scalars(select(Org.name).join(OrgAdmin, OrgAdmin.org_id == Org.id)
                                .where(OrgAdmin.member_id == member.id)))
    role = session.scalar(select(MenuTag.role).where(MenuTag.openid == member.openid)) \
        if member.openid else None
    area = _fields(texts.PD_BINDING_FIELDS, {
        "openid": member.openid or "", "unionid": member.unionid or "",
        "bound_at": _when(member.bound_at), "subscribed": _yes(member.subscribed),
        "miniprogram": words.LIST_SEP.join(mini), "api_tokens": tokens,
        "console_accounts": words.LIST_SEP.join(logins),
        "org_admin": words.LIST_SEP.join(orgs), "menu_role": role or ""})
    area.title = texts.PD_SHEET_BINDINGS
    return area


def _attendance(session: Session, member: Member) -> Area:
    recorder = aliased(Member)
    area = Area(texts.PD_SHEET_ATTENDANCE, texts.PD_ATTENDANCE_HEADERS)
    for record, meeting, by in session.execute(
            select(Attendance, Meeting, recorder.name)
            .join(Meeting, Meeting.id == Attendance.meeting_id)
            .outerjoin(recorder, recorder.id == Attendance.recorded_by)
            .where(Attendance.member_id == member.id)
            .order_by(Meeting.starts_at).limit(ROW_LIMIT)):
        area.rows.append((meeting.topic, meeting.kind_name, _when(meeting.starts_at),
                          meeting.place, words.ATTENDANCE_NAMES.get(record.status, record.status),
                          words.METHOD_NAMES.get(record.method, record.method),
                          record.reason or "", by or "", _when(record.recorded_at),
                          _yes(record.backfilled)))
    return area


def _leave(session: Session, member: Member) -> Area:
    area = Area(texts.PD_SHEET_LEAVE, texts.PD_LEAVE_HEADERS)
    for proposal, topic in session.execute(
            select(LeaveProposal, Meeting.topic).join(Meeting)
            .where(LeaveProposal.member_id == member.id)):
        area.rows.append((topic, proposal.reason or "", _when(proposal.asked_at)))
    return area


def _study(session: Session, member: Member) -> tuple[Area, Area]:
    helper = aliased(Member)
    reads = Area(texts.PD_SHEET_STUDY, texts.PD_STUDY_HEADERS)
    for record, title, helper_name in session.execute(
            select(StudyRecord, StudyItem.title, helper.name)
            .join(StudyItem, StudyItem.id == StudyRecord.item_id)
            .outerjoin(helper, helper.id == StudyRecord.helper_id)
            .where(StudyRecord.member_id == member.id)
            .order_by(StudyRecord.studied_at).limit(ROW_LIMIT)):
        reads.rows.append((title, _when(record.studied_at), record.via, helper_name or ""))
    feedback = Area(texts.PD_SHEET_FEEDBACK, texts.PD_FEEDBACK_HEADERS)
    for piece, title in session.execute(
            select(StudyFeedback, StudyItem.title)
            .join(StudyRecord, StudyRecord.id == StudyFeedback.record_id)
            .join(StudyItem, StudyItem.id == StudyRecord.item_id)
            .where(StudyRecord.member_id == member.id)
            .order_by(StudyFeedback.sent_at).limit(ROW_LIMIT)):
        feedback.rows.append((title, piece.kind, piece.text or "",
                              piece.url or piece.media_id or "", _when(piece.sent_at)))
    return reads, feedback


def _relays_and_pairs(session: Session, member: Member) -> tuple[Area, Area]:
    other = aliased(Member)
    relays = Area(texts.PD_SHEET_RELAYS, texts.PD_RELAY_HEADERS)
    pairs = Area(texts.PD_SHEET_PAIRS, texts.PD_PAIR_HEADERS)
    for mine, theirs, role in ((Relay.helper_id, Relay.member_id, texts.PD_ROLE_HELPER),
                               (Relay.member_id, Relay.helper_id, texts.PD_ROLE_HELPED)):
        for relay, name in session.execute(
                select(Relay, other.name).join(other, other.id == theirs)
                .where(mine == member.id).order_by(Relay.created_at).limit(ROW_LIMIT)):
            relays.rows.append((role, name, relay.kind, relay.text, _when(relay.created_at),
                                _when(relay.confirmed_at)))
    for pair_mine, pair_theirs, role in (
            (HelpPair.helper_id, HelpPair.member_id, texts.PD_ROLE_HELPER),
            (HelpPair.member_id, HelpPair.helper_id, texts.PD_ROLE_HELPED)):
        for pair, name in session.execute(
                select(HelpPair, other.name).join(other, other.id == pair_theirs)
                .where(pair_mine == member.id).order_by(HelpPair.created_at)):
            pairs.rows.append((role, name, _when(pair.created_at), _when(pair.ended_at)))
    return relays, pairs


def _questions(session: Session, member: Member) -> Area:
    asker = aliased(Member)
    area = Area(texts.PD_SHEET_QUESTIONS, texts.PD_QUESTION_HEADERS)
    for question, name in session.execute(
            select(Question, asker.name).join(asker, asker.id == Question.member_id)
            .where(or_(Question.member_id == member.id, Question.answered_by == member.id))
            .order_by(Question.asked_at).limit(ROW_LIMIT)):
        role = texts.PD_ROLE_ASKED if question.member_id == member.id else texts.PD_ROLE_ANSWERED
        area.rows.append((role, name, question.text, _when(question.asked_at),
                          question.answer or "", _when(question.answered_at)))
    return area


def _settings_and_messages(session: Session, member: Member) -> list[Area]:
    prefs = Area(texts.PD_SHEET_PREFERENCES, texts.PD_PREFERENCE_HEADERS)
    pref = session.get(PagePreference, member.id)
    if pref is not None:
        prefs.rows.append((pref.font_size, _when(pref.changed_at)))
    openids = [member.openid] if member.openid else []
    openids += list(session.scalars(select(MiniProgramUser.openid).where(
        MiniProgramUser.member_id == member.id)))
    subs = Area(texts.PD_SHEET_SUBSCRIPTIONS, texts.PD_SUBSCRIPTION_HEADERS)
    for credit in session.scalars(select(SubscriptionCredit).where(or_(
            SubscriptionCredit.member_id == member.id,
            SubscriptionCredit.openid.in_(openids))).order_by(SubscriptionCredit.id)):
        subs.rows.append((credit.app, credit.template_id, credit.status, credit.credits,
                          _when(credit.changed_at)))
    inbound = Area(texts.PD_SHEET_INBOUND, texts.PD_INBOUND_HEADERS)
    for message in session.scalars(select(InboundMessage).where(
            InboundMessage.openid.in_(openids)).order_by(InboundMessage.received_at)
            .limit(ROW_LIMIT)):
        inbound.rows.append((message.msg_type, _when(message.received_at), message.reply or ""))
    return [prefs, subs, inbound]


def _audit(session: Session, member: Member) -> Area:
    """Entries they made, and entries of their orgs that name them."""
    area = Area(texts.PD_SHEET_AUDIT, texts.PD_AUDIT_HEADERS)
    orgs = [member.branch_id, *([member.group_id] if member.group_id else [])]
    for entry in session.scalars(select(AuditEntry).where(or_(
            AuditEntry.actor_key == f"member:{member.id}",
            AuditEntry.org_id.in_(orgs) & (AuditEntry.target == member.name)))
            .order_by(AuditEntry.at, AuditEntry.id).limit(ROW_LIMIT)):
        area.rows.append((_when(entry.at), entry.actor_name,
                          words.SURFACE_NAMES.get(entry.surface, entry.surface),
                          words.AUDIT_ACTION_NAMES.get(entry.action, entry.action),
                          entry.target, _plain(entry.before), _plain(entry.after)))
    return area


def _plain(facts: dict[str, Any] | None) -> str:
    if not facts:
        return ""
    return "; ".join(f"{words.AUDIT_FIELD_NAMES.get(k, k)}: {v}" for k, v in facts.items())


def personal_data(session: Session, member: Member) -> list[Area]:
    """Every area, in the workbook's order."""
    reads, feedback = _study(session, member)
    relays, pairs = _relays_and_pairs(session, member)
    return [_profile(session, member), _bindings(session, member),
            _attendance(session, member), _leave(session, member), reads, feedback,
            relays, pairs, _questions(session, member),
            *_settings_and_messages(session, member), _audit(session, member)]
