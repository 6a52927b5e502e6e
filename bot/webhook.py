"""`/wechat`: verify → decrypt → dedupe → dispatch → reply (DESIGN.md section 3).

Bad input never reaches a handler and never causes a 5xx: a wrong signature or a
stale timestamp is 403, a malformed body 400, an oversized one 413 (Flask's
MAX_CONTENT_LENGTH), each with a log line that says why.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, current_app, request

from bot.inbox import SUCCESS, ReplayedSignature
from bot.services import Services, services_of
from core.metrics import WebhookCounts, message_kind
from core.signing import BadEnvelope, BadSignature, check_signature, sign
from core.wxml import Inbound, MalformedXML, parse_xml, to_inbound

log = logging.getLogger(__name__)

bp = Blueprint("webhook", __name__)
XML = "application/xml"


class BadRequest(ValueError):
    """The request is malformed (answer 400)."""


class StaleTimestamp(BadSignature):
    """The timestamp is too far from our clock (answer 403)."""


def _plain(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/plain")


def _refuse(status: int, reason: str) -> Response:
    log.warning("refused %s /wechat from %s: %s", request.method, request.remote_addr, reason)
    return _plain({400: "bad request", 403: "forbidden"}.get(status, "error"), status)


def _check_timestamp(services: Services, timestamp: str) -> None:
    tolerance = services.settings.timestamp_tolerance
    if tolerance <= 0:
        return
    try:
        sent = int(timestamp)
    except ValueError:
        raise BadSignature(f"timestamp is not a number: {timestamp[:20]!r}") from None
    skew = abs(services.clock().timestamp() - sent)
    if skew > tolerance:
        raise StaleTimestamp(f"timestamp {skew:.0f}s away from our clock (limit {tolerance}s)")


def _args(query: Mapping[str, str], *names: str) -> list[str]:
    values = [query.get(name, "") for name in names]
    missing = [name for name, value in zip(names, values, strict=True) if not value]
    if missing:
        raise BadRequest(f"missing query parameter(s): {', '.join(missing)}")
    return values


@bp.get("/wechat")
def verify_url() -> Response:
    """WeChat's URL check when the server address is saved in the console."""
    services = services_of()
    try:
        signature, timestamp, nonce, echostr = _args(request.args, "signature", "timestamp",
                                                     "nonce", "echostr")
        check_signature((services.settings.wechat_token, timestamp, nonce), signature)
        _check_timestamp(services, timestamp)
    except BadRequest as exc:
        return _refuse(400, str(exc))
    except BadSignature as exc:
        return _refuse(403, str(exc))
    return _plain(echostr)


INBOUND_LISTENERS = "partybot.inbound_listeners"  # in app.extensions


def listen_to_inbound(app: Flask, listener: Callable[[Inbound], None]) -> None:
    """Show `listener` every message that passed the checks, before it is handled (the
    fake WeChat API serving in this process counts users' actions as WeChat does)."""
    app.extensions.setdefault(INBOUND_LISTENERS, []).append(listener)


def listeners_of(app: Flask) -> list[Callable[[Inbound], None]]:
    """Who listens to `app`'s verified messages (the sandbox, when it is mounted)."""
    found: list[Callable[[Inbound], None]] = app.extensions.get(INBOUND_LISTENERS, [])
    return found


@dataclass(frozen=True)
class Answer:
    """What /wechat answers: status, body and its type."""

    status: int
    body: str
    mimetype: str = "text/plain"


def _refused(status: int, reason: str, remote_addr: str | None) -> Answer:
    log.warning("refused POST /wechat from %s: %s", remote_addr, reason)
    return Answer(status, {400: "bad request", 403: "forbidden"}.get(status, "error"))


def answer(services: Services, args: Mapping[str, str], read_body: Callable[[], bytes],
           remote_addr: str | None,
           listeners: Iterable[Callable[[Inbound], None]] = ()) -> Answer:
    """A message or event: the passive reply (encrypted in safe mode), without Flask —
    the view below and the WSGI fast path (`FastWebhook`) both answer with this.

    `args` is the query; `read_body` reads the body, called once the query has passed
    (so a stranger's body is never read). Counted and timed in the metrics by the
    message's kind and what became of it (core.metrics).
    """
    started = time.perf_counter()
    seen = _Seen()
    try:
        given = _answer(services, args, read_body, remote_addr, listeners, seen)
    except BaseException:
        _COUNTS.observe(seen.kind, "error", time.perf_counter() - started)
        raise
    _COUNTS.observe(seen.kind, seen.outcome, time.perf_counter() - started)
    return given


