"""Analysis shards: finished batches as files, for a cluster job that has no database.

A shard is a gzip file of JSON lines, one article per line: the `viewer
analyze --jsonl` record (``id``, ``title``, ``entities``, ``quotes``) plus
what the store needs to take it over: the article text's ``text_hash`` and
the analysis key (``model``, ``pipeline``). Shards are written whole under a
temporary name and renamed, so a file named ``shard-*.jsonl.gz`` is always
complete; its name is a digest of its articles, so writing the same batch
twice gives one file.

``import_shards`` loads them into a database of the same corpus (articles
matched by corpus id and text hash): idempotent, and analyst decisions are
re-attached exactly as after a local analysis.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from viewer.core.annotations.upkeep import reattach_decisions
from viewer.core.model import Analysis, Entity, Quote
from viewer.core.store.analyses import save_analyses
from viewer.core.store.database import atomic
from viewer.core.store.transfer import find_article

PATTERN = "shard-*.jsonl.gz"
IMPORT_BATCH = 200  # articles per transaction when importing

ShardRecord = dict[str, Any]  # one JSON line of a shard
# (article row id, text hash, text, analysis, model, pipeline): one article to store
StoredBatch = list[tuple[int, str, str, Analysis, str, str]]


def record(
    ext_id: str, title: str, text_hash: str, model: str, pipeline: str, analysis: Analysis
) -> ShardRecord:
    """An article's line: the --jsonl record plus the text hash and the analysis key."""
    return {
        "id": ext_id,
        "title": title,
        "entities": [asdict(e) for e in analysis.entities],
        "quotes": [asdict(q) for q in analysis.quotes],
        "text_hash": text_hash,
        "model": model,
        "pipeline": pipeline,
    }


def write_shard(folder: str | Path, records: Sequence[ShardRecord]) -> Path:
    """Write one batch's records as a shard (atomically); its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    for r in records:
        digest.update(f"{r['id']}\0{r['text_hash']}\0{r['model']}\0{r['pipeline']}\n".encode())
    path = folder / f"shard-{digest.hexdigest()[:24]}.jsonl.gz"
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    with gzip.open(tmp, "wt", encoding="utf-8", newline="\n") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
    return path


def read_shards(folder: str | Path) -> Iterator[ShardRecord]:
    """Every record of every complete shard in ``folder``, shard by shard (sorted)."""
    for path in sorted(Path(folder).glob(PATTERN)):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


def analysis_of(rec: ShardRecord) -> Analysis:
    return Analysis(
        tuple(Entity(**e) for e in rec["entities"]), tuple(Quote(**q) for q in rec["quotes"])
    )


@dataclass
class ShardImport:
    records: int = 0
    stored: int = 0  # articles now linked to the shard's analysis
    missing: int = 0  # corpus id not in the database
    changed: int = 0  # the article's text is not the one analysed
    shards: int = 0
    examples: list[str] = field(default_factory=list)  # a few missing/changed ids

    def summary(self) -> str:
        line = (
            f"{self.records} analyses from {self.shards} shards: {self.stored} stored or "
            f"already there"
        )
        if self.missing:
            line += f", {self.missing} of articles not in this database"
        if self.changed:
            line += f", {self.changed} of articles whose text changed since"
        return line


def import_shards(db: Database, folder: str | Path) -> ShardImport:
    """Store the shards' analyses for the database's articles of the same corpus id and
    text; importing twice changes nothing, and analyst decisions are re-attached."""
    report = ShardImport(shards=len(list(Path(folder).glob(PATTERN))))
    batch: StoredBatch = []
    for rec in read_shards(folder):
        report.records += 1
        found = find_article(db, rec["id"])
        if found is None or found.text_hash != rec["text_hash"]:
            if found is None:
                report.missing += 1
            else:
                report.changed += 1
            if len(report.examples) < 10:
                report.examples.append(rec["id"])
            continue
        batch.append((found.id, found.text_hash, found.text, analysis_of(rec),
                      rec["model"], rec["pipeline"]))  # fmt: skip
        if len(batch) >= IMPORT_BATCH:
            report.stored += _store(db, batch)
            batch = []
    report.stored += _store(db, batch)
    return report


def _store(db: Database, batch: StoredBatch) -> int:
    stored = 0
    by_key: dict[tuple[str, str], list[tuple[int, str, str, Analysis]]] = {}
    for article_id, digest, text, analysis, model, pipeline in batch:
        by_key.setdefault((model, pipeline), []).append((article_id, digest, text, analysis))
    with atomic(db):  # the analyses and the decisions re-attached to them: one commit
        for (model, pipeline), results in by_key.items():
            linked = set(save_analyses(db, model, pipeline, results))
            reattach_decisions(db, [(a, an) for a, _, _, an in results if a in linked])
            stored += len(linked)
    return stored
