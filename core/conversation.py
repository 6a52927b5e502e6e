"""What a message that is not a command is: small talk, a question, or words worth
keeping (a 心得). Pure text rules, read after the tolerant reader found no command."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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


# Issue 25: small talk beyond the plain words, "what should I do?", questions asked with
# more words, and a 心得 judged against the item it is about.

_MORE_TALK = {word: kind for kind, said in words.SMALL_TALK_MORE.items() for word in said}
_STRONGER = sorted(words.THANKS_STRONGER, key=len, reverse=True)
# "忙不忙", "好不好": asked without a question word
_A_NOT_A = re.compile(r"(.)" + words.A_NOT_A + r"\1")
_ADDRESS_REACH = 5  # a name of up to three characters before the title: "李书记", "王大姐"


def chat_kind(text: str) -> str | None:
    """Like small_talk_kind, and also greetings after a name or title ("李书记你好",
    "王书记好"), stronger thanks ("太感谢了"), and greetings asked as questions ("吃了吗",
    "最近身体好吗": "care"). None when any part of the message says something else."""
    kind = small_talk_kind(text)
    if kind is not None:
        return kind
    folded = unicodedata.normalize("NFKC", text)
    laughed = [char for char in folded if char.isalnum()]
    if laughed and all(char in words.LAUGHTER for char in laughed):
        return "emoji"
    parts = [_core(part) for part in _PARTS.split(text) if _core(part)]
    kinds = [_part_kind(part) or _more_part_kind(part) for part in parts]
    if parts and all(kinds):
        return next((kind for kind in kinds if kind != "ack"), kinds[0])
    return None


def _plain_kind(part: str) -> str | None:
    return _part_kind(part) or _MORE_TALK.get(part)


def _more_part_kind(part: str) -> str | None:
    if part in _MORE_TALK:
        return _MORE_TALK[part]
    bare = _without_address(part)
    if bare != part:
        if bare in ("", words.ADDRESS_GREETING):  # "李书记", "王书记好"
            return "greeting"
        kind = _plain_kind(bare) or _stronger_thanks(bare)
        if kind is not None:
            return kind
    kind = _stronger_thanks(part)
    if kind is not None:
        return kind
    return "care" if asks_after_you(part) else None


def _without_address(part: str) -> str:
    """The part without a leading name and title ("李书记你好" → "你好")."""
    for title in words.ADDRESS_TITLES:
        at = part.find(title)
        if at >= 0 and at + len(title) <= _ADDRESS_REACH:
            return part[at + len(title):]
    return part


def _stronger_thanks(part: str) -> str | None:
    for word in _STRONGER:  # "太感谢", "真是太感谢", "非常感谢"
        if part.startswith(word) and _plain_kind(part[len(word):]) == "thanks":
            return "thanks"
    return None


def asks_after_you(text: str) -> bool:
    """A short question that asks after the person, not for a fact: "吃了吗", "忙吗",
    "最近身体好吗", "在家吗"."""
    core = _core(text)
    if not core or len(core) > words.CARE_MAX_CHARS:
        return False
    if not asks_question(core):
        return False
    if question_topic(core) is not None or any(m in core for m in words.CARE_NOT_WITH):
        return False
    return any(stem in core for stem in words.CARE_STEMS)


def asks_what_to_do(text: str) -> bool:
    """"我该干什么", "今天干啥", "有什么任务吗": the member asks what is open for them
    (not about a command's topic, nor about someone else)."""
    compact = "".join(_PARTS.split(_core(text)))
    if not compact or len(compact) > words.TODO_MAX_CHARS:
        return False
    if any(other in compact for other in words.TODO_OTHERS) or question_topic(compact):
        return False
    for verb in words.TODO_VERBS:
        for what in words.TODO_WHAT:
            if re.search(re.escape(verb) + ".?" + re.escape(what), compact):
                return True
    return any(task in compact for task in words.TODO_TASKS) and asks_question(compact)


def asks_question(text: str) -> bool:
    """is_question, with more question words ("入党申请书交给谁", "咋办") and "X不X"
    ("明天开不开会")."""
    if is_question(text):
        return True
    folded = unicodedata.normalize("NFKC", text)
    return any(marker in folded for marker in words.QUESTION_MARKERS_MORE) \
        or _A_NOT_A.search(folded) is not None


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LONG_QUESTION = 20  # characters: a question word inside a longer text may be rhetorical


def reads_as_reflection(text: str, title: str = "", body: str = "") -> bool:
    """Words worth keeping as a 心得 on the item `title` / `body`: no small talk and no
    question; then they use study words or the item's own, or, unless they are about
    something else (a plan, an errand, a request), they are long enough."""
    if not could_be_reflection(text):
        return False
    folded = unicodedata.normalize("NFKC", text).strip()
    length = sum(1 for char in folded if char.isalnum())
    if any(word in folded for word in words.REFLECTION_WORDS):
        return True
    if _mentions_item(folded, title, body):
        return True
    if any(word in folded for word in words.NOT_REFLECTION_WORDS):
        return False
    return length >= words.REFLECTION_MIN_CHARS


def could_be_reflection(text: str) -> bool:
    """Not small talk and not a question: worth looking up the item it may be about."""
    folded = unicodedata.normalize("NFKC", text).strip()
    if not folded or chat_kind(folded) is not None:
        return False
    return not _asks(folded, sum(1 for char in folded if char.isalnum()))


def _asks(folded: str, length: int) -> bool:
    """A question: asked at the end, or anywhere in a short message."""
    if folded.endswith("?") \
            or folded.rstrip(words.TRAILING_PUNCTUATION).endswith(words.QUESTION_ENDINGS):
        return True
    return length < _LONG_QUESTION and asks_question(folded)


def _mentions_item(folded: str, title: str, body: str) -> bool:
    """One of the title's words, or two of the body's ("总纲讲得透彻" on 《党章 总纲》)."""
    said = _item_words(folded)
    return bool(said & _item_words(title)) or len(said & _item_words(body)) >= 2


def _item_words(text: str) -> set[str]:
    """The two-character words of a text, without those of common characters."""
    folded = unicodedata.normalize("NFKC", text)
    return {run[i:i + 2] for run in _CJK_RUN.findall(folded) for i in range(len(run) - 1)
            if not any(char in words.ITEM_WORD_COMMON for char in run[i:i + 2])}

# Issue 25: words elderly members say that are commands in all but name. ------------

def _alternatives(choices: tuple[str, ...]) -> str:
    return "|".join(map(re.escape, sorted(choices, key=len, reverse=True)))


_ARRIVED = re.compile(
    f"(?:{_alternatives(words.ARRIVAL_SUBJECTS)})?(?:{_alternatives(words.ARRIVAL_ADVERBS)})*"
    f"(?:(?:{_alternatives(words.ARRIVAL_VERBS)})(?:{_alternatives(words.ARRIVAL_PLACES)})?)+"
    f"|(?:{_alternatives(words.ARRIVAL_SUBJECTS)})?(?:{_alternatives(words.ARRIVAL_ADVERBS)})*"
    f"(?:{_alternatives(words.ARRIVAL_BEING_AT)})(?:{_alternatives(words.ARRIVAL_PLACES)})")
_ARRIVAL_PARTICLES = re.compile(f"[{words.ARRIVAL_PARTICLES}]")
_ADDRESS = re.compile(f"^.{{0,3}}(?:{_alternatives(words.ARRIVAL_ADDRESSES)})$")


def says_arrived(text: str) -> bool:
    """"I'm here" in any of the ordinary ways (我到了, 到, 来了, 已到, 报到, 我已经到会场了,
    "李书记，我到了！"); not "快到了", "到了吗", "我到家了" or someone else's arrival."""
    # "我 到 了": spaces typed between the characters are nothing
    parts = [_core(part) for part in _PARTS.split(re.sub(r"\s+", "", text)) if _core(part)]
    arrived = [part for part in parts if _arrival(part)]
    others = [part for part in parts if not _arrival(part)]
    return bool(arrived) and all(_part_kind(part) or _ADDRESS.match(part) for part in others)


def _arrival(part: str) -> bool:
    return _ARRIVED.fullmatch(_ARRIVAL_PARTICLES.sub("", part)) is not None


@dataclass(frozen=True)
class LeaveSaid:
    """A leave asked for in a sentence: the reason in the member's words (None when only
    the wish was said) and the day it is about (days from today; None when not said)."""

    reason: str | None
    day: int | None


_LEAVE = re.compile(f"{words.LEAVE_ASKED}|{words.LEAVE_CANNOT}")
_FILLER = re.compile(words.LEAVE_FILLER)
_DAYS = re.compile(_alternatives(tuple(words.LEAVE_DAYS)))
_CLAUSES = re.compile("[" + re.escape(words.CLAUSE_SEPARATORS) + r"\s]+")
_REASON_EDGES = words.TRAILING_PUNCTUATION + words.REASON_EDGES


def leave_said(text: str) -> LeaveSaid | None:
    """Whether `text` asks for leave in so many words (我想请个假, 我今天去不了了，家里有事,
    明天的会我参加不了, 身体不舒服来不了) — not a question about leave."""
    folded = unicodedata.normalize("NFKC", text).strip()
    if not folded or len(folded) > words.LEAVE_MAX_CHARS or is_question(folded):
        return None
    if not _LEAVE.search(folded.replace(" ", "")):
        return None
    reasons = [reason for clause in _CLAUSES.split(folded)
               if (reason := _reason_in(clause.replace(" ", "")))]
    return LeaveSaid(words.CLAUSE_SEP.join(reasons) or None, said_day(folded))


def _reason_in(clause: str) -> str | None:
    """What is left of a clause without the wish to leave, if it says anything."""
    rest = _LEAVE.sub(" ", clause)
    pieces = [piece.strip(_REASON_EDGES) for piece in rest.split(" ")]
    rest = "".join(piece for piece in pieces if _FILLER.sub("", piece))
    for prefix in words.LEAVE_REASON_PREFIXES:
        rest = rest.removeprefix(prefix)
    rest = rest.strip(_REASON_EDGES)
    return rest if len(_FILLER.sub("", _DAYS.sub("", rest))) >= 2 else None


def asks_for_code(text: str) -> bool:
    """Whether the member asks for the 签到码 or says it is forgotten (签到码是多少,
    我忘了签到码, 签到码忘了, 不知道签到码)."""
    folded = unicodedata.normalize("NFKC", text).replace(" ", "")
    return any(word in folded for word in words.CODE_WORDS) \
        and any(marker in folded for marker in words.CODE_FORGOTTEN_MARKERS) \
        and len(folded) <= 30


def answers_yes(text: str) -> bool:
    """"是", "是的", "对", "确认", "好的，谢谢" …: yes to a question the bot asked."""
    return _answers(text, words.LEAVE_YES_WORDS)


def answers_no(text: str) -> bool:
    """"不", "不用了", "算了", "不请了，谢谢" …: no to a question the bot asked."""
    return _answers(text, words.NO_WORDS)


def _answers(text: str, answer_words: tuple[str, ...]) -> bool:
    """The first part is one of `answer_words`, anything after it small talk."""
    parts = [part for part in _PARTS.split(unicodedata.normalize("NFKC", text)) if _core(part)]
    if not parts:
        return False
    first = parts[0].strip().lower()
    return (first in answer_words or _core(first) in answer_words) \
        and all(_part_kind(_core(part)) for part in parts[1:])


_PLACEHOLDERS = re.compile("[" + re.escape(words.PLACEHOLDER_BRACKETS) + "]")


def without_placeholders(text: str) -> str:
    """Help's placeholder brackets as spaces ("请假 <4587> ‹家里有事>" → "请假  4587   家里有事 "),
    so a command copied from the help with its brackets reads as meant."""
    return _PLACEHOLDERS.sub(" ", unicodedata.normalize("NFKC", text))


def has_placeholders(text: str) -> bool:
    """Whether `text` has any of help's placeholder brackets."""
    return _PLACEHOLDERS.search(unicodedata.normalize("NFKC", text)) is not None


def quoted(text: str) -> str:
    """Text to put inside 「」 in a reply: trimmed, without its own trailing punctuation
    (the reply's sentence has its own: "「我到了」。", never "「我到了。」。")."""
    return text.strip().rstrip(words.TRAILING_PUNCTUATION + " ")


def said_day(text: str) -> int | None:
    """The day a message is about, in days from today ("明天家里有事" → 1), if it says."""
    day = _DAYS.search(unicodedata.normalize("NFKC", text))
    return words.LEAVE_DAYS[day[0]] if day is not None else None


_DOUBLED_STOP = re.compile(
    f"[{re.escape(words.QUOTE_OWN_STOPS)}]+({re.escape(words.QUOTE_CLOSE)}"
    f"[{re.escape(words.QUOTE_FOLLOWING_STOPS)}])")


def tidy_quotes(reply: str) -> str:
    """A reply without doubled punctuation where it quotes someone: "「我到了。」。" →
    "「我到了」。" (the net under every quoting sentence; each also uses `quoted`)."""
    return _DOUBLED_STOP.sub(r"\1", reply)
