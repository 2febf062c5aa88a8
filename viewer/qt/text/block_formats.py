"""The model's marks held by the text blocks' own layouts, set block by block.

Extra selections cost every paint a pass over all of them for each block it
draws, so a long article's frames grew with its marks. A block's layout
formats are drawn with its text at no extra cost. So each block (a paragraph)
is given the formats of the marks over it when it first comes into view, or
just before while the reader reads, and again only when those marks change:
after a toggle or a correction each block is checked again as it comes into
view, and its formats are set again only if its marks differ.

A layout's formats, unlike an extra selection's, change the font too: a
speaker is laid out bold and a cue italic, as the legend describes them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager

from PySide6.QtGui import QTextBlock, QTextCharFormat, QTextDocument, QTextLayout

# One mark's part in a block: (start in the block, length, look), in Qt positions.
Piece = tuple[int, int, Hashable]
Pieces = tuple[Piece, ...]


class BlockFormats:
    """What each block of one document holds, and for which marks it was checked.

    ``state`` names everything the marks depend on (the marks themselves, the
    toggles, the palette); a block checked for another state is checked again.
    ``active`` is the lit attribution the blocks were laid with: lighting
    another re-checks only the blocks of the two (``recheck``).
    """

    def __init__(self) -> None:
        self.state: Hashable = None
        self.active: frozenset[int] = frozenset()
        self._checked: dict[int, Hashable] = {}  # block number -> the state it was checked for
        self._held: dict[int, tuple[Hashable, Pieces]] = {}  # -> (looks, pieces) its layout holds
        self.formatted = 0  # blocks given new formats so far (for tests: a count, not a time)

    def current(self, block: QTextBlock) -> bool:
        return self._checked.get(block.blockNumber(), self) == self.state

    def recheck(self, numbers: Iterable[int]) -> None:
        """These blocks' marks changed: check them again when next needed."""
        for number in numbers:
            self._checked.pop(number, None)

    def held(self) -> list[int]:
        """The numbers of the blocks whose layouts hold formats."""
        return sorted(n for n, (_, pieces) in self._held.items() if pieces)

    @contextmanager
    def quietly(self, document: QTextDocument) -> Iterator[None]:
        """Set formats without the layout asking to repaint the whole view for each
        block (the caller repaints what it changed); the scroll bar is told once,
        if the text's height in lines changed."""
        layout = document.documentLayout()
        lines = document.lineCount()
        blocked = layout.blockSignals(True)
        try:
            yield
        finally:
            layout.blockSignals(blocked)
        if document.lineCount() != lines:
            layout.documentSizeChanged.emit(layout.documentSize())

    def check(
        self,
        document: QTextDocument,
        block: QTextBlock,
        pieces_of: Callable[[QTextBlock], Pieces],
        looks: Hashable,
        formats: dict[Hashable, QTextCharFormat],
    ) -> bool:
        """Bring one block's formats up to date (inside ``quietly``); True if they
        were set. ``looks`` names the formats' colours: the same pieces in
        another palette are set again."""
        number = block.blockNumber()
        if self._checked.get(number, self) == self.state:
            return False
        self._checked[number] = self.state
        held = (looks, pieces_of(block))
        if self._held.get(number, (looks, ())) == held:
            return False
        self._held[number] = held
        ranges = []
        for start, length, look in held[1]:
            piece = QTextLayout.FormatRange()
            piece.start, piece.length, piece.format = start, length, formats[look]
            ranges.append(piece)
        block.layout().setFormats(ranges)
        # Told at once: left pending, this block's change would merge with the
        # next one's into a single span, and every block between would be laid
        # out again.
        document.markContentsDirty(block.position(), block.length())
        self.formatted += 1
        return True
