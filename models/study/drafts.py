"""Posts written over several messages: on a phone, Enter sends, so a secretary's
「发布 <标题>」 arrives alone and the text, photos and forwarded article come after it.

A draft belongs to its author (one at a time); each message adds to it, 预览 shows it,
发送 publishes it through the same action as a one-message post (models.study.actions), 取消
drops it. A draft nobody touches for 30 minutes expires: its author is sent what it
held, so that nothing typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core import texts
from models.actors import Actor
from models.console.audit import record_change
from models.db.base import Base, UTCDateTime
from models.delivery.outbox import ChannelPolicy, Notice
from models.errors import StudyError
from models.members.org_tables import Org
from models.members.tables import Member
from models.study.actions import ItemImage, Published, PushTimes, publish_post
from models.study.posting import Draft, find_duplicate, make_draft, posting_org
from models.study.tables import BODY_MAX, LINK_MAX, TITLE_MAX

DRAFT_LIFETIME = timedelta(minutes=30)
IMAGES_MAX = 9  # as many as WeChat lets one send at once
EXPIRY_NOTICE_BODY = 400  # characters of the body repeated in the expiry notice


class PostDraft(Base):
    """An author's post in the making."""

    __tablename__ = "post_draft"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(LINK_MAX))
    media_link: Mapped[str | None] = mapped_column(String(LINK_MAX))
    source: Mapped[str | None] = mapped_column(String(100))
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 发送 found the same post published within a day; the next 发送 publishes anyway.
    duplicate_of: Mapped[int | None] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    images: Mapped[list[PostDraftImage]] = relationship(
        order_by="PostDraftImage.id", cascade="all, delete-orphan")
    # Read-only: a draft is opened with the ids.
    author: Mapped[Member] = relationship(viewonly=True)
    org: Mapped[Org] = relationship(viewonly=True)


class PostDraftImage(Base):
    """A photo sent into a draft (WeChat's media id, and its picture URL)."""

    __tablename__ = "post_draft_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("post_draft.member_id", ondelete="CASCADE"), index=True)
    media_id: Mapped[str | None] = mapped_column(String(200))
    pic_url: Mapped[str | None] = mapped_column(String(LINK_MAX))


@dataclass(frozen=True)
class Addition:
    """What one message adds to a draft (parsed by the chat, as in a one-message post)."""

    body_lines: tuple[str, ...] = ()
    link: str | None = None
    media_link: str | None = None
    source: str | None = None
    publish_at: datetime | None = None


def current_draft(session: Session, member_id: int, now: datetime) -> PostDraft | None:
    """The author's draft, if touched within the last 30 minutes."""
    draft = session.get(PostDraft, member_id)
    return draft if draft is not None and now - draft.touched_at <= DRAFT_LIFETIME else None


def open_draft(session: Session, actor: Actor, author: Member, org_id: int, title: str,
               now: datetime, outbox: ChannelPolicy) -> PostDraft:
    """Start a draft titled `title`; StudyError when one is open already (it would be
    lost). A stale one is expired first, with its notice (flushes)."""
    title = title.strip()
    if len(title) > TITLE_MAX:
        raise StudyError("POST_TITLE_TOO_LONG", limit=TITLE_MAX, length=len(title))
    old = session.get(PostDraft, author.id)
    if old is not None:
        if now - old.touched_at <= DRAFT_LIFETIME:
            raise StudyError("DRAFT_ALREADY_OPEN", title=old.title)
        expire_draft(session, actor, old, outbox, now)
    draft = PostDraft(member_id=author.id, org_id=org_id, title=title, body="",
                      started_at=now, touched_at=now)
    session.add(draft)
    session.flush()
    return draft


