"""Untrusted text in places where Qt would guess rich text (tooltips)."""

from __future__ import annotations

import html


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally: escaped, and marked as rich
    text explicitly so Qt never interprets markup found in an article."""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"
