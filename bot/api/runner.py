"""How every /api/v1 call runs: the endpoint table's entry says what the call needs, and
`run` does it in this order — the Bearer token checked and the call counted (its own
short committed transaction), the query and body validated (pydantic), then the view
with a session of its own (a write session for changes: on SQLite it takes the write
lock up front), committed when the view returns; a `DomainError` rolls back and is a
problem+json answer with the catalog's sentence.

Rate limit: per token, `PARTYBOT_API_RATE_PER_MINUTE` calls in a fixed one-minute
window, counted on the token's row (models.api.tokens.use_token), so the limit holds
however many workers on however many hosts answer.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from flask import Response, request
from pydantic import BaseModel, ValidationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.api.problems import Problem
from bot.api.schemas import Body, Out
from bot.services import Services, services_of
from core import texts
from models.actors import Actor, Surface
from models.api.tokens import Caller, use_token
from models.db.write_gate import write_session
from models.errors import DomainError
from models.members.tables import Member

log = logging.getLogger(__name__)
T = TypeVar("T")

# Domain refusals that mean "not there for you" (another branch's item, a withdrawn one).
NOT_FOUND_KEYS = frozenset({"STUDY_NO_SUCH_ITEM", "STUDY_WITHDRAWN"})


@dataclass
class Call:
    """What a view gets: the session, the time, the caller, the member the token speaks
    for (id, branch and name; the ORM object on first use of `me`) and the validated
    input."""

    session: Session
    services: Services
    now: datetime
    caller: Caller | None
    member: MemberRow | None
    body: Any = None
    query: Any = None
    path: dict[str, Any] = field(default_factory=dict)
    _me: Member | None = None

    @property
    def me(self) -> Member:
        """The bound member (endpoints marked `member=True` always have one)."""
        if self._me is None:
            assert self.member is not None
            self._me = self.session.get(Member, self.member.id)
            assert self._me is not None
        return self._me

    def committed(self, work: Callable[[Session], T]) -> T:
        """Run `work` in a short write transaction of its own, committed at once: what
        must be written around a call to WeChat, which no open transaction may wait on
        (on SQLite it would hold every writer, the webhook's too)."""
        with write_session(self.services.engine) as session:
            result = work(session)
            session.commit()
        return result

    @property
    def actor(self) -> Actor:
        """The member acting through the mini-program (audit surface "api")."""
        assert self.member is not None
        return Actor.member(self.member.id, self.member.name, Surface.API)


@dataclass(frozen=True)
class MemberRow:
    """The few columns of the member most calls need (no ORM object)."""

    id: int
    branch_id: int
    name: str


_MEMBER_ROW = select(Member.id, Member.branch_id, Member.name).where(
    Member.id == bindparam("member_id"))


View = Callable[[Call], BaseModel]


@dataclass(frozen=True)
class Endpoint:
    """One operation: method, path (Flask syntax, under /api/v1), view and contract."""

    method: str
    path: str
    view: View
    summary: str
    response: type[Out] | None
    body: type[Body] | None = None
    query: type[Body] | None = None
    auth: bool = True  # a Bearer token is required
    member: bool = True  # ... and it must speak for a bound member
    writes: bool = False
    errors: tuple[int, ...] = ()  # beyond what auth, body and query bring
    content_type: str = "application/json"
    upload: str | None = None  # a multipart body with this file field (wx.uploadFile)

    @property
    def operation_id(self) -> str:
        """A stable name for the operation (the view's name)."""
        return self.view.__name__

    def statuses(self) -> list[int]:
        """Every error status this operation may answer."""
        found = set(self.errors)
        if self.auth:
            found |= {401, 429}
        if self.member:
            found.add(403)
        if self.body is not None or self.upload is not None:
            found |= {400, 413}
        if self.query is not None:
            found.add(400)
        if "<" in self.path:
            found.add(404)
        return sorted(found)


def run(endpoint: Endpoint, path_args: dict[str, Any]) -> Response:
    """Answer one call to `endpoint` (errors as problem+json)."""
    try:
        return _run(endpoint, path_args)
    except Problem as problem:
        level = logging.WARNING if problem.status >= 500 else logging.INFO
        log.log(level, "api %s %s: %s %s", request.method, endpoint.path, problem.status,
                problem.kind)
        return problem.response()


def _run(endpoint: Endpoint, path_args: dict[str, Any]) -> Response:
    services = services_of()
    now = services.clock()
    caller = _authenticate(services, now) if endpoint.auth else None
    query = _validate(endpoint.query, dict(request.args), texts.API_BAD_QUERY) \
        if endpoint.query is not None else None
    body = _validate(endpoint.body, _json_object(), texts.API_BAD_BODY) \
        if endpoint.body is not None else None
    opened = write_session(services.engine) if endpoint.writes else services.sessions()
    with opened as session:
        member = None
        if caller is not None and caller.member_id is not None:
            row = session.execute(_MEMBER_ROW, {"member_id": caller.member_id}).first()
            member = MemberRow(*row) if row is not None else None
        if endpoint.member and member is None:
            raise Problem("not-bound", texts.API_NEED_BINDING)
        call = Call(session, services, now, caller, member, body, query, path_args)
        try:
            result = endpoint.view(call)
        except DomainError as error:
            return _refusal(endpoint, error, session)
        if endpoint.writes:
            session.commit()
    return Response(result.model_dump_json(), status=200, mimetype=endpoint.content_type)


def _refusal(endpoint: Endpoint, error: DomainError, session: Session) -> Response:
    log.info("api %s %s refused: %s", request.method, endpoint.path, error.key)
    if error.keep_writes:  # e.g. a wrong 签到码, counted against the caller
        session.commit()
    else:
        session.rollback()
    kind = "not-found" if error.key in NOT_FOUND_KEYS else "refused"
    return Problem(kind, error.render(), key=error.key).response()


def _authenticate(services: Services, now: datetime) -> Caller:
    """The Bearer token's holder, with this call counted; 401 / 429 problems otherwise."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Problem("token-missing", texts.API_TOKEN_MISSING)
    if len(token) > 200 or not token.isascii() or not token.isprintable():
        raise Problem("token-invalid", texts.API_TOKEN_INVALID)
    with write_session(services.engine) as session:
        caller = use_token(session, token, now)
        session.commit()
    if caller is None:
        raise Problem("token-invalid", texts.API_TOKEN_INVALID)
    limit = services.settings.api_rate_per_minute
    if caller.calls > limit:
        wait = max(1, math.ceil((caller.window_ends - now).total_seconds()))
        log.info("api: token %s over %d calls a minute", caller.token_id, limit)
        raise Problem("rate-limited", texts.API_RATE_LIMITED.format(seconds=wait),
                      headers={"Retry-After": str(wait)})
    return caller


def _json_object() -> dict[str, Any]:
    """The body as a JSON object, without lone surrogates (no database stores one)."""
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict) or _has_surrogate(data):
        raise Problem("bad-request", texts.API_BAD_BODY_NOT_JSON)
    return data


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


def _validate(model: type[Body], data: dict[str, Any], sentence: str) -> Any:
    """`data` as `model`, or a 400 naming the fields that are wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = sorted({".".join(str(part) for part in error["loc"]) or "body"
                         for error in exc.errors()})
        raise Problem("bad-request", sentence.format(reason=", ".join(fields)),
                      errors=[{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                              for e in exc.errors(include_url=False, include_input=False)]
                      ) from None
