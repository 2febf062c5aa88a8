"""Can Qt's xcb platform plugin load? Asked with ``ldd`` before the QApplication exists.

When a library of the xcb plugin is missing, Qt aborts with a message naming
only xcb-cursor0, whatever is missing. Asking ``ldd`` first lets the viewer name
the libraries that are missing and print the apt line that installs them all.
The list of packages lives in apt-packages.txt, next to this file: the README's
apt line and .ci/run use the same list.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

APT_PACKAGES_FILE = Path(__file__).with_name("apt-packages.txt")

# "libfoo.so.1 => /usr/lib/libfoo.so.1 (0x...)" or "libfoo.so.1 => not found"
_LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(not found|\S+)")


def apt_packages() -> list[str]:
    """The Debian packages the window needs, in the list's order."""
    lines = APT_PACKAGES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def apt_line() -> str:
    return "apt-get install -y " + " ".join(apt_packages())


def qt_plugins_dir() -> Path:
    from PySide6.QtCore import QLibraryInfo  # QtCore loads without a display

    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))


def xcb_plugin() -> Path:
    return qt_plugins_dir() / "platforms" / "libqxcb.so"


def run_ldd(library: Path) -> str | None:
    """ldd's report on a library; None when there is no ldd to ask."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return None
    done = subprocess.run([ldd, str(library)], capture_output=True, text=True, timeout=30)
    return done.stdout


def linked_libraries(ldd_output: str) -> dict[str, str | None]:
    """Each library ldd names, with the file it resolved to (None: not found)."""
    found: dict[str, str | None] = {}
    for line in ldd_output.splitlines():
        match = _LDD_LINE.match(line)
        if match:
            name, where = match.groups()
            found[name] = None if where == "not found" else where
    return found


def missing_libraries(ldd_output: str) -> list[str]:
    return [name for name, path in linked_libraries(ldd_output).items() if path is None]


def uses_xcb(environ: Mapping[str, str]) -> bool:
    """Would Qt pick the xcb plugin? (QT_QPA_PLATFORM, else Qt's choice on Linux.)"""
    asked = environ.get("QT_QPA_PLATFORM", "").strip()
    if asked:
        return asked.split(";")[0].split(":")[0].strip() == "xcb"
    on_wayland = environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY")
    return not on_wayland


def startup_problem(
    environ: Mapping[str, str] | None = None, plugin: Path | None = None
) -> str | None:
    """Why the window cannot open, in words and with the fix; None when it can (or we
    cannot tell: no ldd, no plugin file, another platform plugin asked for)."""
    environ = os.environ if environ is None else environ
    if not uses_xcb(environ):
        return None
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        return (
            "viewer: no display to open the window on (DISPLAY is not set).\n"
            "The headless commands need none: see 'viewer --help'."
        )
    plugin = plugin or xcb_plugin()
    report = run_ldd(plugin) if plugin.is_file() else None
    missing = missing_libraries(report) if report else []
    if not missing:
        return None
    return (
        "viewer: the window cannot open: Qt's xcb platform plugin needs "
        f"{'a library' if len(missing) == 1 else 'libraries'} this system lacks:\n"
        f"  {', '.join(missing)}\n"
        "On Debian or Ubuntu, install what the window needs (as root):\n"
        f"  {apt_line()}"
    )


def platform_failure(qt_messages: list[str], environ: Mapping[str, str]) -> str:
    """What to tell the analyst when Qt could not start its platform plugin after all
    (the libraries looked complete): the display that does not answer, or what Qt
    said without its xcb-cursor0 hint, and the apt line."""
    display = environ.get("DISPLAY", "")
    if any("could not connect to display" in m for m in qt_messages):
        return (
            f"viewer: the window cannot open: the display {display!r} does not answer "
            "(no X server there, or no permission to use it: check DISPLAY, and xauth "
            "over ssh).\nThe headless commands need no display: see 'viewer --help'."
        )
    said = [m for m in qt_messages if "xcb-cursor0" not in m]  # Qt's guess, often wrong
    missing = missing_libraries(run_ldd(xcb_plugin()) or "") if xcb_plugin().is_file() else []
    lines = ["viewer: the window cannot open: Qt could not start its platform plugin."]
    if missing:
        lines.append(f"Missing libraries: {', '.join(missing)}")
    lines += [f"Qt said: {m}" for m in said]
    lines.append(f"On Debian or Ubuntu, the window needs (as root):\n  {apt_line()}")
    return "\n".join(lines)


def create_application(create: Callable[[], T], environ: Mapping[str, str] | None = None) -> T:
    """Run ``create`` (the QApplication) with Qt's messages held back; when the platform
    plugin fails, where Qt would abort with its xcb-cursor0 hint, say why and exit 1."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    environ = os.environ if environ is None else environ
    held: list[tuple[str, str]] = []

    def hold(kind, context, message: str) -> None:
        if kind == QtMsgType.QtFatalMsg:
            print(platform_failure([m for _, m in held] + [message], environ), file=sys.stderr)
            sys.stderr.flush()
            os._exit(1)  # Qt aborts after a fatal message: leave first, with the reason
        held.append((context.category or "", message))

    previous = qInstallMessageHandler(hold)
    try:
        created = create()
    finally:
        qInstallMessageHandler(previous)
    for category, message in held:  # started after all: Qt's messages as Qt prints them
        print(f"{category}: {message}" if category not in ("", "default") else message,
              file=sys.stderr)  # fmt: skip
    return created
