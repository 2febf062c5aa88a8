"""Agreement of two annotators (viewer.core.team, `viewer agreement`).

The figures are checked against values computed by hand on small fixtures,
and alpha against Krippendorff's own two-observer example.
"""

from __future__ import annotations

import csv
import json

import pytest

from viewer.__main__ import main
from viewer.core.model import Article
from viewer.core.store import open_db
from viewer.core.store.annotations import insert_annotation, new_annotation
from viewer.core.store.articles import upsert_articles
from viewer.core.store.reviews import Review, add_tag, set_review
from viewer.core.tasks.transfer import export_jsonl
from viewer.core.team.agreement import (
    AGREEMENT_COLUMNS,
    NoSharedArticles,
    agreement,
    article_scores,
    character_alpha,
    cohen_kappa,
)
from viewer.core.team.work import (
    AnnotatorWork,
    ArticleWork,
    WorkSourceError,
    pick_annotator,
    read_work,
)

TEXT_1 = "Ann Lee met Bob Ray in Paris on Monday. The mayor said the talks went well."
TEXT_2 = "Carla Diaz spoke in Rome. An official said nothing was agreed."
TEXT_3 = "A third article nobody annotated twice."
ARTICLES = [
    Article(id="one", text=TEXT_1, title="One", origin="t:1"),
    Article(id="two", text=TEXT_2, title="Two", origin="t:2"),
    Article(id="three", text=TEXT_3, title="Three", origin="t:3"),
]


def at(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def row(rows, scope, label="*", article=None):
    [found] = [r for r in rows if (r.scope, r.label, r.article_id) == (scope, label, article)]
    return found


# -- the statistics by hand ---------------------------------------------------------------


def test_cohen_kappa_of_a_hand_computed_table():
    # 50 items: both yes 20, A yes / B no 5, A no / B yes 10, both no 15:
    # po = 35/50 = 0.7; pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = 0.2 / 0.5 = 0.4
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_cohen_kappa_is_undefined_when_chance_agreement_is_certain():
    assert cohen_kappa([]) is None
    assert cohen_kappa([("done", "done")] * 3) is None
    assert cohen_kappa([("a", "b"), ("b", "a")]) == pytest.approx(-1.0)


def test_character_alpha_matches_krippendorffs_two_observer_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", binary
    # data of two observers on ten units: alpha = 0.095. A unit is a character;
    # 1 = a span covers it.
    observer_1 = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    observer_2 = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]

    def spans(values):
        return [("X", i, i + 1) for i, v in enumerate(values) if v]

    alpha = character_alpha([(10, spans(observer_1), spans(observer_2))])
    assert alpha == pytest.approx(0.095, abs=5e-4)
    assert character_alpha([(10, spans(observer_1), spans(observer_1))]) == pytest.approx(1.0)
    assert character_alpha([(10, [], [])]) is None  # one value everywhere: undefined


# -- rows from two annotators' work -------------------------------------------------------


def _work(name: str, **articles: ArticleWork) -> AnnotatorWork:
    return AnnotatorWork(name, f"{name}.jsonl", dict(articles))


def test_span_rows_exact_match_per_label_and_overall():
    a = _work(
        "ann",
        one=ArticleWork(spans={("PER", 0, 7), ("PER", 12, 19), ("LOC", 23, 28)}, text_length=80),
        two=ArticleWork(spans={("PER", 0, 10)}, text_length=60),
    )
    b = _work(
        "bob",
        one=ArticleWork(spans={("PER", 0, 7), ("PER", 12, 18), ("LOC", 23, 28)}, text_length=80),
        two=ArticleWork(spans={("PER", 0, 10), ("ORG", 40, 50)}, text_length=60),
    )
    rows = agreement(a, b)
    per = row(rows, "span", "PER")
    # A: 3 PER, B: 3 PER, 2 alike (12-19 vs 12-18 differ by a character)
    assert (per.a_count, per.b_count, per.matched) == (3, 3, 2)
    assert per.precision == pytest.approx(2 / 3) and per.recall == pytest.approx(2 / 3)
    overall = row(rows, "span")
    # A 4, B 5, matched 3: P 3/4, R 3/5, F1 = 2PR/(P+R) = 2/3
    assert (overall.a_count, overall.b_count, overall.matched) == (4, 5, 3)
    assert overall.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert row(rows, "span", "ORG").precision is None  # A has none: undefined, an empty cell
    assert 0 < overall.alpha < 1 and row(rows, "span", "LOC").alpha == pytest.approx(1.0)


