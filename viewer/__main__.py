"""Entry point of both `viewer` and `python -m viewer`.

`viewer analyze ...` runs headless; anything else opens the window.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from viewer.cli import COMMANDS

    if argv and argv[0] in COMMANDS:
        from viewer.cli import run

        return run(argv)
    from viewer.cli import commands_help
    from viewer.qt.app import build_parser, run_gui  # Qt only when a window is wanted

    return run_gui(build_parser(epilog=commands_help()).parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
