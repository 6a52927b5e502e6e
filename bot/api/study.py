"""Study in the mini-program: the list (newest first, so today's item first; withdrawn
items gone), one item, 已学 and 心得 — the same queries and actions as chat's 学习 / 已学,
so the same items are visible (the member's branch and every org above it) and another
branch's item is a 404."""

from __future__ import annotations

from sqlalchemy import select

from bot.api.problems import Problem
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
from core import texts
from core.localtime import same_local_day
from models.members.org_tables import Org
from models.study.actions import give_item_feedback, mark_studied
from models.study.queries import visible_item, visible_items
from models.study.records import Feedback
from models.study.tables import StudyItem, StudyRecord


def study_list(call: Call) -> StudyListOut:
    """The items my branch sees, newest first (today's first), a page at a time."""
    query: PageQuery = call.query
    member, tz = call.me, call.services.settings.tz
    items = list(call.session.scalars(
        visible_items(member.branch_id, call.now)
        .limit(query.per_page + 1).offset((query.page - 1) * query.per_page)))
    more = len(items) > query.per_page
    items = items[:query.per_page]
    ids = [item.id for item in items]
    studied = set(call.session.scalars(select(StudyRecord.item_id).where(
        StudyRecord.member_id == member.id, StudyRecord.item_id.in_(ids)))) if ids else set()
    orgs: dict[int, str] = {org_id: name for org_id, name in call.session.execute(
        select(Org.id, Org.name).where(Org.id.in_({item.org_id for item in items})))}
    return StudyListOut(items=[StudySummaryOut(
        id=item.id, title=item.title, summary=item.summary, org=orgs.get(item.org_id, ""),
        published_at=item.publish_at.astimezone(tz),
        today=same_local_day(item.publish_at, call.now, tz), studied=item.id in studied)
        for item in items], page=query.page, per_page=query.per_page, has_more=more)


def _item(call: Call) -> StudyItem:
    return visible_item(call.session, call.me.branch_id, int(call.path["item_id"]), call.now)


def _record(call: Call, item_id: int) -> StudyRecord | None:
    return call.session.scalar(select(StudyRecord).where(
        StudyRecord.item_id == item_id, StudyRecord.member_id == call.me.id))


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
        images=[StudyImageOut(url=image.pic_url) for image in item.images if image.pic_url],
        studied=record is not None,
        studied_at=record.studied_at.astimezone(tz) if record is not None else None,
        feedback=feedback)


def study_done(call: Call) -> StudiedOut:
    """已学: the same record as chat's 已学 (once per item; again is no change)."""
    item, member = _item(call), call.me
    new = mark_studied(call.session, call.actor, item, member.id, member.branch_id, call.now)
    record = _record(call, item.id)
    assert record is not None
    return StudiedOut(item_id=item.id, new=new,
                      studied_at=record.studied_at.astimezone(call.services.settings.tz))


def study_feedback(call: Call) -> FeedbackSavedOut:
    """心得 in words on an item I have marked 已学."""
    body: FeedbackIn = call.body
    item, member = _item(call), call.me
    saved = give_item_feedback(call.session, call.actor, member.id, member.branch_id, item,
                               Feedback("text", text=body.text), call.now)
    if saved is None:
        raise Problem("refused", texts.API_FEEDBACK_NOT_STUDIED)
    return FeedbackSavedOut(item_id=item.id, pieces=saved[1])
