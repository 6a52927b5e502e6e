"""The mini-program's API under /api/v1 (JSON; errors as problem+json).

`register_api` builds the blueprint from ENDPOINTS when create_app calls it: the same
table gives Flask its routes and the OpenAPI document its operations. No cookie
session is opened for these paths (bot.ConsoleOnlySessions): a call is authenticated
by its Bearer token alone.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, Flask, Response, jsonify

from bot.api import account, helper, meetings, photos, record, study, subscriptions
from bot.api.admin_endpoints import ADMIN_ENDPOINTS
from bot.api.openapi import PREFIX, build_document
from bot.api.runner import Endpoint, run
from bot.api.schemas import (
    BindIn,
    BindOut,
    FeedbackIn,
    FeedbackSavedOut,
    LoginIn,
    LoginOut,
    LogoutOut,
    MeOut,
    PageQuery,
    StudiedOut,
    StudyItemOut,
    StudyListOut,
)
from bot.console.uploads import PHOTO_MAX_BYTES
from bot.request_guard import allow_upload, upload_limit

VERSION = "1.0.0"
FEEDBACK_PHOTO_BODY_MAX = PHOTO_MAX_BYTES + 64 * 1024  # one photo and the form around it

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", "/login", account.login, "Log in with a wx.login code",
             LoginOut, body=LoginIn, auth=False, member=False,
             errors=(401, 429, 502, 503)),
    Endpoint("POST", "/bind", account.bind, "Bind to a roster member (name, phone tail)",
             BindOut, body=BindIn, member=False, writes=True, errors=(404, 409)),
    Endpoint("GET", "/me", account.me, "Who I am", MeOut),
    Endpoint("POST", "/logout", account.logout, "End this token", LogoutOut, member=False,
             writes=True),
    Endpoint("GET", "/study", study.study_list, "Study items, newest first", StudyListOut,
             query=PageQuery),
    Endpoint("GET", "/study/<int:item_id>", study.study_item, "One study item",
             StudyItemOut),
    Endpoint("POST", "/study/<int:item_id>/done", study.study_done, "Mark as studied",
             StudiedOut, writes=True),
    Endpoint("POST", "/study/<int:item_id>/feedback", study.study_feedback,
             "Text feedback on a studied item", FeedbackSavedOut, body=FeedbackIn, writes=True,
             errors=(409,)),
)
ENDPOINTS += meetings.ENDPOINTS + helper.ENDPOINTS + record.ENDPOINTS + subscriptions.ENDPOINTS
ENDPOINTS += ADMIN_ENDPOINTS
ENDPOINTS += (
    Endpoint("POST", "/study/<int:item_id>/feedback/photo", photos.study_feedback_photo,
             "A photo as feedback on a studied item (multipart, field `photo`)",
             FeedbackSavedOut, upload=photos.UPLOAD_FIELD, writes=True, errors=(409,)),
)


def register_api(app: Flask) -> None:
    """Serve ENDPOINTS and the OpenAPI document under /api/v1."""
    bp = Blueprint("api", __name__, url_prefix=PREFIX)
    bp.before_request(allow_upload)  # a 心得 photo's body, for a live token only
    for endpoint in ENDPOINTS:
        bp.add_url_rule(endpoint.path, endpoint.operation_id, _view(endpoint),
                        methods=[endpoint.method])

    def openapi_json() -> Response:
        """The OpenAPI 3.1 document."""
        return jsonify(_document())

    bp.add_url_rule("/openapi.json", "openapi", openapi_json, methods=["GET"])
    # a kept photo behind a signed link (an <image> cannot send the token): not JSON
    bp.add_url_rule("/photos/<int:item_id>/<name>", "photo", photos.serve_photo,
                    methods=["GET"])
    app.register_blueprint(bp)


@functools.cache
def _document() -> dict[str, Any]:
    """The document, built at its first request: ENDPOINTS are fixed at import, and
    building it (pydantic's schemas) was a quarter of every app's start."""
    return build_document(ENDPOINTS, VERSION)


def _view(endpoint: Endpoint) -> Any:
    def view(**path_args: Any) -> Response:
        return run(endpoint, path_args)

    view.__name__ = endpoint.operation_id
    if endpoint.upload is not None:  # a larger body, for a live token only (request_guard)
        view = upload_limit(FEEDBACK_PHOTO_BODY_MAX)(view)
    return view


def is_api_path(path: str) -> bool:
    """Whether a request path is the API's (its errors are problem+json)."""
    return path == PREFIX or path.startswith(PREFIX + "/")
