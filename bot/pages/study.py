"""/m/study: the items a member's branch sees (the one to study now first, then all of
them, newest first, paged) and /m/study/<id>: one item to read — its words in paragraphs, its photos
in line (served from partybot's storage through a route that checks the member may see
the item), 朗读, 已学 and 心得 in words or a photo.

The scope is the chat's (models.study.queries: posted to the branch or any org above
it, published, not withdrawn); opening an item is remembered as 学习 <编号> does, so a
later 已学 in chat means it; 已学 and 心得 are the chat's actions, as the member on
Surface.PAGE."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from bot.console.request_db import committed, db
from bot.console.uploads import (
    PHOTO_MAX_BYTES,
    STORED_NAME,
    feedback_photo_url,
    feedback_room,
    photo_folder,
    read_photo,
    send_photo,
)
from bot.pages.access import current_member, member_actor, member_required, refusal_goes_to
from bot.request_guard import upload_limit
from bot.services import services_of
from core import texts
from core.localtime import same_local_day, when
from core.photos import Photo
from models.db.stored_files import FEEDBACK, STUDY, StoredFile
from models.errors import DomainError, StudyError
from models.study.actions import give_feedback_on, mark_studied
from models.study.hot_statements import ItemHeading, viewed_item
from models.study.photo_copies import ItemPhoto, item_photos, servable_photo
from models.study.queries import listed_items, unread_item, visible_item
from models.study.records import FEEDBACK_TEXT_MAX, remember_view
from models.study.tables import StudyFeedback, StudyItem, StudyRecord

bp = Blueprint("study", __name__)

log = logging.getLogger(__name__)

PAGE_SIZE = 20
PAGES_MAX = 10_000  # a page number past this is not a history anyone has
FEEDBACK_BODY_MAX = PHOTO_MAX_BYTES + 64 * 1024  # one photo and the words
# Opening the item viewed within this long again is not written again (reloads, the
# font switch); 已学 in chat still means it for a day (VIEW_MEMORY) after.
VIEW_REFRESH = timedelta(hours=1)


@bp.get("/study")
@member_required
def items() -> ResponseReturnValue:
    """First the item chat's 学习 shows (the newest not yet studied, today's first;
    all studied: the newest), then every item, newest first, PAGE_SIZE a page, each
    marked 已学 or not."""
    member = current_member()
    services = services_of()
    now, tz = services.clock(), services.settings.tz
    session = db()
    page = page_asked(request.args.get("page"))
    # one statement for the page, with each line's 已学 (as the mini-program's list)
    listed = listed_items(session, member.branch_id, member.id, now, PAGE_SIZE + 1,
                          (page - 1) * PAGE_SIZE)
    more = len(listed) > PAGE_SIZE
    listed = listed[:PAGE_SIZE]
    studied = {line.id for line in listed if line.studied}
    top: TopItem | None = None
    top_heading = ""
    if page == 1 and listed:
        # the newest unread is the first unread line when the page has one; the list's
        # first line is the newest item
        first_unread = next((line for line in listed if not line.studied), None)
        if first_unread is not None:
            top = TopItem(first_unread.id, first_unread.title, first_unread.published)
        else:
            older = unread_item(session, member.branch_id, member.id, now)
            top = TopItem(older.id, older.title, older.publish_at) if older is not None \
                else TopItem(listed[0].id, listed[0].title, listed[0].published)
        unread = top.id not in studied
        today = same_local_day(top.publish_at, now, tz)
        top_heading = texts.PAGES_TODAYS_STUDY if today else \
            texts.PAGES_STUDY_UNREAD if unread else texts.PAGES_NEWEST_STUDY
    return render_template(
        "pages/study_list.html", top=top, top_heading=top_heading,
        top_when=when(top.publish_at, tz) if top is not None else "",
        lines=[(line.id, line.title, when(line.published, tz), line.studied)
               for line in listed],
        # built once, not per line (url_for is a tenth of the page's time)
        item_href=url_for("pages.study.item", item_id=0).removesuffix("0"),
        studied=studied, page=page, more=more)


@dataclass(frozen=True)
class TopItem:
    """The item the list shows first (what chat's 学习 shows)."""

    id: int
    title: str
    publish_at: datetime


def page_asked(value: str | None) -> int:
    """The page number asked for: 1 for anything that is not one."""
    if value and value.isascii() and value.isdigit() and len(value) <= 6:
        return min(max(int(value), 1), PAGES_MAX)
    return 1


def item_or_404(item_id: int) -> StudyItem:
    """The item if the member's branch sees it now (the chat's scope): else 404 — a
    withdrawn item, another branch's, a scheduled one or none at all look the same."""
    member = current_member()
    try:
        return visible_item(db(), member.branch_id, item_id, services_of().clock())
    except StudyError:
        abort(404)


@bp.get("/study/<int:item_id>")
@member_required
def item(item_id: int) -> ResponseReturnValue:
    """The item to read; opening it is remembered as chat's 学习 <编号> does."""
    found = item_or_404(item_id)
    member_id, now = current_member().id, services_of().clock()
    seen = viewed_item(db(), member_id, now - VIEW_REFRESH)
    if seen is None or seen.id != found.id:  # a reload writes nothing
        # its own short write (on SQLite the write lock taken first): a page read by
        # many at once must not fail on a read transaction turned writer
        committed(lambda session: remember_view(session, member_id, found.id, now))
    return item_page(found)


def item_page(found: StudyItem, typed: str = "", error: str | None = None,
              status: int = 200) -> ResponseReturnValue:
    """The item's page (again with what was typed and why it was refused)."""
    member = current_member()
    session = db()
    tz = services_of().settings.tz
    record = session.scalar(select(StudyRecord).where(StudyRecord.item_id == found.id,
                                                      StudyRecord.member_id == member.id))
    mine: list[StudyFeedback] = []
    kept: set[str] = set()
    if record is not None:
        mine = list(session.scalars(select(StudyFeedback).where(
            StudyFeedback.record_id == record.id).order_by(StudyFeedback.id)))
        if any(piece.kind == "image" for piece in mine):
            kept = set(session.scalars(select(StoredFile.name).where(
                StoredFile.owner == FEEDBACK, StoredFile.owner_id == record.id)))
    photos = item_photos(session, found.id, lambda item_id, name: url_for(
        "pages.study.photo", item_id=item_id, name=name))
    return render_template(
        "pages/study_item.html", item=found, published=when(found.publish_at, tz),
        paragraphs=[line.strip() for line in found.body.splitlines() if line.strip()],
        photos=[(photo, shown_at(photo)) for photo in photos], record=record,
        studied_when=when(record.studied_at, tz) if record is not None else "",
        mine=[(piece, own_photo_url(found.id, piece, kept)) for piece in mine],
        typed=typed, error=error, text_max=FEEDBACK_TEXT_MAX), status


def shown_at(photo: ItemPhoto) -> str | None:
    """Where the page loads a photo from: ours when kept, else WeChat's picture URL (an
    http(s) link only), else nowhere yet."""
    if photo.url:
        return photo.url
    if photo.link and photo.link.startswith(("https://", "http://")):
        return photo.link
    return None


def own_photo_url(item_id: int, piece: StudyFeedback, kept: set[str]) -> str | None:
    """Where the page shows a 心得 photo: one sent from the pages (its file among `kept`,
    the record's) served back to its sender; a chat photo's WeChat link as it is."""
    if piece.kind != "image" or not piece.url:
        return None
    name = piece.url.rsplit("/", 1)[-1]
    if name in kept:
        return url_for("pages.study.feedback_photo", item_id=item_id, name=name)
    return piece.url if piece.url.startswith(("https://", "http://")) else None


@bp.post("/study/<int:item_id>/studied")
@member_required
def studied(item_id: int) -> ResponseReturnValue:
    """已学: the chat's record (a second tap says it is recorded already, as chat does)."""
    found = item_or_404(item_id)
    member = current_member()
    back = url_for("pages.study.item", item_id=found.id)
    refusal_goes_to(back)
    heading, actor, now = ItemHeading(found.id, found.title), member_actor(), \
        services_of().clock()
    if committed(lambda session: mark_studied(session, actor, heading, member.id,
                                              member.branch_id, now)):
        message = texts.PAGES_STUDIED_OK.format(title=found.title)
    else:
        message = texts.STUDIED_ALREADY.format(title=found.title)
    flash(message)
    return redirect(back + "#feedback")


@bp.post("/study/<int:item_id>/feedback")
@member_required
@upload_limit(FEEDBACK_BODY_MAX)
def feedback(item_id: int) -> ResponseReturnValue:
    """心得 in words and/or one photo (re-encoded and within the branch's quotas, as
    the console's uploads); a refusal shows the page again with what was typed."""
    found = item_or_404(item_id)
    member = current_member()
    typed = request.form.get("text", "")
    words = typed.strip()
    upload = request.files.get("photo")
    chosen = upload if isinstance(upload, FileStorage) and upload.filename else None
    if not words and chosen is None:
        return item_page(found, typed, texts.PAGES_FEEDBACK_EMPTY, 400)
    if len(words) > FEEDBACK_TEXT_MAX:
        return item_page(found, typed, texts.PAGES_FEEDBACK_TOO_LONG.format(
            limit=FEEDBACK_TEXT_MAX, count=len(words)), 400)
    services = services_of()
    now = services.clock()
    actor, heading = member_actor(), ItemHeading(found.id, found.title)
    room = feedback_room(now)
    try:
        photo: Photo | None = read_photo(chosen) if chosen is not None else None
        _, pieces = committed(lambda session: give_feedback_on(
            session, actor, heading, member.id, member.branch_id, now,
            text=words or None, photo=photo, room=room, url_of=feedback_photo_url))
    except DomainError as refused:
        log.info("pages: feedback on item %s refused: %s", found.id, refused.key)
        return item_page(found, typed, refused.render(), 400)
    flash(texts.PAGES_FEEDBACK_KEPT.format(title=found.title, count=pieces))
    return redirect(url_for("pages.study.item", item_id=found.id) + "#feedback")


@bp.get("/study/<int:item_id>/photos/<name>")
@member_required
def photo(item_id: int, name: str) -> ResponseReturnValue:
    """A kept photo of an item the member sees (404 for any other: another branch's, a
    withdrawn item's, a name that is not the item's); cached by the browser alone."""
    if not STORED_NAME.match(name):
        abort(404)
    found = item_or_404(item_id)
    if servable_photo(db(), found.id, name, services_of().clock()) is None:
        abort(404)
    return send_photo(photo_folder(STUDY, found.id), name, private=True)


@bp.get("/study/<int:item_id>/feedback/<name>")
@member_required
def feedback_photo(item_id: int, name: str) -> ResponseReturnValue:
    """A 心得 photo the member sent on this item, back to them alone."""
    if not STORED_NAME.match(name):
        abort(404)
    member = current_member()
    record_id = db().scalar(
        select(StudyRecord.id).join(StoredFile, (StoredFile.owner == FEEDBACK)
                                    & (StoredFile.owner_id == StudyRecord.id))
        .where(StudyRecord.item_id == item_id, StudyRecord.member_id == member.id,
               StoredFile.name == name))
    if record_id is None:
        abort(404)
    return send_photo(photo_folder(FEEDBACK, record_id), name, private=True)
