"""Analysis on a Dask cluster: the same analyses as a local run, from many machines.

The client (this process) reads the corpus, skips what the cache already has,
and sends the rest as tasks, each a batch of texts; a bounded number of
batches is in flight, so its memory stays flat whatever the corpus size. Each
worker loads the model once (AnalyzerPlugin) and runs the project's own
Analyzer, so the output is the local run's; results are stored in the
database as they arrive, in whatever order. A task whose worker dies is
retried elsewhere (``retries``); analyses are keyed by text, so a retried or
duplicated batch stores nothing twice.

``ADDRESS`` is a running scheduler (``tcp://host:8786``) or ``local:N``: a
scheduler and N worker processes (the ``dask`` command) started and stopped here.

Dask is an optional dependency (``pip install 'viewer[dask]'``): this module
imports it only when a run starts.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from viewer.core.model import Analysis
from viewer.core.nlp.pipeline import Analyzer, AnalyzerKey, ModelNotFound, resolve_model_name
from viewer.core.tasks.shards import ShardRecord, record, write_shard

if TYPE_CHECKING:
    from sqlite_utils import Database

    from viewer.core.progress import Progress, StopCheck

PLUGIN_NAME = "viewer-analyzer"
BATCH_TEXTS = 32  # texts per task: big enough to keep spaCy's batching efficient
BATCH_CHARS = 400_000  # ... and no task holds much more text than this
IN_FLIGHT_PER_WORKER = 2  # batches queued per worker: it never waits, the client never piles up
RETRIES = 3  # a batch whose worker died runs again on another
WORKERS_JOIN_WITHIN = 60  # seconds a cluster's first worker may take to join


class DaskUnavailable(Exception):
    """Dask is not installed, or the cluster cannot be reached or used; says which."""


if TYPE_CHECKING:
    from distributed.diagnostics.plugin import WorkerPlugin as _PluginBase
else:
    try:  # the plugin base: Dask is optional, and only a Dask run imports this module
        from distributed.diagnostics.plugin import WorkerPlugin as _PluginBase
    except ImportError:  # pragma: no cover - without Dask, dask_client() says how to install it
        _PluginBase = object


class AnalyzerPlugin(_PluginBase):
    """Loads the model once per worker; tasks find it through ``analyzer_on_worker``."""

    name = PLUGIN_NAME

    def __init__(self, model: str | None):
        self.model = model
        self.analyzer: Analyzer | None = None

    def setup(self, worker: Any = None) -> None:
        address = getattr(worker, "address", "a worker")
        try:
            resolve_model_name(self.model)
        except ModelNotFound as exc:  # fail fast, naming the worker
            raise ModelNotFound(f"{address}: {exc}") from exc
        self.analyzer = Analyzer(self.model)
        _ = self.analyzer.nlp  # load it now: the first task should not pay for it

    def teardown(self, worker: Any = None) -> None:
        self.analyzer = None


def analyzer_on_worker() -> Analyzer:
    from distributed import get_worker

    plugin = get_worker().plugins.get(PLUGIN_NAME)
    if not isinstance(plugin, AnalyzerPlugin) or plugin.analyzer is None:
        raise RuntimeError("the viewer's analyzer plugin is not set up on this worker")
    return plugin.analyzer


def analyze_batch(texts: list[str]) -> list[Analysis]:
    """The task: analyses of ``texts``, in order (runs on a worker)."""
    return list(analyzer_on_worker().analyze_many(texts))


# -- the client side ------------------------------------------------------------------


@contextlib.contextmanager
def dask_client(address: str) -> Iterator[Any]:
    """A Client of the scheduler at ``address``, or, for ``local:N``, of a scheduler
    and N workers started here as processes of their own."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise DaskUnavailable(
            "Dask is not installed: pip install 'viewer[dask]' (dask[distributed])"
        ) from exc
    if address.startswith("local:"):
        with (
            _local_processes(_workers(address)) as scheduler,
            Client(scheduler, timeout="60s") as client,
        ):
            client.wait_for_workers(_workers(address), timeout=120)
            yield client
        return
    try:
        client = Client(address, timeout="30s")
    except (OSError, TimeoutError) as exc:
        raise DaskUnavailable(f"{address}: no Dask scheduler answers there ({exc})") from exc
    with client:
        yield client


