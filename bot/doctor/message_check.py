"""The doctor's check of the Token, EncodingAESKey and app id: their form (what WeChat's
admin console accepts), and a sample message built with them exactly as WeChat's
servers build one, put through the webhook's own checks (bot.webhook.answer: signature,
decryption, app id, timestamp), stopping before anything is recorded or answered."""

from __future__ import annotations

import base64
import binascii
import logging
import re
from datetime import datetime
from typing import Any, cast
from urllib.parse import parse_qsl

from sqlalchemy import Engine

from bot.doctor.runner import Doctor, Finding, fail, ok, warn
from bot.inbox import SUCCESS, Inbox
from bot.services import Services, envelope_of
from bot.simulator import WeChatSide, text_xml
from bot.webhook import answer
from core.texts import doctor as said
from core.wxml import Inbound

AES_VARIABLE = "WECHAT_ENCODING_AES_KEY"
SAMPLE_OPENID = "partybot-doctor"
SAMPLE_TEXT = "partybot doctor sample"
# What WeChat's admin console accepts: a Token of 3–32 letters and digits, an app id
# "wx" + 16 hex digits, an EncodingAESKey of 43 letters and digits (base64 of 32 bytes).
TOKEN_FORM = re.compile(r"[A-Za-z0-9]{3,32}")
APP_ID_FORM = re.compile(r"wx[0-9a-f]{16}")


class _SampleInbox:
    """Takes the inbox's place: the sample ends once it passed the webhook's checks
    (no dedupe key, no handler, nothing written)."""

    def __init__(self) -> None:
        self.seen: list[Inbound] = []

    def answer(self, message: Inbound, now: datetime,
               signature: str | None = None) -> tuple[str, str]:
        """Note the message that got through (the webhook calls `Inbox.answer`)."""
        self.seen.append(message)
        return SUCCESS, "handled"


class _Refusals(logging.Handler):
    """The webhook logs why it refused (its answer only says "forbidden")."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reasons: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the reason: the part after "refused POST /wechat from ADDRESS: "."""
        self.reasons.append(record.getMessage().split(": ", 1)[-1])


def check_message(doctor: Doctor) -> Finding:
    """The key's form, then the sample through bot.webhook.answer."""
    settings = doctor.ready
    key = doctor.raw(AES_VARIABLE)
    if key is not None:
        if len(key) != 43:
            return fail(said.AES_LENGTH.format(length=len(key)), said.AES_FIX)
        try:
            decoded = base64.b64decode(key + "=", validate=True)
        except binascii.Error:
            decoded = b""
        if len(decoded) != 32 or not key.isalnum():
            return fail(said.AES_NOT_BASE64, said.AES_FIX)
    if not settings.sandbox:
        if not TOKEN_FORM.fullmatch(settings.wechat_token):
            return fail(said.TOKEN_FORM_BAD.format(length=len(settings.wechat_token)),
                        said.TOKEN_FORM_FIX)
        if not APP_ID_FORM.fullmatch(settings.app_id or ""):
            return fail(said.APP_ID_FORM_BAD.format(app_id=settings.app_id),
                        said.APP_ID_FORM_FIX)
    status, reason = _send_sample(doctor)
    if status != 200:
        return fail(said.MESSAGE_REFUSED.format(status=status, reason=reason),
                    said.MESSAGE_REFUSED_FIX)
    if settings.encoding_aes_key:
        return ok(said.MESSAGE_OK_AES)
    if settings.sandbox:
        return ok(said.MESSAGE_OK_PLAIN)
    return warn(said.MESSAGE_PLAIN_MODE, said.MESSAGE_PLAIN_MODE_FIX)


def _send_sample(doctor: Doctor) -> tuple[int, str]:
    """WeChat's side signs (and encrypts) a text message; the webhook's `answer` checks
    it. Returns the HTTP status it would answer and, if refused, why."""
    settings = doctor.ready
    now = int(doctor.clock().timestamp())
    side = WeChatSide(settings.wechat_token, settings.encoding_aes_key,
                      settings.effective_app_id)
    signed = side.sign_request(text_xml(SAMPLE_OPENID, SAMPLE_TEXT, create_time=now),
                               timestamp=now)
    inbox = _SampleInbox()
    # Only the settings, clock, envelope and inbox are read before the inbox: the sample
    # needs no database (the doctor checks that separately).
    services = Services(settings, cast(Engine, None), cast(Any, None), cast(Any, None),
                        doctor.clock, envelope=envelope_of(settings), inbox=cast(Inbox, inbox))
    refusals = _Refusals()
    webhook_log = logging.getLogger("bot.webhook")
    webhook_log.addHandler(refusals)
    propagate, webhook_log.propagate = webhook_log.propagate, False  # our line says it
    try:
        given = answer(services, dict(parse_qsl(signed.query)), lambda: signed.body,
                       "127.0.0.1")
    finally:
        webhook_log.propagate = propagate
        webhook_log.removeHandler(refusals)
    if given.status == 200 and not (inbox.seen and inbox.seen[0].content == SAMPLE_TEXT):
        return 500, "the sample did not arrive intact"
    return given.status, refusals.reasons[-1] if refusals.reasons else given.body
