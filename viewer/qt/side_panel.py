"""The side panel: the article's quotes by speaker and its entities by label.

Clicking an item asks the text view to scroll to and select it.
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTabWidget, QTreeWidget, QTreeWidgetItem, QWidget

from viewer.core.model import Analysis, Quote
from viewer.qt.safe_text import plain_tooltip
from viewer.qt.theme import label_style

SPAN_ROLE = Qt.ItemDataRole.UserRole  # (start, end) of the text to select
QUOTE_ROLE = Qt.ItemDataRole.UserRole + 1  # index of the quote


def speaker_key(q: Quote) -> str:
    """How quotes are grouped: the resolved name, else the mention as written."""
    return q.speaker_name or q.speaker_text or "(unknown speaker)"


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SidePanel(QTabWidget):
    span_requested = Signal(int, int)
    quote_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.quotes = self._tree(["Speaker → quote"])
        self.entities = self._tree(["Entity", "Mentions"])
        self.addTab(self.quotes, "Quotes")
        self.addTab(self.entities, "Entities")

    def _tree(self, headers: list[str]) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setHeaderLabels(headers)
        tree.setUniformRowHeights(True)
        tree.itemClicked.connect(self._on_clicked)
        tree.itemActivated.connect(self._on_clicked)  # Enter key
        return tree

    def show_analysis(self, analysis: Analysis) -> None:
        self._fill_quotes(analysis.quotes)
        self._fill_entities(analysis)
        self.setTabText(0, f"Quotes ({len(analysis.quotes)})")
        self.setTabText(1, f"Entities ({len(analysis.entities)})")

    def _fill_quotes(self, quotes: tuple[Quote, ...]) -> None:
        self.quotes.clear()
        groups: dict[str, list[int]] = defaultdict(list)
        for i, q in enumerate(quotes):
            groups[speaker_key(q)].append(i)
        # Most-quoted speakers first: that is what an analyst scans for.
        for name, indices in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[1][0])):
            first = quotes[indices[0]]
            label = f"{name} ({len(indices)})"
            if any(quotes[i].anonymous for i in indices):
                label += " · anonymous"
            top = QTreeWidgetItem([label])
            if first.speaker_start is not None:
                top.setData(0, SPAN_ROLE, (first.speaker_start, first.speaker_end))
            top.setData(0, QUOTE_ROLE, indices[0])
            top.setToolTip(0, plain_tooltip(f"mention: {first.speaker_text or 'unknown'}"))
            for i in indices:
                q = quotes[i]
                child = QTreeWidgetItem([f"“{_short(q.text)}”"])
                child.setData(0, SPAN_ROLE, (q.start, q.end))
                child.setData(0, QUOTE_ROLE, i)
                child.setToolTip(0, plain_tooltip(q.text))
                top.addChild(child)
            self.quotes.addTopLevelItem(top)
        self.quotes.expandAll()

    def _fill_entities(self, analysis: Analysis) -> None:
        self.entities.clear()
        by_label: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for e in analysis.entities:
            by_label[e.label][e.text].append(e)
        for label in sorted(by_label, key=lambda lab: -sum(map(len, by_label[lab].values()))):
            texts = by_label[label]
            style = label_style(label)
            top = QTreeWidgetItem([f"{style.name} ({label})", str(sum(map(len, texts.values())))])
            top.setBackground(0, style.background)
            for text, mentions in sorted(texts.items(), key=lambda kv: (-len(kv[1]), kv[0])):
                child = QTreeWidgetItem([text, str(len(mentions))])
                child.setData(0, SPAN_ROLE, (mentions[0].start, mentions[0].end))
                for m in mentions if len(mentions) > 1 else []:
                    grandchild = QTreeWidgetItem([f"at {m.start}"])
                    grandchild.setData(0, SPAN_ROLE, (m.start, m.end))
                    child.addChild(grandchild)
                top.addChild(child)
            self.entities.addTopLevelItem(top)
            top.setExpanded(True)
        self.entities.resizeColumnToContents(0)

    def _on_clicked(self, item: QTreeWidgetItem, column: int = 0) -> None:
        quote = item.data(0, QUOTE_ROLE)
        if quote is not None:
            self.quote_requested.emit(int(quote))
        span = item.data(0, SPAN_ROLE)
        if span is not None:
            self.span_requested.emit(int(span[0]), int(span[1]))