@contextlib.contextmanager
def _local_processes(n: int) -> Iterator[str]:
    """A `dask scheduler` and n `dask worker` processes on this machine, stopped after.

    Not a LocalCluster, and workers without nannies: a LocalCluster runs the
    scheduler and the nannies inside this process, and nanny-managed workers
    ran slower (0.75-0.78 of raw spaCy on two cores, against 0.92 like this).
    A worker that dies is not restarted; its tasks are retried on the others."""
    dask = shutil.which("dask", path=os.path.dirname(sys.executable)) or shutil.which("dask")
    if dask is None:
        raise DaskUnavailable("the `dask` command is not installed (pip install 'viewer[dask]')")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [
        subprocess.Popen(
            [
                dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dashboard-address",
                ":0",
            ],
            start_new_session=True,
            **quiet,
        )
    ]
    try:
        procs += [
            subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--no-nanny",
                              "--name", f"local-{k}", "--dashboard-address", ":0"],
                             start_new_session=True, **quiet)
            for k in range(n)
        ]  # fmt: skip
        yield address
    finally:
        for proc in reversed(procs):
            stop_process_group(proc)


def free_port() -> int:
    """A TCP port free on localhost now (for a scheduler started here)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def stop_process_group(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM the process and its group, SIGKILL after 30 s; waits for it."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _workers(address: str) -> int:
    try:
        n = int(address.removeprefix("local:"))
    except ValueError:
        n = 0
    if n < 1:
        raise DaskUnavailable(f"{address}: local:N needs N ≥ 1 worker processes")
    return n


def start_analyzers(client: Any, model: str | None) -> int:
    """Load the model on every worker (once); the number of workers."""
    # Workers started with the scheduler may still be joining (seconds on a busy
    # machine): wait for one; those joining later get the plugin as they join.
    try:
        client.wait_for_workers(1, timeout=WORKERS_JOIN_WITHIN)
    except TimeoutError as exc:
        raise DaskUnavailable(
            f"the Dask cluster has no workers (none joined within {WORKERS_JOIN_WITHIN} s)"
        ) from exc
    # A worker that cannot load the model raises its ModelNotFound here, naming itself.
    client.register_plugin(AnalyzerPlugin(model), name=PLUGIN_NAME)
    return max(1, len(client.scheduler_info().get("workers", {})))


def analyze_pending_dask(
    db: Database,
    client: Any,
    model: str | None,
    progress: Progress,
    should_stop: StopCheck,
    shards: Path | None = None,
) -> int:
    """Analyse every article lacking this model's analysis on the cluster; how many ran.

    Like workflow.analyze_pending (same cache, same saving and re-attaching of
    decisions), with the texts sent as tasks. ``shards``: each finished batch is
    also written there as a shard file (see core.shards)."""
    from distributed import as_completed

    from viewer.core.tasks.analyse import RunState, batches, save_results, uncached

    key = Analyzer.key_for(model)
    workers = start_analyzers(client, model)
    total_pending = _pending_count(db, key)
    progress(0, total_pending, "Analysing on the Dask cluster")
    state = RunState(total_pending)
    todo = batches(uncached(db, key.model, key.pipeline, state), BATCH_TEXTS, BATCH_CHARS)
    limit = max(1, workers * IN_FLIGHT_PER_WORKER)
    sent: dict[Any, list[tuple[int, str, str]]] = {}
    running = as_completed()

    def send(n: int) -> None:
        for batch in itertools.islice(todo, n):
            state.start_clock()
            future = client.submit(
                analyze_batch, [text for _, _, text in batch], retries=RETRIES, pure=False
            )
            sent[future] = batch
            running.add(future)

    send(limit)
    for future in running:
        batch = sent.pop(future)
        try:
            analyses = future.result()
        except Exception as exc:  # failed on every retry: what is stored stays, a re-run resumes
            for left in sent:
                left.cancel()
            raise DaskUnavailable(
                f"a batch of {len(batch)} articles failed {RETRIES + 1} times on the cluster "
                f"({type(exc).__name__}: {exc}); what finished is stored, run again to go on"
            ) from exc
        results = [
            (article_id, digest, text, analysis)
            for (article_id, digest, text), analysis in zip(batch, analyses, strict=True)
        ]
        if shards is not None:  # first: a stored batch is never missing from the shards
            write_shard(shards, _shard_records(db, key, results))
        save_results(db, key.model, key.pipeline, results, state, progress)
        if should_stop():
            for left in sent:
                left.cancel()
            break
        send(1)
    return state.ran


def _shard_records(
    db: Database, key: AnalyzerKey, results: list[tuple[int, str, str, Analysis]]
) -> list[ShardRecord]:
    from viewer.core.store.articles import names_of

    heads = names_of(db, [article_id for article_id, _, _, _ in results])
    out = []
    for article_id, digest, _, analysis in results:
        ext_id, title = heads[article_id]
        out.append(record(ext_id, title, digest, key.model, key.pipeline, analysis))
    return out


def _pending_count(db: Database, key: AnalyzerKey) -> int:
    from viewer.core.store.analyses import count_pending

    return count_pending(db, key.model, key.pipeline)
