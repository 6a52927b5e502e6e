"""Handling one inbound message: dedupe, dispatch, one transaction, one reply.

The message key is inserted first, in the same transaction as the handler's changes.
A duplicate — a sequential or a concurrent retry from WeChat — fails that insert
(waiting, if needed, until the first delivery commits) and gets the stored reply; the
handler runs once. If the handler fails, its changes are rolled back and the reply it
should have given (a polite refusal or an apology) is stored instead.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.wxml import Inbound, render_news, render_text
from handlers import Dispatcher, texts
from handlers.router import Context, DomainError, News, Reply
from models.inbound import InboundMessage, stored_reply

log = logging.getLogger(__name__)

SUCCESS = "success"


def render_reply(message: Inbound, reply: Reply, now: datetime) -> str:
    """The passive-reply XML for `reply`, or "success" when there is nothing to say."""
    if reply is None or reply == "":
        return SUCCESS
    stamp = int(now.timestamp())
    if isinstance(reply, News):
        return render_news(message.from_user, message.to_user, reply.articles, stamp)
    return render_text(message.from_user, message.to_user, reply, stamp)


def handle_inbound(
    session: Session, dispatcher: Dispatcher, settings: Settings, message: Inbound, now: datetime
) -> str:
    """Record, dispatch and answer one message; commits. Returns the rendered reply."""
    key = message.dedupe_key
    try:
        session.execute(
            insert(InboundMessage).values(
                key=key, openid=message.from_user, msg_type=message.msg_type, received_at=now
            )
        )
    except IntegrityError:
        session.rollback()
        log.info("duplicate delivery of %s from %s; replaying the first reply", key,
                 message.from_user)
        return stored_reply(session, key) or SUCCESS

    ctx = Context(session=session, message=message, now=now, settings=settings)
    try:
        rendered = render_reply(message, dispatcher.dispatch(ctx), now)
    except DomainError as refusal:
        session.rollback()
        return _store_after_failure(session, message, now, refusal.message)
    except Exception:
        log.exception("handler failed for %s (%s) from %s", key, message.msg_type,
                      message.from_user)
        session.rollback()
        return _store_after_failure(session, message, now, texts.SORRY)

    session.execute(
        update(InboundMessage).where(InboundMessage.key == key).values(reply=rendered)
    )
    session.commit()
    return rendered


def _store_after_failure(session: Session, message: Inbound, now: datetime, text: str) -> str:
    rendered = render_reply(message, text, now)
    try:
        session.execute(
            insert(InboundMessage).values(
                key=message.dedupe_key, openid=message.from_user,
                msg_type=message.msg_type, received_at=now, reply=rendered,
            )
        )
        session.commit()
    except IntegrityError:  # a retry got in meanwhile; it answers for itself
        session.rollback()
    return rendered
