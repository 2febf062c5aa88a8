"""`viewer analyze`: the JSONL output, the cache, and errors."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import SEED_FILE, SEEDS
from viewer.__main__ import main
from viewer.core.nlp import pipeline


def run_analyze(tmp_path, corpus, *extra) -> list[dict]:
    out = tmp_path / "out.jsonl"
    code = main(
        ["analyze", str(corpus), "--db", str(tmp_path / "db.sqlite"), "--jsonl", str(out), *extra]
    )
    assert code == 0
    return [json.loads(line) for line in out.read_text("utf-8").splitlines()]


def test_analyze_seed_reports_quotes_speakers_and_entities(tmp_path):
    [record] = run_analyze(tmp_path, SEEDS)
    text = SEED_FILE.read_text("utf-8")
    assert record["id"] == "000_0c52c29eb9c28650"
    entities = {(e["text"], e["label"]) for e in record["entities"]}
    assert {("Sabrina Singh", "PERSON"), ("Iraq", "GPE"), ("Syria", "GPE")} <= entities
    assert "ISIS" in {e["text"] for e in record["entities"]}
    by_start = {q["text"][:25]: q for q in record["quotes"]}
    committed = by_start["We remain fully committed"]
    assert committed["speaker_text"] == "the official"
    # a mixed attribution's content is the whole reported clause
    raid = next(q for q in record["quotes"] if "to organize and conduct" in q["text"])
    assert raid["text"].startswith("The raid was designed")
    assert raid["kind"] == "mixed"
    assert raid["speaker_text"] == "Deputy Pentagon Press Secretary Sabrina Singh"
    for q in record["quotes"]:
        assert text[q["start"] : q["end"]] == q["text"]
        if q["speaker_start"] is not None:
            assert text[q["speaker_start"] : q["speaker_end"]] == q["speaker_text"]
        if q["cue_start"] is not None:
            assert text[q["cue_start"] : q["cue_end"]] == q["cue_text"]
    for e in record["entities"]:
        assert text[e["start"] : e["end"]] == e["text"]


def test_second_run_on_unchanged_corpus_runs_no_spacy(tmp_path, monkeypatch, capsys):
    first = run_analyze(tmp_path, SEEDS)

    def no_spacy(name):
        raise AssertionError("spaCy was loaded for an unchanged corpus")

    monkeypatch.setattr(pipeline, "load_model", no_spacy)
    second = run_analyze(tmp_path, SEEDS)
    assert second == first
    assert "analysed 0 articles" in capsys.readouterr().err


def test_jsonl_and_csv_ids_and_metadata(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        json.dumps({"id": "x1", "title": "First", "text": "Paris is calm.", "source": "AP"})
        + "\n"
        + json.dumps({"text": "Rome is busy."})
        + "\n",
        encoding="utf-8",
    )
    records = run_analyze(tmp_path, corpus)
    assert [(r["id"], r["title"]) for r in records] == [("x1", "First"), ("2", "Rome is busy")]


def test_missing_corpus_is_a_clear_error(tmp_path, capsys):
    code = main(["analyze", str(tmp_path / "nope"), "--jsonl", str(tmp_path / "o.jsonl")])
    assert code == 2
    assert "nope: no such file or folder" in capsys.readouterr().err


def test_corpus_without_articles_fails_naming_the_files(tmp_path, capsys):
    corpus = tmp_path / "bad"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    code = main(
        [
            "analyze",
            str(corpus),
            "--db",
            str(tmp_path / "d.sqlite"),
            "--jsonl",
            str(tmp_path / "o.jsonl"),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "empty.txt" in err and "no articles" in err


def test_unknown_model_is_a_clear_error(tmp_path, capsys):
    code = main(
        [
            "analyze",
            str(SEEDS),
            "--db",
            str(tmp_path / "d.sqlite"),
            "--model",
            "nonexistent_model_q",
            "--jsonl",
            str(tmp_path / "o.jsonl"),
        ]
    )
    assert code == 2
    assert "nonexistent_model_q" in capsys.readouterr().err


def test_python_dash_m_runs_the_same_entry():
    result = subprocess.run(
        [sys.executable, "-m", "viewer", "analyze", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "--jsonl" in result.stdout
