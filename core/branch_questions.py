"""What township and county staff ask about their branches in their own words:
"哪些支部落后了", "哪个村还没开党课", "落后的支部" — and which branch "统计 红光村"
names. Pure text rules, read after no command took the message."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Protocol, TypeVar

from core import words

LONGEST_QUESTION = 30  # characters: a longer message is about something else

_KIND_WORDS = sorted(words.MEETING_KIND_WORDS, key=len, reverse=True)


def lagging_question(text: str) -> frozenset[str] | None:
    """The meeting kinds a question about the branches behind asks about (an empty set:
    all of 三会一课), or None when the text does not ask which branches are behind.

    It asks when it has a word for falling behind (落后, 没开, 未完成 …) and a word for
    branches or "which" (支部, 村, 哪些, 谁 …): "落后的支部", "谁家还没开会".
    """
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    if not folded or len(folded) > LONGEST_QUESTION:
        return None
    said = [word for word in words.LAGGING_WORDS if word in folded]
    if not said or not any(word in folded for word in words.LAGGING_UNITS):
        return None
    # "没开" alone is about meetings only when a meeting or a branch is named:
    # "村委会没开门" is not a question about 三会一课
    without_place = folded.replace(words.LAGGING_PLACE_NOT_MEETING, "")
    if all(word in words.LAGGING_OPEN_WORDS for word in said) and not (
            words.LAGGING_BRANCH_WORD in folded
            or any(word in without_place for word in words.LAGGING_MEETING_HINTS)):
        return None
    kinds: set[str] = set()
    rest = folded
    for word in _KIND_WORDS:  # longest first: 支部党员大会 before 党员大会
        if word in rest:
            kinds.add(words.MEETING_KIND_WORDS[word])
            rest = rest.replace(word, "")
    return frozenset(kinds)


class Named(Protocol):
    """Anything with a name (an Org)."""

    @property
    def name(self) -> str: ...


def branch_asked(asked: str) -> str:
    """The branch name in what follows 统计, without fillers and particles ("一下辽原村"
    → "辽原村", "了吗" → "")."""
    name = "".join(unicodedata.normalize("NFKC", asked).split())
    # "统计了吗", "统计一下吧": particles, not a name
    name = name.rstrip(words.TRAILING_PUNCTUATION + words.TRAILING_PARTICLES
                       + words.STATS_ASKED_PARTICLES)
    for filler in words.STATS_FILLERS:
        if name.startswith(filler):
            name = name[len(filler):]
            break
    return name


T = TypeVar("T", bound=Named)


def matching_branches(asked: str, branches: Sequence[T]) -> list[T]:
    """The branches `asked` names: the one with exactly that name, else every branch
    whose name holds it without its suffix ("红光" and "红光村支部" → 红光村党支部)."""
    exact = [branch for branch in branches if branch.name == asked]
    if exact:
        return exact
    core = asked
    for suffix in words.BRANCH_NAME_SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix):
            core = core[:-len(suffix)]
            break
    return [branch for branch in branches if core and core in branch.name]
