"""WeChat's customer-service message allowance (客服消息下发限制), as plain rules.

A user action opens an allowance for that user: after a message, 5 customer-service
messages within 48 hours; after a menu click, a follow or a QR scan, 3 within one
minute. Allowances do not add up: each action resets the count and the window to the
action's own. Past the count WeChat answers 45047; outside any window, 45015.

Shared by the outbox (models.delivery.allowance) and the fake WeChat API, so that both
sides count the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

OVER_LIMIT = 45047  # "out of response count limit"
WINDOW_CLOSED = 45015  # "response out of time limit"
REFUSED_CODES = frozenset({OVER_LIMIT, WINDOW_CLOSED})
TEXT_LIMIT_BYTES = 2048  # a customer-service text message, in UTF-8 bytes


@dataclass(frozen=True)
class Opening:
    """What one kind of user action allows: `count` messages within `window`."""

    action: str
    count: int
    window: timedelta


MESSAGE = Opening("message", 5, timedelta(hours=48))
EVENT = Opening("event", 3, timedelta(minutes=1))

# Message types a user sends; events that are a user's own act (a menu click of the
# push kinds, a follow, a scan). A VIEW click (opening a link), a location report or a
# delivery report opens nothing.
_USER_MESSAGES = frozenset({"text", "image", "voice", "video", "shortvideo", "location",
                            "link", "file"})
_USER_EVENTS = frozenset({"click", "subscribe", "scan", "scancode_push",
                          "scancode_waitmsg"})


def opening_for(msg_type: str, event: str | None = None) -> Opening | None:
    """The allowance an inbound message or event opens, or None."""
    msg_type = msg_type.lower()
    if msg_type in _USER_MESSAGES:
        return MESSAGE
    if msg_type == "event" and (event or "").lower() in _USER_EVENTS:
        return EVENT
    return None
