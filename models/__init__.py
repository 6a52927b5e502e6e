"""SQLAlchemy models and the domain functions over them.

Importing this package registers every table on `Base.metadata` (Alembic and the
tests rely on that).
"""

from models.api.tables import ApiToken, MiniProgramUser
from models.assessment.inspector_table import Inspector  # issue 28: 巡视组
from models.assessment.marks import AssessmentMark
from models.assessment.tables import AssessmentScheme, AssessmentSheetLine
from models.console.accounts import ConsoleUser
from models.console.audit import AuditEntry
from models.console.logins import LoginTicket
from models.console.sessions import ConsoleSession
from models.db.base import Base
from models.db.guesses import GuessGuard
from models.db.heartbeat import Heartbeat
from models.db.inbound import InboundMessage
from models.db.stored_files import StoredFile
from models.delivery.access_token import AccessToken
from models.delivery.allowance import ServiceAllowance
from models.delivery.jsapi_ticket import JsapiTicket
from models.delivery.outbox import Outbox
from models.delivery.reply_rest import ReplyRest
from models.delivery.state import DeliveryCounter, DeliveryPause
from models.delivery.subscriptions import SubscriptionCredit
from models.evaluation.tables import (
    EvaluationBallot,
    EvaluationRound,
    EvaluationSubject,
    EvaluationVoted,
    EvaluationVoter,
)
from models.joint.tables import JointItem, JointPair
from models.meetings.leave_proposals import LeaveProposal
from models.meetings.pending import PendingMeeting
from models.meetings.tables import Attendance, Meeting, MeetingInvite
from models.members.menu_tags import MenuTag, WeChatTag
from models.members.org_tables import Org, OrgAdmin, OrgKind
from models.members.preferences import PagePreference
from models.members.roster_tables import RosterImport, RosterImportRow
from models.members.tables import Member
from models.pairing.matching import PairSuggestion
from models.pairing.relays import Relay
from models.pairing.tables import HelpPair
from models.questions.tables import Question
from models.rectification.tables import Milestone, Problem, WeakBranch
from models.reviews.tables import (
    ReviewItem,
    ReviewReporter,
    ReviewRound,
    ReviewTally,
    ReviewVoter,
)
from models.study.drafts import PostDraft, PostDraftImage
from models.study.tables import (
    PendingPost,
    StudyFeedback,
    StudyItem,
    StudyItemImage,
    StudyRecord,
    StudyView,
)
from models.survey.tables import (  # issue 28: 满意度测评
    Survey,
    SurveyQuestion,
    SurveyRespondent,
    SurveyTally,
    SurveyTarget,
)

__all__ = [
    "AccessToken",
    "ApiToken",
    "AssessmentMark",
    "AssessmentScheme",
    "AssessmentSheetLine",
    "Attendance",
    "AuditEntry",
    "Base",
    "ConsoleSession",
    "ConsoleUser",
    "DeliveryCounter",
    "DeliveryPause",
    "EvaluationBallot",
    "EvaluationRound",
    "EvaluationSubject",
    "EvaluationVoted",
    "EvaluationVoter",
    "GuessGuard",
    "Heartbeat",
    "HelpPair",
    "InboundMessage",
    "Inspector",
    "JointItem",
    "JointPair",
    "JsapiTicket",
    "LeaveProposal",
    "LoginTicket",
    "Meeting",
    "MeetingInvite",
    "Member",
    "MenuTag",
    "Milestone",
    "MiniProgramUser",
    "Org",
    "OrgAdmin",
    "OrgKind",
    "Outbox",
    "PagePreference",
    "PairSuggestion",
    "PendingMeeting",
    "PendingPost",
    "PostDraft",
    "PostDraftImage",
    "Problem",
    "Question",
    "Relay",
    "ReplyRest",
    "ReviewItem",
    "ReviewReporter",
    "ReviewRound",
    "ReviewTally",
    "ReviewVoter",
    "RosterImport",
    "RosterImportRow",
    "ServiceAllowance",
    "StoredFile",
    "StudyFeedback",
    "StudyItem",
    "StudyItemImage",
    "StudyRecord",
    "StudyView",
    "SubscriptionCredit",
    "Survey",
    "SurveyQuestion",
    "SurveyRespondent",
    "SurveyTally",
    "SurveyTarget",
    "WeChatTag",
    "WeakBranch",
]
