"""Read-only questions about the mini-program's users."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.members.tables import Member

# A member bound in chat within this long is asked about (user/info) on each run of the
# unionid job; an account without an open platform never gives one, so no one is asked
# for ever.
UNIONID_WINDOW = timedelta(hours=1)


def openids_without_unionid(session: Session, now: datetime,
                            limit: int = 100) -> list[str]:
    """Official-account openids of members bound lately whose unionid is not known."""
    return list(session.scalars(
        select(Member.openid).where(Member.openid.is_not(None), Member.unionid.is_(None),
                                    Member.bound_at >= now - UNIONID_WINDOW)
        .order_by(Member.bound_at.desc()).limit(limit)))
