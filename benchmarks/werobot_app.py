"""Optional second baseline: a WeRoBot echo robot (only if werobot is installed)."""

from __future__ import annotations

import os

import werobot

robot = werobot.WeRoBot(token=os.environ["WECHAT_TOKEN"])


@robot.text
def echo(message):  # type: ignore[no-untyped-def]
    """Echo the text back."""
    return message.content


app = robot.wsgi
