"""Every change to study content, one function each, whatever the surface: publish
(a chat one-message 发布, 确认发布, the console's form; a chat draft's 发送 is
models.study.drafts.send_draft, which ends here), edit, push
now, the scheduled push (one chunk at a time), withdraw, 已学 and its 心得.

Each takes the acting `Actor` and the time, applies the rule (StudyError with a catalog
key), and writes the audit entry in the caller's transaction; the surfaces parse, call
one of these, and render. Nothing here commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core import notices, page_links
from core.photos import Photo
from models.actors import Actor
from models.console.audit import record_change
from models.db.stored_files import (
    FEEDBACK,
    STUDY,
    StoredFile,
    check_quota,
    release_due,
    store_files,
)
from models.delivery.outbox import ChannelPolicy, Notice
from models.errors import DomainError, StudyError
from models.members.org_tables import Org
from models.members.orgs import subtree_ids
from models.members.tables import Member, live_member
from models.study.hot_statements import ItemHeading
from models.study.photo_copies import (
    COPY_WINDOW,
    LINK,
    PENDING,
    STORED,
    CopyRoom,
    free_disk,
    retry_delay,
)
from models.study.posting import (
    Draft,
    find_duplicate,
    hold_post,
    make_draft,
    own_item,
    publish,
    push_time,
    take_pending_post,
)
from models.study.posting import push_now as _push_now
from models.study.posting import withdraw_item as _withdraw_item
from models.study.queries import latest_own_feedback, recent_record_for_feedback
from models.study.records import Feedback, attach_feedback, record_study
from models.study.rendering import photo_lines, push_article
from models.study.tables import StudyFeedback, StudyItem, StudyItemImage, StudyRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushTimes:
    """When members are told of a new item: the org's zone and its daily push time."""

    tz: ZoneInfo
    daily: tuple[int, int]


@dataclass(frozen=True)
class ItemImage:
    """A photo of an item: WeChat's media id (chat) and/or a picture URL."""

    media_id: str | None = None
    pic_url: str | None = None
    stored_file_id: int | None = None  # a console photo, stored already


# The photos of a new item: given, or made once the item has its number (the console
# stores uploaded files under it).
Images = Sequence[ItemImage] | Callable[[StudyItem], Sequence[ItemImage]]


@dataclass(frozen=True)
class Published:
    """A post published (`item`), or held back because it repeats `duplicate`."""

    item: StudyItem | None = None
    duplicate: StudyItem | None = None


def _target(item: StudyItem | ItemHeading) -> str:
    return f"#{item.id} {item.title}"


def publish_post(session: Session, actor: Actor, org: Org, post: Draft, now: datetime,
                 times: PushTimes, *, author: Member | None = None, confirmed: bool = False,
                 hold_repeat: bool = False, images: Images = ()) -> Published:
    """Publish `post` to `org`'s subtree. A repeat of a post made there within a day is
    not published unless `confirmed`: it is returned as the duplicate (and, with
    `hold_repeat`, kept for the author's 确认发布) (flushes)."""
    if not confirmed:
        duplicate = find_duplicate(session, org.id, post, now)
        if duplicate is not None:
            if hold_repeat and author is not None:
                hold_post(session, author, org.id, post, now)
            return Published(duplicate=duplicate)
    item = publish(session, org.id, post, author, now,
                   push_time(post, now, times.tz, times.daily))
    photos = images(item) if callable(images) else images
    for photo in photos:
        # A chat photo is copied into our storage by a job soon after (WeChat keeps a
        # received media id for 3 days: models.study.photo_copies).
        stored = photo.stored_file_id is not None
        session.add(StudyItemImage(item_id=item.id, media_id=photo.media_id,
                                   pic_url=photo.pic_url, stored_file_id=photo.stored_file_id,
                                   copy_state=STORED if stored else PENDING,
                                   copy_next_at=None if stored else now))
    session.flush()
    record_change(session, actor, org_id=org.id, action="study.publish", target=_target(item),
                  now=now, after={"title": item.title, "org": org.name, "images": len(photos),
                                  "push_at": item.push_at.isoformat()})
    return Published(item)


