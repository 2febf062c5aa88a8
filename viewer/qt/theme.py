"""Label names and colours from resources/labels.json, picked for the palette.

Entities have a background per label; attributions (who said what) a style
per kind: a background and an optional underline in a line colour.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtGui import QColor, QGuiApplication, QPalette, QTextCharFormat

from viewer.core.bundled import resources

RESOURCES = resources()


@dataclass(frozen=True)
class LabelStyle:
    label: str
    name: str
    visible: bool
    background: QColor


@lru_cache(maxsize=1)
def _label_file() -> dict:
    return json.loads((RESOURCES / "labels.json").read_text(encoding="utf-8"))


def is_dark() -> bool:
    """A dark palette has a window colour darker than its text."""
    palette = QGuiApplication.palette()
    return (
        palette.color(QPalette.ColorRole.Base).lightness()
        < palette.color(QPalette.ColorRole.Text).lightness()
    )


def _variant() -> str:
    return "dark" if is_dark() else "light"


def label_style(label: str) -> LabelStyle:
    spec = _label_file()["entities"].get(label) or _label_file()["other"]
    name = spec["name"] if label in _label_file()["entities"] else label
    return LabelStyle(label, name, spec["visible"], QColor(spec[_variant()]))


def label_name(label: str) -> str:
    """An entity label as the legend names it ("Group" for NORP); unknown ones as they are."""
    return label_style(label).name


def known_labels() -> list[str]:
    return list(_label_file()["entities"])


def colour(role: str) -> QColor:
    """A named colour (quote_active, speaker, cue) for the current palette."""
    return QColor(_label_file()[role][_variant()])


_UNDERLINES = {
    None: QTextCharFormat.UnderlineStyle.NoUnderline,
    "dot": QTextCharFormat.UnderlineStyle.DotLine,
    "dash_dot": QTextCharFormat.UnderlineStyle.DashDotLine,
}


@dataclass(frozen=True)
class KindStyle:
    """How an attribution of one kind is drawn and named."""

    kind: str  # "direct", "mixed", "indirect", "no-source"
    name: str  # short, for the legend: "Direct", "Reported", …
    words: str  # for tooltips and lists: "direct quote", "reported speech", …
    background: QColor
    line: QColor  # the underline's colour
    underline: QTextCharFormat.UnderlineStyle

    def content_format(self, background: QColor | None = None) -> QTextCharFormat:
        """The format of an attribution's content (``background``: e.g. the active tint)."""
        fmt = QTextCharFormat()
        fmt.setBackground(background or self.background)
        if self.underline != QTextCharFormat.UnderlineStyle.NoUnderline:
            fmt.setUnderlineStyle(self.underline)
            fmt.setUnderlineColor(self.line)
        return fmt


def kind_style(kind: str) -> KindStyle:
    """The style of an attribution kind for the current palette (unknown kinds: direct)."""
    styles = _label_file()["attributions"]
    spec = styles.get(kind) or styles["direct"]
    variant = _variant()
    return KindStyle(
        kind if kind in styles else "direct",
        spec["name"],
        spec["words"],
        QColor(spec[variant]),
        QColor(spec[f"line_{variant}"]),
        _UNDERLINES[spec["underline"]],
    )
