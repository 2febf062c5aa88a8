"""Choosing a label (searchable, with an optional note) and editing the label set."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from viewer.core.store.labels import Label, label_usage, list_labels
from viewer.qt.editing.edits import Editor
from viewer.qt.panels.legend import swatch


class LabelPicker(QDialog):
    """Type to filter, arrow keys to choose, Enter to accept; a note is optional."""

    def __init__(self, labels: list[Label], parent: QWidget | None = None, title: str = ""):
        super().__init__(parent)
        self.setWindowTitle(title or "Label the selection")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type to search labels…")
        self.list = QListWidget()
        for i, lab in enumerate(labels):
            key = f"  [{i + 1}]" if i < 9 else ""
            item = QListWidgetItem(swatch(QColor(lab.color)), lab.name + key)
            item.setData(Qt.ItemDataRole.UserRole, lab.name)
            self.list.addItem(item)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note (optional)")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self.accept)
        self.list.itemActivated.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.list.setCurrentRow(0)

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        first = None
        for i in range(self.list.count()):
            item = self.list.item(i)
            hidden = needle not in item.data(Qt.ItemDataRole.UserRole).lower()
            item.setHidden(hidden)
            if not hidden and first is None:
                first = i
        if first is not None:
            self.list.setCurrentRow(first)

    def keyPressEvent(self, event) -> None:
        # Up/Down move through the list while typing in the search box.
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.search.hasFocus():
            self.list.setFocus()
            self.list.keyPressEvent(event)
            self.search.setFocus()
            return
        super().keyPressEvent(event)

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        if item is None or item.isHidden():
            return None
        return item.data(Qt.ItemDataRole.UserRole)


class LabelEditor(QDialog):
    """Add, rename, recolour and delete labels; every change is undoable."""

    def __init__(self, editor: Editor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.setWindowTitle("Labels")
        self.list = QListWidget()
        self.add_button = QPushButton("Add…")
        self.rename_button = QPushButton("Rename…")
        self.colour_button = QPushButton("Colour…")
        self.delete_button = QPushButton("Delete…")
        self.up_button = QPushButton("Move &Up")
        self.down_button = QPushButton("Move &Down")
        self.up_button.setToolTip("Earlier in the list: the first nine get the keys 1–9")
        self.down_button.setToolTip("Later in the list: the first nine get the keys 1–9")
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(1))
        for key, step in (("Ctrl+Up", -1), ("Ctrl+Down", 1)):  # also while in the list
            action = QAction(self)
            action.setShortcut(key)
            action.triggered.connect(lambda _checked=False, step=step: self.move(step))
            self.addAction(action)
        self.add_button.clicked.connect(self.add)
        self.rename_button.clicked.connect(self.rename)
        self.colour_button.clicked.connect(self.recolour)
        self.delete_button.clicked.connect(self.delete)
        side = QVBoxLayout()
        for b in (self.add_button, self.rename_button, self.colour_button, self.delete_button):
            side.addWidget(b)
        side.addSpacing(12)
        side.addWidget(self.up_button)
        side.addWidget(self.down_button)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(side)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The first nine labels get the keys 1–9."))
        layout.addLayout(row)
        layout.addWidget(close)
        editor.changed.connect(lambda _id: self.reload())
        self.reload()

    def reload(self) -> None:
        current = self.current()
        self.list.clear()
        for i, lab in enumerate(list_labels(self.editor.db())):
            key = f"  [{i + 1}]" if i < 9 else ""
            item = QListWidgetItem(swatch(QColor(lab.color)), lab.name + key)
            item.setData(Qt.ItemDataRole.UserRole, lab.name)
            self.list.addItem(item)
            if lab.name == current:
                self.list.setCurrentItem(item)

    def current(self) -> str | None:
        item = self.list.currentItem() if hasattr(self, "list") else None
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def move(self, step: int) -> None:
        """Move the current label up or down (keys 1–9 follow the order); undoable."""
        name = self.current()
        if name:
            self.editor.move_label(name, step)

    def add(self) -> None:
        name, ok = QInputDialog.getText(self, "New label", "Name:")
        if ok and name.strip():
            colour = QColorDialog.getColor(QColor("#868e96"), self, "Label colour")
            if colour.isValid():
                self.editor.add_label(name.strip(), colour.name())

    def rename(self) -> None:
        name = self.current()
        if name:
            new, ok = QInputDialog.getText(self, "Rename label", "New name:", text=name)
            if ok and new.strip() and new.strip() != name:
                self.editor.rename_label(name, new.strip())

    def recolour(self) -> None:
        name = self.current()
        if name:
            colour = QColorDialog.getColor(Qt.GlobalColor.gray, self, f"Colour of {name}")
            if colour.isValid():
                self.editor.recolour_label(name, colour.name())

    def delete(self) -> None:
        name = self.current()
        if not name:
            return
        used = label_usage(self.editor.db(), name)
        if not used:
            self.editor.delete_label(name, "refuse")
            return
        others = [lab.name for lab in list_labels(self.editor.db()) if lab.name != name]
        box = QMessageBox(self)
        box.setTextFormat(Qt.TextFormat.PlainText)  # label names are never markup
        box.setWindowTitle("Delete label")
        box.setText(f"“{name}” is used by {used} annotations. What should happen to them?")
        move = box.addButton("Move to another label…", QMessageBox.ButtonRole.AcceptRole)
        drop = box.addButton("Delete them too", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        move.setEnabled(bool(others))
        box.exec()
        if box.clickedButton() is move:
            target, ok = QInputDialog.getItem(
                self, "Move annotations", "Move them to:", others, 0, False
            )
            if ok:
                self.editor.delete_label(name, "move", target)
        elif box.clickedButton() is drop:
            self.editor.delete_label(name, "delete")
