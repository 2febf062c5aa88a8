"""One 5 MB article in the real window: switch, label edit, legend toggle, scroll (run by hand).

    xvfb-run -a .venv/bin/python tests/benchmarks/bench_long_article_window.py [--mb 5]

Builds a corpus of two articles, one of --mb megabytes (as bench_long_article
builds it) and one of about 3 kB, analyses both with the real model once and
keeps the database under /tmp/viewer-long-window/ (delete it to re-analyse).
Then, in a real MainWindow, measures each operation on the long article and
the same operation on the small one, in the same run, and prints the ratio.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "benchmarks"))

CACHE = Path("/tmp/viewer-long-window")


def prepare(megabytes: float) -> Path:
    """The analysed database (built once, then reused)."""
    from bench_long_article import build

    from viewer.core.model import ImportReport
    from viewer.core.nlp.pipeline import Analyzer
    from viewer.core.store import open_db
    from viewer.core.tasks.analyse import analyze_pending, import_corpus
    from viewer.devtools.synthetic import generate

    folder = CACHE / f"{megabytes:g}mb"
    db_path = folder / "db.sqlite"
    if (folder / "done").exists() and (folder / "corpus" / "small2.txt").exists():
        return db_path
    corpus = folder / "corpus"
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        corpus.mkdir(parents=True)
        build(corpus, megabytes)
    small = [a for a in generate(50, seed=7) if 2_500 <= len(a.text) <= 4_000][:2]
    for name, art in zip(("small.txt", "small2.txt"), small, strict=True):
        (corpus / name).write_text(art.text, encoding="utf-8")
    store = open_db(str(db_path))
    import_corpus(store, corpus, ImportReport())
    t = time.monotonic()
    analyze_pending(store, Analyzer())
    print(f"analysed the corpus once in {time.monotonic() - t:.0f} s -> {db_path}")
    store.close()
    (folder / "done").write_text("ok")
    return db_path


class PaintCounter:
    """Counts the text's paints and notes when the last one ended: an operation
    is done when the user sees it."""

    def __init__(self):
        from viewer.qt.text.article_view import HighlightedText

        self.count = 0
        self.last = 0.0
        paint = HighlightedText.paintEvent

        def timed(view, event):
            paint(view, event)
            self.count += 1
            self.last = time.perf_counter()

        HighlightedText.paintEvent = timed  # the bench's own window only


def until_painted(app, paints: PaintCounter, action, timeout: float = 60.0) -> float:
    """Seconds from calling ``action`` to the end of the text's next paint (what
    runs after it in the same turn of the event loop is not counted)."""
    before = paints.count
    t = time.perf_counter()
    action()
    while paints.count == before:
        if time.perf_counter() - t > timeout:
            raise TimeoutError("the text was never painted")
        app.processEvents()
    return paints.last - t


def profiled(action, top: int = 25):
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    action()
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(top)


def measure(db_path: Path, profile: str | None, scrolling: bool = True) -> None:
    import atexit
    import os
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from viewer.qt.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    tmp = Path(tempfile.mkdtemp(prefix="viewer-long-window-"))
    atexit.register(shutil.rmtree, tmp, True)  # the edited copy (30 MB) goes with the run
    db = tmp / "db.sqlite"
    shutil.copyfile(db_path, db)  # edits land in a copy: the cached analysis stays clean
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    paints = PaintCounter()
    window = MainWindow(settings)
    window.resize(1600, 1000)
    window.show()
    assert window.open_corpus(db_path.parent / "corpus", db)
    while window.last_job_finished is None:
        app.processEvents()
        time.sleep(0.01)
    text = window.view.text
    rows = {}
    for r in range(window.articles.rowCount()):
        row = window.articles.row_at(r)
        rows[row.ext_id.split(".")[0]] = r

    def switch(name: str) -> float:
        shown = window.current_id
        if shown is not None and window.articles.row_of(shown) == rows[name]:
            return 0.0  # shown already: nothing to paint (the loop's first switch, once)
        return until_painted(app, paints, lambda: window._select_row(rows[name]))

    edits = [0]

    def label_edit() -> float:
        # Another word each time: the same label twice on one span is refused.
        edits[0] += 1
        block = text.firstVisibleBlock().next().next()
        start = text._map.from_qt(block.position())
        for _ in range(edits[0]):
            start = text.text.index(" ", start) + 1
        word_end = text.text.index(" ", start + 1)
        text.select_span(start, word_end)
        text.setFocus()
        # An analyst selects a word, then presses a key: what the window does
        # meanwhile (a paint, laying out ahead) is done by then.
        idle(0.2)
        before = len(text.spans)
        took = until_painted(app, paints, lambda: QTest.keyClick(text, Qt.Key.Key_1))
        assert len(text.spans) == before + 1, "the key press labelled nothing"
        idle(0.2)  # and what follows the paint, before the next key press
        return took

    def idle(seconds: float) -> None:
        until = time.perf_counter() + seconds
        while time.perf_counter() < until:
            app.processEvents()

    def toggle() -> float:
        action = window.legend.label_actions["PERSON"]
        return until_painted(app, paints, action.trigger)

    def scroll() -> tuple[float, float, int]:
        bar = text.verticalScrollBar()
        bar.setValue(0)
        app.processEvents()
        frames = []
        while bar.value() < bar.maximum():
            # A page a frame, at 60 frames a second: what the frame leaves is idle time.
            t = time.perf_counter()
            frames.append(
                until_painted(app, paints, lambda: bar.setValue(bar.value() + bar.pageStep()))
            )
            while time.perf_counter() - t < 1 / 60:
                app.processEvents()
        frames.sort()
        return frames[len(frames) * 95 // 100], frames[-1], len(frames)

    def wheel(frames_wanted: int = 600) -> tuple[float, float]:
        """Three lines a frame (a mouse wheel's notch), from the middle of the text."""
        bar = text.verticalScrollBar()
        bar.setValue(bar.maximum() // 2)
        app.processEvents()
        frames = []
        for _ in range(frames_wanted):
            if bar.value() >= bar.maximum():
                break
            t = time.perf_counter()
            frames.append(
                until_painted(app, paints, lambda: bar.setValue(bar.value() + 3 * bar.singleStep()))
            )
            while time.perf_counter() - t < 1 / 60:
                app.processEvents()
        frames.sort()
        return frames[len(frames) * 95 // 100], frames[-1]

    def until_complete() -> None:
        while not text.complete:
            app.processEvents()

    switch("small2")
    window.loader.wait()
    until_complete()
    window.loader.clear(db)  # as if never shown: the first switch to each reads it all
    if profile:
        if profile != "switch":
            switch(os.environ.get("BENCH_ARTICLE", "long"))
            until_complete()
        settle = time.perf_counter() + 1.0
        while time.perf_counter() < settle:  # the deferred side panel, and so on
            app.processEvents()
        if profile == "again":
            switch("small")
        ops = {
            "switch": lambda: switch("long"),
            "again": lambda: switch("long"),
            "edit": label_edit,
            "legend": toggle,
            "back": lambda: switch("small"),
            "scroll": scroll,
            "wheel": wheel,
        }
        profiled(ops[profile])
        window.loader.wait()
        return
    results: dict[str, dict[str, float]] = {}
    # The baseline: the same operations on a 3 kB article, switching from and
    # back to another 3 kB article.
    for name in ("small", "long"):
        switch("small2")
        got = results[name] = {}
        t = time.perf_counter()
        got["switch to it, first time"] = switch(name)
        until_complete()
        got["… whole text and marks"] = time.perf_counter() - t
        got["switch back (to 3 kB)"] = switch("small2")
        got["switch to it again"] = switch(name)
        edit_times = sorted(label_edit() for _ in range(5))
        got["label edit, median of 5"] = edit_times[2]
        got["… worst of 5"] = edit_times[-1]
        got["legend toggle"] = max(toggle(), toggle())
        p95, worst, n = scroll() if scrolling else (0.0, 0.0, 0)
        got["scroll a page a frame, p95"], got["… max"] = p95, worst
        if scrolling:
            got["wheel 3 lines a frame, p95"], got["… max "] = wheel()
        print(f"{name}: {len(window.current_article.text):,} characters, scrolled {n} pages")
        text.verticalScrollBar().setValue(0)
    print(f"{'':26}{'3 kB':>10}{'5 MB':>10}{'ratio':>8}")
    for op in results["small"]:
        s, big = results["small"][op] * 1000, results["long"][op] * 1000
        print(f"{op:26}{s:8.1f}ms{big:8.1f}ms{big / s if s else 0:8.1f}")
    window.loader.wait()
    window.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=5.0)
    ap.add_argument("--prepare-only", action="store_true")
    ap.add_argument("--no-scroll", action="store_true", help="skip the (slow) scroll figures")
    ap.add_argument(
        "--profile", choices=("switch", "again", "edit", "legend", "back", "scroll", "wheel")
    )
    args = ap.parse_args()
    db_path = prepare(args.mb)
    if not args.prepare_only:
        measure(db_path, args.profile, not args.no_scroll)
    return 0


if __name__ == "__main__":
    sys.exit(main())
