"""The tolerant reader: what command a message means, however it was typed.

Members type on old phones with Chinese input methods, or speak and let WeChat write it
down: "签到：1234", "签 到 1234。", "签道一二三四", "请假2255有事", "学完了". One reader
in front of the router turns all of these into a command word and its arguments.

It only reads. Every argument remembers where it came from in the original text, so a
handler that stores free text (a leave reason, a 心得, a post) takes it from the
original with its own punctuation (`Reading.rest`), never from the normalised form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from core import words
from core.simplified import SIMPLIFIED

# A separator between digits is part of the value: "09:00", "30.12,120.5".
_KEEP_BETWEEN_DIGITS = ",:."
_NUMERAL_CHARS = "".join(words.DIGIT_NUMERALS) + "".join(words.UNIT_NUMERALS)
_ALL_NUMERALS = re.compile(f"^[{_NUMERAL_CHARS}]+$")
_CODE_NUMERALS = "".join(words.DIGIT_NUMERALS)
_TRAILING_CODE = re.compile(f"^(.+?)([{_CODE_NUMERALS}]{{4}})$")
_LEADING_CODE = re.compile(f"^([{_CODE_NUMERALS}]{{4}})([^{_NUMERAL_CHARS}].*)$")
_DIGITS_AND_WORDS = re.compile(r"[0-9]+|[^0-9]+")
# A run of digits this long touching words is a code or a number, not part of a name
# ("请假2255有事", "赵大爷6473"; but "老党员2" is a name).
_SPLIT_DIGITS = 4
_CJK = re.compile(r"[\u4e00-\u9fff]")
BARE_CODE = re.compile(r"^[0-9]{4}$")
_SPACES = r"\s*"


@dataclass(frozen=True)
class Token:
    """One argument: its value (numerals read: "一二三四" → "1234"), the word it was
    read from (normalised only), and where it is in the original text."""

    value: str
    start: int
    end: int
    word: str = ""


@dataclass(frozen=True)
class Reading:
    """What a message says: the command word (canonical; "" when none) and arguments."""

    original: str
    word: str
    tokens: tuple[Token, ...]
    normalized: str  # the whole message, normalised (what small talk and questions read)

    @property
    def args(self) -> list[str]:
        """The arguments' values."""
        return [token.value for token in self.tokens]

    @property
    def words(self) -> list[str]:
        """The arguments as words, numerals not read (for names: "张 三")."""
        return [token.word or token.value for token in self.tokens]

    def rest(self, index: int) -> str:
        """The original text from argument `index` on, as typed (trimmed of spaces only)."""
        if index >= len(self.tokens):
            return ""
        return self.original[self.tokens[index].start:].strip()

    @property
    def bare_code(self) -> str | None:
        """A message that is only a four-digit number ("6473", "六四七三")."""
        if not self.word and len(self.tokens) == 1 and BARE_CODE.match(self.tokens[0].value):
            return self.tokens[0].value
        return None


class Reader:
    """Reads messages against a fixed set of command words (built once, like the
    dispatcher)."""

    def __init__(self, command_words: Iterable[str]) -> None:
        known = set(command_words)
        aliases = {alias: word for alias, word in words.COMMAND_ALIASES.items()
                   if word in known}
        self.phrases = {phrase: word for phrase, word in words.COMMAND_PHRASES.items()
                        if word in known}
        self.meaning = {word: word for word in known} | aliases
        # Longest first, so "代请假" wins over "请假" and "我要签到" over "我签到"; any spaces
        # may stand between the characters of a word ("签 到").
        spelled = sorted(self.meaning, key=len, reverse=True)
        self._pattern = re.compile("|".join(
            "(" + _SPACES.join(map(re.escape, word)) + ")" for word in spelled))
        self._spelled = spelled

    def read(self, text: str) -> Reading:
        """The command word and arguments of `text` (a Reading with word "" if none)."""
        normalized, origin = normalize(text)
        body_end = len(normalized.rstrip(words.TRAILING_PUNCTUATION + " "))
        start = len(normalized) - len(normalized.lstrip())
        compact = "".join(normalized[start:body_end].split())
        if compact in self.phrases:
            return Reading(text, self.phrases[compact], (), compact)
        word = ""
        found = self._pattern.match(normalized, start, body_end) if body_end else None
        if found is not None:
            word = self.meaning[self._spelled[found.lastindex - 1]]  # type: ignore[operator]
            start = found.end()
        tokens = tuple(_tokens(normalized, origin, start, body_end))
        return Reading(text, word, tokens, " ".join(normalized[:body_end].split()))


