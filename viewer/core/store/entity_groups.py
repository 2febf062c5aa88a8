"""The entities table's rows: one per entity however written (see viewer.core.names.entity_names).

Counted inside refresh_stats' transaction, from the final entities: the forms
(text, label) with their figures, their groups, and each group's articles (a
group's articles are not the sum of its forms').
``stats_entity_forms`` keeps form -> group, so a filter or the mentions of a
group reach every form.
"""

from __future__ import annotations

import json

from sqlite_utils import Database

from viewer.core.names.entity_names import Form, Group, group_forms
from viewer.core.store.corrected import FINAL_IDS

# The forms of the group named ? (any case) with label ?, and the text ? itself:
# what a filter by an entity name, or a group's mentions, look for.
GROUP_FORMS = (
    "SELECT text FROM stats_entity_forms WHERE name = ? COLLATE NOCASE AND label = ? UNION SELECT ?"
)
GROUP_FORMS_ANY_LABEL = (
    "SELECT text FROM stats_entity_forms WHERE name = ? COLLATE NOCASE UNION SELECT ?"
)


def build_entity_groups(db: Database, final_entities: str) -> None:
    """Fill stats_entities and stats_entity_forms from ``final_entities`` (a query of
    article_id, start, end, text, label)."""
    figures = {
        (r[0], r[1]): (int(r[2]), int(r[3]))
        for r in db.execute(
            f"SELECT text, label, count(DISTINCT article_id), count(*) "
            f"FROM ({final_entities}) GROUP BY text, label"
        )
    }
    forms = [Form(text, label, mentions) for (text, label), (_, mentions) in figures.items()]
    groups = group_forms(forms)
    db.execute("DELETE FROM stats_entity_forms")
    db.execute("DELETE FROM stats_entities")
    db.conn.executemany(
        "INSERT INTO stats_entity_forms (text, label, name) VALUES (?, ?, ?)",
        ((text, g.label, g.name) for g in groups for text in g.forms),
    )
    db.conn.executemany(
        "INSERT INTO stats_entities (text, label, articles, mentions, variants) "
        "VALUES (?, ?, ?, ?, ?)",
        (_row(g, figures) for g in groups),
    )
    _count_articles_of_groups(db, groups)


def _row(group: Group, figures: dict[tuple[str, str], tuple[int, int]]) -> tuple[object, ...]:
    articles, mentions = 0, 0
    for text in group.forms:
        a, m = figures[(text, group.label)]
        articles, mentions = max(articles, a), mentions + m  # articles: recounted if several
    return (group.name, group.label, articles, mentions, json.dumps(group.forms))


def _count_articles_of_groups(db: Database, groups: list[Group]) -> None:
    """The articles of each group of several forms, counted once each."""
    merged = [(text, g.label, g.name) for g in groups if len(g.forms) > 1 for text in g.forms]
    if not merged:
        return
    db.execute("DROP TABLE IF EXISTS temp.merged_forms")
    db.execute("CREATE TEMP TABLE merged_forms (text TEXT, label TEXT, name TEXT)")
    try:
        db.conn.executemany("INSERT INTO temp.merged_forms VALUES (?, ?, ?)", merged)
        db.execute(
            f"""WITH hits AS (
                    SELECT m.name AS name, m.label AS label, a.id AS article_id
                    FROM temp.merged_forms m
                    JOIN entities e ON e.text = m.text COLLATE NOCASE AND e.text = m.text
                         AND e.label = m.label
                    JOIN articles a ON a.analysis_id = e.analysis_id
                    WHERE a.id NOT IN ({FINAL_IDS})
                    UNION ALL
                    SELECT m.name, m.label, fe.article_id FROM temp.merged_forms m
                    JOIN final_entities fe ON fe.text = m.text COLLATE NOCASE
                         AND fe.text = m.text AND fe.label = m.label
                    WHERE fe.article_id IN ({FINAL_IDS})
                ),
                counted AS (
                    SELECT name, label, count(DISTINCT article_id) AS n FROM hits
                    GROUP BY name, label
                )
                UPDATE stats_entities SET articles = counted.n FROM counted
                WHERE stats_entities.text = counted.name
                  AND stats_entities.label = counted.label"""
        )
    finally:
        db.execute("DROP TABLE IF EXISTS temp.merged_forms")
