"""SQLAlchemy models and the domain functions over them.

Importing this package registers every table on `Base.metadata` (Alembic and the
tests rely on that).
"""

from models.audit import AuditEntry
from models.base import Base
from models.console_access import ConsoleUser
from models.console_login import LoginTicket
from models.console_sessions import ConsoleSession
from models.delivery_state import DeliveryCounter, DeliveryPause
from models.guesses import GuessGuard
from models.heartbeat import Heartbeat
from models.inbound import InboundMessage
from models.matching import PairSuggestion
from models.meetings import Attendance, Meeting, MeetingInvite
from models.member import Member
from models.menu_tags import MenuTag, WeChatTag
from models.org import Org, OrgAdmin, OrgKind
from models.outbox import Outbox
from models.pairing import HelpPair
from models.post_drafts import PostDraft, PostDraftImage
from models.questions import Question
from models.relays import Relay
from models.reply_pages import ReplyRest
from models.roster_import import RosterImport, RosterImportRow
from models.service_allowance import ServiceAllowance
from models.stored_files import StoredFile
from models.study import (
    PendingPost,
    StudyFeedback,
    StudyItem,
    StudyItemImage,
    StudyRecord,
    StudyView,
)
from models.token import AccessToken

__all__ = [
    "AccessToken",
    "Attendance",
    "AuditEntry",
    "Base",
    "ConsoleSession",
    "ConsoleUser",
    "DeliveryCounter",
    "DeliveryPause",
    "GuessGuard",
    "Heartbeat",
    "HelpPair",
    "InboundMessage",
    "LoginTicket",
    "Meeting",
    "MeetingInvite",
    "Member",
    "MenuTag",
    "Org",
    "OrgAdmin",
    "OrgKind",
    "Outbox",
    "PairSuggestion",
    "PendingPost",
    "PostDraft",
    "PostDraftImage",
    "Question",
    "Relay",
    "ReplyRest",
    "RosterImport",
    "RosterImportRow",
    "ServiceAllowance",
    "StoredFile",
    "StudyFeedback",
    "StudyItem",
    "StudyItemImage",
    "StudyRecord",
    "StudyView",
    "WeChatTag",
]
