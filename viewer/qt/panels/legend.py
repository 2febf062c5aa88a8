"""The legend: one checkable swatch per attribution kind and per entity label.

Toggles are remembered between runs (QSettings, ``legend/…``). The attribution
kinds (Direct, Mixed, Reported, No source) are toggled one by one, or all at
once with ``attributions_action`` (the View menu's Ctrl+Shift+Q).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPen, QPixmap, QTextCharFormat
from PySide6.QtWidgets import QToolBar, QWidget

from viewer.core.attributions import ATTRIBUTION_KINDS
from viewer.qt.theme import KindStyle, kind_style, known_labels, label_style

# Before the kinds had toggles of their own, one key switched all quotes.
OLD_QUOTES_KEY = "legend/quotes"


def swatch(color: QColor, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(color)
    return QIcon(pixmap)


def kind_swatch(style: KindStyle, size: int = 14) -> QIcon:
    """The kind's tint with its underline drawn along the bottom, as in the text."""
    pixmap = QPixmap(size, size)
    pixmap.fill(style.background)
    if style.underline != QTextCharFormat.UnderlineStyle.NoUnderline:
        painter = QPainter(pixmap)
        pen = QPen(style.line, 2)
        pen.setStyle(
            Qt.PenStyle.DotLine
            if style.underline == QTextCharFormat.UnderlineStyle.DotLine
            else Qt.PenStyle.DashDotLine
        )
        painter.setPen(pen)
        y = size - 2.0
        painter.drawLine(QPointF(0, y), QPointF(size, y))
        painter.end()
    return QIcon(pixmap)


class Legend(QToolBar):
    """Toggles are remembered between runs (QSettings)."""

    changed = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__("Legend", parent)
        self.setObjectName("legend")
        self.settings = settings
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        # Whoever switched the old single "Quotes" toggle off keeps every kind off.
        quotes_default = settings.value(OLD_QUOTES_KEY, True, type=bool)
        self.kind_actions: dict[str, QAction] = {}
        for kind in ATTRIBUTION_KINDS:
            style = kind_style(kind)
            action = self._toggle(f"kind/{kind}", style.name, kind_swatch(style), quotes_default)
            action.setToolTip(f"Show {style.words} attributions: content, speaker and cue")
            self.kind_actions[kind] = action
        # Not on the toolbar: the View menu shows it (with its shortcut).
        self.attributions_action = QAction("All &Attributions", self)
        self.attributions_action.setCheckable(True)
        self.attributions_action.setToolTip("Show or hide every kind of attribution")
        self.attributions_action.triggered.connect(self.show_all_kinds)
        self._sync_all_action()
        self.addSeparator()
        self.label_actions: dict[str, QAction] = {}
        for label in known_labels():
            style = label_style(label)
            action = self._toggle(
                f"label/{label}", style.name, swatch(style.background), style.visible
            )
            action.setToolTip(f"Highlight {label} entities")
            self.label_actions[label] = action

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            for kind, action in self.kind_actions.items():
                action.setIcon(kind_swatch(kind_style(kind)))
            for label, action in self.label_actions.items():
                action.setIcon(swatch(label_style(label).background))

    def _toggle(self, key: str, text: str, icon: QIcon, default: bool) -> QAction:
        action = QAction(icon, text, self)
        action.setCheckable(True)
        action.setChecked(self.settings.value(f"legend/{key}", default, type=bool))
        action.toggled.connect(lambda on, k=key: self._store(k, on))
        self.addAction(action)
        return action

    def _store(self, key: str, on: bool) -> None:
        self.settings.setValue(f"legend/{key}", on)
        self._sync_all_action()
        self.changed.emit()

    def _sync_all_action(self) -> None:
        """Checked while any kind is shown: triggering it then hides them all."""
        self.attributions_action.setChecked(bool(self.visible_kinds()))

    def show_all_kinds(self, on: bool) -> None:
        """Every attribution kind on, or off; one ``changed`` for all."""
        self.blockSignals(True)
        try:
            for action in self.kind_actions.values():
                action.setChecked(on)
        finally:
            self.blockSignals(False)
        self._sync_all_action()
        self.changed.emit()

    def visible_labels(self) -> set[str]:
        return {label for label, a in self.label_actions.items() if a.isChecked()}

    def visible_kinds(self) -> set[str]:
        return {kind for kind, a in self.kind_actions.items() if a.isChecked()}
