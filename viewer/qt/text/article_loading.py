"""What the text view needs to show an article, made ready without blocking the window.

A short article's document and indexed marks are made on the spot (a few
milliseconds). A long one's (a 5 MB article: a quarter of a second for the
document, a second for its hundred thousand marks) are made on a background
thread; meanwhile the view shows its head (the first ``HEAD`` characters, with
their marks read from the database alone) and ``ready`` says when the whole
is there. Recent documents and indexes are kept, so switching back to an
article, or a label edit (which changes no entity or attribution), reuses
them instead of building them again.
"""

from __future__ import annotations

import gc
import sys
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QFont, QTextDocument

from viewer.core.annotations.corrections import apply_corrections
from viewer.core.model import Analysis, Annotation
from viewer.core.store.analyses import load_analysis
from viewer.core.store.articles import StoredArticle
from viewer.core.store.database import open_readonly
from viewer.qt.operations import Operation
from viewer.qt.text.article_view import WHOLE, plain_document
from viewer.qt.text.offsets import Utf16Map
from viewer.qt.text.view_index import ViewIndex, index_view

HEAD = 40_000  # characters of a long article shown while the whole is made ready
KEEP = 3  # documents and indexes kept (the article shown and the last few)
LAUNCH_DELAY_MS = 50
# A background thread running Python holds the interpreter 5 ms at a time by
# default, and every paint or event the UI thread hands to Python waits for
# it; at 1 ms the window stays smooth while a long article is read.
SWITCH_INTERVAL = 0.001


@dataclass(frozen=True)
class Ready:
    """What to show now; ``complete`` False while a long article's rest is on its way."""

    document: QTextDocument
    index: ViewIndex
    complete: bool
    offsets: Utf16Map | None  # the text's offsets map, if made already


