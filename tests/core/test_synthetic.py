"""The synthetic corpus generator: deterministic, varied, self-consistent, loadable."""

from __future__ import annotations

import json
import statistics

from viewer.cli import run as cli_run
from viewer.core.corpus.files import iter_articles
from viewer.core.model import ImportReport
from viewer.devtools.synthetic import article, generate, write_jsonl


def test_same_seed_same_corpus_and_small_is_prefix_of_large():
    assert list(generate(5, seed=3)) == list(generate(10, seed=3))[:5]
    assert article(7, seed=1) == article(7, seed=1)
    assert article(7, seed=1).text != article(7, seed=2).text
    assert list(generate(3, start=4)) == [article(4), article(5), article(6)]


def test_articles_are_news_sized_and_varied():
    arts = list(generate(200))
    words = [len(a.text.split()) for a in arts]
    assert 480 <= statistics.mean(words) <= 600 and min(words) >= 450
    assert len({a.title for a in arts}) > 150
    assert len({a.source for a in arts}) >= 8
    assert len({a.date[:7] for a in arts}) > 30
    people = {e.text for a in arts for e in a.entities if e.label == "PERSON"}
    assert len(people) > 300  # a long tail of names, as in real news
    labels = {e.label for a in arts for e in a.entities}
    assert {"PERSON", "ORG", "GPE", "DATE", "MONEY", "PERCENT"} <= labels


def test_known_spans_match_the_text():
    for a in generate(100):
        for e in a.entities:
            assert a.text[e.start : e.end] == e.text
        for q in a.quotes:
            assert a.text[q.start : q.end] == q.text
            if q.speaker_start is not None:
                assert a.text[q.speaker_start : q.speaker_end] == q.speaker_text
            if q.cue_start is not None:
                assert a.text[q.cue_start : q.cue_end] == q.cue_text


def test_quotes_come_in_several_attribution_styles():
    quotes = [q for a in generate(100) for q in a.quotes]
    assert any(q.anonymous and q.speaker_name is None for q in quotes)
    assert any(q.speaker_text in ("he", "she") and q.speaker_name for q in quotes)  # pronoun
    assert any(q.kind == "mixed" for q in quotes)
    assert {q.cue_text for q in quotes} >= {"said", "according to", "added"}
    # An interrupted quote: two pieces, one attribution.
    arts = list(generate(100))
    assert any(
        len([q for q in a.quotes if q.attribution_id == aid]) == 2
        for a in arts
        for aid in {q.attribution_id for q in a.quotes}
    )
    assert 3 <= statistics.mean(len(a.quotes) for a in arts) <= 10


def test_jsonl_loads_with_the_corpus_reader(tmp_path):
    path = tmp_path / "syn.jsonl"
    write_jsonl(path, 20, seed=5)
    report = ImportReport()
    loaded = list(iter_articles(path, report))
    assert report.messages == []
    assert [a.text for a in loaded] == [a.text for a in generate(20, seed=5)]
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"id", "title", "text", "source", "date", "url"}
    assert not (tmp_path / "syn.jsonl.tmp").exists()


def test_synth_command(tmp_path, capsys):
    out = tmp_path / "c.jsonl"
    assert cli_run(["synth", str(out), "--articles", "12", "--seed", "2"]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12
    assert json.loads(lines[3])["text"] == article(3, seed=2).text
    assert "wrote 12 synthetic articles" in capsys.readouterr().err


def test_the_model_finds_most_of_the_known_people(analyzer):
    """The generator's prose is realistic enough for the real model to read."""
    found = expected = 0
    for a in generate(5):
        model = {(e.start, e.end) for e in analyzer.analyze(a.text).entities if e.label == "PERSON"}
        known = {(e.start, e.end) for e in a.entities if e.label == "PERSON"}
        found += len(model & known)
        expected += len(known)
    assert found / expected > 0.6
