"""The tolerant reader (core/reading.py), as a table of what people type.

Each row is something a member, a helper or a secretary was seen to type (or would),
and what the router must read from it. The variants multiply: full-width forms, spaces
anywhere, colons, trailing punctuation, Chinese numerals, misspellings, phrases.
"""

from __future__ import annotations

import itertools
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.reading import Reader, read_numerals
from handlers import dispatcher

reader = Reader(dispatcher.by_word)


def full_width(text: str) -> str:
    """What a Chinese input method in full-width mode types for ASCII."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c
                   for c in text)


SEPARATORS = ["", " ", "  ", "\u3000", ":", "：", "，", ",", "、", " : "]
ENDINGS = ["", "。", ".", "！", "!", "？", "~", " ", "。。", "…"]

CHECK_IN_ROWS = [
    (f"{word}{sep}{code}{end}", "签到", ["6473"])
    for word, sep, code, end in itertools.product(
        ["签到", "签 到", "签道", "我要签到"], SEPARATORS, ["6473", "６４７３", "六四七三"],
        ENDINGS)
]

LEAVE_ROWS = [
    (f"{word}{sep}{code}{sep2}{reason}", "请假", ["2255", *expected])
    for word, sep, code, sep2, (reason, expected) in itertools.product(
        ["请假", "清假", "我要请假"], ["", " ", "：", "，"], ["2255", "二二五五"],
        ["", " ", "，"], [("有事", ["有事"]), ("外出务工", ["外出务工"]),
                          ("去县医院看病 复查", ["去县医院看病", "复查"])])
]

EXACT_ROWS = [
    # the issue's own examples
    ("签到：6473", "签到", ["6473"]),
    ("签到 6473。", "签到", ["6473"]),
    ("签 到 6473", "签到", ["6473"]),
    ("签道 6473", "签到", ["6473"]),
    ("签到，一二三四。", "签到", ["1234"]),
    ("请假2255有事", "请假", ["2255", "有事"]),
    ("代签 赵大爷6473", "代签", ["赵大爷", "6473"]),
    ("代签赵大爷 6473", "代签", ["赵大爷", "6473"]),
    ("代签 赵大爷 六四七三", "代签", ["赵大爷", "6473"]),
    ("代签 张三一二三四", "代签", ["张三", "1234"]),
    ("帮学 孙奶奶完成", "帮学", ["孙奶奶完成"]),
    ("帮学 孙奶奶 完成", "帮学", ["孙奶奶", "完成"]),
    ("帮学孙奶奶 完成。", "帮学", ["孙奶奶", "完成"]),
    ("代请假 赵大爷 1234 腿脚不便", "代请假", ["赵大爷", "1234", "腿脚不便"]),
    ("代请假：赵大爷，1234，腿脚不便。", "代请假", ["赵大爷", "1234", "腿脚不便"]),
    ("带请假 赵大爷 1234 腿脚不便", "代请假", ["赵大爷", "1234", "腿脚不便"]),
    # phrases that mean a command
    ("已学", "已学", []), ("已学习", "已学", []), ("学习了", "已学", []),
    ("学完了", "已学", []), ("学好了。", "已学", []), ("学过了！", "已学", []),
    ("已经学习了", "已学", []), ("我学完了", "已学", []), ("以学", "已学", []),
    ("己学", "已学", []), ("已学 12", "已学", ["12"]), ("已学十二", "已学", ["12"]),
    ("学习", "学习", []), ("学习 12", "学习", ["12"]), ("学习 十二", "学习", ["12"]),
    ("学习第12期", "学习", ["第12期"]), ("学习：二十三", "学习", ["23"]),
    ("学习 两", "学习", ["2"]), ("学习 一百零五", "学习", ["105"]),
    ("今天学什么", "学习", []),
    ("帮助", "帮助", []), ("帮组", "帮助", []), ("菜单", "帮助", []),
    ("帮助 签到", "帮助", ["签到"]),
    ("会议", "会议", []), ("开会？", "会议", []), ("我的", "我的", []),
    # full-width and spacing
    ("签到１２３４", "签到", ["1234"]), ("签到\u3000１２３４", "签到", ["1234"]),
    ("  签到   1234  ", "签到", ["1234"]),
    # binding
    ("绑定 韩梅 13800000015", "绑定", ["韩梅", "13800000015"]),
    ("绑定韩梅0015", "绑定", ["韩梅", "0015"]),
    ("绑定：韩梅，0015。", "绑定", ["韩梅", "0015"]),
    ("绑定 张 三 1234", "绑定", ["张", "3", "1234"]),  # names are taken from .words
    ("绑定 老党员2 1234", "绑定", ["老党员2", "1234"]),  # a short number is part of a name
    # an admin's commands keep times and coordinates whole
    ("新建会议 党员大会 2026-12-06 09:00 村委会@30.12,120.5 学习",
     "新建会议", ["党员大会", "2026-12-06", "09:00", "村委会@30.12,120.5", "学习"]),
    ("补录 12 张三 出席", "补录", ["12", "张三", "出席"]),
    ("补录 6473 张三 请假 外出", "补录", ["6473", "张三", "请假", "外出"]),
    ("结束会议 6473", "结束会议", ["6473"]), ("结束会议六四七三", "结束会议", ["6473"]),
    ("取消会议：6473", "取消会议", ["6473"]),
    ("结对 王帮扶 赵大爷", "结对", ["王帮扶", "赵大爷"]),
    ("解除结对 赵大爷", "解除结对", ["赵大爷"]),
    # not commands
    ("你好", "", ["你好"]), ("6473", "", ["6473"]), ("六四七三", "", ["6473"]),
    ("怎么签到", "", ["怎么签到"]), ("", "", []), ("。", "", []), ("👍", "", ["👍"]),
]

ROWS = CHECK_IN_ROWS + LEAVE_ROWS + EXACT_ROWS + [
    (full_width(text), word, args) for text, word, args in EXACT_ROWS if text.isascii() is False
    and not any(c in text for c in "@.")  # full-width "@" and "." read back the same anyway
]


def test_the_table_is_large():
    assert len(ROWS) >= 300


@pytest.mark.parametrize(("text", "word", "args"), ROWS)
def test_reads(text, word, args):
    reading = reader.read(text)
    assert (reading.word, reading.args) == (word, args)


def test_names_keep_their_numeral_characters():
    assert reader.read("绑定 张 三 1234").words == ["张", "三", "1234"]
    assert reader.read("代签 张三 一二三四").words == ["张三", "一二三四"]


@pytest.mark.parametrize(("text", "code"), [
    ("6473", "6473"), ("６４７３", "6473"), ("六四七三", "6473"), (" 6473。", "6473"),
    ("647", None), ("64735", None), ("签到 6473", None), ("你好", None),
])
def test_a_bare_code(text, code):
    assert reader.read(text).bare_code == code


@pytest.mark.parametrize(("text", "number"), [
    ("一二三四", "1234"), ("十", "10"), ("十二", "12"), ("二十", "20"), ("二十三", "23"),
    ("两", "2"), ("一百零五", "105"), ("三千", "3000"), ("〇一", "01"), ("零", "0"),
    ("张三", None), ("", None), ("12", None),
])
def test_chinese_numerals(text, number):
    assert read_numerals(text) == number


@pytest.mark.parametrize(("text", "reason"), [
    ("请假 1234 请各位党员认真学习，结合本村实际谈体会。",
     "请各位党员认真学习，结合本村实际谈体会。"),
    ("请假：1234，家里有事（老人住院）！", "家里有事（老人住院）！"),
    ("请假 1234 ＡＢＣ　全角", "ＡＢＣ　全角"),
])
def test_free_text_keeps_its_own_punctuation(text, reason):
    assert reader.read(text).rest(1) == reason


@given(st.text(max_size=60))
def test_reading_never_changes_the_text_it_came_from(text):
    """Whatever the reader returns, the free text it hands on is the original's own."""
    reading = reader.read(text)
    assert reading.original == text
    for index, token in enumerate(reading.tokens):
        assert 0 <= token.start <= token.end <= len(text)
        assert reading.rest(index) == text[token.start:].strip()


@given(st.sampled_from(sorted(dispatcher.by_word)), st.text(max_size=40))
def test_a_reason_after_a_command_is_stored_as_typed(word, tail):
    text = f"{word} 1234 {tail}"
    reading = reader.read(text)
    if reading.word == word and len(reading.tokens) > 1:
        assert text.endswith(reading.rest(1)) or reading.rest(1) == text[
            reading.tokens[1].start:].strip()
        assert unicodedata.normalize("NFC", reading.rest(1)) == unicodedata.normalize(
            "NFC", text[reading.tokens[1].start:].strip())
