"""SQLAlchemy models and the domain functions over them.

Importing this package registers every table on `Base.metadata` (Alembic and the
tests rely on that).
"""

from models.base import Base
from models.binding import BindGuard
from models.inbound import InboundMessage
from models.member import Member
from models.org import Org, OrgKind

__all__ = ["Base", "BindGuard", "InboundMessage", "Member", "Org", "OrgKind"]
