"""One very long article: peak memory, and how fast a cancel returns (run by hand).

    .venv/bin/python tests/benchmarks/bench_long_article.py [--mb 5] [--cancel-after 20]

Builds one article of --mb megabytes (synthetic news paragraphs, written as a
.txt corpus of one file) and, each in a fresh process so the peaks do not mix:

1. analyses it as the window does (workflow.analyze_pending with the default
   Analyzer: one process, the window's batch settings) and prints the peak
   resident memory (target ≤ 1.5 GB) and the time;
2. starts the same analysis, asks it to stop after --cancel-after seconds and
   prints how long it took to return (target ≤ 2 s), and that nothing
   unfinished was stored;
3. and 4. the same two with ``processes=2`` (the window on a big corpus: spawned
   workers), with the peak of the largest worker process;
5. opens it in a real window (offscreen), closes the window --cancel-after
   seconds into the analysis and prints how long closing took (target ≤ 2 s).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


def build(folder: Path, megabytes: float) -> Path:
    from viewer.devtools.synthetic import generate

    target = int(megabytes * 1_000_000)
    parts, size = [], 0
    for art in generate(100_000, seed=5):
        parts.append(art.text)
        size += len(art.text) + 2
        if size >= target:
            break
    path = folder / "long.txt"
    path.write_text("\n\n".join(parts), encoding="utf-8")
    return path


def child(corpus: str, db: str, cancel_after: float, processes: int) -> None:
    from viewer.core.model import ImportReport
    from viewer.core.nlp.pipeline import Analyzer
    from viewer.core.store import open_db
    from viewer.core.tasks.analyse import analyze_pending, import_corpus

    store = open_db(db)
    import_corpus(store, corpus, ImportReport())
    analyzer = Analyzer()
    if processes == 1:
        _ = analyzer.nlp  # loaded first, as the window's job does before analysing
    stop = threading.Event()
    asked: list[float] = []
    if cancel_after:

        def cancel():
            time.sleep(cancel_after)
            asked.append(time.monotonic())
            stop.set()

        threading.Thread(target=cancel, daemon=True).start()
    t = time.monotonic()
    ran = analyze_pending(store, analyzer, should_stop=stop.is_set, processes=processes)
    end = time.monotonic()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    where = f"{processes} processes: " if processes > 1 else "1 process: "
    (stored,) = store.execute("SELECT count(*) FROM analyses").fetchone()
    if cancel_after:
        print(f"{where}cancel asked after {cancel_after:.0f} s; returned "
              f"{end - asked[0]:.2f} s later; analyses stored: {stored} (ran {ran})")  # fmt: skip
    else:
        workers = f", largest worker {worker:.0f} MiB" if processes > 1 else ""
        print(f"{where}analysed in {end - t:.1f} s; peak resident memory {peak:.0f} MiB"
              f"{workers}; analyses stored: {stored}")  # fmt: skip


def window_child(corpus: str, db: str, close_after: float) -> None:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from viewer.qt.main_window import MainWindow

    app = QApplication([])
    settings = QSettings(str(Path(db).with_suffix(".ini")), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.show()
    window.open_corpus(corpus, db)
    started = None
    while started is None or time.monotonic() - started < close_after:
        app.processEvents()
        status = window.statusBar().currentMessage()
        if started is None and status.startswith("Analysing"):
            started = time.monotonic()  # the model is loaded, spaCy is on the article
        time.sleep(0.01)
    t = time.monotonic()
    window.close()
    closed = time.monotonic() - t
    print(f"window: closed {close_after:.0f} s into the analysis in {closed:.2f} s")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=5.0)
    ap.add_argument("--cancel-after", type=float, default=20.0)
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)  # CORPUS DB CANCEL PROCESSES
    ap.add_argument("--window-child", nargs=3, help=argparse.SUPPRESS)  # CORPUS DB CLOSE_AFTER
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], float(args.child[2]), int(args.child[3]))
        return 0
    if args.window_child:
        window_child(args.window_child[0], args.window_child[1], float(args.window_child[2]))
        return 0
    with tempfile.TemporaryDirectory(prefix="viewer-long-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "corpus").mkdir()
        path = build(tmp / "corpus", args.mb)
        print(f"one article of {path.stat().st_size / 1e6:.1f} MB ({path.name})")
        runs = [(c, p) for p in (1, 2) for c in (0.0, args.cancel_after)]
        for n, (cancel, processes) in enumerate(runs):
            cmd = [sys.executable, __file__, "--child", str(tmp / "corpus"),
                   str(tmp / f"db{n}.sqlite"), str(cancel), str(processes)]  # fmt: skip
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=7200)
            print(out.stdout.strip() or out.stderr[-1500:])
        cmd = [sys.executable, __file__, "--window-child", str(tmp / "corpus"),
               str(tmp / "window.sqlite"), str(args.cancel_after)]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=7200)
        print(out.stdout.strip() or out.stderr[-1500:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
