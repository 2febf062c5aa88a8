"""The side panel: the article's attributions by speaker and its entities by label.

An attribution (one speech event, its pieces sharing ``attribution_id``) is one
row, with its kind; speakers' groups say when the source is anonymous, and the
attributions of nobody are grouped under "No source". Clicking an item asks the
text view to scroll to and select it (and to light up an attribution).

Both lists are lazy tree models, not a widget per item: a row's words are made
when it is painted, an entity's mentions when it is expanded, and the entities
are grouped only when their tab is first shown for an article, so a 5 MB
article with tens of thousands of entities opens as fast as a short one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QHeaderView, QTabWidget, QTreeView, QWidget

from viewer.core.attributions import ATTRIBUTION_KINDS
from viewer.core.model import Analysis, Entity, FinalEntity, Quote
from viewer.qt.models.table_headers import column_header
from viewer.qt.panels.legend import kind_swatch
from viewer.qt.safe_text import plain_tooltip
from viewer.qt.text.view_index import NO_SOURCE, speaker_groups
from viewer.qt.theme import KindStyle, kind_style, label_style

SPAN_ROLE = Qt.ItemDataRole.UserRole  # (start, end) of the text to select
QUOTE_ROLE = Qt.ItemDataRole.UserRole + 1  # index of the quote (an attribution's first piece)
PIECES_ROLE = Qt.ItemDataRole.UserRole + 2  # indices of all the attribution's pieces
KIND_ROLE = Qt.ItemDataRole.UserRole + 3  # the attribution's kind

ANONYMOUS = "anonymous"
# Speakers' groups are all opened up to this many rows in all; past it (a very
# long article) only the first groups, the most attributed, are.
EXPAND_ROWS = 2_000
# Past this many quotes (in the article shown or the one before), or while only a
# long article's head is known, the lists are filled after the text's first paint.
DEFER_QUOTES = 2_000

Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Node:
    """One row of a lazy tree: what it stands for, and its children once asked for."""

    __slots__ = ("parent", "row", "payload", "_children")

    def __init__(self, parent: Node | None, row: int, payload: Any):
        self.parent, self.row, self.payload = parent, row, payload
        self._children: list[Node] | None = None


class LazyTree(QAbstractItemModel):
    """A tree whose rows are plain payloads; subclasses say what a payload's
    children and cells are. Children are made when the view first asks."""

    columns: tuple[str, ...] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._root = Node(None, 0, None)
        self._root._children = []

    def set_top(self, payloads: list[Any]) -> None:
        self.beginResetModel()
        self._root._children = [Node(self._root, i, p) for i, p in enumerate(payloads)]
        self.endResetModel()

    def children_of(self, payload: Any) -> list[Any]:
        return []

    def has_children(self, payload: Any) -> bool:
        return False

    def cell(self, payload: Any, column: int, role: int) -> Any:
        return None

    def _node(self, index: Index) -> Node:
        return index.internalPointer() if index.isValid() else self._root

    def _children(self, node: Node) -> list[Node]:
        if node._children is None:
            node._children = [
                Node(node, i, p) for i, p in enumerate(self.children_of(node.payload))
            ]
        return node._children

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if column < 0 or column >= len(self.columns):
            return QModelIndex()
        children = self._children(self._node(parent))
        if not 0 <= row < len(children):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        up = index.internalPointer().parent
        if up is None or up is self._root:
            return QModelIndex()
        return self.createIndex(up.row, 0, up)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.column() > 0:
            return 0
        return len(self._children(self._node(parent)))

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:
        node = self._node(parent)
        if node is self._root:
            return bool(node._children)
        if node._children is not None:
            return bool(node._children)
        return parent.column() <= 0 and self.has_children(node.payload)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        return column_header(self.columns, section, orientation, role)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        return self.cell(index.internalPointer().payload, index.column(), role)


class AttributionsModel(LazyTree):
    """Speakers (most attributed first, "No source" last), each with its attributions."""

    columns = ("Speaker → attribution", "Kind")

    def show(
        self, quotes: tuple[Quote, ...], groups: list[tuple[str, list[list[int]]]] | None = None
    ) -> int:
        """Returns how many attributions. ``groups``: speaker_groups(quotes), if made already."""
        self.quotes = quotes
        self._styles: dict[str, tuple[KindStyle, QIcon]] = {}  # for this palette
        self._anonymous: dict[str, bool] = {}  # speaker -> any of theirs anonymous
        if groups is None:
            groups = speaker_groups(quotes)
        self.set_top([("speaker", name, members) for name, members in groups])
        return sum(len(members) for _, members in groups)

    def children_of(self, payload: Any) -> list[Any]:
        return [("attribution", pieces) for pieces in payload[2]] if payload[0] == "speaker" else []

    def has_children(self, payload: Any) -> bool:
        return payload[0] == "speaker"

    def cell(self, payload: Any, column: int, role: int) -> Any:
        if payload[0] == "speaker":
            return self._speaker_cell(payload[1], payload[2], column, role)
        return self._attribution_cell(payload[1], column, role)

    def _speaker_cell(self, name: str, members: list[list[int]], column: int, role: int) -> Any:
        quotes = self.quotes
        first = quotes[members[0][0]]
        anonymous = self._anonymous.get(name)
        if anonymous is None:
            anonymous = self._anonymous[name] = any(quotes[p[0]].anonymous for p in members)
        if role == DISPLAY:
            # The mark has a column of its own: a long name is elided, the mark stays.
            return f"{name} ({len(members)})" if column == 0 else (ANONYMOUS if anonymous else "")
        if role == TOOLTIP:
            if column == 1:
                return plain_tooltip("anonymous source") if anonymous else None
            if name == NO_SOURCE:
                return plain_tooltip("attributed to nobody")
            tip = f"mention: {first.speaker_text or 'unknown'}"
            return plain_tooltip(tip + "\nanonymous source" if anonymous else tip)
        if column == 0 and role == SPAN_ROLE and first.speaker_start is not None:
            return (first.speaker_start, first.speaker_end)
        if column == 0 and role == QUOTE_ROLE:
            return members[0][0]
        return None

    def _attribution_cell(self, pieces: list[int], column: int, role: int) -> Any:
        quotes = self.quotes
        q = quotes[pieces[0]]
        if q.kind not in self._styles:
            style = kind_style(q.kind)
            self._styles[q.kind] = (style, kind_swatch(style))
        style, icon = self._styles[q.kind]
        if role == DISPLAY:
            if column == 1:
                return style.name
            content = " … ".join(_short(quotes[i].text, 200) for i in pieces)
            return f"“{_short(content)}”" if q.kind in ("direct", "mixed") else _short(content)
        if role == TOOLTIP:
            if column == 1:
                return plain_tooltip(style.words)
            full = "\n…\n".join(quotes[i].text for i in pieces)
            return plain_tooltip(f"{style.words}:\n{full}")
        if role == Qt.ItemDataRole.DecorationRole and column == 1:
            return icon
        if column != 0:
            return None
        if role == SPAN_ROLE:
            return (q.start, q.end)
        if role == QUOTE_ROLE:
            return pieces[0]
        if role == PIECES_ROLE:
            return list(pieces)
        if role == KIND_ROLE:
            return q.kind
        return None


class EntitiesModel(LazyTree):
    """Labels (most mentioned first), their distinct texts, and each text's mentions."""

    columns = ("Entity", "Mentions")

    def show(self, entities: tuple[Entity | FinalEntity, ...]) -> None:
        by_label: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for e in entities:
            by_label[e.label][e.text].append(e)
        top = []
        for label in sorted(by_label, key=lambda lab: -sum(map(len, by_label[lab].values()))):
            texts = by_label[label]
            top.append(("label", label, texts, sum(map(len, texts.values()))))
        self.set_top(top)

    def children_of(self, payload: Any) -> list[Any]:
        if payload[0] == "label":
            texts = payload[2]
            return [
                ("text", t, m)
                for t, m in sorted(texts.items(), key=lambda kv: (-len(kv[1]), kv[0]))
            ]
        if payload[0] == "text" and len(payload[2]) > 1:
            return [("mention", m) for m in payload[2]]
        return []

    def has_children(self, payload: Any) -> bool:
        return payload[0] == "label" or (payload[0] == "text" and len(payload[2]) > 1)

    def cell(self, payload: Any, column: int, role: int) -> Any:
        what = payload[0]
        if what == "label":
            if role == DISPLAY:
                style = label_style(payload[1])
                return f"{style.name} ({payload[1]})" if column == 0 else str(payload[3])
            if role == Qt.ItemDataRole.BackgroundRole and column == 0:
                return label_style(payload[1]).background
            return None
        if what == "text":
            mentions = payload[2]
            if role == DISPLAY:
                return payload[1] if column == 0 else str(len(mentions))
            if role == SPAN_ROLE and column == 0:
                return (mentions[0].start, mentions[0].end)
            return None
        m = payload[1]
        if role == DISPLAY and column == 0:
            return f"at {m.start}"
        if role == SPAN_ROLE and column == 0:
            return (m.start, m.end)
        return None


