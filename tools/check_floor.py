"""Check that the floor venv holds exactly the versions of requirements-floor.txt.

`pip install -r` installs them, but a later install (bpcourse's own extras) could silently move one;
this says which package drifted, so `make test-floor` never tests a newer version than it claims.
"""
from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version


def read_pins(text: str) -> dict[str, str]:
    """The ``name==version`` lines of a pin file (requirements-floor.txt, requirements-lock.txt), comments dropped."""
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, pinned = line.split("==")
            pins[canonicalize_name(name)] = pinned.strip()
    return pins


def drift(pins: dict[str, str]) -> list[str]:
    problems = []
    for name, pinned in pins.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            problems.append(f"{name}: not installed (floor {pinned})")
            continue
        # torch's CPU wheel is 2.13.0+cpu: the local label is the build, not the release.
        if Version(installed).public != Version(pinned).public:
            problems.append(f"{name}: {installed} installed, floor is {pinned}")
    return problems


def main(path: str) -> int:
    problems = drift(read_pins(Path(path).read_text()))
    for problem in problems:
        print(f"floor environment: {problem}", file=sys.stderr)
    if not problems:
        print(f"floor environment: all {len(read_pins(Path(path).read_text()))} floors installed exactly")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
