"""The article text, read-only and selectable, with entities and attributions marked.

Highlights are extra selections laid over a plain-text document, so the text
itself is never rich text and never changes. Each attribution kind (direct,
mixed, reported, no source) has its own style and can be hidden; the content,
speaker and cue of an attribution (all its pieces) light up together when any
of them is hovered or clicked.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QMouseEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextDocumentLayout,
    QPlainTextEdit,
    QTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from viewer.core.attributions import ATTRIBUTION_KINDS
from viewer.core.corpus import title_in_text
from viewer.core.model import (
    Analysis,
    Annotation,
    Entity,
    FinalEntity,
    FinalView,
    Quote,
)
from viewer.core.team.conflicts import Conflict
from viewer.qt.annotation_panel import describe
from viewer.qt.offsets import Utf16Map
from viewer.qt.span_index import LONG, SpanIndex
from viewer.qt.theme import KindStyle, colour, kind_style, label_style
from viewer.qt.view_index import ViewIndex, index_view


@dataclass(frozen=True)
class Hit:
    """What lies under a text position."""

    quote: int | None  # index into the analysis's quotes
    entity: Entity | FinalEntity | None
    annotation: Annotation | None = None  # the analyst's span label here, if any
    conflicts: tuple[Conflict, ...] = ()  # annotators' differing decisions here
    decisions: tuple[Annotation, ...] = ()  # decisions about model output here, anyone's


def attribution_group(quotes: tuple[Quote, ...], index: int) -> list[int]:
    """Indices of the quote pieces that share quote ``index``'s attribution."""
    aid = quotes[index].attribution_id
    if aid is None:
        return [index]
    return [i for i, q in enumerate(quotes) if q.attribution_id == aid]


def quote_tooltip(q: Quote) -> str:
    """Rich text built from escaped parts: article text is never interpreted.

    Names the kind in words ("direct quote", "mixed", "reported speech", "no
    source"), who said it, whether the source is anonymous, and the cue.
    """
    preview = q.text if len(q.text) <= 160 else q.text[:157] + "…"
    lines = [f"<b>“{html.escape(preview)}”</b>", f"<i>{html.escape(kind_style(q.kind).words)}</i>"]
    if q.kind == "no-source":
        lines[1] += " — attributed to nobody"
    else:
        speaker = q.speaker_text or "unknown speaker"
        lines.append(f"said by <b>{html.escape(speaker)}</b>")
        if q.speaker_name and q.speaker_name != q.speaker_text:
            lines.append(f"= {html.escape(q.speaker_name)}")
    if q.anonymous:
        lines.append("<i>anonymous source</i>")
    if q.cue_text:
        lines.append(f"cue: {html.escape(q.cue_text)}")
    return "<qt>" + "<br>".join(lines) + "</qt>"


def merged_spans(spans: list[Annotation]) -> list[tuple[str | None, tuple[int, int]]]:
    """Overlapping spans of one label drawn as one: the same look, far less to paint."""
    by_label: dict[str | None, list[tuple[int, int]]] = {}
    for a in spans:
        by_label.setdefault(a.label, []).append((a.start, a.end))
    merged = []
    for label, ranges in by_label.items():
        ranges.sort()
        start, end = ranges[0]
        for s, e in ranges[1:]:
            if s <= end:
                end = max(end, e)
            else:
                merged.append((label, (start, end)))
                start, end = s, e
        merged.append((label, (start, end)))
    return merged


# Texts up to this long get every highlight at once (what a short article costs
# is nothing); a longer one only those within MARGIN characters of what is on
# screen, laid again as the reader scrolls, so a 5 MB article costs what a
# screenful does.
WHOLE = 60_000
MARGIN = 4_000
CHUNK = 2_000  # characters whose model marks are laid (and kept) together
AHEAD = 6_000  # characters laid ahead, below and above, while idle
STEP = 2_000  # at most this much more per idle step (some 80 overlays: 2-4 ms)
MADE = 20_000  # overlays kept for reuse, at most (scrolling through a long article)


def plain_document(text: str, font: QFont) -> QTextDocument:
    """A document of plain text laid out as QPlainTextEdit lays it (lazily, by block).

    Made without a parent, so it may be built on another thread and moved to
    the UI thread; the caller keeps it (the view does not own it)."""
    document = QTextDocument()
    document.setDocumentLayout(QPlainTextDocumentLayout(document))
    document.setDefaultFont(font)
    document.setUndoRedoEnabled(False)
    document.setPlainText(text)
    return document


