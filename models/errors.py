"""One error family for every refusal a domain function makes.

A `DomainError` names a sentence of the message catalog (core.texts) and the fields to
fill in; the surface that caught it (the chat's inbox, a CLI command, later the console)
renders it in the user's words. Raising one means "this cannot be done, and here is
why": the caller rolls back what the request changed.
"""

from __future__ import annotations

from typing import Any

from core import texts
from core.conversation import tidy_quotes


class DomainError(Exception):
    """A request that cannot be done; `key` is a catalog entry, `fields` fill it in."""

    # A refusal that must still be remembered (a wrong guess counted against the
    # sender): the caller commits what the request wrote instead of rolling it back.
    keep_writes = False

    def __init__(self, key: str, **fields: Any) -> None:
        if not isinstance(getattr(texts, key, None), str):
            raise ValueError(f"no catalog entry {key!r}")  # a bug: fail loudly in tests
        super().__init__(key)
        self.key = key
        self.fields = fields

    def render(self) -> str:
        """The sentence for the user."""
        return tidy_quotes(str(getattr(texts, self.key)).format(**self.fields))

    def __str__(self) -> str:
        return self.render()


class MeetingError(DomainError):
    """三会一课: a meeting request that cannot be done."""


class PairingError(DomainError):
    """一帮一: a pairing request that cannot be done."""


class StudyError(DomainError):
    """Study: a post or a reading request that cannot be done."""


class GuessRefused(DomainError):
    """A wrong guess (meeting code, binding); the count it added is kept."""

    keep_writes = True


class MemberLookupError(DomainError):
    """A member named in a command cannot be found, or not uniquely."""


class JointError(DomainError):
    """双联双促: a pair, a joint meeting or a 联促 item that cannot be made."""
