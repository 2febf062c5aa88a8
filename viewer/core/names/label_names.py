"""The names entity labels go by for the analyst ("Group" for spaCy's NORP), from
resources/labels.json: the legend, the menus and the filter summary agree."""

from __future__ import annotations

import json
from functools import lru_cache

from viewer.core.bundled import resources

LABELS_FILE = resources() / "labels.json"  # in the checkout or inside the wheel


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    spec = json.loads(LABELS_FILE.read_text(encoding="utf-8"))
    return {label: entry["name"] for label, entry in spec["entities"].items()}


def entity_label_name(label: str) -> str:
    """The display name of an entity label; a label of no known name as it is."""
    return _names().get(label, label)