def publish_held(session: Session, actor: Actor, author: Member, now: datetime,
                 times: PushTimes) -> tuple[Org, Published] | None:
    """确认发布: publish the author's held repeat, if still fresh (None if none)."""
    held = take_pending_post(session, author, now)
    if held is None:
        return None
    org, post = held
    return org, publish_post(session, actor, org, post, now, times, author=author,
                             confirmed=True)


@dataclass(frozen=True)
class ItemEdit:
    """What the console's edit form sends: the item's words, link and time."""

    title: str
    body: str
    link: str | None = None
    publish_at: datetime | None = None  # None: keep the item's time
    schedule_text: str = ""


def edit_item(session: Session, actor: Actor, org: Org, item_id: int, edit: ItemEdit,
              now: datetime) -> StudyItem:
    """Change an item's title, text, link or (before members are told) its time,
    within the same limits as a new post. StudyError for another org's item, a
    withdrawn one, a new time once pushed, or no change at all (flushes)."""
    item = own_item(session, org, item_id)
    if item.withdrawn_at is not None:
        raise StudyError("STUDY_ALREADY_WITHDRAWN", id=item.id, title=item.title)
    moved = edit.publish_at is not None and edit.publish_at != item.publish_at
    if moved and item.pushed_at is not None:
        raise StudyError("STUDY_ALREADY_PUSHED", id=item.id, title=item.title)
    post = make_draft(edit.title, edit.body, now, link=edit.link,
                      publish_at=edit.publish_at if moved else None,
                      schedule_text=edit.schedule_text)
    wanted: dict[str, Any] = {"title": post.title, "body": post.body, "link": post.link}
    if moved and post.publish_at is not None:
        wanted.update(publish_at=post.publish_at, push_at=post.publish_at)
    before = {key: getattr(item, key) for key in wanted if getattr(item, key) != wanted[key]}
    if not before:
        raise StudyError("STUDY_EDIT_NOTHING", id=item.id)
    for key in before:
        setattr(item, key, wanted[key])
    item.content_hash = post.content_hash
    session.flush()
    record_change(session, actor, org_id=org.id, action="study.edit", target=_target(item),
                  now=now, before=_plain(before), after=_plain({k: wanted[k] for k in before}))
    return item


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Values the audit log's JSON column holds (times as ISO text)."""
    return {key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in values.items()}


def push_item_now(session: Session, actor: Actor, org: Org, item_id: int,
                  now: datetime) -> StudyItem:
    """推送 / 立即推送: members are told within a minute instead of at the push time."""
    item = _push_now(session, org, item_id, now)
    record_change(session, actor, org_id=org.id, action="study.push", target=_target(item),
                  now=now, after={"push_at": now.isoformat()})
    return item


@dataclass(frozen=True)
class Withdrawal:
    """A withdrawn item, the notices dropped, and the photo files to delete once the
    change is committed (their rows are gone already)."""

    item: StudyItem
    dropped: int
    released_files: list[str]


def withdraw_item(session: Session, actor: Actor, org: Org, item_id: int, now: datetime,
                  release_photos: bool = False) -> Withdrawal:
    """撤回: members who have not studied it no longer see or get it. Its photos go at
    the next upkeep sweep, or now with `release_photos` — for a caller that deletes the
    files once it has committed (a file whose row went while the file stayed would be
    adopted again by the sweep)."""
    item, dropped = _withdraw_item(session, org, item_id, now)
    released = release_due(session, now, timedelta(0), only=(STUDY, item.id)) \
        if release_photos else []
    record_change(session, actor, org_id=org.id, action="study.withdraw", target=_target(item),
                  now=now, after={"dropped": dropped})
    return Withdrawal(item, dropped, released)


