"""The fake's users: user tags (create, list, tag and untag in batches, WeChat's limits)
and user info (anyone asked about follows the account)."""

from __future__ import annotations

import time

from flask import Blueprint, Response, request

from bot.sandbox.fake_http import answer, fake_state, json_body, refused
from core import texts

bp = Blueprint("fake_users", __name__)

TAG_NAME_CHARS = 30
TAGGING_BATCH = 50
TAGS_PER_USER = 20
FIRST_TAG_ID = 100  # the first id the fake hands out


@bp.post("/cgi-bin/tags/create")
def tags_create() -> Response:
    """A user tag: a name of at most 30 characters, not used by another tag."""
    if (bad := refused("tags/create")) is not None:
        return bad
    name = str((json_body().get("tag") or {}).get("name") or "")
    state = fake_state()
    if not name or len(name) > TAG_NAME_CHARS:
        return answer({"errcode": 45158, "errmsg": "tag name too long"})
    with state.lock:
        if name in state.tags.values():
            return answer({"errcode": 45157, "errmsg": "invalid tag name"})
        tag_id = FIRST_TAG_ID + len(state.tags)
        state.tags[tag_id] = name
    return answer({"tag": {"id": tag_id, "name": name}})


@bp.get("/cgi-bin/tags/get")
def tags_get() -> Response:
    """The account's tags, with how many users carry each."""
    if (bad := refused("tags/get")) is not None:
        return bad
    state = fake_state()
    with state.lock:
        tags = [{"id": tag_id, "name": name,
                 "count": sum(tag_id in ids for ids in state.user_tags.values())}
                for tag_id, name in state.tags.items()]
    return answer({"tags": tags})


@bp.post("/cgi-bin/tags/members/batchtagging")
def tags_batch_tagging() -> Response:
    """Tag up to 50 users at once (all or none)."""
    return _tagging("tags/members/batchtagging", add=True)


@bp.post("/cgi-bin/tags/members/batchuntagging")
def tags_batch_untagging() -> Response:
    """Untag up to 50 users at once (all or none)."""
    return _tagging("tags/members/batchuntagging", add=False)


def _tagging(endpoint: str, add: bool) -> Response:
    if (bad := refused(endpoint)) is not None:
        return bad
    body = json_body()
    openids = body.get("openid_list")
    state = fake_state()
    if not isinstance(openids, list) or not openids:
        return answer({"errcode": 40032, "errmsg": "invalid openid list size"})
    if len(openids) > TAGGING_BATCH:
        return answer({"errcode": 40032, "errmsg": "invalid openid list size, more than 50"})
    tag_id = body.get("tagid")
    with state.lock:
        if tag_id not in state.tags:
            return answer({"errcode": 45159, "errmsg": "invalid tag id"})
        if any(openid in state.unknown_openids for openid in openids):
            return answer({"errcode": 40003, "errmsg": "invalid openid"})
        for openid in openids:
            mine = state.user_tags.setdefault(openid, set())
            if add and tag_id not in mine and len(mine) >= TAGS_PER_USER:
                return answer({"errcode": 45059, "errmsg": "too many tags on a user"})
            (mine.add if add else mine.discard)(tag_id)
    return answer({"errcode": 0, "errmsg": "ok"})


@bp.get("/cgi-bin/user/info")
def user_info() -> Response:
    """Anyone the fake is asked about follows the account."""
    if (bad := refused("user/info")) is not None:
        return bad
    openid = request.args.get("openid", "")
    nickname = texts.SANDBOX_USER.format(openid=openid[-4:])
    return answer({"subscribe": 1, "openid": openid, "nickname": nickname,
                   "language": "zh_CN", "subscribe_time": int(time.time())})
