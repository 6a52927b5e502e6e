"""Study content for admins in the mini-program: 发布, 推送 and 撤回 — the actions of chat
and console (models.study.actions) with the caller as the actor (audit surface "api").
As in chat, a branch admin posts to their branch and township / county staff to every
branch below them (models.study.posting.posting_org); anyone else is 403, and an item
another org posted is 404."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.api import admin_access
from bot.api.admin_meetings import moment
from bot.api.problems import Problem
from bot.api.runner import Call, Endpoint
from bot.api.schemas_admin import (
    AdminStudyItemOut,
    NewStudyIn,
    StudyPublishedOut,
    StudyPushedOut,
    StudyWithdrawnOut,
)
from core import texts
from models.members.org_tables import Org
from models.study.actions import PushTimes, publish_post, push_item_now, withdraw_item
from models.study.posting import make_draft, posting_org
from models.study.rendering import published_sentence, withdrawn_sentence
from models.study.tables import StudyItem


def item_out(item: StudyItem, org: Org, tz: ZoneInfo) -> AdminStudyItemOut:
    """The item as its poster sees it (times in the account's zone)."""
    return AdminStudyItemOut(
        id=item.id, title=item.title, org=org.name, publish_at=item.publish_at.astimezone(tz),
        push_at=item.push_at.astimezone(tz),
        pushed_at=item.pushed_at.astimezone(tz) if item.pushed_at else None,
        withdrawn_at=item.withdrawn_at.astimezone(tz) if item.withdrawn_at else None)


def _poster(call: Call) -> Org:
    """Where the caller's posts go; 403 for a member who administers nothing."""
    me, _ = admin_access.any_admin(call)
    return posting_org(call.session, me)


def _own_item(call: Call, org: Org) -> StudyItem:
    """The item in the path, if `org` posted it (404 otherwise: chat's 撤回 of another
    org's item refuses it, the API does not say it exists)."""
    item = call.session.get(StudyItem, int(call.path["item_id"]))
    if item is None or item.org_id != org.id:
        raise admin_access.not_found()
    return item


def admin_study_publish(call: Call) -> StudyPublishedOut:
    """发布: post an item; members are told at the next daily push (or `publish_at`). A
    repeat of an item posted within a day is 409 unless `repeat_confirmed`."""
    body: NewStudyIn = call.body
    org = _poster(call)
    settings = call.services.settings
    draft = make_draft(body.title, body.body, call.now, link=body.link,
                       publish_at=moment(body.publish_at) if body.publish_at else None,
                       schedule_text=body.publish_at or "")
    published = publish_post(call.session, call.actor, org, draft, call.now,
                             PushTimes(settings.tz, settings.study_push_time), author=call.me,
                             confirmed=body.repeat_confirmed)
    if published.item is None:
        assert published.duplicate is not None
        raise Problem("refused", texts.API_POST_DUPLICATE.format(
            id=published.duplicate.id, title=published.duplicate.title),
            key="POST_DUPLICATE", duplicate_id=published.duplicate.id,
            confirm="repeat_confirmed")
    item = published.item
    return StudyPublishedOut(
        message=published_sentence(item, org.name, call.now, settings.tz),
        item=item_out(item, org, settings.tz))


def admin_study_push(call: Call) -> StudyPushedOut:
    """推送: tell members of an item now rather than at its push time."""
    org = _poster(call)
    item = push_item_now(call.session, call.actor, org, _own_item(call, org).id, call.now)
    return StudyPushedOut(message=texts.PUSH_OK.format(id=item.id, title=item.title),
                          item=item_out(item, org, call.services.settings.tz))


def admin_study_withdraw(call: Call) -> StudyWithdrawnOut:
    """撤回: members who have not studied the item no longer see it or get its notice."""
    org = _poster(call)
    done = withdraw_item(call.session, call.actor, org, _own_item(call, org).id, call.now)
    return StudyWithdrawnOut(message=withdrawn_sentence(done.item, done.dropped),
                             item=item_out(done.item, org, call.services.settings.tz),
                             dropped_notices=done.dropped)


ITEM = "/admin/study/<int:item_id>"

ENDPOINTS = (
    Endpoint("POST", "/admin/study", admin_study_publish, "Post a study item",
             StudyPublishedOut, body=NewStudyIn, writes=True, errors=(409,)),
    Endpoint("POST", f"{ITEM}/push", admin_study_push, "Tell members now",
             StudyPushedOut, writes=True, errors=(409,)),
    Endpoint("POST", f"{ITEM}/withdraw", admin_study_withdraw, "Withdraw an item",
             StudyWithdrawnOut, writes=True, errors=(409,)),
)