def add_to_draft(draft: PostDraft, addition: Addition, now: datetime) -> None:
    """Add one message's text, link and labels; StudyError (nothing added) when the
    body would pass its limit."""
    if addition.body_lines:
        body = "\n".join(filter(None, [draft.body, *addition.body_lines]))
        if len(body) > BODY_MAX:
            raise StudyError("DRAFT_BODY_FULL", limit=BODY_MAX, length=len(draft.body),
                             adding=len(body) - len(draft.body))
        draft.body = body
    draft.link = addition.link or draft.link
    draft.media_link = addition.media_link or draft.media_link
    draft.source = addition.source or draft.source
    draft.publish_at = addition.publish_at or draft.publish_at
    draft.duplicate_of = None  # changed: check again on 发送
    draft.touched_at = now


def add_image(session: Session, draft: PostDraft, media_id: str | None, pic_url: str | None,
              now: datetime) -> int:
    """Add a photo; the number of photos now. StudyError past IMAGES_MAX (flushes)."""
    if len(draft.images) >= IMAGES_MAX:
        raise StudyError("DRAFT_IMAGES_FULL", limit=IMAGES_MAX)
    draft.images.append(PostDraftImage(media_id=media_id, pic_url=pic_url))
    draft.duplicate_of = None
    draft.touched_at = now
    session.flush()
    return len(draft.images)


def checked_post(draft: PostDraft, now: datetime, schedule_text: str = "") -> Draft:
    """The draft as a post, checked against the limits of every post (StudyError;
    `schedule_text` names its 定时 in that error)."""
    if not draft.body.strip() and not draft.link and not draft.images:
        raise StudyError("DRAFT_EMPTY", title=draft.title)
    return make_draft(draft.title, draft.body, now, draft.link, draft.media_link,
                      draft.source, draft.publish_at, schedule_text)


def send_draft(session: Session, actor: Actor, draft: PostDraft, author: Member,
               now: datetime, times: PushTimes, schedule_text: str = "") -> tuple[Org, Published]:
    """发送: publish the author's draft with its photos; the draft is gone. The first
    发送 of a repeat is held back (the draft remembers it: the next 发送 publishes)."""
    post = checked_post(draft, now, schedule_text)
    org = draft.org or posting_org(session, author)
    if draft.duplicate_of is None:
        duplicate = find_duplicate(session, draft.org_id, post, now)
        if duplicate is not None:
            draft.duplicate_of = duplicate.id
            draft.touched_at = now
            return org, Published(duplicate=duplicate)
    photos = [ItemImage(image.media_id, image.pic_url) for image in draft.images]
    published = publish_post(session, actor, org, post, now, times, author=author,
                             confirmed=True, images=photos)
    session.delete(draft)
    session.flush()
    return org, published


def drop_draft(session: Session, draft: PostDraft) -> None:
    """取消: the draft is gone (flushes)."""
    session.delete(draft)
    session.flush()


def expire_draft(session: Session, actor: Actor, draft: PostDraft, outbox: ChannelPolicy,
                 now: datetime) -> None:
    """Drop a draft left alone, and send its author what it held (flushes). Audited:
    unlike the author's own 取消, nobody asked for this one to go."""
    author = draft.author
    if author is not None:
        body = draft.body if len(draft.body) <= EXPIRY_NOTICE_BODY \
            else draft.body[:EXPIRY_NOTICE_BODY] + "…"
        extras = "".join(f"\n{value}" for value in (draft.link, draft.media_link) if value)
        text = texts.DRAFT_EXPIRED.format(title=draft.title, body=body + extras,
                                          images=len(draft.images))
        outbox.enqueue(session, f"draft:{draft.member_id}:{int(draft.started_at.timestamp())}",
                       author, Notice("draft", text), now)
    record_change(session, actor, org_id=draft.org_id, action="study.draft_expire",
                  target=draft.title, now=now,
                  after={"body": len(draft.body), "images": len(draft.images)})
    session.delete(draft)
    session.flush()


def expire_drafts(session: Session, actor: Actor, outbox: ChannelPolicy, now: datetime) -> int:
    """Expire every draft untouched for 30 minutes; how many (flushes)."""
    stale = list(session.scalars(select(PostDraft).where(
        PostDraft.touched_at < now - DRAFT_LIFETIME).order_by(PostDraft.member_id)))
    for draft in stale:
        expire_draft(session, actor, draft, outbox, now)
    return len(stale)
