"""Fixtures shared by core and GUI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED_FILE = SEEDS / "000_0c52c29eb9c28650.txt"


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory, monkeypatch):
    """Default databases go to a temporary folder, never the user's home."""
    monkeypatch.setenv("VIEWER_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("VIEWER_MODEL", raising=False)


@pytest.fixture(scope="session")
def analyzer():
    """The real spaCy model, loaded once for the session."""
    from viewer.core.nlp.pipeline import Analyzer

    a = Analyzer()
    _ = a.nlp  # load now, so a test's timing is not the model's
    return a


@pytest.fixture
def seed_text() -> str:
    return SEED_FILE.read_text(encoding="utf-8")
