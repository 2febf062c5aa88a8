"""Every key of the window, in one list: Help → Keyboard Shortcuts shows it, and a
test holds the README's keys table and the window's own bindings to it.

A key bound in the window but missing here, or listed here but bound nowhere,
fails that test; so does a README row that differs from this list.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class Key:
    shown: str  # as the README and the dialog show it: "Alt+Down / Ctrl+PgDown"
    does: str
    bound: tuple[str, ...] = ()  # Qt's portable key names, when they differ from ``shown``
    action: bool = True  # False: a widget's own key (Tab, arrows), not a window action

    def sequences(self) -> tuple[str, ...]:
        """The key sequences the window binds as actions for this row."""
        if not self.action:
            return ()
        return self.bound or tuple(part.strip() for part in self.shown.split(" / "))


KEYS: tuple[Key, ...] = (
    Key("Alt+Down / Ctrl+PgDown", "next article"),
    Key("Alt+Up / Ctrl+PgUp", "previous article"),
    Key("Ctrl+J", "next unreviewed article"),
    Key("F6 / Shift+F6", "focus the next / previous pane: article list, text, side panel"),
    Key("Ctrl+1 / Ctrl+2 / Ctrl+3", "focus the article list / the text / the side panel"),
    Key(
        "Tab / Shift+Tab",
        "next / previous field (also out of the list, the text and the note)",
        action=False,
    ),
    Key("Shift+arrows", "in the text (Ctrl+2): select from the caret, then label it", action=False),
    Key(
        "1 … 9",
        "label the selected text with label 1 … 9",
        bound=tuple(str(n) for n in range(1, 10)),
    ),
    Key("Ctrl+L", "label the selection with a searchable picker (and a note)"),
    Key("Ctrl+E", "add a missed entity over the selection"),
    Key("Delete", "delete your label under the cursor, or reject the entity there", ("Del",)),
    Key("Alt+1 / Alt+2 / Alt+3", "mark the article unreviewed / in progress / done"),
    Key("Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y", "undo / redo any edit (also after switching articles)"),
    Key("Ctrl+Shift+L", "edit the label set"),
    Key(
        "Ctrl+Up / Ctrl+Down",
        "in the label editor: move a label up / down (keys 1–9 follow)",
        action=False,
    ),
    Key("Ctrl+Shift+R", "annotations to review after a text changed"),
    Key("Ctrl+Shift+G", "agreement between two annotators"),
    Key("Ctrl+Shift+C", "conflicts between annotators"),
    Key("Ctrl+Shift+D", "adjudicate the article"),
    Key("Ctrl+F", "search titles and texts"),
    Key("Ctrl+Shift+F / Ctrl+Shift+X", "show the filters / clear them"),
    Key("Ctrl+Shift+T", "corpus tables (entities, speakers) and charts"),
    Key("Ctrl+Shift+E", "export (CSV or JSONL)"),
    Key("Ctrl+Shift+I", "import annotations"),
    Key("Ctrl+Shift+Q", "all attributions on/off (View → All Attributions)"),
    Key("Ctrl+T", "add an attribution over the selection, with its kind and speaker"),
    Key("Ctrl+K", "set the speaker of the attribution at the cursor"),
    Key("Ctrl+Shift+K", "change its kind (then D, M, R, N)"),
    Key("Ctrl+Shift+N", "not an attribution (every piece of it)"),
    Key("Ctrl+M", "choose the spaCy model"),
    Key("Ctrl+R", "import report"),
    Key("Ctrl+O / Ctrl+Shift+O", "open a folder / a file"),
    Key("F1", "this list of keys (Help → Keyboard Shortcuts)"),
    Key("Ctrl+Q", "quit"),
)


def bound_sequences() -> set[str]:
    """Every key sequence the list says the window binds."""
    return {s for key in KEYS for s in key.sequences()}


def markdown_table() -> str:
    """The README's keys table, as this list makes it."""
    rows = ["| key | does |", "| --- | --- |"]
    rows += [f"| {key.shown} | {key.does} |" for key in KEYS]
    return "\n".join(rows)


class ShortcutsDialog(QDialog):
    """Help → Keyboard Shortcuts: the list above, as a table."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(640, 560)
        self.table = QTableWidget(len(KEYS), 2)
        self.table.setHorizontalHeaderLabels(["Key", "Does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        for row, key in enumerate(KEYS):
            for col, text in enumerate((key.shown, key.does)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, col, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
