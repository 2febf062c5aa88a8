"""The window's Debian packages: one list (README, .ci/run, start-up message), checked
against what `ldd` says Qt's xcb platform plugin links."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import PySide6
import pytest

from viewer.qt.platform_libraries import (
    apt_line,
    apt_packages,
    linked_libraries,
    missing_libraries,
    qt_plugins_dir,
    run_ldd,
    startup_problem,
    uses_xcb,
    xcb_plugin,
)

REPO = Path(__file__).resolve().parents[2]
WHEEL = Path(PySide6.__file__).resolve().parent


def xcb_plugin_files() -> list[Path]:
    """The platform plugin and the GL integrations it loads."""
    return [xcb_plugin(), *sorted((qt_plugins_dir() / "xcbglintegrations").glob("*.so"))]


def dpkg_owners(paths: set[str]) -> dict[str, str]:
    """The package that installed each file, asked of dpkg once (merged /usr: the real
    path, the path as ldd gave it, or its /lib twin)."""
    candidates = {}
    for path in paths:
        real = str(Path(path).resolve())
        for candidate in (real, path, real.removeprefix("/usr"), "/usr" + path):
            candidates[candidate] = path
    done = subprocess.run(["dpkg", "-S", *candidates], capture_output=True, text=True)
    owners: dict[str, str] = {}
    for line in done.stdout.splitlines():  # "libxcb1:amd64: /usr/lib/.../libxcb.so.1.1.0"
        package, _, file = line.partition(": ")
        if file in candidates:
            owners.setdefault(candidates[file], package.split(":")[0])
    return owners


def installed_dependencies() -> dict[str, set[str]]:
    """Each installed package's Depends and Pre-Depends, from dpkg; of alternatives
    ("a | b") the first, the one apt installs when none is there."""
    listed = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package}\t${Essential}\t${Depends}, ${Pre-Depends}\n"],
        capture_output=True,
        text=True,
    ).stdout
    depends = {}
    for line in listed.splitlines():
        package, essential, needs = line.split("\t")
        firsts = (need.split("|")[0] for need in needs.split(","))
        names = {re.sub(r"\(.*?\)|:any", "", name).strip() for name in firsts}
        depends[package] = names - {""}
        if essential == "yes":
            depends.setdefault(ESSENTIAL, set()).add(package)
    return depends


ESSENTIAL = " essential"  # a pseudo-package depending on every Essential one


def dependency_closure(packages: set[str], depends: dict[str, set[str]]) -> set[str]:
    """The packages and everything apt installs with them."""
    seen: set[str] = set()
    todo = list(packages)
    while todo:
        package = todo.pop()
        if package not in seen:
            seen.add(package)
            todo.extend(depends.get(package, ()))
    return seen


def readme_apt_lines() -> list[str]:
    lines = (REPO / "README.md").read_text("utf-8").splitlines()
    return [ln.strip().strip("`") for ln in lines if "apt-get install" in ln]


def test_readme_and_ci_install_the_one_list():
    assert readme_apt_lines() and set(readme_apt_lines()) == {apt_line()}
    assert "viewer/qt/apt-packages.txt" in (REPO / ".ci" / "run").read_text("utf-8")
    assert len(apt_packages()) == len(set(apt_packages()))


def test_every_library_of_the_xcb_plugin_comes_from_the_apt_line():
    """Regression: the README's line lacked libxcb-icccm4, libxcb-keysyms1 and more."""
    if shutil.which("ldd") is None or shutil.which("dpkg") is None:
        pytest.skip("needs ldd and dpkg (a Debian system) to see what the plugin links")
    listed = set(apt_packages())
    depends = installed_dependencies()
    # What apt installs with the list, and what every Debian has (Essential, apt).
    allowed = dependency_closure(listed | {ESSENTIAL, "apt"}, depends)
    resolved: dict[str, str] = {}
    problems = []
    for plugin in xcb_plugin_files():
        report = run_ldd(plugin)
        assert report, f"ldd said nothing about {plugin}"
        for name, path in linked_libraries(report).items():
            if path is None:
                problems.append(f"{plugin.name}: {name} not found")
            elif not Path(path).resolve().is_relative_to(WHEEL):  # else shipped in the wheel
                resolved[path] = name
    owners = dpkg_owners(set(resolved))
    for path, name in sorted(resolved.items()):
        if owners.get(path) not in allowed:
            problems.append(f"{name} ({path}) comes from {owners.get(path)}, not listed")
    assert not problems, "\n".join(problems)
    # And nothing listed is stale: each package gives the plugin a library (or a font).
    unused = {p for p in listed - set(owners.values()) if not p.startswith("fonts-")}
    assert not unused, f"listed but no library of the plugin comes from: {sorted(unused)}"


def test_ldd_report_of_a_real_library_is_read():
    if shutil.which("ldd") is None:
        pytest.skip("no ldd on this system")
    report = run_ldd(xcb_plugin())
    libraries = linked_libraries(report)
    assert "libxcb.so.1" in libraries and "libQt6XcbQpa.so.6" in libraries
    assert Path(libraries["libQt6XcbQpa.so.6"]).resolve().is_relative_to(WHEEL)
    assert "linux-vdso.so.1" not in libraries  # no "=>": not a file to install


def test_not_found_lines_are_the_missing_libraries():
    report = (
        "\tlinux-vdso.so.1 (0x00007ffd)\n"
        "\tlibxcb-icccm.so.4 => not found\n"
        "\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f36)\n"
        "\tlibxcb-keysyms.so.1 => not found\n"
        "\t/lib64/ld-linux-x86-64.so.2 (0x00007f36)\n"
    )
    assert missing_libraries(report) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


@pytest.fixture
def library_with_a_missing_dependency(tmp_path) -> Path:
    """A real shared library whose dependency has been deleted, as on a bare Debian."""
    if shutil.which("gcc") is None or shutil.which("ldd") is None:
        pytest.skip("needs gcc and ldd to build a library with a missing dependency")
    (tmp_path / "gone.c").write_text("int gone(void) { return 0; }\n")
    (tmp_path / "uses.c").write_text("int gone(void);\nint uses(void) { return gone(); }\n")
    gone, uses = tmp_path / "libviewergone.so", tmp_path / "libviewer-plugin.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", gone, tmp_path / "gone.c"], check=True)
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-Wl,--no-as-needed", "-o", uses, tmp_path / "uses.c"]
        + ["-L", tmp_path, "-lviewergone"],
        check=True,
    )
    gone.unlink()
    return uses


def test_start_up_names_the_missing_library_and_the_apt_line(library_with_a_missing_dependency):
    problem = startup_problem({"DISPLAY": ":0"}, plugin=library_with_a_missing_dependency)
    assert problem is not None
    assert "libviewergone.so" in problem
    assert apt_line() in problem
    assert "xcb-cursor0" not in problem.split("apt-get")[0]  # not Qt's misleading hint


def test_start_up_says_nothing_when_the_plugin_loads_or_is_not_used(
    library_with_a_missing_dependency,
):
    broken = library_with_a_missing_dependency
    assert startup_problem({"DISPLAY": ":0"}) is None  # every library installed here
    assert startup_problem({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, broken) is None
    wayland = {"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    assert startup_problem(wayland, broken) is None
    assert startup_problem({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, broken) is not None


def test_which_platform_qt_would_pick():
    assert uses_xcb({})
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb:nograb"})
    assert not uses_xcb({"QT_QPA_PLATFORM": "wayland;xcb"})
    assert not uses_xcb({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"})
