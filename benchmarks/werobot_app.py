"""Baseline peer: a WeRoBot echo robot with WeRoBot's default session storage (SQLite,
`werobot_session.sqlite3` in the working directory), so that, like partybot, it writes
once per message. The handler takes the session, so WeRoBot loads and saves it."""

from __future__ import annotations

import os

import werobot

robot = werobot.WeRoBot(token=os.environ["WECHAT_TOKEN"])


@robot.text
def echo(message, session):  # type: ignore[no-untyped-def]
    """Echo the text back, counting the sender's messages in the session."""
    session["count"] = session.get("count", 0) + 1
    return message.content


app = robot.wsgi
