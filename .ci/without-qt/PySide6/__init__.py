# On PYTHONPATH in .ci/run's core job: the core and its tests must run without Qt.
raise ImportError("PySide6 is blocked here: viewer.core and tests/core must not need Qt")