def test_decision_rows_count_items_both_decided_and_kappa_over_them():
    a = _work(
        "ann",
        one=ArticleWork(
            entities={(0, 7): "accepted", (12, 19): "rejected", (23, 28): "accepted"},
            attributions={(40, 60, "speaker"): "the mayor", (40, 60, "attribution"): "yes"},
        ),
    )
    b = _work(
        "bob",
        one=ArticleWork(
            entities={(0, 7): "accepted", (12, 19): "accepted", (30, 36): "rejected"},
            attributions={(40, 60, "speaker"): "Ann Lee", (40, 60, "attribution"): "yes"},
        ),
    )
    rows = agreement(a, b)
    ent = row(rows, "entity")
    # both decided (0,7) and (12,19): alike on one; kappa over those two:
    # po = 1/2; A: accepted, rejected; B: accepted, accepted -> pe = 1/2 * 1 + 1/2 * 0 = 1/2
    assert (ent.a_count, ent.b_count, ent.matched) == (3, 3, 1)
    assert ent.kappa == pytest.approx(0.0)
    speaker = row(rows, "attribution", "speaker")
    assert (speaker.matched, speaker.precision) == (0, 0.0)
    assert row(rows, "attribution").matched == 1


def test_status_and_tag_kappa_over_articles_both_reviewed():
    def reviewed(status, *tags):
        return ArticleWork(status=status, tags=set(tags))

    a = _work("ann", one=reviewed("done", "economy"), two=reviewed("done"),
              three=reviewed("in_progress", "economy"))  # fmt: skip
    b = _work("bob", one=reviewed("done", "economy"), two=reviewed("in_progress", "economy"),
              three=reviewed("in_progress"))  # fmt: skip
    rows = agreement(a, b)
    status = row(rows, "status")
    # 3 articles both reviewed, 2 alike; A: done 2, ip 1; B: done 1, ip 2
    # po = 2/3; pe = (2*1 + 1*2) / 9 = 4/9; kappa = (2/3 - 4/9) / (5/9) = 0.4
    assert (status.a_count, status.b_count, status.matched) == (3, 3, 2)
    assert status.kappa == pytest.approx(0.4)
    tag = row(rows, "tag", "economy")
    # has the tag: A yes, no, yes; B yes, yes, no -> po 1/3, pe = (2*2 + 1*1)/9 = 5/9
    assert (tag.a_count, tag.b_count, tag.matched) == (2, 2, 1)
    assert tag.kappa == pytest.approx((1 / 3 - 5 / 9) / (4 / 9))


def test_by_article_rows_follow_the_corpus_rows():
    a = _work("ann", one=ArticleWork(spans={("PER", 0, 7)}), two=ArticleWork(status="done"))
    b = _work("bob", one=ArticleWork(spans={("PER", 0, 7)}), two=ArticleWork(status="done"))
    rows = agreement(a, b, by_article=True)
    corpus = [r for r in rows if r.article_id is None]
    assert {r.scope for r in corpus} == {"span", "entity", "attribution", "status"}
    one = [r for r in rows if r.article_id == "one"]
    assert {(r.scope, r.label) for r in one} == {
        ("span", "*"), ("entity", "*"), ("attribution", "*"), ("status", "*"),
    }  # fmt: skip
    assert row(rows, "span", article="one").f1 == 1.0
    assert row(rows, "status", article="two").matched == 1


def test_no_shared_article_is_an_error():
    a = _work("ann", one=ArticleWork(status="done"))
    b = _work("bob", two=ArticleWork(status="done"))
    with pytest.raises(NoSharedArticles, match="share no annotated article"):
        agreement(a, b)


def test_several_annotators_in_one_input_must_be_picked():
    found = {"ann": _work("ann"), "bob": _work("bob")}
    with pytest.raises(WorkSourceError, match="holds the work of ann, bob"):
        pick_annotator(found, None, "team.sqlite")
    with pytest.raises(WorkSourceError, match="no work by 'cy'"):
        pick_annotator(found, "cy", "team.sqlite")
    assert pick_annotator(found, "bob", "team.sqlite").annotator == "bob"


# -- real databases and files through the command --------------------------------------


def _analyst_db(path, who: str, spans, status: str, tags=()):
    """A database of the corpus with one annotator's labelled spans, status and tags."""
    db = open_db(path)
    ids = dict(zip([a.id for a in ARTICLES], upsert_articles(db, ARTICLES), strict=True))
    texts = {a.id: a for a in ARTICLES}
    for ext, label, part in spans:
        art = texts[ext]
        start, end = at(art.text, part)
        insert_annotation(db, new_annotation(
            ids[ext], art.text, art.text_hash, start, end,
            kind="span", action="added", label=label, annotator=who,
        ))  # fmt: skip
    for ext in ("one", "two"):
        set_review(db, ids[ext], Review(status), who)
    for ext, tag in tags:
        add_tag(db, ids[ext], tag, who)
    return db


