"""Review → Annotations to Review: each row says why it is listed, by cause."""

from __future__ import annotations

from dataclasses import replace

from tests.core.test_one_action_one_transaction import (
    SUMMIT,
    ScriptedAnalyzer,
    model_a,
    model_b,
    summit_decisions,
)
from viewer.core.model import Article
from viewer.core.store import open_db
from viewer.core.store.annotations import insert_annotation
from viewer.core.store.articles import upsert_articles
from viewer.core.workflow import analyze_pending
from viewer.qt.review_dialog import STATUS_HELP, UNTAKEN_HELP, AnchorReviewDialog


def rows(dialog: AnchorReviewDialog) -> dict[str, tuple[str, str]]:
    tree = dialog.tree
    return {
        tree.topLevelItem(i).text(3): (
            tree.topLevelItem(i).text(2),
            tree.topLevelItem(i).toolTip(2),
        )
        for i in range(tree.topLevelItemCount())
    }


def test_a_decision_the_new_model_does_not_take_says_so(tmp_path, qtbot):
    db = open_db(tmp_path / "db.sqlite")
    [aid] = upsert_articles(db, [Article(id="a", text=SUMMIT, title="t", origin="x")])
    analyze_pending(db, ScriptedAnalyzer("A", model_a))
    for d in summit_decisions():
        insert_annotation(db, replace(d, article_id=aid, id=None))
    analyze_pending(db, ScriptedAnalyzer("B", model_b))  # no span of B takes two of them
    dialog = AnchorReviewDialog(db)
    qtbot.addWidget(dialog)
    assert rows(dialog) == {
        "Angela Merkel": ("orphaned", UNTAKEN_HELP),
        "Berlin": ("orphaned", UNTAKEN_HELP),
    }
    assert UNTAKEN_HELP != STATUS_HELP["orphaned"]
