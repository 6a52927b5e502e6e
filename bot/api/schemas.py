"""Request and response bodies (pydantic v2): what is validated and what the OpenAPI
document says are the same classes.

Strings people type may not carry control characters (a NUL ends a PostgreSQL text) —
the patterns say so, so a client learns it from the document; lone surrogates, which
JSON can carry and no database stores, are refused before validation (bot.api.runner).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

ID_MAX = 2**31 - 1
# one line: no control characters at all; several lines: TAB, LF and CR allowed
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
LINES = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
# a name as the roster writes it: no space, no control character (spelled out, not \s:
# JSON Schema's regex dialect and pydantic's disagree on what \s covers)
NAME = r"^[^\x00-\x20\x7f-\x9f]+$"


class Body(BaseModel):
    """A request body: unknown fields are refused, nothing is coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Out(BaseModel):
    """A response body."""


# Requests


class LoginIn(Body):
    """The code `wx.login()` gave the mini-program."""

    code: Annotated[str, Field(min_length=1, max_length=128, pattern=ONE_LINE)]


class BindIn(Body):
    """The member's name as on the roster and the last four digits of their phone."""

    name: Annotated[str, Field(min_length=1, max_length=20, pattern=NAME)]
    phone_tail: Annotated[str, Field(pattern=r"^[0-9]{4}$")]


class FeedbackIn(Body):
    """A 心得 in words."""

    text: Annotated[str, Field(min_length=1, max_length=1000, pattern=LINES)]


class PageQuery(Body):
    """Which page of a list."""

    model_config = ConfigDict(extra="forbid", strict=False)  # query values arrive as text

    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=50)] = 20


# Responses


class LoginOut(Out):
    """partybot's own token for the mini-program (Bearer), and whether it is bound."""

    token: str
    expires_in: int
    bound: bool


class OrgOut(Out):
    """A party organization."""

    id: int
    name: str
    kind: str


class MeOut(Out):
    """Who the token speaks for: the member, their branch (and group) and roles."""

    id: int
    name: str
    branch: OrgOut
    group: OrgOut | None
    roles: list[str]
    committee_posts: list[str]
    org_admin_of: list[OrgOut]


class BindOut(Out):
    """The binding's outcome (the catalog's sentence) and the member now bound."""

    message: str
    me: MeOut


class StudyImageOut(Out):
    """A photo of an item."""

    url: str


class StudySummaryOut(Out):
    """An item in the list."""

    id: int
    title: str
    summary: str
    org: str
    published_at: datetime
    today: bool
    studied: bool


class StudyListOut(Out):
    """A page of the items the member sees: newest first (so today's first)."""

    items: list[StudySummaryOut]
    page: int
    per_page: int
    has_more: bool


class FeedbackOut(Out):
    """A piece of 心得 the member sent."""

    kind: str
    text: str | None
    sent_at: datetime


class StudyItemOut(Out):
    """One item to read, with the member's own record of it."""

    id: int
    title: str
    body: str
    summary: str
    org: str
    link: str | None
    media_link: str | None
    source: str | None
    published_at: datetime
    images: list[StudyImageOut]
    studied: bool
    studied_at: datetime | None
    feedback: list[FeedbackOut]


class StudiedOut(Out):
    """已学: recorded now (`new`) or already before."""

    item_id: int
    new: bool
    studied_at: datetime


class FeedbackSavedOut(Out):
    """A 心得 saved: how many pieces the record has now."""

    item_id: int
    pieces: int


class LogoutOut(Out):
    """The token no longer works."""

    revoked: bool


class ProblemOut(Out):
    """RFC 9457 problem details (application/problem+json)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
