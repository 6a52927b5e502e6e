"""Cutting a long reply into pages that fit one WeChat text message (2,048 bytes, as
UTF-8: a Chinese character is 3), at line ends where possible."""

from __future__ import annotations

from core.service_allowance import TEXT_LIMIT_BYTES


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def first_page(text: str, footer: str, limit: int = TEXT_LIMIT_BYTES) -> tuple[str, str]:
    """(the first page with `footer` after it, the rest) — or (text, "") if it fits."""
    if _size(text) <= limit:
        return text, ""
    room = limit - _size(footer) - 1
    page: list[str] = []
    used = 0
    lines = text.split("\n")
    for index, line in enumerate(lines):
        cost = _size(line) + (1 if page else 0)
        if used + cost <= room:
            page.append(line)
            used += cost
            continue
        if not page:  # one line longer than a page: cut it by characters
            head = _cut(line, room)
            rest = "\n".join([line[len(head):], *lines[index + 1:]])
            return head + "\n" + footer, rest
        return "\n".join(page) + "\n" + footer, "\n".join(lines[index:])
    return "\n".join(page), ""


def _cut(line: str, room: int) -> str:
    kept, used = [], 0
    for char in line:
        used += _size(char)
        if used > room:
            break
        kept.append(char)
    return "".join(kept)
