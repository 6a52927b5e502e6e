"""WeChat's category-template keyword types (类目模板, since 2023-05-04).

A keyword's name is its type and a number (`thing1`, `time2`, `character_string3`); the
type limits the value, and a value that breaks the limit is refused with 47003. The
delivery side fits values before sending (`fit`); the fake WeChat API checks them with
the same rules (`problem`). `first` and `remark` no longer exist.
"""

from __future__ import annotations

import re

RETIRED_KEYWORDS = ("first", "remark")
_CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# \u5e74 \u6708 \u65e5 \u5143: the characters for year, month, day and yuan (escaped: Chinese
# text lives in the catalog only, tests/test_layers.py)
_YMD = r"\d{4}\u5e74\d{1,2}\u6708\d{1,2}\u65e5"
_TIME = re.compile(rf"^({_YMD} )?\d{{1,2}}:\d{{2}}$|^\d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}$")
_DATE = re.compile(rf"^{_YMD}( \d{{1,2}}:\d{{2}})?$|^\d{{4}}-\d{{2}}-\d{{2}}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_LETTERS = re.compile(r"^[A-Za-z]+$")
_PHONE = re.compile(r"^[\d+\-() ]+$")
_AMOUNT = re.compile(r"^[\u00a5\uffe5]?\d+(\.\d{1,2})?\u5143?$")

# type -> (maximum length, check of the characters or None)
LIMITS: dict[str, tuple[int, re.Pattern[str] | None]] = {
    "thing": (20, None),
    "number": (32, _NUMBER),
    "letter": (32, _LETTERS),
    "symbol": (5, None),
    "character_string": (32, None),
    "time": (30, _TIME),
    "date": (30, _DATE),
    "amount": (11, _AMOUNT),
    "phone_number": (17, _PHONE),
    "car_number": (8, None),
    "name": (10, None),
    "phrase": (5, None),
}
_KEYWORD = re.compile(r"^([a-z_]+?)(\d+)$")


def keyword_type(keyword: str) -> str | None:
    """`thing1` → "thing"; None for a name that is no category keyword."""
    match = _KEYWORD.match(keyword)
    return match[1] if match and match[1] in LIMITS else None


def problem(keyword: str, value: str) -> str | None:
    """Why WeChat would refuse `value` for `keyword` (47003), or None if it is fine."""
    if keyword in RETIRED_KEYWORDS:
        return f"{keyword} is no longer a template keyword"
    kind = keyword_type(keyword)
    if kind is None:
        return f"{keyword} is not a keyword of a category template"
    limit, pattern = LIMITS[kind]
    if not value or len(value) > limit:
        return f"{keyword} must be 1-{limit} characters"
    if pattern is not None and not pattern.match(value):
        return f"{keyword} is not a valid {kind}"
    if kind == "character_string" and _CHINESE.search(value):
        return f"{keyword} may not contain Chinese"
    if kind == "phrase" and not all(_CHINESE.match(c) for c in value):
        return f"{keyword} must be Chinese characters only"
    return None


def fit(keyword: str, value: str) -> str:
    """`value` made acceptable for `keyword`: text types are cut with an ellipsis;
    ValueError if it cannot be made to fit (a Chinese 签到码, a malformed time)."""
    kind = keyword_type(keyword)
    if kind in ("thing", "name") and value:
        limit = LIMITS[kind][0]
        value = value if len(value) <= limit else value[: limit - 1] + "…"
    if kind == "character_string":
        value = value.strip()
    reason = problem(keyword, value)
    if reason is not None:
        raise ValueError(reason)
    return value