class SidePanel(QTabWidget):
    span_requested = Signal(int, int)
    quote_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.quote_model = AttributionsModel(self)
        self.quotes = self._tree(self.quote_model)
        header = self.quotes.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # As wide as the widest kind or mark, measured once: sizing it to its
        # contents would ask a long article's thousands of rows.
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        words = [kind_style(kind).name for kind in ATTRIBUTION_KINDS] + [ANONYMOUS]
        widest = max(self.quotes.fontMetrics().horizontalAdvance(w) for w in words)
        header.resizeSection(1, widest + 44)  # the swatch, its gap and the margins
        self.entity_model = EntitiesModel(self)
        self.entities = self._tree(self.entity_model)
        self.addTab(self.quotes, "Quotes")
        self.addTab(self.entities, "Entities")
        self._analysis = Analysis()
        self._complete = True
        self._filling = 0  # which show_analysis a deferred fill belongs to
        self._entities_of: Analysis | None = None  # the analysis the Entities tab shows
        self.currentChanged.connect(lambda _index: self._fill_entities_if_shown())

    def _tree(self, model: LazyTree) -> QTreeView:
        tree = QTreeView()
        tree.setModel(model)
        tree.setUniformRowHeights(True)
        tree.clicked.connect(self._on_clicked)
        tree.activated.connect(self._on_clicked)  # Enter key
        return tree

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # Light <-> dark switch: the kind swatches and label tints have a variant for each.
        shown = getattr(self, "_analysis", None)  # None while being built
        palette_events = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if shown is not None and event.type() in palette_events:
            self._analysis = Analysis()  # shown again, in the new colours
            self.show_analysis(shown, self._complete)

    def show_analysis(
        self,
        analysis: Analysis,
        complete: bool = True,
        groups: list[tuple[str, list[list[int]]]] | None = None,
    ) -> None:
        """The article's attributions and entities; ``complete`` False: only those of
        a long article's head are known yet (the counts say so); ``groups``: the
        attributions by speaker, if made already (view_index.speaker_groups)."""
        if analysis is self._analysis and complete == self._complete:
            return  # the same article after a label edit: nothing here changed
        big = not complete or max(len(analysis.quotes), len(self._analysis.quotes)) > DEFER_QUOTES
        self._analysis, self._complete = analysis, complete
        self._filling += 1
        if big:
            # Filled (or a long article's lists emptied) right after the text is
            # painted: the reader sees the article first.
            filling = self._filling
            QTimer.singleShot(
                0, lambda: filling == self._filling and self._fill(analysis, complete, groups)
            )
        else:
            self._fill(analysis, complete, groups)

    def _fill(self, analysis: Analysis, complete: bool, groups) -> None:
        count = self._fill_quotes(analysis.quotes, groups)
        self._entities_of = None
        self.entity_model.set_top([])
        self._fill_entities_if_shown()
        more = "" if complete else "+, reading…"
        self.setTabText(0, f"Quotes ({count}{more})")
        self.setTabText(1, f"Entities ({len(analysis.entities)}{more})")

    def _fill_quotes(self, quotes: tuple[Quote, ...], groups=None) -> int:
        """One row per attribution, grouped by speaker; returns how many attributions."""
        count = self.quote_model.show(quotes, groups)
        if count <= EXPAND_ROWS:
            self.quotes.expandAll()
        else:
            root, rows = QModelIndex(), 0
            for row in range(self.quote_model.rowCount()):
                if rows >= EXPAND_ROWS:
                    break
                index = self.quote_model.index(row, 0, root)
                self.quotes.expand(index)
                rows += self.quote_model.rowCount(index)
        return count

    def _fill_entities_if_shown(self) -> None:
        """Group the entities when their tab is on screen, once per article."""
        if self.currentWidget() is not self.entities or self._entities_of is self._analysis:
            return
        self._entities_of = self._analysis
        self.entity_model.show(self._analysis.entities)
        for row in range(self.entity_model.rowCount()):
            self.entities.expand(self.entity_model.index(row, 0))
        self.entities.resizeColumnToContents(0)

    def _on_clicked(self, index: QModelIndex) -> None:
        index = index.siblingAtColumn(0)
        quote = index.data(QUOTE_ROLE)
        if quote is not None:
            self.quote_requested.emit(int(quote))
        span = index.data(SPAN_ROLE)
        if span is not None:
            self.span_requested.emit(int(span[0]), int(span[1]))
