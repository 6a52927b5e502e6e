"""The OpenAPI 3.1 document, generated from the endpoint table and the pydantic models
(GET /api/v1/openapi.json): nothing is written twice, so the document cannot drift from
what the views validate and return."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from bot.api.problems import KINDS, MEDIA_TYPE, TYPE_PREFIX
from bot.api.runner import Endpoint
from bot.api.schemas import ID_MAX, ProblemOut

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_STATUS_TEXT = {400: "Bad request", 401: "No, bad, expired or revoked token",
                403: "The token speaks for no bound member (or not for a helper)",
                404: "Not found (or not yours)",
                409: "Refused (the catalog's sentence says why)", 413: "Body too large",
                429: "Too many requests (see Retry-After)", 502: "WeChat unavailable",
                503: "Not configured"}


def openapi_path(path: str) -> str:
    """Flask's `/study/<int:item_id>` as OpenAPI's `/study/{item_id}`."""
    return _PARAM.sub(lambda m: "{" + m.group(2) + "}", path)


def build_document(endpoints: Sequence[Endpoint], version: str) -> dict[str, Any]:
    """The whole document."""
    bodies = {e.body for e in endpoints if e.body is not None}
    outs = {ProblemOut} | {e.response for e in endpoints if e.response is not None}
    pairs: list[tuple[type[BaseModel], Any]] = \
        [(m, "validation") for m in sorted(bodies, key=_name)] + \
        [(m, "serialization") for m in sorted(outs, key=_name)]
    refs, definitions = models_json_schema(pairs, ref_template=REF)
    schemas = dict(definitions.get("$defs", {}))
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        operation = _operation(endpoint, refs)
        paths.setdefault(PREFIX + openapi_path(endpoint.path), {})[
            endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "partybot mini-program API", "version": version,
                 "description": "JSON for the partybot mini-program. Errors are "
                                "application/problem+json (RFC 9457); `detail` is the "
                                "sentence to show the member. Problem types: " +
                                ", ".join(TYPE_PREFIX + kind for kind in KINDS) + "."},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "the token POST /login gave"}},
        },
    }


def _name(model: type[BaseModel]) -> str:
    return model.__name__


def _ref(refs: dict[Any, Any], model: type[BaseModel], mode: str) -> dict[str, Any]:
    return dict(refs[(model, mode)])


def _operation(endpoint: Endpoint, refs: dict[Any, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": endpoint.operation_id,
        "summary": endpoint.summary,
        "description": (endpoint.view.__doc__ or endpoint.summary).strip(),
        "security": [{"bearer": []}] if endpoint.auth else [],
    }
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "integer", "minimum": 0, "maximum": ID_MAX}}
                  for _, name in _PARAM.findall(endpoint.path)]
    if endpoint.query is not None:
        schema = endpoint.query.model_json_schema()
        for name, prop in schema.get("properties", {}).items():
            parameters.append({"name": name, "in": "query", "required": False,
                               "schema": {k: v for k, v in prop.items() if k != "title"}})
    if parameters:
        operation["parameters"] = parameters
    if endpoint.body is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": _ref(refs, endpoint.body, "validation")}}}
    if endpoint.upload is not None:
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {
            "schema": {"type": "object", "required": [endpoint.upload], "properties": {
                endpoint.upload: {"type": "string", "format": "binary"}}}}}}
    responses: dict[str, Any] = {}
    if endpoint.response is not None:
        responses["200"] = {"description": "OK", "content": {
            endpoint.content_type: {"schema": _ref(refs, endpoint.response, "serialization")}}}
    problem = {MEDIA_TYPE: {"schema": _ref(refs, ProblemOut, "serialization")}}
    for status in endpoint.statuses():
        answer: dict[str, Any] = {"description": _STATUS_TEXT.get(status, "Error"),
                                  "content": problem}
        if status == 429:
            answer["headers"] = {"Retry-After": {"description": "seconds to wait",
                                                 "schema": {"type": "integer"}}}
        if status == 401:
            answer["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        responses[str(status)] = answer
    operation["responses"] = responses
    return operation
