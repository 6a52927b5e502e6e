"""Study in the console: an org's items (what its members see) with how many studied;
posting one in a form (paragraphs, photos, a link, a time), previewed exactly as
members will get it in chat; one item's page — who has not studied it, per branch,
the 心得 received (words, photos, voice), 修改, 立即推送 and 撤回.

Every change is the chat's own action (models.study.actions), as the console's actor,
in the request's one session (bot.console.request_db); the preview is the chat's own
rendering (models.study.rendering).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.console.access import console_actor, current_account, login_required, scoped_org
from bot.console.request_db import db, refusal_form, refusal_goes_to, save
from bot.console.study_photos import (
    add_chosen,
    drop_all,
    drop_ticked,
    give_to_item,
    held_in_form,
    refuse_if_missing,
    remove_after_commit,
)
from bot.console.uploads import PHOTO_MAX_BYTES, STORED_NAME, photo_folder, send_photo
from bot.request_guard import upload_limit
from bot.services import services_of
from core import texts, words
from models.console.accounts import in_scope, member_of_account
from models.db.stored_files import FEEDBACK, PREVIEW, STUDY, StoredFile, remove_files
from models.delivery.outbox import Notice
from models.errors import StudyError
from models.members.org_tables import Org, OrgKind
from models.members.orgs import branches_under, subtree_ids
from models.members.tables import Member, live_member
from models.study.actions import (
    ItemEdit,
    ItemImage,
    PushTimes,
    edit_item,
    publish_post,
    push_item_now,
    withdraw_item,
)
from models.study.photo_copies import item_photos
from models.study.posting import make_draft
from models.study.queries import ancestor_ids
from models.study.rendering import (
    item_message,
    photos_promise,
    published_sentence,
    withdrawn_sentence,
)
from models.study.reports import (
    audience_sizes,
    feedback_on,
    item_progress_by_branch,
    items_posted_below,
    items_seen_by,
    not_studied,
)
from models.study.tables import (
    BODY_MAX,
    LINK_MAX,
    TITLE_MAX,
    StudyItem,
    StudyItemImage,
    StudyRecord,
)

bp = Blueprint("study", __name__)  # registered under the console in bot/console/__init__.py

IMAGES_PER_ITEM = 9
POST_STUDY_BODY_MAX = IMAGES_PER_ITEM * PHOTO_MAX_BYTES + 256 * 1024


def _posting_org(session: Session, org_id: int) -> Org:
    """An org in scope that items can be posted to (not a 党小组)."""
    return scoped_org(session, org_id, (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH,
                                        OrgKind.BRANCH))


@bp.get("/org/<int:org_id>/study")
@login_required
def study_items(org_id: int) -> ResponseReturnValue:
    """What the org's members see, newest first, with how many of them studied each."""
    services = services_of()
    session = db()
    org = _posting_org(session, org_id)
    branch_ids = subtree_ids(session, org.id)
    below = select(Member.id).where(Member.branch_id.in_(branch_ids))
    lines = items_seen_by(session, org.id, below)  # records: a forgotten member's count too
    # each item's "of N": its audience (forgotten members only for items before the forget)
    audiences = audience_sizes(session, branch_ids, [line.item for line in lines])
    total = session.scalar(select(func.count(Member.id)).where(
        Member.branch_id.in_(branch_ids), live_member())) or 0
    posted_below = items_posted_below(session, org.id) if org.kind != OrgKind.BRANCH else []
    return render_template("console/study_items.html", org=org, lines=lines, total=total,
                           audiences=audiences,
                           posted_below=posted_below, tz=services.settings.tz,
                           now=services.clock(), OrgKind=OrgKind)


def _form_of(request_form: Any) -> dict[str, str]:
    form = {key: (request_form.get(key) or "").strip() for key in
            ("title", "link", "day", "time", "confirm")}
    form["body"] = (request_form.get("body") or "").replace("\r\n", "\n").strip()
    return form