def normalize(text: str) -> tuple[str, list[int]]:
    """NFKC per character (full-width forms to ASCII), any space to " ", traditional
    characters as simplified ("綁定 陳強"), and for each character of the result the
    index of the character it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for out in unicodedata.normalize("NFKC", char):
            chars.append(" " if out.isspace() else SIMPLIFIED.get(out, out))
            origin.append(index)
    return "".join(chars), origin


def _tokens(normalized: str, origin: list[int], start: int, end: int) -> list[Token]:
    """Split at spaces and separators (not between digits), then where digits meet
    words ("赵大爷6473"), then read Chinese numerals."""
    tokens: list[Token] = []
    begin: int | None = None
    for index in range(start, end + 1):
        char = normalized[index] if index < end else " "
        splits = char == " " or (char in words.ARGUMENT_SEPARATORS and not (
            char in _KEEP_BETWEEN_DIGITS and 0 < index < end - 1
            and normalized[index - 1].isdigit() and normalized[index + 1].isdigit()))
        if splits:
            if begin is not None:
                tokens += _split_word(normalized, origin, begin, index)
                begin = None
        elif begin is None:
            begin = index
    return tokens


def _split_word(normalized: str, origin: list[int], begin: int, end: int) -> list[Token]:
    text = normalized[begin:end]
    parts: list[tuple[str, int, int]] = []
    if _CJK.search(text) and any(c.isdigit() for c in text):
        offset = begin
        for piece in _DIGITS_AND_WORDS.findall(text):
            parts.append((piece, offset, offset + len(piece)))
            offset += len(piece)
        parts = _rejoin_non_cjk(parts)
    else:
        parts = [(text, begin, end)]
    tokens: list[Token] = []
    for value, first, last in parts:
        spans = [(value, first, last)]
        # "张三一二三四", "二二五五有事": a code spoken in numerals touching words
        trailing = _TRAILING_CODE.match(value)
        leading = _LEADING_CODE.match(value)
        if trailing and not _ALL_NUMERALS.match(value):
            cut = first + len(trailing[1])
            spans = [(trailing[1], first, cut), (trailing[2], cut, last)]
        elif leading:
            cut = first + len(leading[1])
            spans = [(leading[1], first, cut), (leading[2], cut, last)]
        for piece, a, b in spans:
            number = read_numerals(piece)
            tokens.append(Token(piece if number is None else number, origin[a],
                                origin[b - 1] + 1 if b > a else origin[a], piece))
    return tokens


def _rejoin_non_cjk(parts: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Split only where digits meet Chinese characters: "A12" or "12:30" stay whole."""
    joined: list[tuple[str, int, int]] = []
    for piece, first, last in parts:
        if joined:
            previous, p_first, _ = joined[-1]
            boundary_cjk = _CJK.match(piece[0]) or _CJK.match(previous[-1])
            digits = piece if piece.isdigit() else previous if previous.isdigit() else ""
            if not boundary_cjk or len(digits) < _SPLIT_DIGITS:
                joined[-1] = (previous + piece, p_first, last)
                continue
        joined.append((piece, first, last))
    return joined


def read_numerals(text: str) -> str | None:
    """Chinese numerals as ASCII digits: "一二三四" → "1234", "十二" → "12", "两" → "2";
    None when `text` is not all numerals."""
    if not text or not _ALL_NUMERALS.match(text):
        return None
    if not any(char in words.UNIT_NUMERALS for char in text):
        return "".join(str(words.DIGIT_NUMERALS[char]) for char in text)
    total = pending = 0
    for char in text:
        if char in words.UNIT_NUMERALS:
            total += (pending or 1) * words.UNIT_NUMERALS[char]
            pending = 0
        else:
            pending = pending * 10 + words.DIGIT_NUMERALS[char]
    return str(total + pending)