class Recent(OrderedDict):
    """A tiny least-recently-used cache."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_fresh(self, key: Hashable) -> Any:
        if key not in self:
            return None
        self.move_to_end(key)
        return self[key]

    def put(self, key: Hashable, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


def corrections_key(annotations: list[Annotation]) -> tuple[Annotation, ...]:
    """The decisions that change what is shown (free labels do not)."""
    return tuple(a for a in annotations if a.kind != "span")


class ArticleLoader(QObject):
    ready = Signal(int)  # an article whose whole document and marks are now ready
    failed = Signal(str)

    def __init__(self, font: Callable[[], QFont], parent: QObject | None = None):
        super().__init__(parent)
        self._font = font
        QCoreApplication.instance().aboutToQuit.connect(self.wait)
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        self._db_path: Path | None = None
        self.clear()

    def clear(self, db_path: Path | None = None) -> None:
        """Forget everything (another database)."""
        self._db_path = db_path
        self._documents: Recent = Recent(KEEP)  # (article id, text hash) -> document
        self._indexes: Recent = Recent(KEEP)  # (article id, analysis id, corrections) -> index
        self._analyses: Recent = Recent(2)  # analysis id -> Analysis (model output)
        self._latest: Recent = Recent(KEEP)  # (article, analysis) -> its last whole index
        self._articles: Recent = Recent(KEEP)  # article id -> StoredArticle
        self._heads: Recent = Recent(KEEP)  # (article id, text hash) -> the head's document
        self._pending: set[Hashable] = set()
        self._jobs: dict[int, tuple[Hashable, Hashable]] = {}
        self._running: set[Operation] = getattr(self, "_running", set())
        self._queued: list[Operation] = getattr(self, "_queued", [])
        self._ticket = 0

    def known_article(self, article_id: int) -> StoredArticle | None:
        """The article as last prepared (for get_article to reuse its text)."""
        return self._articles.get_fresh(article_id)

    def prepare(self, db, article: StoredArticle, annotations: list[Annotation]) -> Ready:
        self._articles.put(article.id, article)
        doc_key = (article.id, article.text_hash)
        view_key = (article.id, article.analysis_id, corrections_key(annotations))
        document, offsets = self._documents.get_fresh(doc_key) or (None, None)
        index = self._indexes.get_fresh(view_key)
        if len(article.text) <= WHOLE:
            if index is None:
                index = index_view(self._final(db, article.analysis_id, annotations))
                self._indexes.put(view_key, index)
            if document is None:
                document = plain_document(article.text, self._font())
                offsets = Utf16Map(article.text)
                self._documents.put(doc_key, (document, offsets))
            return Ready(document, index, True, offsets)
        if document is None or index is None:
            self._start(article, annotations, doc_key, view_key, document is None, index is None)
        complete = document is not None and index is not None
        head_end = self._head_end(article.text)
        if document is None:
            # The head's own map serves: nothing past the head is on screen yet.
            document, offsets = self._heads.get_fresh(doc_key) or (None, None)
            if document is None:
                head = article.text[:head_end]
                document, offsets = plain_document(head, self._font()), Utf16Map(head)
                self._heads.put(doc_key, (document, offsets))
        if index is None:
            # The last whole index of this article (an edit's new one is on its way),
            # else the marks of the head alone.
            index = self._latest.get_fresh((article.id, article.analysis_id)) or index_view(
                apply_corrections(load_analysis(db, article.analysis_id, head_end), annotations),
                covers=(0, head_end),
            )
        return Ready(document, index, complete, offsets)

    def _final(self, db, analysis_id: int | None, annotations: list[Annotation]):
        analysis = self._analyses.get_fresh(analysis_id)
        if analysis is None:
            analysis = load_analysis(db, analysis_id)
        return apply_corrections(analysis, annotations)

    @staticmethod
    def _head_end(text: str) -> int:
        cut = text.rfind("\n", HEAD // 2, HEAD)  # at a paragraph break, if there is one
        return cut if cut > 0 else HEAD

    def _start(
        self,
        article: StoredArticle,
        annotations: list[Annotation],
        doc_key: Hashable,
        view_key: Hashable,
        need_document: bool,
        need_index: bool,
    ) -> None:
        need_document = need_document and doc_key not in self._pending
        need_index = need_index and view_key not in self._pending
        if not (need_document or need_index) or self._db_path is None:
            return
        text, font, db_path = article.text, QFont(self._font()), self._db_path
        analysis_id = article.analysis_id
        cached = self._analyses.get_fresh(analysis_id)
        ui_thread = QCoreApplication.instance().thread()

        def work(_task) -> tuple[tuple | None, Analysis | None, ViewIndex | None]:
            document = index = analysis = None
            if need_document:
                made = plain_document(text, font)
                made.moveToThread(ui_thread)  # from this thread, to the one showing it
                document = (made, Utf16Map(text))
            if need_index:
                analysis = cached
                if analysis is None:
                    db = open_readonly(db_path)
                    try:
                        analysis = load_analysis(db, analysis_id)
                    finally:
                        db.close()
                index = index_view(apply_corrections(analysis, annotations))
            return document, analysis, index

        self._ticket += 1
        if need_document:
            self._pending.add(doc_key)
        if need_index:
            self._pending.add(view_key)
        self._jobs[self._ticket] = (
            doc_key if need_document else None,
            view_key if need_index else None,
        )
        job = Operation(work, ticket=self._ticket)
        job.succeeded.connect(self._done)
        job.failed.connect(self._failed)
        job.finished.connect(self._forget)
        self._running.add(job)
        self._queued.append(job)
        # Started once this switch is painted: its Python work shares the
        # interpreter with the UI thread, and the first paint comes first.
        QTimer.singleShot(LAUNCH_DELAY_MS, self._launch)

    def _launch(self) -> None:
        while self._queued:
            self._queued.pop(0).start()

    def _forget(self) -> None:
        self._running.discard(self.sender())

    def wait(self) -> None:
        """Until no background reading runs (quitting: a running QThread must not be destroyed)."""
        self._launch()  # one not started yet runs and ends like the others
        for job in list(self._running):
            job.wait()

    def _done(self, result: tuple) -> None:
        keys = self._jobs.pop(self.sender().ticket, None)
        if keys is None:
            return  # from before the database changed
        doc_key, view_key = keys
        document_and_offsets, analysis, index = result
        self._pending.difference_update(k for k in keys if k is not None)
        article_id = (doc_key or view_key)[0]
        if document_and_offsets is not None:
            self._documents.put(doc_key, document_and_offsets)
        if index is not None:
            self._indexes.put(view_key, index)
            self._analyses.put(view_key[1], analysis)
            self._latest.put(view_key[:2], index)  # the same text: its marks' offsets hold
            # Hundreds of thousands of plain objects that live on: out of the
            # cyclic collector's sight, or each full collection walks them all
            # (a pause of a quarter of a second, anywhere). Dropped from the
            # caches they are still freed (by reference count: no cycles).
            gc.freeze()
        self.ready.emit(article_id)

    def _failed(self, message: str) -> None:
        keys = self._jobs.pop(self.sender().ticket, None)
        if keys is not None:
            self._pending.difference_update(k for k in keys if k is not None)
            self.failed.emit(f"Could not read the whole article: {message}")