def _form_html(org: Org, form: dict[str, str], error: str | None = None,
               preview: Any = None, duplicate: StudyItem | None = None,
               photos: Sequence[str] = (), promise: str = "") -> str:
    """The form; `photos` are the stored names it holds (shown, carried to 发布)."""
    return render_template("console/study_form.html", org=org, form=form, error=error,
                           preview=preview, duplicate=duplicate, title_max=TITLE_MAX,
                           body_max=BODY_MAX, link_max=LINK_MAX, images_max=IMAGES_PER_ITEM,
                           is_text=isinstance(preview, str), photos=photos, promise=promise)


@bp.get("/org/<int:org_id>/study/new")
@login_required
def new_study_form(org_id: int) -> ResponseReturnValue:
    """The form for posting an item to the org's members."""
    org = _posting_org(db(), org_id)
    return _form_html(org, {"title": "", "body": "", "link": "", "day": "", "time": "",
                            "confirm": ""})


def _publish_at(form: dict[str, str], tz: ZoneInfo, now: datetime) -> datetime | None:
    """The form's date and time (local), in the clock's zone; None when both are empty."""
    if not form["day"] and not form["time"]:
        return None
    try:
        moment = datetime.combine(datetime.strptime(form["day"], "%Y-%m-%d").date(),
                                  time.fromisoformat(form["time"] or "08:00"), tzinfo=tz)
    except ValueError:
        raise StudyError("POST_BAD_TIME", text=f"{form['day']} {form['time']}") from None
    return moment.astimezone(now.tzinfo)


