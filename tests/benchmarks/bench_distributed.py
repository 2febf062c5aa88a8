"""Analysis on Dask against raw spaCy, in one run (run by hand, not by pytest).

    .venv/bin/python tests/benchmarks/bench_distributed.py [--articles 1000] [--memory 10000]

On the same synthetic corpus (viewer.devtools.synthetic, written as a JSONL file):

1. raw ``nlp.pipe`` of the model with 2 processes (the ceiling on this machine);
2. ``viewer analyze --dask local:2`` (a LocalCluster of 2 worker processes);
3. ``viewer analyze --dask tcp://…`` against a ``dask scheduler`` and two ``dask
   worker`` processes started here;

each into a fresh database, timed from the first text to the last stored (the
commands report their own analysis time; model loading is excluded the same
way for raw spaCy). Prints articles/s, the ratio to raw (target ≥ 0.85), the
overhead per article in ms, and the client's peak memory (the `viewer
analyze` process itself, not the workers it starts) for --articles and for
--memory articles (target: flat).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from viewer.core.nlp.pipeline import Analyzer, load_model  # noqa: E402
from viewer.core.tasks.analyse_on_dask import free_port, stop_process_group  # noqa: E402
from viewer.devtools.synthetic import generate  # noqa: E402


def write_corpus(path: Path, n: int, seed: int = 11) -> list[str]:
    texts = []
    with open(path, "w", encoding="utf-8") as fh:
        for i, art in enumerate(generate(n, seed=seed)):
            fh.write(json.dumps({"id": f"b{i:06d}", "title": art.title, "text": art.text}) + "\n")
            texts.append(art.text)
    return texts


def raw_rate(texts: list[str]) -> float:
    analyzer = Analyzer()
    nlp = load_model(analyzer.model_name)
    list(nlp.pipe(texts[:4], batch_size=analyzer.batch_size))  # warm
    t = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=analyzer.batch_size, n_process=2):
        pass
    return len(texts) / (time.perf_counter() - t)


RATE = re.compile(r"Analysing: (\d+) of (\d+) articles — ([\d.]+) articles/s")


def dask_run(corpus: Path, address: str, tmp: Path, tag: str) -> tuple[float, int]:
    """(articles/s as the command measured it, the client's peak RSS in KiB)."""
    db = tmp / f"{tag}.sqlite"
    # The client's own peak (RUSAGE_SELF): not its workers', which local:N starts as children.
    run = ("import resource, sys; from viewer.__main__ import main; rc = main(sys.argv[1:]); "
           "print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); "
           "sys.exit(rc)")  # fmt: skip
    argv = [sys.executable, "-c", run, "analyze", str(corpus), "--db", str(db), "--dask", address]
    result = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=7200)
    if result.returncode != 0:
        raise SystemExit(f"{tag}: failed\n{result.stderr[-2000:]}")
    rates = RATE.findall(result.stderr)
    rss = int(re.search(r"MAXRSS (\d+)", result.stderr).group(1))
    return float(rates[-1][2]), rss


class Cluster:
    """A `dask scheduler` and two `dask worker` processes on localhost."""

    def __init__(self, logs: Path):
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        dask = str(Path(sys.executable).with_name("dask"))
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.procs = []
        for name, argv in [("scheduler", ["scheduler", "--host", "127.0.0.1", "--port",
                                          str(self.port), "--dashboard-address", ":0"])] + [
            (f"worker{n}", ["worker", self.address, "--nthreads", "1", "--no-nanny"])
            for n in range(2)
        ]:  # fmt: skip
            log = open(logs / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
            self.procs.append((subprocess.Popen([dask, *argv], stdout=log, stderr=log, env=env,
                                                start_new_session=True), log))  # fmt: skip

    def stop(self) -> None:
        for proc, log in reversed(self.procs):
            stop_process_group(proc)
            log.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--memory", type=int, default=10000, help="articles for the memory check")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="viewer-dist-") as tmp_name:
        tmp = Path(tmp_name)
        corpus = tmp / "corpus.jsonl"
        texts = write_corpus(corpus, args.articles)
        words = sum(len(t.split()) for t in texts) / len(texts)
        print(f"{len(texts)} synthetic articles, {words:.0f} words each; {os.cpu_count()} CPUs")
        raw = raw_rate(texts)
        print(f"raw nlp.pipe, 2 processes: {raw:.1f} articles/s")
        local, local_rss = dask_run(corpus, "local:2", tmp, "local")
        print(f"--dask local:2: {local:.1f} articles/s = {local / raw:.2f} of raw; "
              f"{(1 / local - 1 / raw) * 1000:.1f} ms overhead per article; "
              f"client peak {local_rss / 1024:.0f} MiB")  # fmt: skip
        cluster = Cluster(tmp)
        try:
            remote, remote_rss = dask_run(corpus, cluster.address, tmp, "remote")
        finally:
            cluster.stop()
        print(f"--dask tcp:// (scheduler + 2 workers): {remote:.1f} articles/s = "
              f"{remote / raw:.2f} of raw; {(1 / remote - 1 / raw) * 1000:.1f} ms overhead "
              f"per article; client peak {remote_rss / 1024:.0f} MiB")  # fmt: skip
        if args.memory:
            big = tmp / "big.jsonl"
            write_corpus(big, args.memory, seed=12)
            _, big_rss = dask_run(big, "local:2", tmp, "big")
            print(
                f"client peak memory: {local_rss / 1024:.0f} MiB for {len(texts)} articles, "
                f"{big_rss / 1024:.0f} MiB for {args.memory} "
                f"({big_rss / local_rss:.2f}x for {args.memory / len(texts):.0f}x the articles)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