class _Seen:
    """What `_answer` learnt about the message, for the metrics."""

    __slots__ = ("kind", "outcome")

    def __init__(self) -> None:
        self.kind = "unknown"
        self.outcome = "error"


_COUNTS = WebhookCounts()


def _answer(services: Services, args: Mapping[str, str], read_body: Callable[[], bytes],
            remote_addr: str | None, listeners: Iterable[Callable[[Inbound], None]],
            seen: _Seen) -> Answer:
    settings = services.settings
    encrypted = args.get("encrypt_type", "raw").lower() == "aes"
    # The signed query, bound to this message by the inbox so that it cannot carry
    # another body: plain mode's `signature` covers no body at all.
    signature: str | None = None
    try:
        if encrypted:
            msg_signature, timestamp, nonce = _args(args, "msg_signature", "timestamp", "nonce")
            # WeChat adds the plain signature of the same timestamp and nonce to safe-mode
            # URLs; binding it here stops that query being replayed as plaintext.
            signature = sign(settings.wechat_token, timestamp, nonce)
        else:
            if services.envelope is not None and not settings.compatible_mode:
                # With an AES key, a plaintext message proves nothing about its body; the
                # query of any real encrypted message (an access log) would sign it.
                raise BadSignature("plaintext message refused: WECHAT_ENCODING_AES_KEY is set"
                                   " (WECHAT_COMPATIBLE_MODE=true accepts plaintext too)")
            signature, timestamp, nonce = _args(args, "signature", "timestamp", "nonce")
            check_signature((settings.wechat_token, timestamp, nonce), signature)
        body = read_body()
        if encrypted:
            envelope = services.envelope
            if envelope is None:
                raise BadRequest("encrypted message but WECHAT_ENCODING_AES_KEY is not set")
            encrypt = parse_xml(body).get("Encrypt")
            if not isinstance(encrypt, str) or not encrypt:
                raise BadRequest("encrypted message without <Encrypt>")
            body = envelope.open(encrypt, msg_signature, timestamp, nonce)
        _check_timestamp(services, timestamp)
        message = to_inbound(parse_xml(body))
    except StaleTimestamp as exc:
        seen.outcome = "refused_timestamp"
        return _refused(403, str(exc), remote_addr)
    except BadSignature as exc:
        seen.outcome = "refused_signature"
        return _refused(403, str(exc), remote_addr)
    except (BadRequest, BadEnvelope, MalformedXML) as exc:
        seen.outcome = "refused_malformed"
        return _refused(400, str(exc), remote_addr)

    seen.kind = message_kind(message.msg_type)
    for listener in listeners:
        listener(message)
    try:
        reply, seen.outcome = services.inbox.answer(message, services.clock(), signature)
    except ReplayedSignature:
        seen.outcome = "refused_replay"
        return _refused(403, f"signature already used for another message (now "
                             f"{message.msg_type} from {message.from_user})", remote_addr)
    # One line per message (never its content); the request id ties it to the notices
    # it queued and to WeChat's answers to them. At DEBUG: formatting and writing it cost
    # about a tenth of a message's time; in production gunicorn's access line carries the
    # same request id (deploy/gunicorn.conf.py), one line per message either way.
    log.debug("%s from %s answered", message.event or message.msg_type, message.from_user)
    if reply == SUCCESS:
        return Answer(200, reply)
    if not encrypted:
        return Answer(200, reply, XML)
    assert services.envelope is not None
    return Answer(200, services.envelope.seal(reply, nonce, str(int(time.time()))), XML)


@bp.post("/wechat")
def receive() -> Response:
    """A message or event: answer with a passive reply (encrypted in safe mode)."""
    given = answer(services_of(), request.args, lambda: request.get_data(cache=False),
                   request.remote_addr, listeners_of(current_app))
    return Response(given.body, status=given.status, mimetype=given.mimetype)