def mark_studied(session: Session, actor: Actor, item: StudyItem | ItemHeading, member_id: int,
                 branch_id: int, now: datetime) -> bool:
    """已学: the member's own record of studying `item`; False (nothing written) if
    they had already. Ids, not the member: 已学 is a busy command and loads no one."""
    if not record_study(session, item, member_id, now):
        return False
    if actor.acts_for(member_id):
        record_change(session, actor, org_id=branch_id, action="study.studied",
                      target=_target(item), now=now)
    return True


def give_feedback(session: Session, actor: Actor, member_id: int, branch_id: int,
                  feedback: Feedback, now: datetime) -> tuple[StudyRecord, int] | None:
    """A 心得 (words, a photo, a voice message) on the member's 已学 of the last few
    minutes: the record and how many pieces it has now; None when the window closed."""
    record = recent_record_for_feedback(session, member_id, now)
    if record is None:
        return None
    pieces = attach_feedback(session, record, feedback, now)
    if actor.acts_for(member_id):
        record_change(session, actor, org_id=branch_id, action="study.feedback",
                      target=_target(record.item), now=now,
                      after={"kind": feedback.kind, "pieces": pieces})
    return record, pieces


# Members told per transaction when an item goes out: a county-wide item stays within
# memory and each commit stays short.
PUSH_CHUNK = 2000


@dataclass(frozen=True)
class PushStep:
    """One chunk of an item's scheduled push: notices queued, the last member told (the
    next chunk starts after it), and whether the push is over."""

    queued: int
    last_member_id: int
    done: bool


def push_next_chunk(session: Session, actor: Actor, item_id: int, *, after_member_id: int,
                    told_so_far: int, outbox: ChannelPolicy, now: datetime) -> PushStep:
    """The scheduled push of a study item: tell the next PUSH_CHUNK members of its audience
    who have not studied it (once per member and item: the outbox key
    `study:<item>:member:<member>`). The item is marked pushed, and the push audited, in
    the transaction of its last chunk, so a restart resumes where it stopped. A withdrawn
    item tells no one more."""
    item = session.get(StudyItem, item_id)
    if item is None or item.withdrawn_at is not None or item.pushed_at is not None:
        return PushStep(0, after_member_id, True)
    # The photos go with the push: as links in its text (every channel), and as the
    # picture of a news card when it goes as a customer-service message.
    # With a public URL, tapping the push opens the item's page (the article with its
    # photos in line, 已学 as a button); without one, the item's own link.
    page = outbox.page_url(page_links.study_item(item.id))
    article = push_article(item)
    if article is not None and page is not None:
        article = {**article, "url": page}
    notice = Notice("study_push",
                    notices.study_push(item.title, item.summary) + photo_lines(item.images),
                    fields={"title": item.title, "summary": item.summary},
                    url=page or item.link, subject=f"study:{item.id}", article=article)
    chunk = PUSH_CHUNK
    studied = select(StudyRecord.member_id).where(StudyRecord.item_id == item_id)
    members = list(session.execute(
        select(Member.id, Member.openid, Member.subscribed)
        .where(Member.branch_id.in_(subtree_ids(session, item.org_id)),
               Member.id > after_member_id, Member.id.not_in(studied), live_member())
        .order_by(Member.id).limit(chunk)))
    queued = 0
    if members:
        counts = outbox.enqueue_many(
            session, [(f"study:{item_id}:member:{m.id}", m) for m in members], notice, now)
        queued = sum(counts.values())
    done = len(members) < chunk
    if done:
        item.pushed_at = now
        record_change(session, actor, org_id=item.org_id, action="study.pushed",
                      target=_target(item), now=now,
                      after={"told": told_so_far + queued})
    return PushStep(queued, members[-1].id if members else after_member_id, done)

# How long a member can take back a 心得 with 撤回心得: long enough to notice that a
# message was kept by mistake, short enough that the secretary has not read it yet.
FEEDBACK_UNDO = timedelta(days=1)


