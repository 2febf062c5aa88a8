"""The side panel: the article's attributions by speaker and its entities by label.

An attribution (one speech event, its pieces sharing ``attribution_id``) is one
row, with its kind; speakers' groups say when the source is anonymous, and the
attributions of nobody are grouped under "No source". Clicking an item asks the
text view to scroll to and select it (and to light up an attribution).
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTabWidget, QTreeWidget, QTreeWidgetItem, QWidget

from viewer.core.attributions import attribution_key
from viewer.core.model import Analysis, Quote
from viewer.qt.legend import kind_swatch
from viewer.qt.safe_text import plain_tooltip
from viewer.qt.theme import kind_style, label_style

SPAN_ROLE = Qt.ItemDataRole.UserRole  # (start, end) of the text to select
QUOTE_ROLE = Qt.ItemDataRole.UserRole + 1  # index of the quote (an attribution's first piece)
PIECES_ROLE = Qt.ItemDataRole.UserRole + 2  # indices of all the attribution's pieces
KIND_ROLE = Qt.ItemDataRole.UserRole + 3  # the attribution's kind

NO_SOURCE = "No source"
ANONYMOUS = "anonymous"


def speaker_key(q: Quote) -> str:
    """How attributions are grouped: the resolved name, else the mention as written."""
    if q.kind == "no-source":
        return NO_SOURCE
    return q.speaker_name or q.speaker_text or "(unknown speaker)"


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def attributions(quotes: tuple[Quote, ...]) -> list[list[int]]:
    """The quote indices of each attribution (its pieces), in text order."""
    groups: dict[tuple[str, object], list[int]] = {}
    for i, q in enumerate(quotes):
        groups.setdefault(attribution_key(q, i), []).append(i)
    return sorted(groups.values(), key=lambda pieces: quotes[pieces[0]].start)


class SidePanel(QTabWidget):
    span_requested = Signal(int, int)
    quote_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.quotes = self._tree(["Speaker → attribution", "Kind"])
        header = self.quotes.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.entities = self._tree(["Entity", "Mentions"])
        self.addTab(self.quotes, "Quotes")
        self.addTab(self.entities, "Entities")
        self._analysis = Analysis()

    def _tree(self, headers: list[str]) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setHeaderLabels(headers)
        tree.setUniformRowHeights(True)
        tree.itemClicked.connect(self._on_clicked)
        tree.itemActivated.connect(self._on_clicked)  # Enter key
        return tree

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # Light <-> dark switch: the kind swatches and label tints have a variant for each.
        shown = getattr(self, "_analysis", None)  # None while being built
        palette_events = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if shown is not None and event.type() in palette_events:
            self.show_analysis(shown)

    def show_analysis(self, analysis: Analysis) -> None:
        self._analysis = analysis
        count = self._fill_quotes(analysis.quotes)
        self._fill_entities(analysis)
        self.setTabText(0, f"Quotes ({count})")
        self.setTabText(1, f"Entities ({len(analysis.entities)})")

    def _fill_quotes(self, quotes: tuple[Quote, ...]) -> int:
        """One row per attribution, grouped by speaker; returns how many attributions."""
        self.quotes.clear()
        rows = attributions(quotes)
        groups: dict[str, list[list[int]]] = defaultdict(list)
        for pieces in rows:
            groups[speaker_key(quotes[pieces[0]])].append(pieces)

        def order(item: tuple[str, list[list[int]]]) -> tuple[bool, int, int]:
            # Most-attributed speakers first: that is what an analyst scans for.
            name, members = item
            return name == NO_SOURCE, -len(members), quotes[members[0][0]].start

        for name, members in sorted(groups.items(), key=order):
            first = quotes[members[0][0]]
            anonymous = any(quotes[p[0]].anonymous for p in members)
            # The mark has a column of its own: a long name is elided, the mark stays.
            top = QTreeWidgetItem([f"{name} ({len(members)})", ANONYMOUS if anonymous else ""])
            if first.speaker_start is not None:
                top.setData(0, SPAN_ROLE, (first.speaker_start, first.speaker_end))
            top.setData(0, QUOTE_ROLE, members[0][0])
            if name == NO_SOURCE:
                tip = "attributed to nobody"
            else:
                tip = f"mention: {first.speaker_text or 'unknown'}"
                if anonymous:
                    tip += "\nanonymous source"
                    top.setToolTip(1, plain_tooltip("anonymous source"))
            top.setToolTip(0, plain_tooltip(tip))
            for pieces in members:
                top.addChild(self._attribution_row(quotes, pieces))
            self.quotes.addTopLevelItem(top)
        self.quotes.expandAll()
        return len(rows)

    @staticmethod
    def _attribution_row(quotes: tuple[Quote, ...], pieces: list[int]) -> QTreeWidgetItem:
        q = quotes[pieces[0]]
        style = kind_style(q.kind)
        content = " … ".join(_short(quotes[i].text, 200) for i in pieces)
        shown = f"“{_short(content)}”" if q.kind in ("direct", "mixed") else _short(content)
        row = QTreeWidgetItem([shown, style.name])
        row.setIcon(1, kind_swatch(style))
        row.setData(0, SPAN_ROLE, (q.start, q.end))
        row.setData(0, QUOTE_ROLE, pieces[0])
        row.setData(0, PIECES_ROLE, list(pieces))
        row.setData(0, KIND_ROLE, q.kind)
        full = "\n…\n".join(quotes[i].text for i in pieces)
        row.setToolTip(0, plain_tooltip(f"{style.words}:\n{full}"))
        row.setToolTip(1, plain_tooltip(style.words))
        return row

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
