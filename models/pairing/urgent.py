"""Relays that cannot wait for the helper's 09:00 message: a meeting less than 24 hours
away. Each helper gets one message with every urgent item at once, through the same
channel policy as any notice (so it is itself held or relayed if the helper cannot be
reached). The items are then marked as carried, so the daily message does not repeat
them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core import page_links, texts
from models.delivery.outbox import ChannelPolicy, Notice
from models.pairing.relay_items import (
    RelayItem,
    current_relays,
    lines_by_member,
    member_names,
    urgent,
)


def queue_urgent_relays(session: Session, outbox: ChannelPolicy, now: datetime, tz: ZoneInfo,
                        helper_ids: Sequence[int] | None = None) -> int:
    """One message per helper with their urgent items; returns messages queued."""
    items = urgent(current_relays(session, now, helper_ids, undigested_only=True), now)
    by_helper: dict[int, list[RelayItem]] = {}
    for item in items:
        by_helper.setdefault(item.relay.helper_id, []).append(item)
    queued = 0
    for helper_id, found in sorted(by_helper.items()):
        helper = found[0].relay.helper
        text = texts.NOTICE_RELAY_URGENT.format(lines=lines_by_member(session, found, tz))
        newest = max(item.relay.id for item in found)
        queued += outbox.enqueue(session, f"relay-urgent:{helper_id}:{newest}", helper, Notice(
            "relay_digest", text, fields={
                "count": texts.RELAY_TEMPLATE_COUNT.format(count=len(found)),
                "members": member_names(session, found)},
            url=outbox.page_url(page_links.HELPER)), now) is not None
        for item in found:
            item.relay.digested_at = now
    session.flush()
    return queued
