"""spaCy (over a second to import) is imported by the commands that analyse, and
by no other: each command runs in a fresh process that reports whether spaCy
was imported by the time it finished."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, SEEDS
from viewer.core.model import Article
from viewer.core.store import open_db
from viewer.core.store.annotations import insert_annotation, new_annotation
from viewer.core.store.articles import upsert_articles

# Runs `viewer ARGS...` in this process and prints, last, its exit code and
# whether spaCy is in sys.modules.
RUN_COMMAND = """
import json, sys
from viewer.__main__ import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "spacy": "spacy" in sys.modules}))
"""


def run_viewer(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", RUN_COMMAND, *args],
        cwd=REPO,  # this checkout's viewer package
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _two_annotators_db(path):
    """The seed article with one span by each of two annotators (no analysis)."""
    text = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    article = Article(id="seed", text=text, title="Seed", origin="seed.txt")
    db = open_db(path)
    (article_id,) = upsert_articles(db, [article])
    start = text.index("Iraq")
    for who in ("ann", "bob"):
        insert_annotation(db, new_annotation(
            article_id, text, article.text_hash, start, start + 4,
            kind="span", action="added", label="GPE", annotator=who,
        ))  # fmt: skip
    db.close()
    return path


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A folder with the annotated database, a second one, and the first's export."""
    tmp = tmp_path_factory.mktemp("commands")
    db = _two_annotators_db(tmp / "a.sqlite")
    _two_annotators_db(tmp / "other.sqlite")
    assert run_viewer("export", "--db", str(db), "--jsonl", str(tmp / "given.jsonl"))["code"] == 0
    return tmp


@pytest.mark.parametrize(
    "command",
    [
        ["export", "--db", "{db}", "--csv", "{tmp}/entities.csv", "--what", "entities"],
        ["export", "--db", "{db}", "--csv", "{tmp}/ann.csv", "--what", "annotations"],
        ["export", "--db", "{db}", "--jsonl", "{tmp}/all.jsonl"],
        ["agreement", "{db}", "--annotator-a", "ann", "--annotator-b", "bob"],
        ["import-annotations", "--db", "{tmp}/other.sqlite", "{tmp}/given.jsonl"],
        ["analyze", "--help"],
        ["export", "--help"],
    ],
    ids=lambda c: " ".join(x for x in c if "{" not in x),
)
def test_commands_that_do_not_analyse_never_import_spacy(command, work):
    result = run_viewer(*(a.format(db=work / "a.sqlite", tmp=work) for a in command))
    assert result == {"code": 0, "spacy": False}


def test_analyze_does_import_spacy(tmp_path):
    """The probe sees spaCy when it is used: the test above can fail."""
    result = run_viewer("analyze", str(SEEDS), "--db", str(tmp_path / "s.sqlite"))
    assert result == {"code": 0, "spacy": True}
