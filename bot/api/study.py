"""Study in the mini-program: the list (newest first, so today's item first; withdrawn
items gone), one item, 已学 and 心得 — the same queries and actions as chat's 学习 / 已学,
so the same items are visible (the member's branch and every org above it) and another
branch's item is a 404."""

from __future__ import annotations

from sqlalchemy import select

from bot.api.photos import image_urls
from bot.api.runner import Call
from bot.api.schemas import (
    FeedbackIn,
    FeedbackOut,
    FeedbackSavedOut,
    PageQuery,
    StudiedOut,
    StudyImageOut,
    StudyItemOut,
    StudyListOut,
    StudySummaryOut,
)
from core.localtime import same_local_day
from models.study.actions import give_feedback_on, mark_studied
from models.study.queries import listed_items, visible_item
from models.study.tables import StudyItem, StudyRecord


def study_list(call: Call) -> StudyListOut:
    """The items my branch sees, newest first (today's first), a page at a time."""
    query: PageQuery = call.query
    member, tz = call.member, call.services.settings.tz
    assert member is not None
    items = listed_items(call.session, member.branch_id, member.id, call.now,
                         query.per_page + 1, (query.page - 1) * query.per_page)
    return StudyListOut(items=[StudySummaryOut(
        id=item.id, title=item.title, summary=item.summary, org=item.org_name,
        published_at=item.published.astimezone(tz),
        today=same_local_day(item.published, call.now, tz), studied=item.studied)
        for item in items[:query.per_page]], page=query.page, per_page=query.per_page,
        has_more=len(items) > query.per_page)


def _item(call: Call) -> StudyItem:
    assert call.member is not None
    return visible_item(call.session, call.member.branch_id, int(call.path["item_id"]),
                        call.now)


def _record(call: Call, item_id: int) -> StudyRecord | None:
    assert call.member is not None
    return call.session.scalar(select(StudyRecord).where(
        StudyRecord.item_id == item_id, StudyRecord.member_id == call.member.id))


def study_item(call: Call) -> StudyItemOut:
    """One item to read, with its photos and my 已学 and 心得."""
    item, tz = _item(call), call.services.settings.tz
    record = _record(call, item.id)
    feedback = [FeedbackOut(kind=piece.kind, text=piece.text, sent_at=piece.sent_at.astimezone(tz))
                for piece in (record.feedback if record is not None else [])]
    return StudyItemOut(
        id=item.id, title=item.title, body=item.body, summary=item.summary,
        org=item.org.name, link=item.link, media_link=item.media_link, source=item.source,
        published_at=item.publish_at.astimezone(tz),
        images=[StudyImageOut(url=url) for url in image_urls(call, item.id)],
        studied=record is not None,
        studied_at=record.studied_at.astimezone(tz) if record is not None else None,
        feedback=feedback)


def study_done(call: Call) -> StudiedOut:
    """已学: the same record as chat's 已学 (once per item; again is no change)."""
    item, member = _item(call), call.member
    assert member is not None
    new = mark_studied(call.session, call.actor, item, member.id, member.branch_id, call.now)
    record = _record(call, item.id)
    assert record is not None
    return StudiedOut(item_id=item.id, new=new,
                      studied_at=record.studied_at.astimezone(call.services.settings.tz))


def study_feedback(call: Call) -> FeedbackSavedOut:
    """心得 in words on an item I have marked 已学."""
    body: FeedbackIn = call.body
    item, member = _item(call), call.member
    assert member is not None
    # the pages' action: refused (409, its sentence) before 已学
    _, pieces = give_feedback_on(call.session, call.actor, item, member.id,
                                 member.branch_id, call.now, text=body.text)
    return FeedbackSavedOut(item_id=item.id, pieces=pieces)
