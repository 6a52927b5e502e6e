"""Where the member pages live (bot/pages, issue 26): the paths that the role menus'
VIEW buttons and the links in notices lead to, and the full address under
PARTYBOT_PUBLIC_URL. Without a public URL there is no link: WeChat must be able to
open it, so a menu or a notice then stays as it was (click buttons, no link)."""

from __future__ import annotations

HOME = "/m/"
STUDY = "/m/study"
MEETINGS = "/m/meetings"
ME = "/m/me"
HELPER = "/m/helper"
EVALUATION = "/m/evaluation"  # 民主评议 (issue 28)


def study_item(item_id: int) -> str:
    """One study item's page."""
    return f"{STUDY}/{item_id}"


def meeting(meeting_id: int) -> str:
    """A meeting on the meetings page (its own anchor there)."""
    return f"{MEETINGS}#meeting-{meeting_id}"


def page_url(public_url: str | None, path: str) -> str | None:
    """`path` under the public URL, or None when there is none."""
    return f"{public_url.rstrip('/')}{path}" if public_url else None
REVIEW = "/m/review"  # 述职评议: my report, 测评 (issue 28)
