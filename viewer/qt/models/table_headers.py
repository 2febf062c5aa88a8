"""The one header rule every table model here shares."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt


def column_header(
    columns: Sequence[str], section: int, orientation: Qt.Orientation, role: int
) -> str | None:
    """The column's name for a horizontal header's display role; else nothing."""
    if (
        orientation == Qt.Orientation.Horizontal
        and role == Qt.ItemDataRole.DisplayRole
        and 0 <= section < len(columns)
    ):
        return columns[section]
    return None
