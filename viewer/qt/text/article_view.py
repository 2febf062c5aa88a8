"""The article text, read-only and selectable, with entities and attributions marked.

Highlights are extra selections laid over a plain-text document, so the text
itself is never rich text and never changes. Each attribution kind (direct,
mixed, reported, no source) has its own style and can be hidden; the content,
speaker and cue of an attribution (all its pieces) light up together when any
of them is hovered or clicked.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QMouseEvent,
    QTextBlock,
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
from viewer.core.corpus.files import title_in_text
from viewer.core.model import (
    Analysis,
    Annotation,
    Entity,
    FinalEntity,
    FinalView,
    Quote,
)
from viewer.core.team.conflicts import Conflict
from viewer.qt.panels.annotations import describe
from viewer.qt.text.block_formats import BlockFormats
from viewer.qt.text.offsets import Utf16Map
from viewer.qt.text.span_index import SpanIndex
from viewer.qt.text.view_index import ViewIndex, index_view
from viewer.qt.theme import KindStyle, colour, kind_style, label_style


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
# is nothing). A longer one's blocks get their marks as they come into view, and
# while idle those within AHEAD characters of it, STEP characters at a time;
# the analyst's own marks (overlays) cover MARGIN characters around the screen.
# So a 5 MB article costs what a screenful does.
WHOLE = 60_000
MARGIN = 4_000
AHEAD = 6_000  # characters formatted (and laid out) ahead, below and above, while idle
STEP = 1_500  # at most this much more per idle step (a paragraph or two: a few ms)
MADE = 20_000  # overlays kept for reuse, at most
AFTER_PAINT_AT_LATEST_MS = 250  # what waits for a paint that does not come (a covered window)


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
    """Plain text plus highlights; maps Python offsets to Qt positions.

    The model's marks (attributions, entities, what was rejected) are the
    blocks' own layout formats (``BlockFormats``), set for the blocks on
    screen and, while idle, those near it; the analyst's labels and the
    conflicts are extra selections over them (few, and tinted over whatever
    lies beneath) for the stretch around the screen (``highlighted_range``).
    Both are looked up in ``SpanIndex``es over the spans, so a toggle, hover
    or edit costs what the blocks on screen hold, not what the article does.
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
        self._looks = 0  # which palette _formats are for: a change re-sets every block's
        self._made: dict[tuple, QTextEdit.ExtraSelection] = {}  # per mark and look, this document
        self._mark_cursor = QTextCursor(self.document())
        self._last_position = 0
        self._ahead_scheduled = False
        self._visible: tuple | None = None  # (scroll, size, text) -> visible_range()
        # Per document (the loader keeps recent ones, with their blocks' formats).
        self._block_formats: WeakKeyDictionary[QTextDocument, BlockFormats] = WeakKeyDictionary()
        self._visible_blocks = (0, -1)  # the numbers of the first and last block on screen
        self._mark_context: tuple | None = None  # (state, active) -> what marks are made with
        self._after_paint: list[Callable[[], None]] = []  # to run once the text is painted
        self._heading: tuple | None = None  # (document, start, end) drawn as a heading
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
        self._mark_cursor = QTextCursor(document)
        self._last_position = document.characterCount() - 1
        self.highlighted_range = (0, 0)
        document.setDefaultFont(self.font())
        self._document = document  # the view does not own it: someone must keep it
        self.setDocument(document)
        self._heading = None
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
        if self._heading == (self.document(), start, end):
            return  # drawn already (the same article again, after an edit)
        self._heading = (self.document(), start, end)
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
            self._looks += 1
            self._made.clear()
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
        # Asked at every paint: the same scroll position, size and text, the same
        # answer (found by _format_blocks as it goes through the blocks on screen).
        if self._visible is None or self._visible[0] != self._visible_key():
            self._format_blocks()
        assert self._visible is not None
        return self._visible[1]

    def _visible_key(self) -> tuple:
        return (
            self.verticalScrollBar().value(),
            self.viewport().size(),
            self.document(),
            len(self.text),
        )

    def paintEvent(self, event) -> None:
        # Before this paint draws them: the blocks on screen hold their marks, and
        # the overlays cover the screen.
        self._sync(painting=event.region().contains(self.viewport().rect()))
        super().paintEvent(event)
        if self._after_paint:
            QTimer.singleShot(0, self._run_after_paint)
        if len(self.text) > WHOLE and not self._ahead_scheduled:
            self._ahead_scheduled = True
            QTimer.singleShot(0, self._lay_ahead)

    def after_paint(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the text is next painted (an edit's highlight shown
        first, what follows it after), or soon if no paint comes (not shown)."""
        self._after_paint.append(action)
        self.viewport().update()
        latest = AFTER_PAINT_AT_LATEST_MS if self.isVisible() else 0
        QTimer.singleShot(latest, self._run_after_paint)

    def _run_after_paint(self) -> None:
        actions, self._after_paint = self._after_paint, []
        for action in actions:
            action()

    def _sync(self, painting: bool = False) -> None:
        """Marks as the next paint shows them: the formats of the blocks on screen
        (of every block, for a short text) and the overlays around them.
        ``painting``: a paint of the whole screen follows at once."""
        changed = self._format_blocks()
        start, end = self.visible_range()
        covered_start, covered_end = self.highlighted_range
        if self._stale or start < covered_start or end > covered_end:
            self._lay()
        if changed and not painting:
            self.viewport().update()  # all of it: a block laid out again may move those below

    def _block_state(self) -> BlockFormats:
        """The current document's blocks, told what the marks are now: those whose
        marks may differ are checked again (all, after a toggle or a correction;
        only the blocks of the attributions lit or unlit, after a hover)."""
        document = self.document()
        blocks = self._block_formats.get(document)
        if blocks is None:
            blocks = self._block_formats[document] = BlockFormats()
        state = (self._index, frozenset(self.visible_labels), frozenset(self.visible_kinds))
        state += (self._looks,)
        quotes = self.analysis.quotes
        active = self.active_quote
        lit = frozenset(
            self.attribution_group(active) if active is not None and active < len(quotes) else ()
        )
        if blocks.state != state:
            blocks.state, blocks.active = state, lit
        elif blocks.active != lit:
            for i in blocks.active ^ lit:
                if i < len(quotes):
                    blocks.recheck(self._blocks_of(quotes[i]))
            blocks.active = lit
        if self._mark_context is None or self._mark_context[0] != (state, lit):
            self._mark_context = ((state, lit), self._context(set(lit)))
        return blocks

    def _blocks_of(self, q: Quote) -> list[int]:
        """The numbers of the blocks an attribution's pieces (content, speaker, cue) touch."""
        document = self.document()
        numbers = []
        for start, end in (
            (q.start, q.end),
            (q.speaker_start, q.speaker_end),
            (q.cue_start, q.cue_end),
        ):
            if start is None or end is None:
                continue
            first = document.findBlock(self._map.to_qt(start)).blockNumber()
            last = document.findBlock(self._map.to_qt(max(start, end - 1))).blockNumber()
            numbers.extend(range(first, last + 1))
        return numbers

    def _format_blocks(self) -> bool:
        """Give the blocks on screen (every block, for a short text) their marks'
        formats; True if a block shown before was given new ones (its old look
        may be on screen outside what a paint under way redraws). Each is
        formatted before it is measured, so a block new to the screen is laid
        out once, with them."""
        blocks = self._block_state()
        document, layout = self.document(), self.document().documentLayout()
        changed = False
        with blocks.quietly(document):
            if len(self.text) <= WHOLE:
                block = document.firstBlock()
                while block.isValid():
                    shown = block.layout().lineCount() > 0  # laid out, so maybe painted
                    changed |= self._check(blocks, block) and shown
                    block = block.next()
                return changed
            block = self.firstVisibleBlock()
            first = last = block.blockNumber()
            start = end = block.position()
            top, height = self.contentOffset().y(), self.viewport().height()
            while block.isValid() and top <= height:
                shown = block.layout().lineCount() > 0  # laid out, so maybe painted
                changed |= self._check(blocks, block) and shown
                top += layout.blockBoundingRect(block).height()
                last, end = block.blockNumber(), block.position() + block.length()
                block = block.next()
        self._visible_blocks = (first, last)
        found = self._map.from_qt(start), min(len(self.text), self._map.from_qt(end))
        self._visible = (self._visible_key(), found)  # after the scroll bar heard of new lines
        return changed

    def _check(self, blocks: BlockFormats, block: QTextBlock) -> bool:
        looks = self._looks
        return blocks.check(self.document(), block, self._pieces, looks, self._formats)

    def _pieces(self, block: QTextBlock) -> tuple:
        """The model's marks over one block, as (start in it, length, look), in
        drawing order (later ones over earlier ones), clipped to the block."""
        at, size = block.position(), block.length() - 1  # not the paragraph separator
        if size <= 0:
            return ()
        to_qt = self._map.to_qt
        marks = self._model_marks(
            self._map.from_qt(at), self._map.from_qt(at + size), self._mark_context[1]
        )
        pieces = []
        for start, end, look in marks:
            s, e = max(to_qt(start) - at, 0), min(to_qt(end) - at, size)
            if e > s:
                pieces.append((s, e - s, look))
        return tuple(pieces)

    def _lay_ahead(self) -> None:
        """While the reader reads, format and lay out the blocks a scroll would
        show next (AHEAD characters below and above the screen), STEP characters
        at a time, back to the event loop in between: a scroll then finds them
        ready, and its frame only paints."""
        self._ahead_scheduled = False
        if len(self.text) <= WHOLE or not self.isVisible():
            return
        blocks = self._block_state()
        document, layout = self.document(), self.document().documentLayout()
        first, last = self._visible_blocks
        top = document.findBlockByNumber(first)
        bottom = document.findBlockByNumber(last)
        if not (top.isValid() and bottom.isValid()):
            return
        below_end = bottom.position() + bottom.length() + AHEAD
        above_start = top.position() - AHEAD
        budget = STEP
        with blocks.quietly(document):
            for step in (QTextBlock.next, QTextBlock.previous):
                block = step(bottom if step is QTextBlock.next else top)
                while block.isValid() and budget > 0:
                    if not (above_start < block.position() < below_end):
                        break
                    # Off screen: nothing shown changes (a paint since the screen
                    # was measured formatted what it showed).
                    if not blocks.current(block) or block.layout().lineCount() == 0:
                        self._check(blocks, block)
                        layout.blockBoundingRect(block)  # laid out now, not in a frame
                        budget -= block.length()
                    block = step(block)
        if budget <= 0:  # more to do: the next step after the events waiting
            self._ahead_scheduled = True
            QTimer.singleShot(0, self._lay_ahead)

    def refresh(self) -> None:
        """The marks or toggles changed: lay them again before the next paint.

        Several changes in one go (an edit: content, then conflicts) are laid once."""
        self._stale = True
        self.viewport().update()

    def extraSelections(self) -> list[QTextEdit.ExtraSelection]:  # type: ignore[override]
        if self._stale:
            self._lay()  # asked before the next paint: as it will be painted
        return super().extraSelections()

    def marks(self) -> list[QTextEdit.ExtraSelection]:
        """Every highlight as the next paint draws it, each as a cursor over its text
        and a format: the model's marks held by the blocks formatted so far (as
        their layouts hold them), then the analyst's overlays."""
        self._sync()
        document = self.document()
        blocks = self._block_formats.get(document)
        found = []
        for number in blocks.held() if blocks is not None else ():
            block = document.findBlockByNumber(number)
            for piece in block.layout().formats():
                cursor = QTextCursor(document)
                cursor.setPosition(block.position() + piece.start)
                cursor.setPosition(
                    block.position() + piece.start + piece.length,
                    QTextCursor.MoveMode.KeepAnchor,
                )
                mark = QTextEdit.ExtraSelection()
                mark.cursor, mark.format = cursor, piece.format
                found.append(mark)
        return found + self.extraSelections()

    def blocks_formatted(self) -> int:
        """How many times a block of the current document was given new formats."""
        blocks = self._block_formats.get(self.document())
        return blocks.formatted if blocks is not None else 0

    def _lay(self) -> None:
        """The analyst's overlays (labels, conflicts) around the visible text."""
        self._stale = False
        start, end = self.visible_range()
        if len(self.text) > WHOLE:
            start, end = max(0, start - MARGIN), min(len(self.text), end + MARGIN)
        self.highlighted_range = (start, end)
        if len(self._made) > MADE:
            self._made.clear()
        self.setExtraSelections(self._analyst_marks(start, end, self._block_state_context()))

    def _block_state_context(self) -> dict:
        self._block_state()
        return self._mark_context[1]

    def _context(self, active: set[int]) -> dict:
        return {
            "active": active,
            "palette": {role: colour(role) for role in ("quote_active", "speaker", "cue")},
            "kinds": {kind: kind_style(kind) for kind in self.visible_kinds},
        }

    def _model_marks(self, start: int, end: int, context: dict) -> list[tuple[int, int, tuple]]:
        """The model's marks overlapping [start, end) as (start, end, look), in
        drawing order, later on top: contents, rejected contents, entities,
        rejected entities, mentions. Each look's format is made once per palette."""
        active, palette, kinds = context["active"], context["palette"], context["kinds"]
        formats = self._formats  # one format per look, shared
        quotes = self.analysis.quotes
        marks: list[tuple[int, int, tuple]] = []
        contents = [i for i in self._quote_index.overlapping(start, end) if self._shown(quotes[i])]
        # Longest first, so a content nested in another is drawn over it.
        for i in sorted(contents, key=lambda i: quotes[i].start - quotes[i].end):
            q = quotes[i]
            key = ("content", q.kind, i in active)
            if key not in formats:
                formats[key] = kinds[q.kind].content_format(
                    palette["quote_active"] if i in active else None
                )
            marks.append((q.start, q.end, key))
        strike_key = ("strike",)
        if strike_key not in formats:
            formats[strike_key] = QTextCharFormat()
            formats[strike_key].setFontStrikeOut(True)
        for i in self._rejected_quote_index.overlapping(start, end):
            q = self.view.rejected_quotes[i]
            if self._shown(q):
                marks.append((q.start, q.end, strike_key))
        for i in self._entity_index.overlapping(start, end):
            e = self.analysis.entities[i]
            if e.label in self.visible_labels:
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
                marks.append((e.start, e.end, key))
        for i in self._rejected_entity_index.overlapping(start, end):
            e = self.view.rejected_entities[i]
            if e.label in self.visible_labels:
                marks.append((e.start, e.end, strike_key))
        marks.extend(
            self._attribution_marks(
                self._mention_index.overlapping(start, end), active, palette, formats
            )
        )
        return marks

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
    ) -> list[tuple[int, int, tuple]]:
        """Speaker and cue mentions of the shown attributions, each drawn once.

        A mention several attributions share lights up when any of them is active.
        """
        quotes = self.analysis.quotes
        marks = []
        for m in found:  # positions in the mention index
            (role, s, e), users = self._mentions[m]
            shown = [i for i in users if self._shown(quotes[i])]
            if not shown:
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
            marks.append((s, e, key))
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
