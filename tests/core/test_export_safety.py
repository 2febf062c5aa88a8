"""Issue 11: an export never harms the database it exports.

- the target is never the database, its -wal/-shm/-journal or its backups,
  however it is spelled (checked by file identity); another existing file is
  replaced only with --force;
- database names with %, # or ? export that database (parallel workers too);
- a new export file gets the database file's mode, whatever the umask;
- a killed parallel export leaves no worker processes, and the next export
  into the folder removes its temporary folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.core.test_export import build_sample_db
from viewer.__main__ import main
from viewer.core.model import Article
from viewer.core.store import open_db
from viewer.core.store.annotations import insert_annotation, new_annotation
from viewer.core.store.articles import upsert_articles
from viewer.core.store.backups import backup_now, backups_dir
from viewer.core.store.database import atomic
from viewer.core.tasks.export import ExportError, export_csv
from viewer.core.tasks.transfer import export_jsonl

COMMAND_TIMEOUT = 120  # seconds; two shared cores, other tests running


def viewer_command(*args: str | Path, cwd: Path, **popen) -> subprocess.Popen:
    """The real `viewer` command in a child process, running this checkout's code."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    argv = [sys.executable, "-m", "viewer", *map(str, args)]
    return subprocess.Popen(argv, cwd=cwd, env=env, **popen)


def run_viewer(*args: str | Path, cwd: Path, **popen) -> subprocess.CompletedProcess:
    with viewer_command(*args, cwd=cwd, stderr=subprocess.PIPE, text=True, **popen) as proc:
        _out, err = proc.communicate(timeout=COMMAND_TIMEOUT)
    return subprocess.CompletedProcess(proc.args, proc.returncode, None, err)


def wait_for(condition: Callable[[], object], seconds: float, poll: float = 0.01) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return bool(condition())


def fingerprint(path: Path) -> tuple[int, int, bytes]:
    info = path.stat()
    return info.st_ino, info.st_mode, path.read_bytes()


# -- 1. never over the database, its sidecars or its backups --------------------------------


@pytest.fixture
def open_database(tmp_path):
    """The sample database, open (so its -wal and -shm exist), with one backup."""
    db_path = tmp_path / "db" / "news.sqlite"
    db_path.parent.mkdir()
    db = build_sample_db(db_path)
    backup = backup_now(db, db_path)
    (tmp_path / "db" / "sub").mkdir()
    yield db, db_path, backup
    db.close()


def _spellings(db_path: Path, backup: Path) -> dict[str, tuple[str, Path]]:
    """name -> (what the user types, relative to the database's folder; the file it is)."""
    folder = db_path.parent
    os.symlink(db_path.name, folder / "link-to-db.csv")
    os.link(db_path, folder / "hard-link-to-db.csv")
    os.link(backup, folder / "hard-link-to-backup.csv")
    backups = backups_dir(db_path).name
    return {
        "database": (db_path.name, db_path),
        "database via sub/..": (f"./sub/../{db_path.name}", db_path),
        "database via a symlink": ("link-to-db.csv", db_path),
        "database via a hard link": ("hard-link-to-db.csv", db_path),
        "database by absolute path": (str(db_path), db_path),
        "-wal": (f"sub/../{db_path.name}-wal", folder / f"{db_path.name}-wal"),
        "-shm": (f"{db_path.name}-shm", folder / f"{db_path.name}-shm"),
        "-journal (not there yet)": (f"./sub/../{db_path.name}-journal", None),
        "backups folder": (backups, backups_dir(db_path)),
        "a backup": (f"{backups}/{backup.name}", backup),
        "a backup via a hard link": ("hard-link-to-backup.csv", backup),
        "a new file in the backups folder": (f"sub/../{backups}/new.csv", None),
    }


TARGETS = [
    "database",
    "database via sub/..",
    "database via a symlink",
    "database via a hard link",
    "database by absolute path",
    "-wal",
    "-shm",
    "-journal (not there yet)",
    "backups folder",
    "a backup",
    "a backup via a hard link",
    "a new file in the backups folder",
]
REASONS = {
    "-wal": "-wal file",
    "-shm": "-shm file",
    "-journal (not there yet)": "-journal file",
    "backups folder": "backups folder",
    "a new file in the backups folder": "inside the database's backups folder",
    "a backup": "backups folder",  # a name inside it
    "a backup via a hard link": "is a backup of the database",
}


@pytest.mark.parametrize("name", TARGETS)
@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_export_over_the_open_database_is_refused_by_the_command(
    open_database, name, kind, monkeypatch, capsys
):
    _db, db_path, backup = open_database
    typed, protected = _spellings(db_path, backup)[name]
    before = fingerprint(protected) if protected and protected.is_file() else None
    what = ["--csv", typed, "--what", "annotations"] if kind == "csv" else ["--jsonl", typed]
    monkeypatch.chdir(db_path.parent)
    for force in ([], ["--force"]):
        assert main(["export", "--db", db_path.name, *what, *force]) == 2
        err = capsys.readouterr().err
        assert f"viewer: error: {Path(typed)}: " in err  # the name as typed
        assert REASONS.get(name, "is the database itself") in err
        assert "choose another output file" in err
    if before is not None:
        assert fingerprint(protected) == before
    if protected is None:  # a sidecar or a name that was not there stays not there
        assert not (db_path.parent / typed).exists()
    assert not list(db_path.parent.glob(".*.tmp"))


