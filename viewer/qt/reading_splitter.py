"""The window's three columns (list, text, side panel), where the text gives up width
last: when the window narrows, the list and the panel shrink first, so the text
keeps at least half the width (a plain QSplitter took all of it from the text:
at 1024 px it was left about 220 px between two 380 px columns)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget

TEXT = 1  # the reading column's index
TEXT_SHARE = 0.5  # what the text keeps when the window narrows, if it had as much
SIDE_MINIMUM = 180  # px: a list or panel narrower than this shows nothing useful
TEXT_MINIMUM = 320  # px: about 40 characters of the article text


class ReadingSplitter(QSplitter):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setChildrenCollapsible(False)

    def addWidget(self, widget: QWidget) -> None:  # noqa: N802 - Qt's name
        super().addWidget(widget)
        widget.setMinimumWidth(TEXT_MINIMUM if self.count() - 1 == TEXT else SIDE_MINIMUM)
        self.setStretchFactor(self.count() - 1, 1 if self.count() - 1 == TEXT else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() > event.size().width():
            self.keep_reading_width()

    def keep_reading_width(self) -> None:
        """Give the text its share back from the side columns, theirs in proportion."""
        sizes = self.sizes()
        if len(sizes) != 3 or sizes[TEXT] == 0:
            return
        total = sum(sizes)
        want = int(total * TEXT_SHARE)
        sides = sizes[0] + sizes[2]
        if sizes[TEXT] >= want or sides <= 0:
            return
        room = total - want
        left = max(SIDE_MINIMUM, round(sizes[0] * room / sides)) if sizes[0] else 0
        right = max(SIDE_MINIMUM, round(sizes[2] * room / sides)) if sizes[2] else 0
        self.setSizes([left, total - left - right, right])
