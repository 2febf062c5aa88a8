"""The attribution tints are visible on the page and stand apart from the grey number
and date tints, the entity tints and each other, in the light and dark palettes.

Distances are CIE76 ΔE in Lab (about 2.3 is the least a reader notices; the old
no-source tint was 15 from a white page and 13 from the MONEY grey)."""

from __future__ import annotations

import itertools
import json

import pytest

from tests.conftest import REPO

SPEC = json.loads((REPO / "resources" / "labels.json").read_text(encoding="utf-8"))
PAGE = {"light": "#ffffff", "dark": "#1e1e1e"}
GREYS = ("DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL")


def lab(colour: str) -> tuple[float, float, float]:
    def linear(c: float) -> float:
        return ((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92

    r, g, b = (linear(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    x = (r * 0.4124 + g * 0.3576 + b * 0.1805) / 0.95047
    y = r * 0.2126 + g * 0.7152 + b * 0.0722
    z = (r * 0.0193 + g * 0.1192 + b * 0.9505) / 1.08883

    def f(v: float) -> float:
        return v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str) -> float:
    return sum((p - q) ** 2 for p, q in zip(lab(a), lab(b), strict=True)) ** 0.5


@pytest.mark.parametrize("variant", ["light", "dark"])
def test_attribution_tints_are_visible_and_distinct(variant):
    tints = {kind: spec[variant] for kind, spec in SPEC["attributions"].items()}
    greys = [SPEC["entities"][label][variant] for label in GREYS]
    entities = [s[variant] for label, s in SPEC["entities"].items() if label not in GREYS]
    for kind, tint in tints.items():
        assert delta_e(tint, PAGE[variant]) >= 30, (kind, "barely visible on the page")
        assert min(delta_e(tint, g) for g in greys) >= 28, (kind, "close to Date/Time/Money")
        assert min(delta_e(tint, e) for e in entities) >= 9, (kind, "close to an entity tint")
        assert delta_e(tint, SPEC["quote_active"][variant]) >= 14, (kind, "close to active")
    for (a, ta), (b, tb) in itertools.combinations(tints.items(), 2):
        assert delta_e(ta, tb) >= 15, (a, b)