@bp.post("/org/<int:org_id>/study/new")
@login_required
@upload_limit(POST_STUDY_BODY_MAX)
def post_study(org_id: int) -> ResponseReturnValue:
    """预览 shows the item as members will get it and keeps the photos chosen; 发布 posts
    it with them; 放弃 lets them go (bot.console.study_photos)."""
    services = services_of()
    settings = services.settings
    now = services.clock()
    form = _form_of(request.form)
    uploads = [f for f in request.files.getlist("images") if f and f.filename]
    session = db()
    org = _posting_org(session, org_id)
    held: list[str] = []  # what a refusal shows: the photos held before this request
    refusal_form(lambda sentence: _form_html(org, form, sentence, photos=held))
    photos = held_in_form(session, org.id, request)
    held += photos.names
    refuse_if_missing(photos)
    if request.form.get("action") == "discard":
        count = drop_all(session, photos)
        save()
        remove_after_commit(photos)
        flash(texts.CONSOLE_STUDY_DISCARDED.format(count=count))
        return redirect(url_for("console.study.study_items", org_id=org.id))
    drop_ticked(session, photos, request.form.getlist("drop"))
    post = make_draft(form["title"], form["body"], now, link=form["link"] or None,
                      publish_at=_publish_at(form, settings.tz, now),
                      schedule_text=f"{form['day']} {form['time']}")
    add_chosen(session, org.id, photos, uploads, IMAGES_PER_ITEM,
               PHOTO_MAX_BYTES // (1024 * 1024))
    base = (settings.public_url or request.host_url).rstrip("/")

    def image_url(item_id: int, name: str) -> str:
        return base + url_for("console.study.study_image", item_id=item_id, name=name)

    if request.form.get("action") == "preview":
        # Numbered as the next item will probably be (a preview, not a promise).
        upcoming = (session.scalar(select(func.max(StudyItem.id))) or 0) + 1
        sample = StudyItem(id=upcoming, title=post.title, body=post.body, link=post.link)
        sample.images = [StudyItemImage(pic_url=image_url(upcoming, name))
                         for name in photos.names]
        promise = photos_promise(post.link, sample.images, _by_template())
        page = _form_html(org, form, preview=item_message(sample), photos=photos.names,
                          promise=promise)
        save()  # the photos stay for 发布
        remove_after_commit(photos)
        return page

    def stored(item: StudyItem) -> list[ItemImage]:
        """The photos, moved under the item's number, each linked to its stored file."""
        ids = {row.name: row.id for row in photos.held}
        return [ItemImage(pic_url=image_url(item.id, name), stored_file_id=ids.get(name))
                for name in give_to_item(session, photos, STUDY, item.id)]

    published = publish_post(session, console_actor(), org, post, now,
                             PushTimes(settings.tz, settings.study_push_time),
                             author=member_of_account(session, current_account()),
                             confirmed=form["confirm"] == "yes", images=stored)
    if published.item is None:  # a repeat: asked to confirm, the photos still held
        page = _form_html(org, form, duplicate=published.duplicate, photos=photos.names)
        save()
        remove_after_commit(photos)
        return page, 409
    item_id = published.item.id
    message = published_sentence(published.item, org.name, now, settings.tz)
    save()
    remove_after_commit(photos)
    flash(message)
    return redirect(url_for("console.study.study_item", item_id=item_id))


def _by_template() -> bool:
    """Whether members are told of an item by a template message (no picture there)."""
    return services_of().outbox.template_of(Notice("study_push", "")) is not None


@bp.get("/study-preview-image/<name>")
@login_required
def study_preview_image(name: str) -> ResponseReturnValue:
    """A photo held by the account's preview (for the form's thumbnails)."""
    session = db()
    row = session.scalar(select(StoredFile).where(
        StoredFile.owner == PREVIEW, StoredFile.name == name,
        StoredFile.stored_by == current_account().key))
    if row is None or not STORED_NAME.match(name):
        abort(404)
    return send_photo(photo_folder(PREVIEW, row.owner_id), name, private=True)


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
    session = db()
    item, may_change = _item_in_view(session, item_id)
    org = item.org
    top = item.org_id if may_change else current_account().org_id
    branch_ids = [b.id for b in branches_under(session, top)]
    chosen = request.args.get("branch", type=int)
    if chosen not in branch_ids:
        chosen = branch_ids[0] if len(branch_ids) == 1 else None
    progress = item_progress_by_branch(session, item.id, branch_ids)
    missing = not_studied(session, item.id, chosen) if chosen else None
    feedback = feedback_on(session, item.id, [chosen] if chosen else branch_ids)
    preview = item_message(item)
    # A chat photo not (yet) kept in our storage: why, for the secretary.
    photo_notes = [photo.note for photo in item_photos(session, item.id, lambda *_: "")
                   if photo.note]
    return render_template(
        "console/study_item.html", item=item, org=org, may_change=may_change,
        photo_notes=photo_notes,
        preview=preview, progress=progress, chosen=chosen, missing=missing,
        feedback=feedback, tz=services.settings.tz, now=services.clock(),
        is_text=isinstance(preview, str),
        chosen_name=next((p.name for p in progress if p.branch_id == chosen), ""),
        feedback_kinds=words.FEEDBACK_KIND_NAMES)


def _changeable(session: Session, item_id: int) -> tuple[StudyItem, Org]:
    """The item and its org, if the account may change it (404 otherwise); a refusal
    is flashed on the item's page."""
    item, may_change = _item_in_view(session, item_id)
    org = item.org
    if not may_change:
        abort(404)
    refusal_goes_to(url_for("console.study.study_item", item_id=item_id))
    return item, org


def _edit_form_of(item: StudyItem, tz: ZoneInfo) -> dict[str, str]:
    local = item.publish_at.astimezone(tz)
    return {"title": item.title, "body": item.body, "link": item.link or "",
            "day": local.strftime("%Y-%m-%d"), "time": local.strftime("%H:%M")}


def _edit_html(item: StudyItem, form: dict[str, str], error: str | None = None) -> str:
    return render_template("console/study_edit.html", item=item, form=form, error=error,
                           title_max=TITLE_MAX, body_max=BODY_MAX, link_max=LINK_MAX)


@bp.get("/study/<int:item_id>/edit")
@login_required
def edit_study_form(item_id: int) -> ResponseReturnValue:
    """The item's words, link and (until members are told) time, to change."""
    item, _ = _changeable(db(), item_id)
    return _edit_html(item, _edit_form_of(item, services_of().settings.tz))


@bp.post("/study/<int:item_id>/edit")
@login_required
def edit_study(item_id: int) -> ResponseReturnValue:
    """修改: the same limits as a new post; a new time only before the push."""
    services = services_of()
    now = services.clock()
    session = db()
    item, org = _changeable(session, item_id)
    form = _form_of(request.form)
    refusal_form(lambda sentence: _edit_html(item, form, sentence))
    old = _edit_form_of(item, services.settings.tz)
    moved = (form["day"], form["time"]) != (old["day"], old["time"]) \
        and item.pushed_at is None
    edit_item(session, console_actor(), org, item.id, ItemEdit(
        form["title"], form["body"], form["link"] or None,
        _publish_at(form, services.settings.tz, now) if moved else None,
        f"{form['day']} {form['time']}"), now)
    message = texts.STUDY_EDITED.format(id=item.id, title=item.title)
    save()
    flash(message)
    return redirect(url_for("console.study.study_item", item_id=item_id))


@bp.post("/study/<int:item_id>/withdraw")
@login_required
def withdraw_study(item_id: int) -> ResponseReturnValue:
    """撤回: members who have not studied it no longer see or get it."""
    services = services_of()
    session = db()
    _, org = _changeable(session, item_id)
    done = withdraw_item(session, console_actor(), org, item_id, services.clock(),
                         release_photos=True)
    message = withdrawn_sentence(done.item, done.dropped)
    save()
    # Its photos go with it: the rows went in the action, the files once it is saved.
    remove_files(Path(services.settings.instance_path), done.released_files)
    flash(message)
    return redirect(url_for("console.study.study_item", item_id=item_id))


@bp.post("/study/<int:item_id>/push")
@login_required
def push_study(item_id: int) -> ResponseReturnValue:
    """立即推送: tell members now instead of at the push time."""
    session = db()
    _, org = _changeable(session, item_id)
    item = push_item_now(session, console_actor(), org, item_id, services_of().clock())
    message = texts.PUSH_OK.format(id=item.id, title=item.title)
    save()
    flash(message)
    return redirect(url_for("console.study.study_item", item_id=item_id))


@bp.get("/study-image/<int:item_id>/<name>")
def study_image(item_id: int, name: str) -> ResponseReturnValue:
    """An item's photo, for members' phones (no login: WeChat opens it from the chat).
    Only a published, not withdrawn item's own photos; names are random."""
    item = db().get(StudyItem, item_id)
    if item is None or item.withdrawn_at is not None or item.publish_at > services_of().clock() \
            or not STORED_NAME.match(name) \
            or not any(image.pic_url and image.pic_url.endswith("/" + name)
                       for image in item.images):
        abort(404)
    return send_photo(photo_folder(STUDY, item_id), name, private=False)


@bp.get("/study-feedback/<int:record_id>/<name>")
@login_required
def feedback_photo(record_id: int, name: str) -> ResponseReturnValue:
    """A 心得 photo a member sent from their pages (models.study.actions.give_feedback_on),
    for accounts whose scope holds the member's branch; 404 otherwise."""
    session = db()
    branch_id = session.scalar(
        select(Member.branch_id).join(StudyRecord, StudyRecord.member_id == Member.id)
        .join(StoredFile, (StoredFile.owner == FEEDBACK)
              & (StoredFile.owner_id == StudyRecord.id))
        .where(StudyRecord.id == record_id, StoredFile.name == name))
    if branch_id is None or not STORED_NAME.match(name) \
            or not in_scope(session, current_account(), branch_id):
        abort(404)
    return send_photo(photo_folder(FEEDBACK, record_id), name, private=True)
