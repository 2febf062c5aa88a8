"""The legend: one checkable swatch per entity label, plus quotes on/off."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPixmap
from PySide6.QtWidgets import QToolBar, QWidget

from viewer.qt.theme import colour, known_labels, label_style


def swatch(color: QColor, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(color)
    return QIcon(pixmap)


class Legend(QToolBar):
    """Toggles are remembered between runs (QSettings)."""

    changed = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__("Legend", parent)
        self.setObjectName("legend")
        self.settings = settings
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.quotes_action = self._toggle("quotes", "Quotes", colour("quote_active"), True)
        self.quotes_action.setToolTip("Show quotes, their speakers and cues")
        self.addSeparator()
        self.label_actions: dict[str, QAction] = {}
        for label in known_labels():
            style = label_style(label)
            action = self._toggle(f"label/{label}", style.name, style.background, style.visible)
            action.setToolTip(f"Highlight {label} entities")
            self.label_actions[label] = action

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.quotes_action.setIcon(swatch(colour("quote_active")))
            for label, action in self.label_actions.items():
                action.setIcon(swatch(label_style(label).background))

    def _toggle(self, key: str, text: str, color: QColor, default: bool) -> QAction:
        action = QAction(swatch(color), text, self)
        action.setCheckable(True)
        action.setChecked(self.settings.value(f"legend/{key}", default, type=bool))
        action.toggled.connect(lambda on, k=key: self._store(k, on))
        self.addAction(action)
        return action

    def _store(self, key: str, on: bool) -> None:
        self.settings.setValue(f"legend/{key}", on)
        self.changed.emit()

    def visible_labels(self) -> set[str]:
        return {label for label, a in self.label_actions.items() if a.isChecked()}

    def show_quotes(self) -> bool:
        return self.quotes_action.isChecked()
