"""What a message that is not a command is: small talk, a question, or words worth
keeping (a 心得). Pure text rules, read after the tolerant reader found no command."""

from __future__ import annotations

import re
import unicodedata

from core import words

_SMALL_TALK = {word: kind for kind, said in words.SMALL_TALK.items() for word in said}
_PARTS = re.compile("[" + re.escape(words.TRAILING_PUNCTUATION) + r"\s]+")
_IGNORED = " " + words.TRAILING_PUNCTUATION + words.TRAILING_PARTICLES


def _core(text: str) -> str:
    """Lower-case, without spaces, trailing particles and punctuation ("好的呀！" → "好的")."""
    folded = unicodedata.normalize("NFKC", text).lower().strip()
    return folded.rstrip(_IGNORED).replace(" ", "")


def small_talk_kind(text: str) -> str | None:
    """"greeting", "thanks", "ack", "bye" or "emoji" for small talk; None otherwise."""
    if text.strip() and is_only_symbols(text):
        return "emoji"
    # "收到，谢谢李书记！": every part small talk (a name or a title may follow it)
    parts = [_core(part) for part in _PARTS.split(text) if _core(part)]
    kinds = [_part_kind(part) for part in parts]
    if parts and all(kinds):
        return kinds[0]
    return None


def _part_kind(part: str) -> str | None:
    if part in _SMALL_TALK:
        return _SMALL_TALK[part]
    if is_only_symbols(part):
        return "emoji"
    for word, kind in _SMALL_TALK.items():  # "谢谢李书记", "你好啊王书记"
        if len(word) >= 2 and part.startswith(word) and len(part) <= len(word) + 4:
            return kind
    return None


def is_only_symbols(text: str) -> bool:
    """Emoji, WeChat's "[强]" and "/::)" faces, punctuation: nothing to read."""
    stripped = text.strip()
    if stripped.startswith("[") and stripped.endswith("]") and len(stripped) <= 12:
        return True  # WeChat's built-in faces arrive as "[强]", "[握手][玫瑰]"
    if stripped.startswith("/:"):
        return True
    return all(unicodedata.category(c)[0] in "SPZC" or c in "\u200d\ufe0f" for c in stripped)


def is_question(text: str) -> bool:
    """Whether the words ask something ("怎么签到", "会议什么时候开", "我学了没有")."""
    core = unicodedata.normalize("NFKC", text).strip()
    if not core:
        return False
    if core.rstrip(words.TRAILING_PUNCTUATION).endswith(words.QUESTION_ENDINGS) \
            or core.endswith("?"):
        return True
    return any(marker in core for marker in words.QUESTION_MARKERS)


def question_topic(text: str) -> str | None:
    """The command whose help answers this question, by keyword (None: ask a person)."""
    folded = unicodedata.normalize("NFKC", text)
    for keywords, command in words.QUESTION_TOPICS:
        if any(keyword in folded for keyword in keywords):
            return command
    return None


def is_reflection(text: str) -> bool:
    """Words worth keeping as a 心得: something said that is neither small talk nor a
    question."""
    return bool(text.strip()) and small_talk_kind(text) is None and not is_question(text)
