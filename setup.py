"""The package list, beyond what pyproject.toml can say: the top-level resources/
(label set and colours) and seeds/ (the sample corpus) are shipped inside the
package, as viewer/_bundled/resources and viewer/_bundled/seeds
(viewer.core.bundled finds them there, or at the top of a source checkout)."""

from setuptools import find_packages, setup

BUNDLED = {"viewer._bundled.resources": "resources", "viewer._bundled.seeds": "seeds"}

setup(
    packages=find_packages(include=["viewer", "viewer.*"]) + list(BUNDLED),
    package_dir=BUNDLED,
    package_data={
        "viewer._bundled.resources": ["*.json"],
        "viewer._bundled.seeds": ["*.txt", "*.jsonl", "*.csv"],  # the corpus formats
    },
)
