"""Label names and colours from resources/labels.json, picked for the palette."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PySide6.QtGui import QColor, QGuiApplication, QPalette

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


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


def known_labels() -> list[str]:
    return list(_label_file()["entities"])


def colour(role: str) -> QColor:
    """A named colour (quote, quote_active, speaker, cue) for the current palette."""
    return QColor(_label_file()[role][_variant()])