@pytest.fixture
def two_databases(tmp_path):
    a = _analyst_db(
        tmp_path / "ann.sqlite", "ann",
        [("one", "PER", "Ann Lee"), ("one", "PER", "Bob Ray"), ("two", "LOC", "Rome")],
        "done", [("one", "economy")],
    )  # fmt: skip
    b = _analyst_db(
        tmp_path / "bob.sqlite", "bob",
        [("one", "PER", "Ann Lee"), ("one", "LOC", "Paris"), ("two", "LOC", "Rome")],
        "done", [("one", "economy"), ("two", "economy")],
    )  # fmt: skip
    a.close(), b.close()
    return tmp_path / "ann.sqlite", tmp_path / "bob.sqlite"


def test_two_databases_through_the_command_and_the_csv(two_databases, tmp_path, capsys):
    a, b = two_databases
    out = tmp_path / "agreement.csv"
    assert main(["agreement", str(a), str(b), "--csv", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "A: ann" in printed and "B: bob" in printed and "span" in printed
    with open(out, newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert tuple(table[0]) == AGREEMENT_COLUMNS
    cells = {(r[0], r[1]): dict(zip(AGREEMENT_COLUMNS, r, strict=True)) for r in table[1:]}
    per = cells[("span", "PER")]
    assert (per["a_count"], per["b_count"], per["matched"]) == ("2", "1", "1")
    assert float(cells[("span", "*")]["f1"]) == pytest.approx(2 / 3)
    assert cells[("status", "*")]["matched"] == "2" and cells[("status", "*")]["kappa"] == ""
    assert cells[("tag", "economy")]["matched"] == "1"
    assert cells[("span", "*")]["alpha"] != ""


def test_by_article_csv_puts_the_article_first(two_databases, tmp_path):
    a, b = two_databases
    out = tmp_path / "by-article.csv"
    assert main(["agreement", str(a), str(b), "--csv", str(out), "--by-article"]) == 0
    with open(out, newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert tuple(table[0]) == ("article_id", *AGREEMENT_COLUMNS)
    assert {r[0] for r in table[1:]} == {"", "one", "two"}  # corpus rows, then per article
    span_one = next(r for r in table[1:] if r[0] == "one" and r[1] == "span")
    assert span_one[5] == "1"  # matched: Ann Lee


def test_jsonl_exports_and_one_database_with_both_annotators(two_databases, tmp_path):
    a, b = two_databases
    files = []
    for path in (a, b):
        db = open_db(path)
        files.append(tmp_path / f"{path.stem}.jsonl")
        export_jsonl(db, files[-1])
        db.close()
    from_files = tmp_path / "files.csv"
    assert main(["agreement", str(files[0]), str(files[1]), "--csv", str(from_files)]) == 0
    # the lead imports both into one database: both annotators inside it
    team = tmp_path / "team.sqlite"
    db = open_db(team)
    upsert_articles(db, ARTICLES)
    db.close()
    for f in files:
        assert main(["import-annotations", "--db", str(team), str(f)]) == 0
    found = read_work(team)
    assert set(found) == {"ann", "bob"}
    assert found["bob"].articles["two"].status == "done"  # bob's own review, kept beside ann's
    assert main(["agreement", str(team)]) == 2  # two annotators: which?
    from_team = tmp_path / "team.csv"
    args = ["agreement", str(team), "--annotator-a", "ann", "--annotator-b", "bob"]
    assert main([*args, "--csv", str(from_team)]) == 0
    # JSONL files know no text length: alpha differs; the matches do not
    assert [r[:8] for r in _span_cells(from_files)] == [r[:8] for r in _span_cells(from_team)]


def _span_cells(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [r for r in csv.reader(fh) if r[0] == "span"]


def test_unusable_inputs_exit_2_with_the_file_named(two_databases, tmp_path, capsys):
    a, _ = two_databases
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n", encoding="utf-8")
    assert main(["agreement", str(a), str(junk)]) == 2
    assert str(junk) in capsys.readouterr().err
    lonely = tmp_path / "lonely.jsonl"
    lonely.write_text(
        json.dumps({"type": "viewer-annotations", "version": 1}) + "\n"
        + json.dumps({"type": "review", "article": "nowhere", "status": "done", "note": None,
                      "annotator": "cy", "updated_at": "2024-01-01T00:00:00+00:00"}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    assert main(["agreement", str(a), str(lonely)]) == 2
    assert "share no annotated article" in capsys.readouterr().err


def test_article_scores_put_the_least_agreed_article_first():
    a = _work(
        "ann",
        one=ArticleWork(spans={("PER", 0, 7), ("PER", 10, 15)}, status="done"),
        two=ArticleWork(spans={("PER", 0, 7)}, status="done"),
    )
    b = _work(
        "bob",
        one=ArticleWork(spans={("PER", 0, 7)}, status="in_progress"),
        two=ArticleWork(spans={("PER", 0, 7)}, status="done"),
    )
    # one: spans 1 alike of 2 made, status 0 of 1 -> 1/3; two: 1 of 1 and 1 of 1 -> 1
    scores = article_scores(agreement(a, b, by_article=True))
    assert scores == [("one", pytest.approx(1 / 3)), ("two", 1.0)]
