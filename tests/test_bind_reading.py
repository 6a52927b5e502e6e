"""The binding reader (core.bind_reading) and traditional characters in the tolerant
reader (core.reading), without a webhook: every example of issue 25 item 11 and more of
each kind."""

from __future__ import annotations

import pytest

from core.bind_reading import looks_like_binding, name_alone, read_bind_words
from core.reading import Reader


@pytest.mark.parametrize(("text", "name", "suffix"), [
    ("绑定 陈强 １３８００００００７", "陈强", "0007"), ("绑定 陈强 138-0000-0007", "陈强", "0007"),
    ("绑定 陈强 138 0000 0007", "陈强", "0007"), ("绑定 陈强 手机0007", "陈强", "0007"),
    ("绑定 陈强 尾号0007", "陈强", "0007"), ("绑定 陈强 手机尾号是0007", "陈强", "0007"),
    ("陈强 0007", "陈强", "0007"), ("綁定 陳強 0007", "陈强", "0007"),
    ("绑定 张为 1234", "张为", "1234"),  # a name ending in 为 keeps it
    ("绑定 陈强的手机0007", "陈强", "0007"), ("我叫欧阳娜娜，电话：5678", "欧阳娜娜", "5678"),
    ("绑定 买买提·艾力 1234", "买买提·艾力", "1234"), ("绑定 陈强 手机号码为 0007", "陈强", "0007"),
    ("绑定 陈强 最后四位0007", "陈强", "0007"), ("绑定 陈强 +86-138-0000-0007", "陈强", "0007"),
])
def test_name_and_suffix_in_any_dress(text, name, suffix):
    read = read_bind_words(text)
    assert (read.name, read.suffix) == (name, suffix)


@pytest.mark.parametrize(("text", "name", "number_written"), [
    ("绑定 陈强 12", "陈强", True), ("绑定 陈强 0007 1234", "陈强", True),
    ("绑定 0007", None, True), ("绑定", None, False), ("绑定 陈强", "陈强", False),
    ("绑定 陈强 2380000000712", "陈强", True),
])
def test_what_is_missing_or_malformed(text, name, number_written):
    read = read_bind_words(text)
    assert not read.complete and read.name == name and read.number_written == number_written


@pytest.mark.parametrize(("text", "expected"), [
    ("陈强 0007", True), ("我要绑定", True), ("0007", True), ("陈强 12345", True),
    ("你好", False), ("你好 1234", False), ("我到了 1234", False), ("请问0007是什么", False),
    ("2026年学习计划", False), ("收到1234", False), ("今天开会吗", False),
])
def test_a_strangers_words_about_binding(text, expected):
    assert looks_like_binding(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("陈强", "陈强"), ("陳強。", "陈强"), ("我是陈强", "陈强"), ("谢谢", None), ("我到了", None),
    ("陈强 0007", None), ("你们好吗", None), ("今天的学习内容很好", None),
])
def test_a_name_alone(text, expected):
    assert name_alone(text) == expected


@pytest.mark.parametrize(("text", "word", "args"), [
    ("綁定 陳強 0007", "绑定", ["陈强", "0007"]), ("簽到：１２３４", "签到", ["1234"]),
    ("請假 1234 家裡有事", "请假", ["1234", "家里有事"]),
    ("結對 王幫扶 陳強", "结对", ["王帮扶", "陈强"]),
    ("幫學 趙大爺 完成", "帮学", ["赵大爷", "完成"]),
])
def test_traditional_characters_read_as_simplified(text, word, args):
    reading = Reader(["绑定", "签到", "请假", "结对", "帮学"]).read(text)
    assert (reading.word, reading.args) == (word, args)
    if word == "请假":
        assert reading.rest(1) == "家裡有事"  # free text is kept as typed
