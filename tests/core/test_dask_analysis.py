"""Analysis on Dask (viewer analyze --dask): local:N (a scheduler and workers the command
starts), and a real scheduler and worker processes on localhost started here; the output
must be the local run's, byte for byte."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from viewer.core.model import ImportReport
from viewer.core.nlp.pipeline import ModelNotFound
from viewer.core.store import open_db
from viewer.core.store.annotations import (
    annotations_for_article,
    insert_annotation,
    new_annotation,
)
from viewer.core.store.articles import get_article
from viewer.core.tasks.analyse import import_corpus
from viewer.core.tasks.analyse_on_dask import AnalyzerPlugin, free_port, stop_process_group
from viewer.core.tasks.shards import write_shard

pytest.importorskip("distributed")

REPO = Path(__file__).resolve().parents[2]
SEED = next((REPO / "seeds").glob("*.txt")).read_text(encoding="utf-8")
BOUND = 240  # seconds any one command may take here


def corpus(tmp_path: Path, n: int) -> Path:
    """n articles: the seed with its country and officials renamed, one per file."""
    folder = tmp_path / f"corpus{n}"
    folder.mkdir()
    for i in range(n):
        text = SEED.replace("United States", f"Republic {i}").replace("Iraq", f"Land {i % 7}")
        (folder / f"a{i:04d}.txt").write_text(text[: 1500 + 37 * i % 900], encoding="utf-8")
    return folder


def viewer(*args: str, timeout: float = BOUND) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "viewer", *args],
        cwd=REPO, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def local_run(tmp_path: Path, folder: Path) -> bytes:
    out = tmp_path / "local.jsonl"
    result = viewer("analyze", str(folder), "--db", str(tmp_path / "local.sqlite"),
                    "--jsonl", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


def test_local_workers_give_the_local_runs_bytes_and_then_the_cache(tmp_path):
    folder = corpus(tmp_path, 8)
    out, db = tmp_path / "dask.jsonl", tmp_path / "dask.sqlite"
    args = ["analyze", str(folder), "--db", str(db), "--dask", "local:2", "--jsonl", str(out)]
    result = viewer(*args)
    assert result.returncode == 0, result.stderr
    assert "analysed 8 articles" in result.stderr
    assert out.read_bytes() == local_run(tmp_path, folder)
    again = viewer(*args)  # every text cached: no task is sent
    assert again.returncode == 0 and "analysed 0 articles" in again.stderr


def _analysed(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT count(*) FROM analyses").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _wait(what, timeout: float = BOUND) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)  # polling another process's state: there is no signal to await


@pytest.fixture
def cluster(tmp_path):
    """A real `dask scheduler` and two `dask worker` processes on localhost."""
    yield from _cluster(tmp_path, workers=2)


@pytest.fixture
def cluster_without_the_model(tmp_path):
    """One worker whose machine has no such model: VIEWER_MODEL names a missing one."""
    yield from _cluster(tmp_path, workers=1, env={"VIEWER_MODEL": "no_such_model_here"})


def _cluster(tmp_path, workers: int, env: dict | None = None):
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))
    env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    procs = []

    def start(name, *argv):
        log = open(logs / f"{name}.log", "w")  # noqa: SIM115 - closed at teardown
        proc = subprocess.Popen(
            [dask, *argv], stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        procs.append((proc, log))
        return proc

    start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", str(port),
          "--dashboard-address", ":0")  # fmt: skip
    workers = [
        start(
            f"worker{n}",
            "worker",
            address,
            "--nthreads",
            "1",
            "--nworkers",
            "1",
            "--no-nanny",
            "--name",
            f"w{n}",
        )  # fmt: skip
        for n in range(workers)
    ]
    try:
        yield address, workers
    finally:
        for proc, log in reversed(procs):
            stop_process_group(proc)
            log.close()


def test_a_worker_killed_mid_run_still_gives_the_whole_identical_result(tmp_path, cluster):
    address, workers = cluster
    folder = corpus(tmp_path, 120)
    out, db = tmp_path / "dask.jsonl", tmp_path / "dask.sqlite"
    run = subprocess.Popen(
        [sys.executable, "-m", "viewer", "analyze", str(folder), "--db", str(db),
         "--dask", address, "--jsonl", str(out)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait(lambda: _analysed(db) >= 10 or run.poll() is not None)
        assert run.poll() is None, run.communicate()[1]  # still running: kill a worker now
        os.killpg(workers[0].pid, signal.SIGKILL)
        _, err = run.communicate(timeout=BOUND)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err
    assert "analysed 120 articles" in err
    assert out.read_bytes() == local_run(tmp_path, folder)


def test_an_unknown_scheduler_is_a_clear_error(tmp_path):
    folder = corpus(tmp_path, 1)
    address = f"tcp://127.0.0.1:{free_port()}"
    result = viewer("analyze", str(folder), "--db", str(tmp_path / "x.sqlite"), "--dask",
                    address, "--jsonl", str(tmp_path / "x.jsonl"), timeout=120)  # fmt: skip
    assert result.returncode == 2
    assert address in result.stderr and "Traceback" not in result.stderr


def test_a_cluster_whose_worker_lacks_the_model_fails_fast_naming_it(
    tmp_path, cluster_without_the_model
):
    address, [worker] = cluster_without_the_model
    folder = corpus(tmp_path, 2)
    t = time.monotonic()
    result = viewer("analyze", str(folder), "--db", str(tmp_path / "x.sqlite"), "--dask",
                    address, timeout=120)  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "no_such_model_here" in result.stderr and "tcp://127.0.0.1:" in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - t < 60  # at the start, not after a run of failing tasks
    assert worker.poll() is None


def test_a_worker_without_the_model_fails_fast_naming_itself():
    class Worker:
        address = "tcp://10.0.0.7:40000"

    with pytest.raises(ModelNotFound, match=r"tcp://10\.0\.0\.7:40000: .*no_such_model"):
        AnalyzerPlugin("no_such_model").setup(Worker())


def _jsonl_of(db_path: Path, folder: Path, out: Path) -> bytes:
    """The --jsonl of a database that already holds every analysis (nothing to run)."""
    result = viewer("analyze", str(folder), "--db", str(db_path), "--jsonl", str(out))
    assert result.returncode == 0 and "analysed 0 articles" in result.stderr, result.stderr
    return out.read_bytes()


def test_shards_without_a_database_then_import_analysis(tmp_path):
    from viewer.core.store import open_db

    folder = corpus(tmp_path, 6)
    shards = tmp_path / "shards"
    args = ["analyze", str(folder), "--dask", "local:2", "--shards", str(shards)]
    result = viewer(*args)
    assert result.returncode == 0, result.stderr
    assert not [p for p in shards.iterdir() if p.name.startswith(".")]  # no half-written one
    assert list(shards.glob("shard-*.jsonl.gz"))
    # the analyst's database of the same corpus, with a decision made before any analysis
    target = tmp_path / "team.sqlite"
    db = open_db(target)
    [first, *_] = import_corpus(db, folder, ImportReport())
    article = get_article(db, first)
    start = article.text.index("Republic 0")
    insert_annotation(db, new_annotation(
        first, article.text, article.text_hash, start, start + 10,
        kind="span", action="added", label="Claim", annotator="ann",
    ))  # fmt: skip
    db.close()
    loaded = viewer("import-analysis", str(shards), "--db", str(target))
    assert loaded.returncode == 0, loaded.stderr
    assert "6 analyses from" in loaded.stderr
    count = _analysed(target)
    again = viewer("import-analysis", str(shards), "--db", str(target))
    assert again.returncode == 0 and _analysed(target) == count  # twice: nothing new
    assert _jsonl_of(target, folder, tmp_path / "from-shards.jsonl") == local_run(tmp_path, folder)
    db = open_db(target)
    assert [a.label for a in annotations_for_article(db, first)] == ["Claim"]  # untouched
    db.close()
    rerun = viewer(*args)  # the same DIR: what it holds is not analysed again
    assert rerun.returncode == 0 and "analysed 0 articles" in rerun.stderr, rerun.stderr


def test_import_analysis_names_articles_this_database_lacks(tmp_path):
    shards = tmp_path / "shards"
    write_shard(shards, [{"id": "nowhere", "title": "", "entities": [], "quotes": [],
                          "text_hash": "0" * 64, "model": "m@1", "pipeline": "p"}])  # fmt: skip
    open_db(tmp_path / "db.sqlite").close()
    result = viewer("import-analysis", str(shards), "--db", str(tmp_path / "db.sqlite"))
    assert result.returncode == 1
    assert "1 of articles not in this database" in result.stderr and "'nowhere'" in result.stderr