HEADING_SCALE = 1.35  # the title above the text, and a headline in it, this much larger


class HighlightedText(QPlainTextEdit):
    """Plain text plus highlight overlays; maps Python offsets to Qt positions.

    The overlays are extra selections for the stretch around the visible
    text only (``highlighted_range``), looked up in ``SpanIndex``es over the
    spans; a toggle, hover or edit re-lays only that stretch.
    """

    quote_activated = Signal(int)  # a quote was clicked in the text

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.viewport().setMouseTracking(True)
        # Focusable with a caret (Ctrl+2, F6): Shift+arrows select for labelling, Tab leaves.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setTabChangesFocus(True)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 11.0))
        self.setFont(font)
        self.text = ""
        self.analysis = Analysis()  # entities and quotes as shown (corrections applied)
        self.view = FinalView()
        self.spans: list[Annotation] = []  # the analyst's labelled spans
        self.label_colours: dict[str, QColor] = {}
        self.visible_labels: set[str] = set()
        self.visible_kinds: set[str] = set(ATTRIBUTION_KINDS)  # attribution kinds shown
        self._map = Utf16Map("")
        self._hover: int | None = None
        self._pinned: int | None = None
        self.conflicts: list[Conflict] = []  # annotators disagree here (marked, with tooltips)
        self.decisions: list[Annotation] = []  # who decided what about the model's output
        self.highlighted_range: tuple[int, int] = (0, 0)  # Python offsets the overlays cover
        self._index: ViewIndex | None = None
        self._document: QTextDocument | None = None
        self._stale = False  # the overlays are to be laid again before the next paint
        self._formats: dict[tuple, QTextCharFormat] = {}  # per look, for this palette
        self._made: dict[tuple, QTextEdit.ExtraSelection] = {}  # per mark and look, this document
        self._mark_cursor = QTextCursor(self.document())
        self._last_position = 0
        self._ahead_scheduled = False
        self._growing = False  # widening toward AHEAD, step by step
        self._visible: tuple | None = None  # (scroll, size, text) -> visible_range()
        self._chunks: dict[int, list[list]] = {}  # chunk -> its model marks' overlays, by layer
        self._chunk_state: tuple | None = None  # the toggles and marks the chunks were laid for
        self._chunk_active: set[int] = set()  # the lit attribution they were laid with
        self._set_index(index_view(self.view))
        self._index_spans()

    # -- content -------------------------------------------------------

    def set_content(
        self,
        text: str,
        view: FinalView | Analysis | ViewIndex,
        spans: list[Annotation] | None = None,
        label_colours: dict[str, str] | None = None,
        keep_position: bool = False,
        document: QTextDocument | None = None,
        offsets: Utf16Map | None = None,
    ) -> None:
        """Show a text with its entities and quotes (a FinalView, or plain model output,
        or either already indexed). ``document``: the text (or its head) made ready
        elsewhere, with a QPlainTextDocumentLayout, and ``offsets`` the text's map;
        else they are made here."""
        index = view if isinstance(view, ViewIndex) else None
        if index is None and view is not self.view:
            index = index_view(view)  # type: ignore[arg-type]
        if index is not None and index is not self._index:
            self._set_index(index)
        self.spans = [a for a in spans or [] if a.anchor_status != "orphaned"]
        self._index_spans()
        self.label_colours = {k: QColor(v) for k, v in (label_colours or {}).items()}
        same_text = text == self.text
        if keep_position and same_text and (document is None or document is self.document()):
            # Same article re-rendered after an edit: keep the reader's place.
            pinned = self._pinned
            self.refresh()
            self._pinned = (
                pinned if pinned is not None and pinned < len(self.analysis.quotes) else None
            )
            return
        if document is None:
            document = plain_document(text, self.font())
        scroll = self.verticalScrollBar().value()
        selection = self.selected_span()
        if not same_text or offsets is not None:
            self._map = offsets or Utf16Map(text)
        self.text = text
        if not (keep_position and same_text):
            self._hover = self._pinned = None
        self.setExtraSelections([])  # before the text goes: nothing to compare or repaint
        self._made.clear()  # their cursors belong to the old document
        self._chunks.clear()
        self._mark_cursor = QTextCursor(document)
        self._last_position = document.characterCount() - 1
        self.highlighted_range = (0, 0)
        document.setDefaultFont(self.font())
        self._document = document  # the view does not own it: someone must keep it
        self.setDocument(document)
        if keep_position and same_text:
            # The whole text replacing its head: the reader stays where they were.
            self.select_span(*selection)
            self.verticalScrollBar().setValue(scroll)
        self.refresh()

    @property
    def complete(self) -> bool:
        """Whether the whole text and all its marks are shown (not only a long one's head)."""
        return self._index.covers is None and self.document().characterCount() - 1 >= len(self.text)

    def _set_index(self, index: ViewIndex) -> None:
        self._index = index
        self.view = index.view
        self.analysis = index.analysis
        self._quote_index = index.quotes
        self._entity_index = index.entities
        self._rejected_quote_index = index.rejected_quotes
        self._rejected_entity_index = index.rejected_entities
        self._groups = index.groups
        self._mentions = index.mentions
        self._mention_index = index.mention_index

    def _index_spans(self) -> None:
        self._span_index = SpanIndex((a.start, a.end) for a in self.spans)
        self._merged = merged_spans(self.spans) if self.spans else []
        self._merged_index = SpanIndex(r for _, r in self._merged)

    def set_heading(self, start: int, end: int) -> None:
        """Draw the text's own headline as a heading (a format only: the text and its
        offsets stay as they are)."""
        fmt = QTextCharFormat()
        fmt.setFontWeight(QFont.Weight.Bold)
        fmt.setFontPointSize(self.font().pointSizeF() * HEADING_SCALE)
        self.qt_cursor(start, end).mergeCharFormat(fmt)

    def set_conflicts(self, conflicts: list[Conflict]) -> None:
        """Mark where annotators decided differently (the article's status aside)."""
        self.conflicts = [c for c in conflicts if c.start is not None and c.end is not None]
        self.refresh()

    def set_decisions(self, annotations: list[Annotation]) -> None:
        """The decisions about model output, named with their annotators in tooltips
        (a struck-out entity says who rejected it)."""
        self.decisions = [
            a for a in annotations if a.action != "added" and a.anchor_status != "orphaned"
        ]

    def decisions_at(self, pos: int) -> list[Annotation]:
        return [a for a in self.decisions if a.start <= pos < a.end]

    def conflicts_at(self, pos: int) -> list[Conflict]:
        return [c for c in self.conflicts if c.start <= pos < c.end]

    def set_visible_labels(self, labels: set[str], kinds: set[str]) -> None:
        """The entity labels and the attribution kinds to mark (others are not shown)."""
        self.visible_labels = set(labels)
        self.visible_kinds = set(kinds)
        self.refresh()

    def _shown(self, q: Quote) -> bool:
        return q.kind in self.visible_kinds

    # -- positions -----------------------------------------------------

    def qt_cursor(self, start: int, end: int) -> QTextCursor:
        document = self.document()
        last = document.characterCount() - 1  # less than the text while only its head is shown
        cursor = QTextCursor(document)
        cursor.setPosition(min(self._map.to_qt(start), last))
        cursor.setPosition(min(self._map.to_qt(end), last), QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def selected_span(self) -> tuple[int, int]:
        """The selection as Python offsets (never via selectedText())."""
        c = self.textCursor()
        return self._map.from_qt(c.selectionStart()), self._map.from_qt(c.selectionEnd())

    def select_span(self, start: int, end: int) -> None:
        """Select and scroll to a span given in Python offsets."""
        self.setTextCursor(self.qt_cursor(start, end))
        self.ensureCursorVisible()

    def hit_at(self, pos: int) -> Hit:
        """The shown attribution, entity and label at a position.

        Content wins over a speaker or cue mention (which several attributions
        may share); of nested contents, the innermost.
        """
        quotes = self.analysis.quotes
        content = [
            (quotes[i].end - quotes[i].start, i)
            for i in self._quote_index.at(pos)
            if self._shown(quotes[i])
        ]
        if content:
            quote: int | None = min(content)[1]
        else:
            users = [i for m in self._mention_index.at(pos) for i in self._mentions[m][1]]
            quote = min((i for i in users if self._shown(quotes[i])), default=None)
        entities = self._entity_index.at(pos)
        entity = self.analysis.entities[entities[0]] if entities else None
        labelled = self._span_index.at(pos)
        annotation = self.spans[labelled[0]] if labelled else None
        return Hit(
            quote, entity, annotation, tuple(self.conflicts_at(pos)), tuple(self.decisions_at(pos))
        )

    def _hit_at_point(self, point) -> Hit:
        cursor = self.cursorForPosition(point)
        # cursorForPosition gives the nearest gap; past the end of a line it
        # would report the next character, so check the glyph rectangle.
        if not self.cursorRect(cursor).adjusted(-12, -2, 12, 2).contains(point):
            return Hit(None, None)
        return self.hit_at(self._map.from_qt(cursor.position()))

    # -- linking -------------------------------------------------------

    @property
    def active_quote(self) -> int | None:
        return self._hover if self._hover is not None else self._pinned

    def attribution_group(self, index: int) -> list[int]:
        """Indices of the quote pieces that share quote ``index``'s attribution."""
        aid = self.analysis.quotes[index].attribution_id
        return [index] if aid is None else self._groups.get(aid, [index])

    def pin_quote(self, index: int | None) -> None:
        """Light up an attribution (all its pieces) until another is clicked; None: none."""
        self._pinned = index
        self.refresh()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        hover = self._hit_at_point(event.position().toPoint()).quote
        if hover != self._hover:
            self._hover = hover
            self.refresh()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if not self.textCursor().hasSelection():
            index = self._hit_at_point(event.position().toPoint()).quote
            self.pin_quote(index)
            if index is not None:
                self.quote_activated.emit(index)

    def leaveEvent(self, event: QEvent) -> None:
        super().leaveEvent(event)
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # Light <-> dark switch: the highlight colours have a variant for each.
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._formats.clear()
            self._made.clear()
            self._chunks.clear()
            self.refresh()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            tip = self._tooltip(self._hit_at_point(event.pos()))
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def _tooltip(self, hit: Hit) -> str:
        parts = []
        if hit.quote is not None:
            parts.append(quote_tooltip(self.analysis.quotes[hit.quote]))
        if hit.entity is not None and hit.entity.label in self.visible_labels:
            style = label_style(hit.entity.label)
            origin = ""
            if getattr(hit.entity, "decision", None):
                origin = f" — analyst: {html.escape(hit.entity.decision)}"
            parts.append(
                f"<qt>{html.escape(style.name)} ({html.escape(hit.entity.label)}): "
                f"<b>{html.escape(hit.entity.text)}</b>{origin}</qt>"
            )
        if hit.annotation is not None:
            a = hit.annotation
            note = f"<br>{html.escape(a.note)}".replace("\n", "<br>") if a.note else ""
            parts.append(
                f"<qt>Label: <b>{html.escape(a.label or '')}</b> "
                f"by {html.escape(a.annotator)}{note}</qt>"
            )
        if hit.decisions:
            lines = "<br>".join(
                f"{html.escape(describe(a))} by {html.escape(a.annotator)}" for a in hit.decisions
            )
            parts.append(f"<qt>{lines}</qt>")
        for c in hit.conflicts:
            who = "<br>".join(f"{html.escape(a)}: {html.escape(d)}" for a, d in c.decisions)
            parts.append(f"<qt><b>Conflict</b> ({html.escape(c.what)})<br>{who}</qt>")
        return "<hr>".join(parts)

    # -- painting ------------------------------------------------------

    def visible_range(self) -> tuple[int, int]:
        """The Python offsets of the text on screen (all of it for a short text)."""
        if len(self.text) <= WHOLE:
            return 0, len(self.text)
        # Asked at every paint: the same scroll position, size and text, the same answer.
        key = (
            self.verticalScrollBar().value(),
            self.viewport().size(),
            self.document(),
            len(self.text),
        )
        if self._visible is not None and self._visible[0] == key:
            return self._visible[1]
        found = self._find_visible_range()
        self._visible = (key, found)
        return found

    def _find_visible_range(self) -> tuple[int, int]:
        block = self.firstVisibleBlock()
        first = block.position()
        bottom, height = self.contentOffset().y(), self.viewport().height()
        last = first
        while block.isValid() and bottom <= height:
            bottom += self.blockBoundingRect(block).height()
            last = block.position() + block.length()
            block = block.next()
        return self._map.from_qt(first), min(len(self.text), self._map.from_qt(last))

    def paintEvent(self, event) -> None:
        # Marks changed since the last paint, or scrolled (or resized) past the
        # highlighted stretch: lay the overlays before this paint draws them.
        start, end = self.visible_range()
        covered_start, covered_end = self.highlighted_range
        if self._stale or start < covered_start or end > covered_end:
            self._lay()
        super().paintEvent(event)
        if len(self.text) > WHOLE and not self._ahead_scheduled:
            self._ahead_scheduled = True
            QTimer.singleShot(0, self._lay_ahead)

    def _lay_ahead(self) -> None:
        """While the reader reads, widen the highlighted stretch toward the text a
        scroll would show next and narrow it far behind, a step at a time (a few
        milliseconds each, back to the event loop in between): a scroll then
        finds its overlays laid, and its frame only paints."""
        self._ahead_scheduled = False
        if self._stale or self._chunk_state is None:
            return
        start, end = self.visible_range()
        size = len(self.text)
        want_start, want_end = max(0, start - AHEAD), min(size, end + AHEAD)
        keep_start, keep_end = start - 2 * AHEAD, end + 2 * AHEAD
        laid_start, laid_end = self.highlighted_range
        # Widened when less than half of AHEAD is left on a side (not at every
        # line scrolled: each lay re-sets every overlay), narrowed past 2 × AHEAD.
        short = laid_start > max(0, start - AHEAD // 2) or laid_end < min(size, end + AHEAD // 2)
        wide = laid_start < keep_start or laid_end > keep_end
        growing = (laid_start > want_start or laid_end < want_end) and self._growing
        if not (short or wide or growing):
            self._growing = False
            return
        self._growing = True
        new_start = max(want_start, laid_start - STEP) if laid_start > want_start else laid_start
        new_end = min(want_end, laid_end + STEP) if laid_end < want_end else laid_end
        self._lay(max(new_start, keep_start), min(new_end, keep_end))
        self._ahead_scheduled = True
        QTimer.singleShot(0, self._lay_ahead)

    def refresh(self) -> None:
        """The marks or toggles changed: lay the overlays again before the next paint.

        Several changes in one go (an edit: content, then conflicts) are laid once."""
        self._stale = True
        self.viewport().update()

    def extraSelections(self) -> list[QTextEdit.ExtraSelection]:  # type: ignore[override]
        if self._stale:
            self._lay()  # asked before the next paint: as it will be painted
        return super().extraSelections()

    def _lay(self, start: int | None = None, end: int | None = None) -> None:
        """The highlight overlays of [start, end) (by default around the visible
        text), from the marks and toggles.

        The model's marks are laid by chunks of the text (those starting in it),
        each kept until a toggle, the active attribution or the marks change, so
        scrolling makes only the chunks that come into view and an edit only the
        analyst's own marks."""
        self._stale = False
        if start is None or end is None:
            start, end = self.visible_range()
            if len(self.text) > WHOLE:
                start, end = max(0, start - MARGIN), min(len(self.text), end + MARGIN)
        self.highlighted_range = (start, end)
        if len(self._made) > MADE:
            self._made.clear()
            self._chunks.clear()
        quotes = self.analysis.quotes
        active = (
            set(self.attribution_group(self.active_quote))
            if (self.active_quote is not None and self.active_quote < len(quotes))
            else set()
        )
        state = (frozenset(self.visible_labels), frozenset(self.visible_kinds), self._index)
        if state != self._chunk_state:
            self._chunks.clear()
            self._chunk_state = state
        for i in active ^ self._chunk_active:  # lit or unlit: their chunks again
            q = quotes[i]
            for pos in (q.start, q.speaker_start, q.cue_start):
                if pos is not None:
                    self._chunks.pop(pos // CHUNK, None)
        self._chunk_active = active
        context = self._context(active)
        # Long marks (rare) are looked up each time: their chunk may be far above.
        layers = self._model_marks(start, end, context, long=True)
        reach = max(self._quote_index.reach, self._entity_index.reach, self._mention_index.reach)
        for chunk in range(max(0, start - reach) // CHUNK, max(start, end - 1) // CHUNK + 1):
            marks = self._chunks.get(chunk)
            if marks is None:
                lo = chunk * CHUNK
                marks = self._chunks[chunk] = self._model_marks(lo, lo + CHUNK, context)
            for layer, more in zip(layers, marks, strict=True):
                layer.extend(more)
        selections = [sel for layer in layers for sel in layer]
        selections.extend(self._analyst_marks(start, end, context))
        self.setExtraSelections(selections)

    def _context(self, active: set[int]) -> dict:
        return {
            "active": active,
            "palette": {role: colour(role) for role in ("quote_active", "speaker", "cue")},
            "kinds": {kind: kind_style(kind) for kind in self.visible_kinds},
        }

    def _model_marks(self, start: int, end: int, context: dict, long: bool = False) -> list[list]:
        """The overlays of the model's marks (content, rejected, entities, rejected,
        mentions: the drawing order, later on top) starting in [start, end); with
        ``long``, those longer than LONG overlapping it instead."""

        def wanted(s: int, e: int) -> bool:
            return e - s > LONG if long else (e - s <= LONG and start <= s < end)

        def near(index: SpanIndex) -> list[int]:
            return index.long_overlapping(start, end) if long else index.overlapping(start, end)

        active, palette, kinds = context["active"], context["palette"], context["kinds"]
        formats = self._formats  # one format per look, shared
        quotes = self.analysis.quotes
        contents, rejected_quotes, entities, rejected_entities = [], [], [], []
        contents_near = [
            i
            for i in near(self._quote_index)
            if self._shown(quotes[i]) and wanted(quotes[i].start, quotes[i].end)
        ]
        # Longest first, so a content nested in another is drawn over it (one
        # nested in a content of an earlier chunk starts later: drawn later too).
        for i in sorted(contents_near, key=lambda i: quotes[i].start - quotes[i].end):
            q = quotes[i]
            key = ("content", q.kind, i in active)
            if key not in formats:
                formats[key] = kinds[q.kind].content_format(
                    palette["quote_active"] if i in active else None
                )
            contents.append(self._selection(q.start, q.end, formats[key], key))
        strike_key = ("strike",)
        if strike_key not in formats:
            formats[strike_key] = QTextCharFormat()
            formats[strike_key].setFontStrikeOut(True)
        strike = formats[strike_key]
        for i in near(self._rejected_quote_index):
            q = self.view.rejected_quotes[i]
            if self._shown(q) and wanted(q.start, q.end):
                rejected_quotes.append(self._selection(q.start, q.end, strike, strike_key))
        for i in near(self._entity_index):
            e = self.analysis.entities[i]
            if e.label in self.visible_labels and wanted(e.start, e.end):
                key = self._entity_look(e, quotes, kinds)
                if key not in formats:
                    fmt = QTextCharFormat()
                    fmt.setBackground(label_style(e.label).background)
                    if key[2]:
                        self._analyst_mark(fmt, palette["speaker"])
                    elif key[3] is not None:
                        fmt.setUnderlineStyle(kinds[key[3]].underline)
                        fmt.setUnderlineColor(kinds[key[3]].line)
                    formats[key] = fmt
                entities.append(self._selection(e.start, e.end, formats[key], key))
        for i in near(self._rejected_entity_index):
            e = self.view.rejected_entities[i]
            if e.label in self.visible_labels and wanted(e.start, e.end):
                rejected_entities.append(self._selection(e.start, e.end, strike, strike_key))
        mentions = self._attribution_marks(
            near(self._mention_index), active, palette, formats, wanted
        )
        return [contents, rejected_quotes, entities, rejected_entities, mentions]

    def _analyst_marks(self, start: int, end: int, context: dict) -> list:
        """The analyst's labels, then conflicts (drawn over every other mark)."""
        formats, palette = self._formats, context["palette"]
        marks = []
        for i in self._merged_index.overlapping(start, end):
            label, (s, e) = self._merged[i]
            label_colour = self.label_colours.get(label or "", palette["speaker"])
            key = ("label", label_colour.name())
            if key not in formats:
                tint = QColor(label_colour)
                tint.setAlpha(70)
                formats[key] = QTextCharFormat()
                formats[key].setBackground(tint)
                self._analyst_mark(formats[key], label_colour)
            marks.append(self._selection(s, e, formats[key], key))
        key = ("conflict",)
        if key not in formats:
            conflict = colour("conflict")
            formats[key] = QTextCharFormat()
            formats[key].setForeground(conflict)
            formats[key].setFontUnderline(True)
            formats[key].setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            formats[key].setUnderlineColor(conflict)
        for c in self.conflicts:
            if c.start < end and c.end > start:
                marks.append(self._selection(c.start, c.end, formats[key], key))
        return marks

    def _entity_look(
        self, e: Entity | FinalEntity, quotes: tuple[Quote, ...], kinds: dict[str, KindStyle]
    ) -> tuple[str, str, bool, str | None]:
        """("entity", label, marked as the analyst's, kind whose underline runs on under it)."""
        if getattr(e, "decision", None) not in (None, "accepted"):
            return ("entity", e.label, True, None)
        # Inside a reported clause the kind's underline runs on under the entity
        # (that of the innermost shown content around it).
        around = [
            quotes[i]
            for i in self._quote_index.overlapping(e.start, e.end)
            if self._shown(quotes[i]) and quotes[i].start <= e.start and e.end <= quotes[i].end
        ]
        if around:
            kind = min(around, key=lambda q: q.end - q.start).kind
            if kinds[kind].underline != QTextCharFormat.UnderlineStyle.NoUnderline:
                return ("entity", e.label, False, kind)
        return ("entity", e.label, False, None)

    @staticmethod
    def _analyst_mark(fmt: QTextCharFormat, color: QColor) -> None:
        """The analyst's own work: a wavy underline, unlike any model mark."""
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(color)

    def _attribution_marks(
        self,
        found: list[int],
        active: set[int],
        palette: dict[str, QColor],
        formats: dict[tuple, QTextCharFormat],
        wanted,
    ) -> list:
        """Speaker and cue mentions of the shown attributions, each drawn once.

        A mention several attributions share lights up when any of them is active.
        """
        quotes = self.analysis.quotes
        marks = []
        for m in found:  # positions in the mention index
            (role, s, e), users = self._mentions[m]
            shown = [i for i in users if self._shown(quotes[i])]
            if not shown or not wanted(s, e):
                continue
            lit = any(i in active for i in shown)
            key = ("mention", role, lit)
            if key not in formats:
                fmt = QTextCharFormat()
                fmt.setForeground(palette[role])
                fmt.setFontUnderline(True)
                if role == "speaker":
                    fmt.setFontWeight(QFont.Weight.Bold)
                else:
                    fmt.setFontItalic(True)
                    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
                if lit:
                    fmt.setBackground(palette["quote_active"])
                formats[key] = fmt
            marks.append(self._selection(s, e, formats[key], key))
        return marks

    def _selection(
        self, start: int, end: int, fmt: QTextCharFormat, look: tuple | None = None
    ) -> QTextEdit.ExtraSelection:
        """The overlay of one mark; with a ``look``, made once per document and look,
        then reused (a re-lay after an edit or toggle makes only the marks that
        changed). Without one (another widget's own marks), made afresh."""
        key = (start, end, look)
        sel = self._made.get(key) if look is not None else None
        if sel is None:
            # One cursor moved and copied (copy on write): a new QTextCursor per
            # mark costs three times as much.
            cursor, last = self._mark_cursor, self._last_position
            cursor.setPosition(min(self._map.to_qt(start), last))
            cursor.setPosition(min(self._map.to_qt(end), last), QTextCursor.MoveMode.KeepAnchor)
            sel = QTextEdit.ExtraSelection()
            sel.cursor = cursor
            sel.format = fmt
            if look is not None:
                self._made[key] = sel
        return sel


class ArticleView(QWidget):
    """Title and metadata above the highlighted text."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # never guess rich text
        self.title.setWordWrap(True)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * HEADING_SCALE)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta = QLabel()
        self.meta.setTextFormat(Qt.TextFormat.PlainText)
        self.meta.setWordWrap(True)
        self.meta.setEnabled(False)  # greyed: secondary information
        self.text = HighlightedText()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.meta)
        layout.addWidget(self.text, 1)

    def show_article(
        self,
        title: str,
        meta_line: str,
        text: str,
        view: FinalView | Analysis | ViewIndex,
        spans: list[Annotation] | None = None,
        label_colours: dict[str, str] | None = None,
        keep_position: bool = False,
        document: QTextDocument | None = None,
        offsets: Utf16Map | None = None,
    ) -> None:
        # A title the text opens with is shown once: in the text (a headline drawn as
        # a heading there), not again above it.
        in_text = title_in_text(title, text)
        self.title.setText(title)
        self.title.setVisible(in_text is None)
        self.meta.setText(meta_line)
        self.meta.setVisible(bool(meta_line))
        self.text.set_content(text, view, spans, label_colours, keep_position, document, offsets)
        if in_text is not None and text[in_text[0] : in_text[1]] == title:
            self.text.set_heading(*in_text)

    def clear(self, message: str = "") -> None:
        self.title.setText(message)
        self.title.setVisible(True)
        self.meta.setText("")
        self.text.set_content("", Analysis())
