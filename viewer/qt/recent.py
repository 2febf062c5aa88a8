"""The corpora opened lately (File → Open Recent), each with its database and the
article last read there, so that `viewer` with no argument goes back to work."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

MAX_RECENT = 8
_KEY = "recent/corpora"  # a JSON list, newest first: one value whatever the settings format
_OLD_KEY = "last/corpus"  # what earlier versions kept: the last corpus only


@dataclass(frozen=True)
class RecentCorpus:
    corpus: str
    db: str | None = None  # None: the corpus's default database
    article: str | None = None  # the corpus id of the article last shown

    @property
    def exists(self) -> bool:
        return Path(self.corpus).exists()


class RecentCorpora:
    """Newest first, at most MAX_RECENT, one entry per corpus path."""

    def __init__(self, settings: QSettings):
        self.settings = settings

    def entries(self) -> list[RecentCorpus]:
        raw = self.settings.value(_KEY, "", type=str)
        try:
            items = json.loads(raw) if raw else []
        except ValueError:
            items = []  # a damaged value: start afresh rather than fail to start
        entries = []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("corpus"), str):
                entries.append(
                    RecentCorpus(item["corpus"], _text(item.get("db")), _text(item.get("article")))
                )
        if not entries and (old := self.settings.value(_OLD_KEY, "", type=str)):
            entries.append(RecentCorpus(old))
        return entries[:MAX_RECENT]

    def last(self) -> RecentCorpus | None:
        entries = self.entries()
        return entries[0] if entries else None

    def find(self, corpus: str | Path) -> RecentCorpus | None:
        return next((e for e in self.entries() if e.corpus == str(corpus)), None)

    def opened(self, corpus: str | Path, db: str | Path) -> None:
        """A corpus was opened (with this database): it goes first, its last article kept
        (a corpus id: the same in any database of the corpus)."""
        before = self.find(corpus)
        entry = RecentCorpus(str(corpus), str(db), before.article if before else None)
        self._save([entry, *(e for e in self.entries() if e.corpus != str(corpus))])

    def article_shown(self, corpus: str | Path, article: str) -> None:
        entries = self.entries()
        if entries and entries[0].corpus == str(corpus) and entries[0].article != article:
            self._save([replace(entries[0], article=article), *entries[1:]])

    def clear(self) -> None:
        self._save([])

    def _save(self, entries: list[RecentCorpus]) -> None:
        self.settings.setValue(_KEY, json.dumps([asdict(e) for e in entries[:MAX_RECENT]]))
        self.settings.remove(_OLD_KEY)


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


class RecentMenu(QMenu):
    """File → Open Recent: rebuilt each time it opens; a corpus no longer there is
    shown disabled, named as missing."""

    open_requested = Signal(object)  # a RecentCorpus

    def __init__(self, recent: RecentCorpora, parent: QWidget | None = None):
        super().__init__("Open &Recent", parent)
        self.recent = recent
        self.aboutToShow.connect(self.rebuild)
        self.rebuild()

    def rebuild(self) -> None:
        self.clear()
        entries = self.recent.entries()
        for n, entry in enumerate(entries, start=1):
            path = Path(entry.corpus)
            name = (path.name or entry.corpus).replace("&", "&&")  # a literal &, no mnemonic
            text = f"&{n} {name} — {str(path.parent).replace('&', '&&')}"
            action = QAction(text if entry.exists else f"{text} (not found)", self)
            action.setToolTip(entry.corpus)
            action.setEnabled(entry.exists)
            action.triggered.connect(lambda _checked=False, e=entry: self.open_requested.emit(e))
            self.addAction(action)
        if not entries:
            none = self.addAction("No Recent Corpora")
            none.setEnabled(False)
        self.addSeparator()
        clear = self.addAction("&Clear Menu", self.recent.clear)
        clear.setEnabled(bool(entries))