@dataclass(frozen=True)
class WithdrawnFeedback:
    """A 心得 taken back: the item it was on, and what it was."""

    title: str
    kind: str
    text: str | None


def withdraw_feedback(session: Session, actor: Actor, member_id: int, branch_id: int,
                      now: datetime) -> WithdrawnFeedback | None:
    """撤回心得: remove the member's last 心得 on their own 已学, sent within a day
    (a helper's proof of a relay is not theirs to take back); None when there is none.
    The 已学 itself stays (flushes)."""
    piece = latest_own_feedback(session, member_id, now - FEEDBACK_UNDO)
    if piece is None:
        return None
    item = piece.record.item
    gone = WithdrawnFeedback(item.title, piece.kind, piece.text)
    if piece.kind == "image" and piece.url:
        # a photo sent from the pages: its row goes too (out of the branch's quota), and
        # the upkeep sweep deletes the file no row names any more
        session.execute(delete(StoredFile).where(
            StoredFile.owner == FEEDBACK, StoredFile.owner_id == piece.record_id,
            StoredFile.name == piece.url.rsplit("/", 1)[-1]))
    session.delete(piece)
    session.flush()
    if actor.acts_for(member_id):
        record_change(session, actor, org_id=branch_id, action="study.feedback_withdraw",
                      target=_target(item), now=now,
                      before={"kind": gone.kind, "text": gone.text})
    return gone


def keep_photo_copy(session: Session, actor: Actor, image_id: int, data: bytes, suffix: str,
                    room: CopyRoom, now: datetime) -> str:
    """A chat photo fetched from WeChat and re-encoded (core.photos): stored as a file
    of the item's org and linked to the image — "stored". Over the org's quota or the
    disk's reserve it keeps WeChat's link, with the reason for the console, logged and
    audited — "link". An image no longer waiting (copied already, a withdrawn item) is
    left as it is — "skipped": a second run copies nothing (flushes)."""
    image = session.get(StudyItemImage, image_id)
    item = session.get(StudyItem, image.item_id) if image is not None else None
    if image is None or item is None or image.copy_state != PENDING \
            or item.withdrawn_at is not None:
        return "skipped"
    why = None
    if free_disk(room.root) - len(data) < room.min_free:
        log.error("study photos: image %s of item %s kept as a link: the disk keeps %d "
                  "bytes free", image.id, item.id, room.min_free)
        why = "disk_full"
    else:
        try:
            check_quota(session, item.org_id, len(data), room.day_start, room.daily,
                        room.total)
        except DomainError as refused:
            why = "daily_full" if refused.key == "UPLOAD_DAILY_FULL" else "total_full"
    if why is not None:
        log.warning("study photos: image %s of item %s kept as WeChat's link (%s)",
                    image.id, item.id, why)
        _keep_as_link(session, actor, image, item, why, now)
        return LINK
    [name] = store_files(session, room.root, item.org_id, STUDY, item.id, [(data, suffix)],
                         actor.key, now)
    image.stored_file_id = session.scalar(select(StoredFile.id).where(
        StoredFile.owner == STUDY, StoredFile.owner_id == item.id, StoredFile.name == name))
    image.copy_state, image.copy_next_at, image.copy_note = STORED, None, None
    image.copy_tries += 1
    session.flush()
    return STORED


def photo_copy_failed(session: Session, actor: Actor, image_id: int, reason: str,
                      now: datetime, *, give_up_as: str | None = None) -> bool:
    """A try to copy a chat photo failed (`reason` for the log): tried again later, with
    longer waits, until the 3-day window after posting closes — then, or at once with
    `give_up_as` (why it cannot work: "refused" not a photo, "gone" WeChat has it no
    more), it keeps WeChat's link, logged and audited. True when given up (flushes)."""
    image = session.get(StudyItemImage, image_id)
    item = session.get(StudyItem, image.item_id) if image is not None else None
    if image is None or item is None or image.copy_state != PENDING:
        return False
    image.copy_tries += 1
    if give_up_as is not None or now >= item.created_at + COPY_WINDOW:
        why = give_up_as or "gave_up"
        log.warning("study photos: gave up copying image %s of item %s after %d tries "
                    "(%s; posted %s): it stays WeChat's link", image.id, item.id,
                    image.copy_tries, reason, item.created_at.isoformat())
        _keep_as_link(session, actor, image, item, why, now)
        return True
    image.copy_next_at = now + retry_delay(image.copy_tries)
    log.info("study photos: image %s of item %s not copied yet (%s); try %d again at %s",
             image.id, item.id, reason, image.copy_tries + 1, image.copy_next_at.isoformat())
    session.flush()
    return False


