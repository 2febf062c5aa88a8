"""Starting `viewer` on a machine without a display: help, and a clear refusal."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

from viewer.cli import COMMAND_MODULES

REPO = Path(__file__).resolve().parents[2]


def run_viewer(*args: str, display: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)  # as a user's shell has it: nothing set
    if display is not None:
        env["DISPLAY"] = display
    return subprocess.run(
        [sys.executable, "-m", "viewer", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_works_without_a_display_and_lists_every_command():
    """Regression: --help created the QApplication first and aborted with no display."""
    done = run_viewer("--help")
    assert done.returncode == 0, done.stderr
    assert "usage: viewer [CORPUS]" in done.stdout
    for command, module_name in COMMAND_MODULES.items():
        summary = importlib.import_module(module_name).HELP
        assert re.search(rf"\n  {command} +{re.escape(summary)}\n", done.stdout), command
    assert "xcb" not in done.stderr


def test_a_window_without_a_display_is_refused_in_words():
    done = run_viewer(str(REPO / "seeds"))
    assert done.returncode == 1
    assert "no display" in done.stderr and "DISPLAY" in done.stderr
    assert "xcb-cursor0" not in done.stderr  # Qt never got to abort


def test_a_bad_argument_is_reported_without_a_display():
    done = run_viewer("--no-such-option")
    assert done.returncode == 2
    assert "unrecognized arguments: --no-such-option" in done.stderr


def test_a_display_that_does_not_answer_is_named_not_xcb_cursor0():
    """Regression: Qt aborted with "xcb-cursor0 … is needed" when the display was wrong."""
    free = next(n for n in range(900, 1000) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    done = run_viewer(str(REPO / "seeds"), display=f":{free}")
    assert done.returncode == 1, done.stderr
    assert f"the display ':{free}' does not answer" in done.stderr
    assert "xcb-cursor0" not in done.stderr and "Aborted" not in done.stderr


def test_a_plugin_failure_without_a_display_problem_shows_qt_and_the_apt_line():
    from viewer.qt.platform_libraries import apt_line, platform_failure

    said = [
        "From 6.5.0, xcb-cursor0 or libxcb-cursor0 is needed to load the Qt xcb platform plugin.",
        'Could not load the Qt platform plugin "xcb" in "" even though it was found.',
    ]
    text = platform_failure(said, {"DISPLAY": ":0"})
    assert 'Qt said: Could not load the Qt platform plugin "xcb"' in text
    assert "xcb-cursor0" not in text.split("apt-get")[0]
    assert text.endswith(apt_line())
