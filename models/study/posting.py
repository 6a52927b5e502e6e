"""发布: checking a post, publishing it to an org's subtree, and holding a repeat of a
recent post until its author confirms it (确认发布).

The steps the actions (models.study.actions) are made of: surfaces call the actions,
which also write the audit entry."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from core.localtime import next_at
from models.delivery.outbox import Outbox, Status
from models.errors import StudyError
from models.members.org_tables import Org
from models.members.orgs import admin_org_of
from models.members.tables import Member
from models.study.tables import BODY_MAX, LINK_MAX, TITLE_MAX, PendingPost, StudyItem

DUPLICATE_WINDOW = timedelta(days=1)
PENDING_LIFETIME = timedelta(minutes=30)  # a held repeat waits this long for 确认发布


@dataclass(frozen=True)
class Draft:
    """A checked post, before it becomes an item (see `make_draft`)."""

    title: str
    body: str
    link: str | None = None
    media_link: str | None = None
    source: str | None = None
    publish_at: datetime | None = None  # None: now

    @property
    def content_hash(self) -> str:
        """What makes two posts the same (title and text)."""
        return hashlib.sha256(f"{self.title}\n{' '.join(self.body.split())}".encode()).hexdigest()


URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


def checked_link(raw: str) -> str:
    """An http(s) link within LINK_MAX; StudyError otherwise."""
    link = raw.strip()
    if not URL.match(link) or len(link) > LINK_MAX:
        raise StudyError("POST_BAD_LINK", link=link[:60], limit=LINK_MAX)
    return link


def make_draft(title: str, body: str, now: datetime, link: str | None = None,
               media_link: str | None = None, source: str | None = None,
               publish_at: datetime | None = None, schedule_text: str = "") -> Draft:
    """Check a post against the limits (title, text, links, a future time)."""
    title = title.strip()
    if not title:
        raise StudyError("POST_USAGE")
    if len(title) > TITLE_MAX:
        raise StudyError("POST_TITLE_TOO_LONG", limit=TITLE_MAX, length=len(title))
    if len(body) > BODY_MAX:
        raise StudyError("POST_BODY_TOO_LONG", limit=BODY_MAX, length=len(body))
    if publish_at is not None and publish_at <= now:
        raise StudyError("POST_BAD_TIME", text=schedule_text)
    return Draft(title, body, checked_link(link) if link else None,
                 checked_link(media_link) if media_link else None,
                 source.strip()[:100] if source else None, publish_at)


def posting_org(session: Session, author: Member) -> Org:
    """Where an admin's posts go: the org they administer (township, county), else
    their branch."""
    return admin_org_of(session, author.id) or author.branch


def find_duplicate(session: Session, org_id: int, draft: Draft, now: datetime) -> StudyItem | None:
    """The same title and text posted to this org within the last day, if any."""
    return session.scalar(select(StudyItem).where(
        StudyItem.org_id == org_id, StudyItem.content_hash == draft.content_hash,
        StudyItem.created_at >= now - DUPLICATE_WINDOW).limit(1))


def push_time(draft: Draft, now: datetime, tz: ZoneInfo, daily: tuple[int, int]) -> datetime:
    """A scheduled item goes out at its time; others at the next daily push."""
    return draft.publish_at if draft.publish_at is not None else next_at(now, tz, daily)


def publish(session: Session, org_id: int, draft: Draft, author: Member | None, now: datetime,
            push_at: datetime) -> StudyItem:
    """Create the item (flushes)."""
    item = StudyItem(org_id=org_id, title=draft.title, body=draft.body, link=draft.link,
                     media_link=draft.media_link, source=draft.source,
                     author_id=author.id if author else None, content_hash=draft.content_hash,
                     publish_at=draft.publish_at or now, push_at=push_at, created_at=now)
    session.add(item)
    session.flush()
    return item


def hold_post(session: Session, author: Member, org_id: int, draft: Draft,
              now: datetime) -> None:
    """Keep a post that repeats a recent one until the author confirms (确认发布)."""
    pending = session.get(PendingPost, author.id) or PendingPost(member_id=author.id)
    pending.org_id, pending.title, pending.body = org_id, draft.title, draft.body
    pending.link, pending.media_link, pending.source = draft.link, draft.media_link, draft.source
    pending.publish_at, pending.created_at = draft.publish_at, now
    session.add(pending)
    session.flush()


def take_pending_post(session: Session, author: Member,
                      now: datetime) -> tuple[Org, Draft] | None:
    """The author's held post, if still fresh (removed from the hold)."""
    pending = session.get(PendingPost, author.id)
    if pending is None or now - pending.created_at > PENDING_LIFETIME:
        return None
    draft = Draft(pending.title, pending.body, pending.link, pending.media_link, pending.source,
                  pending.publish_at)
    org = pending.org
    session.delete(pending)
    session.flush()
    return (org, draft) if org is not None else None


def own_item(session: Session, org: Org, item_id: int) -> StudyItem:
    """Item `item_id` if `org` posted it; StudyError otherwise."""
    item = session.get(StudyItem, item_id)
    if item is None or item.org_id != org.id:
        raise StudyError("STUDY_NOT_YOURS", id=item_id)
    return item


def push_now(session: Session, org: Org, item_id: int, now: datetime) -> StudyItem:
    """The admin's 推送 <编号>: tell members about an item now instead of at its push
    time (the scheduler queues it within a minute). StudyError for another org's item
    or one already pushed (flushes)."""
    item = own_item(session, org, item_id)
    if item.pushed_at is not None:
        raise StudyError("STUDY_ALREADY_PUSHED", id=item_id, title=item.title)
    item.push_at = now
    item.publish_at = min(item.publish_at, now)
    session.flush()
    return item


def withdraw_item(session: Session, org: Org, item_id: int, now: datetime) -> tuple[StudyItem, int]:
    """The admin's 撤回 <编号>: members who have not studied the item no longer see it
    or get its notice (queued and held notices are dropped; helpers' relays drop it at
    their next look); study records stay. Returns the item and the notices dropped.
    StudyError for another org's item or one already withdrawn (flushes)."""
    item = own_item(session, org, item_id)
    if item.withdrawn_at is not None:
        raise StudyError("STUDY_ALREADY_WITHDRAWN", id=item_id, title=item.title)
    item.withdrawn_at = now
    dropped: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Outbox).where(Outbox.subject == f"study:{item_id}",
                             Outbox.status.in_([Status.PENDING, Status.HELD]))
        .values(status=Status.DROPPED, last_error="dropped: withdrawn")
        .execution_options(synchronize_session=False))
    session.flush()
    return item, max(dropped.rowcount or 0, 0)
