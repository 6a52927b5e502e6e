"""Study in the console: an org's items (what its members see) with how many studied;
posting one in a form (paragraphs, photos, a link, a time), previewed exactly as
members will get it in chat; one item's page — who has not studied it, per branch,
the 心得 received (words, photos, voice), 立即推送 and 撤回.

Every rule is the chat's: make_draft, find_duplicate, publish, push_now and
withdraw_item (models.study.posting); the preview is the chat's own render_item.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.console.access import (
    audit_change,
    current_account,
    login_required,
    scoped_org,
)
from bot.console.uploads import (
    PHOTO_MAX_BYTES,
    STORED_NAME,
    keep_photos,
    photo_folder,
    read_photo,
    send_photo,
)
from bot.request_guard import upload_limit
from bot.services import services_of
from core import texts, words
from core.localtime import when
from handlers.study import render_item
from models.console.accounts import in_scope, member_of_account
from models.db.stored_files import STUDY, release_due, remove_files
from models.errors import DomainError, StudyError
from models.members.org_tables import Org, OrgKind
from models.members.orgs import branches_under, subtree_ids
from models.members.tables import Member
from models.study.actions import ancestor_ids
from models.study.posting import (
    find_duplicate,
    make_draft,
    publish,
    push_now,
    push_time,
    withdraw_item,
)
from models.study.reports import (
    feedback_on,
    item_progress_by_branch,
    items_posted_below,
    items_seen_by,
    not_studied,
)
from models.study.tables import BODY_MAX, LINK_MAX, TITLE_MAX, StudyItem, StudyItemImage

bp = Blueprint("study", __name__)  # registered under the console in bot/console/__init__.py

log = logging.getLogger(__name__)

IMAGES_PER_ITEM = 9
POST_STUDY_BODY_MAX = IMAGES_PER_ITEM * PHOTO_MAX_BYTES + 256 * 1024


def _posting_org(session: Session, org_id: int) -> Org:
    """An org in scope that items can be posted to (not a 党小组)."""
    return scoped_org(session, org_id, (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH,
                                        OrgKind.BRANCH))


def _audit(session: Session, item: StudyItem, action: str, after: dict[str, Any]) -> None:
    audit_change(session, item.org_id, action, f"#{item.id} {item.title}", after=after)


@bp.get("/org/<int:org_id>/study")
@login_required
def study_items(org_id: int) -> ResponseReturnValue:
    """What the org's members see, newest first, with how many of them studied each."""
    services = services_of()
    with services.sessions() as session:
        org = _posting_org(session, org_id)
        below = select(Member.id).where(Member.branch_id.in_(subtree_ids(session, org.id)))
        lines = items_seen_by(session, org.id, below)
        total = session.scalar(select(func.count()).select_from(below.subquery())) or 0
        posted_below = items_posted_below(session, org.id) \
            if org.kind != OrgKind.BRANCH else []
        return render_template("console/study_items.html", org=org, lines=lines, total=total,
                               posted_below=posted_below, tz=services.settings.tz,
                               now=services.clock(), OrgKind=OrgKind)


def _form_of(request_form: Any) -> dict[str, str]:
    form = {key: (request_form.get(key) or "").strip() for key in
            ("title", "link", "day", "time", "confirm")}
    form["body"] = (request_form.get("body") or "").replace("\r\n", "\n").strip()
    return form


def _form_page(org: Org, form: dict[str, str], error: str | None = None,
               preview: Any = None, duplicate: StudyItem | None = None,
               status: int = 200) -> ResponseReturnValue:
    return render_template("console/study_form.html", org=org, form=form, error=error,
                           preview=preview, duplicate=duplicate, title_max=TITLE_MAX,
                           body_max=BODY_MAX, link_max=LINK_MAX, images_max=IMAGES_PER_ITEM,
                           is_text=isinstance(preview, str)), status


@bp.get("/org/<int:org_id>/study/new")
@login_required
def new_study_form(org_id: int) -> ResponseReturnValue:
    """The form for posting an item to the org's members."""
    with services_of().sessions() as session:
        org = _posting_org(session, org_id)
        return _form_page(org, {"title": "", "body": "", "link": "", "day": "", "time": "",
                                "confirm": ""})


def _publish_at(form: dict[str, str], tz: Any) -> datetime | None:
    if not form["day"] and not form["time"]:
        return None
    try:
        return datetime.combine(datetime.strptime(form["day"], "%Y-%m-%d").date(),
                                time.fromisoformat(form["time"] or "08:00"), tzinfo=tz)
    except ValueError:
        raise StudyError("POST_BAD_TIME", text=f"{form['day']} {form['time']}") from None


