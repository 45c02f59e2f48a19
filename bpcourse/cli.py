"""The ``bpcourse`` command: ``bpcourse doctor``, ``bpcourse grade ...``."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["grade"]:
        from bpcourse.grader.cli import main as grade_main  # the grader owns its own options
        return grade_main(argv[1:])
    parser = argparse.ArgumentParser(prog="bpcourse", description="bpcourse helpers")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="check this environment and say what to fix")
    commands.add_parser("grade", help="grade an exercise notebook, or a class with --batch "
                                      "(see `bpcourse grade --help`)")
    parser.parse_args(argv)
    from bpcourse.doctor import run_doctor  # "doctor" is the only other command
    return run_doctor()


if __name__ == "__main__":
    sys.exit(main())
