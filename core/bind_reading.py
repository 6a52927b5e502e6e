"""What a binding message says: a name and the last four digits of a phone, however
they were written.

People write the number whole or in part, in any dress: "１３８００００００７",
"138-0000-0007", "+86 138 0000 0007", "手机尾号是0007", "零零零七"; they put words
around the name ("我是陈强", "姓名：陈强") and may leave out the command word. This
reader finds the two parts and says what is missing or malformed, so that a format
mistake is answered with how to write it, and only a real name/number pair is tried
against the roster (a try that counts). Pure text; the roster is never read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core import words
from core.conversation import is_question, small_talk_kind
from core.reading import normalize

BIND_WORDS = words.BIND_WORDS
# Chinese numerals as digits (幺 is how a 1 is said in a phone number).
_NUMERALS = {**{k: str(v) for k, v in words.DIGIT_NUMERALS.items()}, words.PHONE_ONE: "1"}
_NUMERAL_RUN = re.compile("[" + "".join(_NUMERALS) + "]{4,}")
# A number: digits, and what people put between them ("138-0000-0007", "(138)", "+86").
_NUMBER = re.compile(r"\+?\(?\d[\d\s\-\u2010-\u2015\u2212.()/_~]*")


def _any(options: tuple[str, ...]) -> str:
    return "(?:" + "|".join(map(re.escape, options)) + ")"


# What names the number just before it: "手机尾号是", "电话：", "后四位为" ("是"/"为" only
# after such a word: a name may end in 为, "张为 1234").
_OF, _IS = re.escape(words.BIND_OF), _any(words.BIND_IS)
_NUMBER_NAME, _SUFFIX_NAME = _any(words.BIND_NUMBER_NAMES), _any(words.BIND_SUFFIX_NAMES)
_NUMBER_LABEL = re.compile(
    rf"(?:{_OF}?(?:{_NUMBER_NAME}{_OF}?{_SUFFIX_NAME}?|{_SUFFIX_NAME}){_IS}?)?"
    rf"[\s{re.escape(words.ARGUMENT_SEPARATORS)}]*$")
_FILLERS = tuple(sorted(words.BIND_FILLERS + words.BIND_NUMBER_NAMES + words.BIND_SUFFIX_NAMES,
                        key=len, reverse=True))
_NAME_CHARS = re.compile(r"^[\u3400-\u9fff·•]+$")
_NAME_CHAR = re.compile(r"[\u3400-\u9fff]")
_SPACES_AND_MARKS = re.compile(r"[\s" + re.escape(
    words.TRAILING_PUNCTUATION + words.ARGUMENT_SEPARATORS) + r"\"'“”‘’()<>\[\]]+")
# A mainland mobile: 11 digits starting with 1 (86 or 0086 before it); with one digit
# dropped in the middle (the "１３８００００００７") its last four still say who.
_MOBILE = re.compile(r"^(?:0{0,2}86)?(1\d{9,10})$")
# Longest name tried without the command word ("欧阳娜娜"; with a · any length).
_PLAIN_NAME_MAX = 4


@dataclass(frozen=True)
class BindWords:
    """A binding message read: the name (None: none given), the last four digits (None:
    none, or not readable), whether any number was written, and whether it asks to
    bind in words ("绑定", "我要绑定")."""

    name: str | None
    suffix: str | None
    number_written: bool
    asks_to_bind: bool

    @property
    def complete(self) -> bool:
        """A name and four digits: something to try against the roster."""
        return self.name is not None and self.suffix is not None


def read_bind_words(text: str) -> BindWords:
    """The name and phone suffix in `text` (any dress; traditional characters too)."""
    folded = normalize(text)[0]
    asks = any(word in folded for word in BIND_WORDS)
    for word in BIND_WORDS:
        folded = folded.replace(word, " ")
    for spelled, word in words.BIND_SUFFIX_DIGIT_SPELLINGS.items():
        folded = folded.replace(spelled, word)
    folded = _NUMERAL_RUN.sub(_numerals_as_digits, folded)
    numbers = list(_NUMBER.finditer(folded))
    suffix = _suffix("".join(c for c in numbers[0].group() if c.isdigit())) \
        if len(numbers) == 1 else None
    rest = folded
    for match in reversed(numbers):  # drop each number and the label just before it
        before = _NUMBER_LABEL.sub("", rest[:match.start()])
        rest = before + " " + rest[match.end():]
    for filler in _FILLERS:
        rest = rest.replace(filler, " ")
    name = _SPACES_AND_MARKS.sub("", rest)
    for prefix in words.BIND_NAME_PREFIXES:
        name = name.removeprefix(prefix)
    valid = 2 <= len(name) <= 20 and _NAME_CHARS.match(name) is not None
    return BindWords(name if valid else None, suffix, bool(numbers), asks)


def looks_like_binding(text: str) -> bool:
    """Whether a stranger's message without the command word is about binding: it asks
    to ("我要绑定"), or it is a name and a number ("陈强 0007") and no question."""
    read = read_bind_words(text)
    if read.asks_to_bind:
        return True
    if not read.number_written or is_question(normalize(text)[0]):
        return False
    if read.name is None:  # a number alone: who, then?
        return _NAME_CHAR.search(normalize(text)[0]) is None
    return _plausible_name(read.name)


def name_alone(text: str) -> str | None:
    """A stranger's message that is only a name ("陈强", after being asked for name and
    number): the name; None for anything else (small talk, a question, other words)."""
    read = read_bind_words(text)
    if read.number_written or read.asks_to_bind or read.name is None \
            or is_question(normalize(text)[0]) or not _plausible_name(read.name):
        return None
    return read.name


def _plausible_name(name: str) -> bool:
    """Short enough for a name typed without the command word, and no words."""
    if name[0] in words.BIND_NOT_NAME_STARTS or small_talk_kind(name):
        return False  # "我到了 1234", "你好 1234": words, not a name
    return len(name) <= _PLAIN_NAME_MAX or "·" in name or "•" in name


def _numerals_as_digits(match: re.Match[str]) -> str:
    """A spoken number: all of it when it is a whole phone, else its last four (the
    rest may be part of the name: "张三一二三四")."""
    run = match.group()
    keep = len(run) if len(run) >= 11 else 4
    return run[:-keep] + " " + "".join(_NUMERALS[c] for c in run[-keep:])


def _suffix(digits: str) -> str | None:
    """The last four digits of a phone written as four digits or as a whole mobile."""
    if len(digits) == 4:
        return digits
    mobile = _MOBILE.match(digits)
    return mobile.group(1)[-4:] if mobile else None
