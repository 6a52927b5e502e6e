"""Traditional characters read as simplified ones: some members type on phones set to
繁體 input ("綁定 陳強"), and the roster and the command words are simplified.

A small table of common characters (command words, words around them, common surnames
and characters of given names; core.words.TRADITIONAL_SIMPLIFIED), one to one, so a
reader can map a text character by character and keep every position. Characters that
are also ordinary simplified characters (於, 乾, 著, 餘 …) are left out: mapping them
would change a correct name.
"""

from __future__ import annotations

from core import words

SIMPLIFIED: dict[str, str] = {pair[0]: pair[1]
                              for pair in words.TRADITIONAL_SIMPLIFIED.split()
                              if len(pair) == 2 and pair[0] != pair[1]}


def to_simplified(text: str) -> str:
    """`text` with the table's traditional characters made simplified (same length)."""
    return "".join(SIMPLIFIED.get(char, char) for char in text)
