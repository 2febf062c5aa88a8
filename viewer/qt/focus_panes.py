"""Putting keyboard focus in the window's panes: F6 / Shift+F6 cycle the article
list, the article text and the side panel; Ctrl+1/2/3 go to one of them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QWidget

# A pane: the widget that holds it (to know where focus is) and the widget to focus.
Pane = tuple[QWidget, Callable[[], QWidget]]


class FocusPanes(QObject):
    def __init__(self, window: QWidget, panes: Sequence[Pane]):
        super().__init__(window)
        self.window, self.panes = window, list(panes)
        self.next_action = self._action("Next Pane", ["F6"], lambda: self.cycle(1))
        self.previous_action = self._action("Previous Pane", ["Shift+F6"], lambda: self.cycle(-1))
        self.pane_actions = [
            self._action(name, [f"Ctrl+{n}"], lambda _c=False, i=n - 1: self.focus(i))
            for n, name in enumerate(("Article &List", "Article &Text", "Side &Panel"), start=1)
        ]

    def _action(self, text: str, keys: list[str], slot) -> QAction:
        action = QAction(text, self.window)
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.window.addAction(action)
        return action

    def actions(self) -> list[QAction]:
        return [self.next_action, self.previous_action, *self.pane_actions]

    def current(self) -> int | None:
        """The pane holding the keyboard focus, if any."""
        focused = QApplication.focusWidget()
        for i, (holder, _target) in enumerate(self.panes):
            if focused is not None and (focused is holder or holder.isAncestorOf(focused)):
                return i
        return None

    def cycle(self, step: int) -> None:
        current = self.current()
        start = -1 if current is None and step > 0 else (current or 0)
        self.focus((start + step) % len(self.panes))

    def focus(self, index: int) -> None:
        target = self.panes[index][1]()
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