@bp.post("/org/<int:org_id>/study/new")
@login_required
@upload_limit(POST_STUDY_BODY_MAX)
def post_study(org_id: int) -> ResponseReturnValue:
    """预览 shows the item as members will get it; 发布 posts it (photos attached)."""
    services = services_of()
    tz = services.settings.tz
    now = services.clock()
    form = _form_of(request.form)
    uploads = [f for f in request.files.getlist("images") if f and f.filename]
    with services.sessions() as session:
        org = _posting_org(session, org_id)
        try:
            scheduled = _publish_at(form, tz)
            draft = make_draft(form["title"], form["body"], now, link=form["link"] or None,
                               publish_at=scheduled.astimezone(now.tzinfo) if scheduled
                               else None, schedule_text=f"{form['day']} {form['time']}")
            if len(uploads) > IMAGES_PER_ITEM:
                raise DomainError("CONSOLE_STUDY_IMAGES", limit=IMAGES_PER_ITEM,
                                  mb=PHOTO_MAX_BYTES // (1024 * 1024))
            photos = [read_photo(upload) for upload in uploads]
        except DomainError as error:
            return _form_page(org, form, error.render(), status=400)
        if request.form.get("action") == "preview":
            # Numbered as the next item will probably be (a preview, not a promise).
            upcoming = (session.scalar(select(func.max(StudyItem.id))) or 0) + 1
            sample = StudyItem(id=upcoming, title=draft.title, body=draft.body, link=draft.link)
            sample.images = []
            return _form_page(org, form, preview=render_item(sample))
        duplicate = find_duplicate(session, org.id, draft, now)
        if duplicate is not None and form["confirm"] != "yes":
            return _form_page(org, form, duplicate=duplicate, status=409)
        me = member_of_account(session, current_account())
        item = publish(session, org.id, draft, me, now,
                       push_time(draft, now, tz, services.settings.study_push_time))
        try:
            names = keep_photos(session, org.id, STUDY, item.id, photos) if photos else []
        except DomainError as error:  # over the org's quota: nothing posted, form kept
            session.rollback()
            return _form_page(org, form, error.render(), status=400)
        base = (services.settings.public_url or request.host_url).rstrip("/")
        for name in names:
            session.add(StudyItemImage(item_id=item.id, pic_url=base + url_for(
                "console.study.study_image", item_id=item.id, name=name)))
        _audit(session, item, "study.publish", {
            "title": item.title, "org": org.name, "images": len(photos),
            "push_at": item.push_at.isoformat()})
        session.commit()
        moment = texts.POST_OK_NOW if item.push_at <= now else when(item.push_at, tz)
        flash(texts.POST_OK.format(id=item.id, title=item.title, org=org.name, when=moment))
        return redirect(url_for("console.study.study_item", item_id=item.id))


def _item_in_view(session: Session, item_id: int) -> tuple[StudyItem, bool]:
    """The item, and whether the account may change it (it was posted in scope). An
    item posted above the account's org is seen (its members get it), not changed."""
    item = session.get(StudyItem, item_id)
    if item is None:
        abort(404)
    account = current_account()
    if in_scope(session, account, item.org_id):
        return item, True
    if item.org_id in ancestor_ids(session, account.org_id):
        return item, False
    abort(404)


@bp.get("/study/<int:item_id>")
@login_required
def study_item(item_id: int) -> ResponseReturnValue:
    """One item: as members see it, who has not studied it, the 心得 received."""
    services = services_of()
    with services.sessions() as session:
        item, may_change = _item_in_view(session, item_id)
        org = session.get(Org, item.org_id)
        top = item.org_id if may_change else current_account().org_id
        branch_ids = [b.id for b in branches_under(session, top)]
        chosen = request.args.get("branch", type=int)
        if chosen not in branch_ids:
            chosen = branch_ids[0] if len(branch_ids) == 1 else None
        progress = item_progress_by_branch(session, item.id, branch_ids)
        missing = not_studied(session, item.id, chosen) if chosen else None
        feedback = feedback_on(session, item.id, [chosen] if chosen else branch_ids)
        preview = render_item(item)
        return render_template(
            "console/study_item.html", item=item, org=org, may_change=may_change,
            preview=preview, progress=progress, chosen=chosen, missing=missing,
            feedback=feedback, tz=services.settings.tz, now=services.clock(),
            is_text=isinstance(preview, str),
            chosen_name=next((p.name for p in progress if p.branch_id == chosen), ""),
            feedback_kinds=words.FEEDBACK_KIND_NAMES)


def _change(item_id: int, action: str) -> ResponseReturnValue:
    services = services_of()
    now = services.clock()
    released: list[str] = []
    with services.sessions() as session:
        item, may_change = _item_in_view(session, item_id)
        if not may_change:
            abort(404)
        org = session.get(Org, item.org_id)
        assert org is not None
        try:
            if action == "withdraw":
                _, dropped = withdraw_item(session, org, item.id, now)
                message = texts.WITHDRAW_OK.format(
                    id=item.id, title=item.title,
                    dropped=texts.WITHDRAW_DROPPED.format(count=dropped) if dropped else "")
                _audit(session, item, "study.withdraw", {"dropped": dropped})
                # Its photos go with it: rows now, files once this commits.
                released = release_due(session, now, timedelta(0), only=(STUDY, item.id))
            else:
                push_now(session, org, item.id, now)
                message = texts.PUSH_OK.format(id=item.id, title=item.title)
                _audit(session, item, "study.push", {"push_at": now.isoformat()})
            session.commit()
        except DomainError as error:
            session.rollback()
            released = []
            message = error.render()
    remove_files(Path(services.settings.instance_path), released)
    flash(message)
    return redirect(url_for("console.study.study_item", item_id=item_id))


@bp.post("/study/<int:item_id>/withdraw")
@login_required
def withdraw_study(item_id: int) -> ResponseReturnValue:
    """撤回: members who have not studied it no longer see or get it."""
    return _change(item_id, "withdraw")


@bp.post("/study/<int:item_id>/push")
@login_required
def push_study(item_id: int) -> ResponseReturnValue:
    """立即推送: tell members now instead of at the push time."""
    return _change(item_id, "push")


@bp.get("/study-image/<int:item_id>/<name>")
def study_image(item_id: int, name: str) -> ResponseReturnValue:
    """An item's photo, for members' phones (no login: WeChat opens it from the chat).
    Only a published, not withdrawn item's own photos; names are random."""
    services = services_of()
    with services.sessions() as session:
        item = session.get(StudyItem, item_id)
        if item is None or item.withdrawn_at is not None or item.publish_at > services.clock() \
                or not STORED_NAME.match(name) \
                or not any(image.pic_url and image.pic_url.endswith("/" + name)
                           for image in item.images):
            abort(404)
    return send_photo(photo_folder(STUDY, item_id), name, private=False)
