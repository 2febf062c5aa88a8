"""Python code-point offsets <-> Qt UTF-16 positions, at the widget boundary only.

Qt counts a character outside the Basic Multilingual Plane (an emoji) as two
units; Python counts it as one. Everything stored uses Python offsets.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # outside the BMP: two Qt units


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class Utf16Map:
    def __init__(self, text: str):
        # Code-point positions of astral characters; usually empty, so the
        # common case is a plain identity. Whether there are any is asked of the
        # UTF-16 length (C speed: a loop over 5 MB in Python takes a quarter of
        # a second), and only then where, by a regex.
        self._astral = (
            [m.start() for m in ASTRAL.finditer(text)]
            if not text.isascii() and utf16_length(text) > len(text)
            else []
        )
        # Qt position just after each astral character, for the reverse map.
        self._astral_qt_end = [p + k + 2 for k, p in enumerate(self._astral)]

    def to_qt(self, pos: int) -> int:
        return pos + bisect_left(self._astral, pos)

    def from_qt(self, qpos: int) -> int:
        # Subtract one unit per astral character that ends at or before qpos;
        # a position inside a surrogate pair rounds up past the character.
        return qpos - bisect_right(self._astral_qt_end, qpos)
