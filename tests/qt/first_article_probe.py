"""Start the window on a corpus and report when its first article is on screen.

    python tests/qt/first_article_probe.py CORPUS DB [--import-spacy]

Prints one JSON object: ``seconds`` from the start of this script (imports
included) until the text view shows an article, ``spacy`` (whether spaCy was
imported by then) and ``shown`` (the first characters on screen). A fresh
process, so that nothing imported before it counts: the test of "no spaCy at
start" and tests/benchmarks/bench_start.py run it. ``--import-spacy`` imports
spaCy first, as every start did before it was imported only for analysis.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

TIMEOUT_MS = 60_000
POLL_MS = 10


def main(argv: list[str]) -> int:
    corpus, db = argv[0], argv[1]
    if "--import-spacy" in argv:
        import spacy  # noqa: F401

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    from viewer.qt.app import create_window

    app = QApplication(sys.argv[:1])
    settings = QSettings(str(Path(db).with_suffix(".ini")), QSettings.Format.IniFormat)
    window = create_window([corpus, "--db", db], settings)
    result: dict[str, object] = {}

    def check() -> None:
        texts = [v.toPlainText() for v in window.findChildren(QPlainTextEdit)]
        shown = next((t for t in texts if len(t) > 200), None)  # an article, not a note
        if shown is not None:
            result.update(
                seconds=time.perf_counter() - STARTED,
                spacy="spacy" in sys.modules,
                shown=shown[:60],
            )
            app.quit()

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(POLL_MS)
    QTimer.singleShot(TIMEOUT_MS, app.quit)
    app.exec()
    print(json.dumps(result))
    return 0 if result else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