@pytest.mark.parametrize("name", TARGETS)
def test_export_over_the_open_database_is_refused_by_the_export_functions(open_database, name):
    """Defence in depth: whoever calls export_csv / export_jsonl, the database is safe."""
    db, db_path, backup = open_database
    typed, protected = _spellings(db_path, backup)[name]
    out = db_path.parent / typed
    before = fingerprint(protected) if protected and protected.is_file() else None
    with pytest.raises(ExportError, match="choose another output file"):
        export_csv(db, out, "annotations")
    with pytest.raises(ExportError, match="choose another output file"):
        export_csv(db, out, "annotations", workers=2)
    with pytest.raises(ExportError, match="choose another output file"):
        export_jsonl(db, out)
    if before is not None:
        assert fingerprint(protected) == before


def test_wal_of_a_closed_database_is_refused_though_not_there(tmp_path):
    db_path = tmp_path / "news.sqlite"
    build_sample_db(db_path).close()
    (tmp_path / "x").mkdir()
    assert not (tmp_path / "news.sqlite-wal").exists()
    result = run_viewer("export", "--db", "news.sqlite", "--jsonl", "./x/../news.sqlite-wal",
                        cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2 and "is the database's -wal file" in result.stderr
    assert not (tmp_path / "news.sqlite-wal").exists()


def test_existing_file_is_replaced_only_with_force(tmp_path):
    db_path = tmp_path / "news.sqlite"
    build_sample_db(db_path).close()
    out = tmp_path / "out.csv"
    out.write_text("previous", encoding="utf-8")
    args = ["export", "--db", db_path, "--csv", out, "--what", "articles"]
    refused = run_viewer(*args, cwd=tmp_path)
    assert refused.returncode == 2
    assert f"{out}: exists; add --force to replace it" in refused.stderr
    assert out.read_text(encoding="utf-8") == "previous"
    assert run_viewer(*args, "--force", cwd=tmp_path).returncode == 0
    assert out.read_text(encoding="utf-8").startswith('"article_id"')


# -- 2. database names with %, # and ? -------------------------------------------------------


def build_decoy_db(path: Path) -> None:
    """Another database, which a mis-parsed URI would export instead."""
    db = open_db(path)
    art = Article(id="decoy", text="Decoy text that must never be exported.", title="D", origin="d")
    (article_id,) = upsert_articles(db, [art])
    insert_annotation(db, new_annotation(article_id, art.text, art.text_hash, 0, 5, kind="span",
                                         action="added", label="DECOY"))  # fmt: skip
    db.close()


@pytest.mark.parametrize("name", ["a%41.sqlite", "news #2.sqlite", "what?.sqlite"])
def test_database_paths_with_percent_hash_question_mark(tmp_path, name):
    folder = tmp_path / "data"
    folder.mkdir()
    build_sample_db(folder / name).close()
    build_decoy_db(folder / "aA.sqlite")  # what file:a%41.sqlite would open
    before = sorted(os.listdir(folder))
    out = tmp_path / "out.csv"
    result = run_viewer("export", "--db", folder / name, "--csv", out, "--what", "annotations",
                        "--processes", "2", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(folder)) == before  # no stray file like "news " or "what"
    db = open_db(folder / name)
    try:
        export_csv(db, tmp_path / "single.csv", "annotations")
    finally:
        db.close()
    assert out.read_bytes() == (tmp_path / "single.csv").read_bytes()
    assert b"DECOY" not in out.read_bytes() and b"Paris" in out.read_bytes()


# -- 3. file mode ---------------------------------------------------------------------------


@pytest.mark.parametrize("db_mode", [0o600, 0o640])
@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_new_export_gets_the_database_files_mode_whatever_the_umask(tmp_path, db_mode, kind):
    db_path = tmp_path / "news.sqlite"
    build_sample_db(db_path).close()
    os.chmod(db_path, db_mode)
    out = tmp_path / f"out.{kind}"
    what = ["--csv", out, "--what", "annotations"] if kind == "csv" else ["--jsonl", out]
    for processes in ("1", "2"):
        out.unlink(missing_ok=True)
        result = run_viewer("export", "--db", db_path, *what, "--processes", processes,
                            cwd=tmp_path, umask=0)  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert out.stat().st_mode & 0o777 == db_mode


def test_replaced_export_keeps_its_own_mode(tmp_path):
    db_path = tmp_path / "news.sqlite"
    build_sample_db(db_path).close()
    out = tmp_path / "out.csv"
    out.write_text("previous", encoding="utf-8")
    os.chmod(out, 0o644)
    result = run_viewer("export", "--db", db_path, "--csv", out, "--what", "articles", "--force",
                        cwd=tmp_path, umask=0o077)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert out.stat().st_mode & 0o777 == 0o644 and out.read_text(encoding="utf-8") != "previous"


# -- 4. a killed parallel export -------------------------------------------------------------


def build_big_db(path: Path, articles: int = 1000, per_article: int = 50) -> None:
    """50,000 annotations: the parallel export runs for about a second."""
    db = open_db(path)
    text = "Ann Lee said the plan would go ahead, and Bob agreed on Monday. " * 4
    batch = [Article(id=f"a{i}", text=text, title=f"T{i}", origin="o") for i in range(articles)]
    with atomic(db):  # one transaction: seconds, not one fsync per annotation
        for article_id, art in zip(upsert_articles(db, batch), batch, strict=True):
            for k in range(per_article):
                start = (k * 5) % 200
                insert_annotation(db, new_annotation(article_id, art.text, art.text_hash, start,
                                                     start + 12, kind="span", action="added",
                                                     label="Claim", note='n, "q"'))  # fmt: skip
    db.close()


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name: [state, ppid, ...]; None when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()


def children_of(parent: int) -> dict[int, str]:
    """pid -> start time of every process whose parent is ``parent``."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat_fields(int(entry))) and int(fields[1]) == parent:
            found[int(entry)] = fields[19]  # starttime: tells a reused pid apart
    return found


def pool_workers(parent: int) -> list[int]:
    workers = []
    for pid in children_of(parent):
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                workers.append(pid)
        except OSError:
            continue
    return workers


def still_running(pid: int, started: str) -> bool:
    fields = _stat_fields(pid)
    return fields is not None and fields[19] == started and fields[0] != "Z"


def export_temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="finds the workers through /proc")
def test_killed_parallel_export_leaves_no_workers_and_no_lasting_temporary(tmp_path):
    db_path = tmp_path / "big.sqlite"
    build_big_db(db_path)
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "annotations.csv"
    args = ["export", "--db", db_path, "--csv", out, "--what", "annotations", "--processes", "2"]
    parent = viewer_command(*args, cwd=tmp_path, stderr=subprocess.DEVNULL)
    children: dict[int, str] = {}
    try:
        started = wait_for(
            lambda: (
                parent.poll() is not None
                or (export_temporaries(folder) and len(pool_workers(parent.pid)) == 2)
            ),
            COMMAND_TIMEOUT,
        )
        assert started and parent.poll() is None, "the export ended before it could be killed"
        children = children_of(parent.pid)  # the workers and multiprocessing's tracker
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(COMMAND_TIMEOUT)
        gone = wait_for(lambda: not any(still_running(*c) for c in children.items()), 30, 0.05)
        assert gone, f"processes left by the killed export: {children}"
    finally:
        for pid, start in children.items():  # never leave them behind, even on failure
            if still_running(pid, start):
                os.kill(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
            parent.wait()
    stale = export_temporaries(folder)
    assert [p.name for p in stale if p.name.startswith(f".export-{parent.pid}-")], stale
    assert not out.exists()
    result = run_viewer(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert export_temporaries(folder) == []
    assert "wrote 50000 annotations rows" in result.stderr


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_next_export_removes_only_dead_or_old_temporaries(tmp_path):
    db_path = tmp_path / "news.sqlite"
    db = build_sample_db(db_path)
    folder = tmp_path / "exports"
    folder.mkdir()
    dead, alive, hours_ago = _dead_pid(), os.getpid(), time.time() - 2 * 3600

    def temporary(name: str, *, is_dir: bool = False, old: bool = False) -> Path:
        path = folder / name
        if is_dir:
            path.mkdir()
            (path / "part0.csv").write_text("x" * 1000)
            if old:
                os.utime(path / "part0.csv", (hours_ago, hours_ago))
        else:
            path.write_text("partial")
        if old:
            os.utime(path, (hours_ago, hours_ago))
        return path

    removed = [
        temporary(f".export-{dead}-k2j4h1ab", is_dir=True),
        temporary(f".out.csv.{dead}.ab12cd34.tmp"),
        temporary(f".export-{alive}-oldoldol", is_dir=True, old=True),  # a reused pid
        temporary(".export-q8w7e6r5", is_dir=True, old=True),  # an older viewer's, no pid
        temporary(".out.csv.zz99yy88.tmp", old=True),
    ]
    kept = [
        temporary(f".export-{alive}-busy0000", is_dir=True),  # an export running now
        temporary(f".out.csv.{alive}.ab12cd34.tmp"),
        temporary(".export-q8w7e6r6", is_dir=True),  # no pid, but fresh
        temporary(f".other.csv.{dead}.ab12cd34.tmp"),  # another target's: not this export's
        temporary(f".export-{dead}-link"),  # a file, not a folder
        temporary("notes.txt"),
    ]
    try:
        export_csv(db, folder / "out.csv", "articles")
    finally:
        db.close()
    assert [p for p in removed if os.path.lexists(p)] == []
    assert [p for p in kept if not p.exists()] == []
