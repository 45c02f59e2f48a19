"""The ``bpcourse`` command: ``bpcourse doctor``, ``bpcourse grade ...``."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bpcourse", description="bpcourse helpers")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="check this environment and say what to fix")
    grade = commands.add_parser("grade", help="grade an exercise notebook (or a folder with --batch)",
                                add_help=False)
    grade.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from bpcourse.doctor import run_doctor
        return run_doctor()
    from bpcourse.grader.cli import main as grade_main  # the grader owns its own options
    return grade_main(args.rest)


if __name__ == "__main__":
    sys.exit(main())
