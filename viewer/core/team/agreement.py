"""How far two annotators agree: the figures behind `viewer agreement` and its window.

Rows have exactly the columns of AGREEMENT_COLUMNS (a figure that is
undefined is None, an empty cell):

- ``span``, one row per label and ``*``: A's spans matched exactly (same
  label, start and end) against B's over the articles both annotated:
  precision = matched / A's, recall = matched / B's. ``alpha`` is
  Krippendorff's alpha (nominal) over every character of those articles,
  each character's value the label of the span covering it (or none), from
  the ``krippendorff`` package: the character-level form of unitizing
  alpha, which no maintained Python library implements. A label row's
  alpha is over "this label or not".
- ``entity`` and ``attribution``: decisions about model output (see
  ``work``). ``matched`` counts items both decided alike; precision and
  recall are matched over A's and over B's decisions; ``kappa`` is Cohen's
  kappa over the items both decided. Attribution rows: ``*`` and one per
  field (attribution, speaker, kind).
- ``status`` (``*``): Cohen's kappa over the articles both reviewed;
  ``tag``, one row per tag: kappa of having the tag over the same articles.

"Both annotated": both have an annotation, a review or a tag on the article.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import astuple, dataclass
from pathlib import Path

from viewer.core.tasks.export import atomic_text_file, neutralise
from viewer.core.team.work import AnnotatorWork, ArticleWork, ItemKey

AGREEMENT_COLUMNS = (
    "scope", "label", "a_count", "b_count", "matched",
    "precision", "recall", "f1", "kappa", "alpha",
)  # fmt: skip
ALL = "*"


@dataclass(frozen=True)
class AgreementRow:
    scope: str
    label: str
    a_count: int
    b_count: int
    matched: int
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    kappa: float | None = None
    alpha: float | None = None
    article_id: str | None = None  # set in --by-article rows

    def cells(self) -> tuple[object, ...]:
        return astuple(self)[: len(AGREEMENT_COLUMNS)]


class NoSharedArticles(Exception):
    """A and B share no article: nothing to compare."""


# -- the statistics ---------------------------------------------------------------------


def cohen_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa of two raters' values on the same items; None when undefined
    (no items, or chance agreement is certain: both always gave one same value)."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(a == b for a, b in pairs) / n
    a_counts = Counter(a for a, _ in pairs)
    b_counts = Counter(b for _, b in pairs)
    expected = sum(a_counts[v] * b_counts[v] for v in a_counts) / (n * n)
    if math.isclose(expected, 1.0):
        return None
    return (observed - expected) / (1 - expected)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


def _match_row(
    scope: str,
    label: str,
    a: AbstractSet[Hashable],
    b: AbstractSet[Hashable],
    kappa: float | None = None,
    alpha: float | None = None,
) -> AgreementRow:
    matched = len(a & b)
    p, r = _ratio(matched, len(a)), _ratio(matched, len(b))
    return AgreementRow(scope, label, len(a), len(b), matched, p, r, _f1(p, r), kappa, alpha)


def character_alpha(
    articles: Iterable[tuple[int, Iterable[tuple[str, int, int]], Iterable[tuple[str, int, int]]]],
    only: str | None = None,
) -> float | None:
    """Krippendorff's alpha (nominal) over characters: ``articles`` gives, per
    article, its length and A's and B's spans. With ``only``, a character's
    value is whether a span of that label covers it. None when undefined."""
    import krippendorff
    import numpy as np

    rows: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])  # A's, B's
    codes: dict[str, int] = {}
    for length, *both in articles:
        for who, spans in enumerate(both):
            values = np.zeros(length, dtype=np.int32)
            for label, start, end in sorted(spans, key=lambda s: (s[1], -s[2])):
                if only is not None and label != only:
                    continue
                code = 1 if only is not None else codes.setdefault(label, len(codes) + 1)
                values[max(0, start) : min(length, end)] = code
            rows[who].append(values)
    if not rows[0]:
        return None
    data = np.vstack([np.concatenate(rows[0]), np.concatenate(rows[1])]).astype(float)
    if data.shape[1] < 2 or len(np.unique(data)) < 2:
        return None  # one value everywhere: alpha is 0/0
    try:
        return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    except ValueError:
        return None


# -- the rows ---------------------------------------------------------------------------


def shared_articles(a: AnnotatorWork, b: AnnotatorWork) -> list[str]:
    """Articles both annotated, in corpus-id order."""
    return sorted(
        ext
        for ext, work in a.articles.items()
        if work.annotated and ext in b.articles and b.articles[ext].annotated
    )


def _length(a: ArticleWork, b: ArticleWork) -> int:
    """The article's length; from the annotated stretch when neither input knew it
    (two JSONL files): then alpha is over the characters up to the last span."""
    known = a.text_length or b.text_length
    if known:
        return known
    ends = [e for _, _, e in a.spans | b.spans]
    return max(ends, default=0)


def agreement(a: AnnotatorWork, b: AnnotatorWork, by_article: bool = False) -> list[AgreementRow]:
    """Every row for A against B (and, with ``by_article``, the per-article rows after)."""
    shared = shared_articles(a, b)
    if not shared:
        raise NoSharedArticles(
            f"{a.source} ({a.annotator}) and {b.source} ({b.annotator}) share no annotated article"
        )
    pairs = [(a.articles[x], b.articles[x]) for x in shared]
    rows = _scope_rows(pairs)
    if by_article:
        for ext, (wa, wb) in zip(shared, pairs, strict=True):
            rows += [_with_article(r, ext) for r in _scope_rows([(wa, wb)], labels=False)]
    return rows


def _with_article(row: AgreementRow, ext_id: str) -> AgreementRow:
    return AgreementRow(**{**row.__dict__, "article_id": ext_id})


def _scope_rows(
    pairs: list[tuple[ArticleWork, ArticleWork]], labels: bool = True
) -> list[AgreementRow]:
    return [
        *_span_rows(pairs, labels),
        *_decision_rows("entity", pairs, lambda w: w.entities, ()),
        *_decision_rows(
            "attribution",
            pairs,
            lambda w: w.attributions,
            ("attribution", "speaker", "kind") if labels else (),
        ),  # fmt: skip
        *_review_rows(pairs, labels),
    ]


def _span_rows(pairs: list[tuple[ArticleWork, ArticleWork]], labels: bool) -> list[AgreementRow]:
    def tagged(side: int, label: str | None) -> set[Hashable]:
        return {
            (n, *s)
            for n, pair in enumerate(pairs)
            for s in pair[side].spans
            if label is None or s[0] == label
        }

    lengths = [(_length(wa, wb), wa.spans, wb.spans) for wa, wb in pairs]
    rows = []
    if labels:
        for label in sorted({s[0] for wa, wb in pairs for s in wa.spans | wb.spans}):
            alpha = character_alpha(lengths, only=label)
            rows.append(_match_row("span", label, tagged(0, label), tagged(1, label), alpha=alpha))
    rows.append(_match_row("span", ALL, tagged(0, None), tagged(1, None),
                           alpha=character_alpha(lengths)))  # fmt: skip
    return rows


def _decision_rows(
    scope: str,
    pairs: list[tuple[ArticleWork, ArticleWork]],
    items_of: Callable[[ArticleWork], dict[ItemKey, str]],
    fields: Sequence[str],
) -> list[AgreementRow]:
    def row(label: str, keep: Callable[[ItemKey], bool]) -> AgreementRow:
        a: set[Hashable] = set()
        b: set[Hashable] = set()
        both: list[tuple[Hashable, Hashable]] = []
        for n, (wa, wb) in enumerate(pairs):
            ia = {k: v for k, v in items_of(wa).items() if keep(k)}
            ib = {k: v for k, v in items_of(wb).items() if keep(k)}
            a |= {(n, k, v) for k, v in ia.items()}
            b |= {(n, k, v) for k, v in ib.items()}
            both += [(ia[k], ib[k]) for k in ia.keys() & ib.keys()]
        return _match_row(scope, label, a, b, kappa=cohen_kappa(both))

    def of_field(name: str) -> Callable[[ItemKey], bool]:
        return lambda k: k[-1] == name

    rows = [row(f, of_field(f)) for f in fields]
    rows.append(row(ALL, lambda k: True))
    return rows


def _review_rows(pairs: list[tuple[ArticleWork, ArticleWork]], labels: bool) -> list[AgreementRow]:
    reviewed = [(wa, wb) for wa, wb in pairs if wa.reviewed and wb.reviewed]
    a_n = sum(wa.reviewed for wa, _ in pairs)
    b_n = sum(wb.reviewed for _, wb in pairs)
    statuses = [(wa.status or "unreviewed", wb.status or "unreviewed") for wa, wb in reviewed]
    rows = [
        AgreementRow(
            "status", ALL, a_n, b_n, sum(x == y for x, y in statuses), kappa=cohen_kappa(statuses)
        )  # fmt: skip
    ]
    tags = sorted({t for wa, wb in reviewed for t in wa.tags | wb.tags})
    for tag in tags if labels else ():
        has = [(tag in wa.tags, tag in wb.tags) for wa, wb in reviewed]
        a, b = sum(x for x, _ in has), sum(y for _, y in has)
        matched = sum(x and y for x, y in has)
        p, r = _ratio(matched, a), _ratio(matched, b)
        rows.append(AgreementRow("tag", tag, a, b, matched, p, r, _f1(p, r), cohen_kappa(has)))
    if not labels and reviewed:  # one row per article: all its tags together
        a_tags = {t for wa, _ in reviewed for t in wa.tags}
        b_tags = {t for _, wb in reviewed for t in wb.tags}
        rows.append(_match_row("tag", ALL, a_tags, b_tags))
    return rows


# -- per article, the table and the CSV --------------------------------------------------


def figure(value: object) -> str:
    """A cell as the table shows it: 3 decimals, empty when undefined."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def article_scores(rows: Iterable[AgreementRow]) -> list[tuple[str, float]]:
    """(article, score) from the by-article rows, lowest first: the share of the
    article's items both annotators treated alike (spans matched exactly,
    decisions alike, the same status) among all items either of them made."""
    alike: Counter[str] = Counter()
    made: Counter[str] = Counter()
    for r in rows:
        if r.article_id is None or r.label != ALL or r.scope == "tag":
            continue
        alike[r.article_id] += r.matched
        made[r.article_id] += (
            max(r.a_count, r.b_count)
            if r.scope == "status"
            else (r.a_count + r.b_count - r.matched)
        )
    scores = [(ext, alike[ext] / made[ext]) for ext in made if made[ext]]
    return sorted(scores, key=lambda s: (s[1], s[0]))


def csv_columns(by_article: bool) -> tuple[str, ...]:
    return ("article_id", *AGREEMENT_COLUMNS) if by_article else AGREEMENT_COLUMNS


def csv_values(row: AgreementRow, by_article: bool) -> tuple[object, ...]:
    return (row.article_id or "", *row.cells()) if by_article else row.cells()


def write_agreement_csv(
    rows: Sequence[AgreementRow], out: str | Path, by_article: bool = False
) -> None:
    """The rows with exactly the agreement columns (article_id first with by_article),
    atomically; figures at full precision, empty when undefined; labels and tags
    safe to open in a spreadsheet."""
    with atomic_text_file(out) as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(csv_columns(by_article))
        for row in rows:
            writer.writerow(
                neutralise(v) if isinstance(v, str) else ("" if v is None else v)
                for v in csv_values(row, by_article)
            )