def _keep_as_link(session: Session, actor: Actor, image: StudyItemImage, item: StudyItem,
                  why: str, now: datetime) -> None:
    image.copy_state, image.copy_next_at, image.copy_note = LINK, None, why
    session.flush()
    record_change(session, actor, org_id=item.org_id, action="study.photo_link",
                  target=_target(item), now=now, after={"image": image.id, "why": why})


# 心得 photos a member may send on one item from the pages: proof enough, and a bound on
# what one member can put into the branch's photo quota.
FEEDBACK_PHOTOS_MAX = 9


def give_feedback_on(session: Session, actor: Actor, item: StudyItem | ItemHeading,
                     member_id: int, branch_id: int, now: datetime, *,
                     text: str | None = None, photo: Photo | None = None,
                     room: CopyRoom | None = None,
                     url_of: Callable[[int, str], str] | None = None
                     ) -> tuple[StudyRecord, int]:
    """心得 on an item the member chose (the member pages, the API), in words and/or a
    photo, on their record of it — whenever they studied it, unlike chat's window after
    已学, since the item is named. The photo (re-encoded already: core.photos) is stored
    as a file of the member's branch under the record (owner FEEDBACK), within the
    branch's quotas and the disk's reserve (`room`); its URL is `url_of(record_id, name)`.
    StudyError when the member has not marked the item 已学, has sent
    FEEDBACK_PHOTOS_MAX photos on it, or there is no room. Returns the record and how
    many pieces it has now (flushes)."""
    record = session.scalar(select(StudyRecord).where(StudyRecord.item_id == item.id,
                                                      StudyRecord.member_id == member_id))
    if record is None:
        raise StudyError("STUDY_FEEDBACK_NOT_STUDIED", title=item.title)
    pieces = 0
    if photo is not None:
        if room is None or url_of is None:
            raise ValueError("a photo needs the room and the URL it is served at")
        sent = session.scalar(select(func.count()).where(
            StudyFeedback.record_id == record.id, StudyFeedback.kind == "image")) or 0
        if sent >= FEEDBACK_PHOTOS_MAX:
            raise StudyError("STUDY_FEEDBACK_PHOTOS_FULL", title=item.title, count=sent)
        if free_disk(room.root) - len(photo.data) < room.min_free:
            log.error("study feedback: a photo of %d bytes refused: the disk keeps %d bytes "
                      "free", len(photo.data), room.min_free)
            raise StudyError("STUDY_FEEDBACK_NO_ROOM")
        try:
            check_quota(session, branch_id, len(photo.data), room.day_start, room.daily,
                        room.total)
        except DomainError:
            raise StudyError("STUDY_FEEDBACK_NO_ROOM") from None
        [name] = store_files(session, room.root, branch_id, FEEDBACK, record.id,
                             [(photo.data, photo.suffix)], actor.key, now)
        pieces = attach_feedback(session, record, Feedback("image", url=url_of(record.id, name)),
                                 now)
    if text:
        pieces = attach_feedback(session, record, Feedback("text", text), now)
    if actor.acts_for(member_id):
        record_change(session, actor, org_id=branch_id, action="study.feedback",
                      target=_target(item), now=now,
                      after={"kind": "image" if photo is not None else "text",
                             "pieces": pieces})
    return record, pieces
