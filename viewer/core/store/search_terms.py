"""Where a search's terms are in a text, found in Python, for texts FTS5 cannot mark.

FTS5's ``highlight()`` marks matches with in-band strings and reads the text as
a C string: a text holding a NUL comes back cut short, and one holding the
marks themselves cannot be told from its marks. For such a text (rare: control
characters in imported data) the first match is found here instead, by the
tokenizer's rules, ``unicode61 remove_diacritics 2``: a token is a run of
letters, digits and private-use characters; case and diacritics are folded.

    first_match(text, fts_expression) -> (start, end, matches) or None

The expression is what ``search.fts_query`` built (quoted strings with an
optional ``*``) or, in raw mode, FTS5 syntax, of which only the terms count:
operators, ``NEAR``, column filters and parentheses are not terms.
"""

from __future__ import annotations

import re
import unicodedata

_TOKEN_CATEGORIES = ("L", "N", "Co")
_QUERY_PART = re.compile(r'"((?:[^"]|"")*)"(\*?)|([^\s"()]+)')
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


def _is_token_char(ch: str) -> bool:
    return unicodedata.category(ch).startswith(_TOKEN_CATEGORIES)


def tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded token) for each token of ``text``."""
    found, start = [], None
    for i, ch in enumerate(text):
        if _is_token_char(ch):
            if start is None:
                start = i
        elif start is not None:
            found.append((start, i, fold(text[start:i])))
            start = None
    if start is not None:
        found.append((start, len(text), fold(text[start:])))
    return found


def fold(token: str) -> str:
    decomposed = unicodedata.normalize("NFD", token.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def query_terms(expression: str) -> list[tuple[list[str], bool]]:
    """Each term as (its folded tokens, a phrase; whether its last token is a prefix)."""
    terms = []
    for m in _QUERY_PART.finditer(expression):
        quoted, star, bare = m.group(1), m.group(2), m.group(3)
        if quoted is not None:
            text, prefix = quoted.replace('""', '"'), bool(star)
        else:
            if bare.upper() in _OPERATORS or bare.startswith(("NEAR(", "^")):
                continue
            bare = bare.split(":", 1)[1] if ":" in bare else bare  # a column filter
            text, prefix = bare.rstrip("*"), bare.endswith("*")
        words = [t for _s, _e, t in tokens(text)]
        if words:
            terms.append((words, prefix))
    return terms


def first_match(text: str, expression: str) -> tuple[int, int, int] | None:
    """The first place any term matches (start, end) and how many matches there are
    (a phrase counts once, as highlight() marks it as one run)."""
    found = tokens(text)
    terms = query_terms(expression)
    first, count = None, 0
    for i in range(len(found)):
        for words, prefix in terms:
            if _matches_at(found, i, words, prefix):
                count += 1
                if first is None:
                    first = (found[i][0], found[i + len(words) - 1][1])
    return None if first is None else (first[0], first[1], count)


def _matches_at(found: list[tuple[int, int, str]], i: int, words: list[str], prefix: bool) -> bool:
    if i + len(words) > len(found):
        return False
    for k, word in enumerate(words):
        token = found[i + k][2]
        last = k == len(words) - 1
        if not (token == word or (last and prefix and token.startswith(word))):
            return False
    return True
