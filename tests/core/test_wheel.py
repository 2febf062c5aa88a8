"""A wheel built from the project carries the label set and the seed corpus, and
an install of it opens them: built offline from a copy of the checkout,
installed into a fresh venv that borrows this environment's dependencies
(spaCy, sqlite-utils ...) instead of downloading them, and run from outside
the checkout so nothing of the source tree is found."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile

import pytest

from tests.conftest import REPO, SEEDS

pytestmark = pytest.mark.slow  # about 10-30 s: a build, a venv and an install

TIMEOUT = 300  # seconds for each step

# Run by the venv's python: the bundled corpus into a new database, the bundled
# label set into it, and where each came from.
OPEN_BUNDLED = """
import json, sys
import viewer
from viewer.core.bundled import resources, seeds
from viewer.core.model import ImportReport
from viewer.core.store import open_db
from viewer.core.store.labels import ensure_default_labels, list_labels
from viewer.core.tasks.analyse import import_corpus

db = open_db(sys.argv[1])
report = ImportReport()
ids = import_corpus(db, seeds(), report)
ensure_default_labels(db)
colours = json.loads((resources() / "labels.json").read_text(encoding="utf-8"))
print(json.dumps({
    "package": viewer.__file__,
    "seeds": str(seeds()),
    "articles": len(ids),
    "messages": [str(m) for m in report.messages],
    "labels": [label.name for label in list_labels(db)],
    "colours": bool(colours),
}))
"""


def _run(*args, **kwargs) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, **kwargs)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel, built from a copy of the checkout (a build writes build/ and
    *.egg-info into the tree it builds)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist")
    for name in ("viewer", "resources", "seeds"):
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(REPO / name, source / name)
    _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--no-cache-dir", "-q", "-w", str(tmp / "dist"), str(source),
    )  # fmt: skip
    (built,) = (tmp / "dist").glob("viewer-*.whl")
    return built


def test_wheel_carries_the_labels_and_the_seeds(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for bundled in ("resources/annotation_labels.json", "resources/labels.json"):
        assert f"viewer/_bundled/{bundled}" in names
    for seed in SEEDS.iterdir():
        assert f"viewer/_bundled/seeds/{seed.name}" in names
    assert "viewer/_bundled/resources/screenshot.png" not in names  # the README's, not the app's
    assert "viewer/qt/apt-packages.txt" in names  # named at start-up when a library is missing


def test_installed_wheel_opens_the_bundled_seeds_and_labels(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    site = _run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    # The dependencies, borrowed: this environment's site-packages, after the venv's own.
    borrowed = sysconfig.get_paths()["purelib"]
    site_dir = site.stdout.strip()
    with open(f"{site_dir}/zz_borrowed_dependencies.pth", "w", encoding="utf-8") as pth:
        pth.write(borrowed + "\n")
    _run(
        sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
        "--no-cache-dir", "-q", str(wheel),
    )  # fmt: skip

    out = tmp_path / "run"
    out.mkdir()
    opened = _run(str(python), "-I", "-c", OPEN_BUNDLED, str(out / "db.sqlite"), cwd=out)
    found = json.loads(opened.stdout.strip().splitlines()[-1])
    assert found["package"].startswith(site_dir)  # the installed package, not the checkout
    assert found["seeds"] == f"{site_dir}/viewer/_bundled/seeds"
    assert found["articles"] == len(list(SEEDS.glob("*.txt")))
    assert found["messages"] == []
    default = json.loads((REPO / "resources" / "annotation_labels.json").read_text("utf-8"))
    assert found["labels"] == [label["name"] for label in default["labels"]]
    assert found["colours"]

    # the installed command starts (its headless side: no Qt, no spaCy needed)
    help_text = _run(str(venv / "bin" / "viewer"), "analyze", "--help", cwd=out).stdout
    assert "usage: viewer analyze" in help_text
