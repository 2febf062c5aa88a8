"""Where the data shipped with viewer is: the label set and colours (resources/)
and the sample corpus (seeds/).

In a source checkout (or an editable install) they are the folders at the top
of the repository; a wheel carries them inside the package, as
viewer/_bundled/resources and viewer/_bundled/seeds (setup.py maps them there).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # the viewer package's folder


def bundled(name: str) -> Path:
    """The folder ``name`` ("resources" or "seeds"), installed or in the checkout."""
    installed = _PACKAGE / "_bundled" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def resources() -> Path:
    return bundled("resources")


def seeds() -> Path:
    return bundled("seeds")
