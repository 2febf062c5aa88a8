"""The window starts and shows an analysed corpus without importing spaCy (which
takes over a second): spaCy is imported when an analysis runs, not before.
Each check runs in a fresh process, since this one has imported spaCy already."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO, SEED_FILE, SEEDS
from tests.core.test_spacy_only_for_analysis import run_viewer
from viewer.core.model import ImportReport
from viewer.core.store import open_db
from viewer.core.tasks.analyse import analyze_pending, import_corpus

PROBE = REPO / "tests" / "qt" / "first_article_probe.py"


def _fresh_python(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_importing_the_window_does_not_import_spacy():
    code = "import sys, viewer.qt.main_window; print('spacy' in sys.modules)"
    assert _fresh_python("-c", code) == "False"


def test_viewer_help_does_not_import_spacy():
    assert run_viewer("--help") == {"code": 0, "spacy": False}


def test_window_shows_an_analysed_corpus_without_importing_spacy(tmp_path, analyzer):
    db_path = tmp_path / "seeds.sqlite"
    db = open_db(db_path)
    import_corpus(db, SEEDS, ImportReport())
    assert analyze_pending(db, analyzer) == 1
    db.close()

    shown = json.loads(_fresh_python(str(PROBE), str(SEEDS), str(db_path)))
    assert shown["shown"] == SEED_FILE.read_text(encoding="utf-8")[:60]
    assert shown["spacy"] is False

    # the probe does see spaCy when it is there
    shown = json.loads(_fresh_python(str(PROBE), str(SEEDS), str(db_path), "--import-spacy"))
    assert shown["spacy"] is True
