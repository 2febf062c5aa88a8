"""Two viewer processes on one database: both write, nothing is lost, nothing is "locked"."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from viewer.core.model import Article
from viewer.core.store import open_db
from viewer.core.store.annotations import get_annotation
from viewer.core.store.articles import upsert_articles
from viewer.core.store.schema import migrations

REPO = Path(__file__).resolve().parents[2]
EDITS = 150  # per process: single edits, each its own transaction
BATCH_EVERY = 50  # edits between bulk imports of BATCH_SIZE articles (one transaction each)
BATCH_SIZE = 150
TEXT = "Ann Lee said the talks would go on. " * 20

WORKER = """
import json, sys, time
from pathlib import Path
from viewer.core.model import Article
from viewer.core.store import open_db
from viewer.core.store.annotations import insert_annotation, new_annotation, update_annotation
from viewer.core.store.articles import get_article, upsert_articles
from viewer.core.store.reviews import Review, add_tag, set_review

db_path, name, go, edits, every, size = sys.argv[1:7]
db = open_db(db_path)
art = get_article(db, 1)
while not Path(go).exists():  # start together, for real contention
    time.sleep(0.001)
for i in range(int(edits)):
    ann = new_annotation(1, art.text, art.text_hash, i, i + 7, kind="span", action="added",
                         label=name, note=f"{name}-{i}")
    stored = insert_annotation(db, ann)
    update_annotation(db, stored.id, note=f"{name}-{i}-checked")
    print(json.dumps({"annotation": stored.id, "note": f"{name}-{i}-checked"}), flush=True)
    if i % 10 == 0:
        set_review(db, 1, Review("in_progress", f"{name} {i}"), annotator=name)
        add_tag(db, 1, f"{name}-{i}", annotator=name)
        print(json.dumps({"tag": f"{name}-{i}"}), flush=True)
    if i % int(every) == 0:
        batch = [Article(id=f"{name}-{i}-{k}", text=f"{name} {i} {k}. " * 50, title="T",
                         origin="worker") for k in range(int(size))]
        upsert_articles(db, batch)
        print(json.dumps({"batch": f"{name}-{i}-"}), flush=True)
db.close()
"""


def start(db_path: Path, name: str, go: Path) -> subprocess.Popen:
    args = [str(db_path), name, str(go), str(EDITS), str(BATCH_EVERY), str(BATCH_SIZE)]
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_write_concurrently_without_loss(tmp_path: Path) -> None:
    db_path = tmp_path / "shared.sqlite"
    db = open_db(db_path)
    upsert_articles(db, [Article(id="a", text=TEXT, title="A", origin="a.txt")])
    db.close()
    go = tmp_path / "go"
    workers = {name: start(db_path, name, go) for name in ("first", "second")}
    time.sleep(0.5)  # both have opened the database and wait
    go.touch()
    outputs = {name: proc.communicate(timeout=120) for name, proc in workers.items()}
    for name, (_out, err) in outputs.items():
        assert "locked" not in err and "busy" not in err, err
        assert workers[name].returncode == 0, err
    check_everything_acknowledged_is_there(db_path, outputs)


def check_everything_acknowledged_is_there(db_path: Path, outputs: dict) -> None:
    db = open_db(db_path)
    annotations = tags = batches = 0
    for out, _err in outputs.values():
        for line in out.splitlines():
            ack = json.loads(line)
            if "annotation" in ack:
                stored = get_annotation(db, ack["annotation"])
                assert stored is not None and stored.note == ack["note"]
                annotations += 1
            elif "tag" in ack:
                found = db.execute("SELECT 1 FROM article_tags WHERE tag = ?", [ack["tag"]])
                assert found.fetchone() is not None
                tags += 1
            else:
                count = db.execute(
                    "SELECT count(*) FROM articles WHERE ext_id LIKE ? || '%'", [ack["batch"]]
                ).fetchone()[0]
                assert count == BATCH_SIZE
                batches += 1
    assert annotations == 2 * EDITS
    assert db.execute("SELECT count(*) FROM annotations").fetchone()[0] == 2 * EDITS
    assert tags == db.execute("SELECT count(*) FROM article_tags").fetchone()[0] == 2 * 15
    assert batches == 2 * len(range(0, EDITS, BATCH_EVERY))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_read_then_write_transaction_waits_instead_of_failing(tmp_path: Path) -> None:
    """Regression: sqlite-utils' deferred BEGIN failed at once with "database is locked" when
    another connection committed between a transaction's first read and its first write."""
    db_path = tmp_path / "shared.sqlite"
    first = open_db(db_path)
    errors: list[BaseException] = []

    def other_writer() -> None:
        other = open_db(db_path)
        try:
            other.execute("INSERT INTO settings VALUES ('other', '1')")  # waits for `first`
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        other.close()

    with first.atomic():
        first.execute("SELECT count(*) FROM settings").fetchone()  # the read comes first
        thread = threading.Thread(target=other_writer)
        thread.start()
        time.sleep(0.3)  # the other writer is waiting for the lock by now
        first.execute("INSERT INTO settings VALUES ('first', '1')")
    thread.join(timeout=30)
    assert errors == []
    keys = [r[0] for r in first.execute("SELECT key FROM settings ORDER BY rowid")]
    assert keys == ["first", "other"]
    first.close()


def test_two_processes_create_the_same_new_database(tmp_path: Path) -> None:
    db_path = tmp_path / "new" / "fresh.sqlite"
    go = tmp_path / "go"
    code = (
        "import sys, time; from pathlib import Path; from viewer.core.store import open_db\n"
        "while not Path(sys.argv[2]).exists(): time.sleep(0.001)\n"
        "open_db(sys.argv[1]).close()"
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(db_path), str(go)],
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(0.3)
    go.touch()
    for worker in workers:
        _out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
    db = open_db(db_path)
    names = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert names == [m.name for m in migrations._migrations]  # each applied once
    db.close()
