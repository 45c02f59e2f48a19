"""environment.yml, pyproject.toml and requirements-lock.txt name the same packages and versions;
requirements-floor.txt holds the lower bound of every range in pyproject.toml, and pip refuses less."""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from check_floor import read_pins  # noqa: E402  (the floor venv's own check reads pin files the same way)


def read_environment_yml(text: str) -> dict[str, str]:
    """The pip pins of environment.yml (a tiny reader: the file is flat and written by us)."""
    pins = {}
    for match in re.finditer(r"^\s+-\s+([A-Za-z0-9_.\-]+)==([^\s#]+)", text, re.M):
        pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


OPTIONAL_EXTRAS = ("test", "nbgrader")


def pyproject_requirements(extras: tuple[str, ...] = ("test",), build: bool = False) -> list[Requirement]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = list(pyproject["project"]["dependencies"])
    for extra in extras:
        reqs += pyproject["project"]["optional-dependencies"][extra]
    if build:
        reqs += pyproject["build-system"]["requires"]
    return [Requirement(r) for r in reqs]


def lower_bound(req: Requirement) -> Version | None:
    """The version after `>=` (or `==`) in a requirement; None when it has no floor."""
    bounds = [Version(s.version) for s in req.specifier if s.operator in (">=", "==")]
    return max(bounds) if bounds else None


def disagreements(env_text: str, lock_text: str) -> list[str]:
    lock = read_pins(lock_text)
    env = read_environment_yml(env_text)
    problems = [f"environment.yml pins {name}=={v} but the lock has {lock.get(name)}"
                for name, v in env.items() if lock.get(name) != v]
    for req in pyproject_requirements():
        name = canonicalize_name(req.name)
        if name not in env:
            problems.append(f"pyproject needs {req.name} but environment.yml does not name it")
        if name not in lock:
            problems.append(f"pyproject needs {req.name} but the lock does not pin it")
        elif not req.specifier.contains(Version(lock[name]), prereleases=True):
            problems.append(f"lock pins {req.name}=={lock[name]}, outside pyproject's range {req.specifier}")
    return problems


def test_environment_lock_and_pyproject_agree():
    env = (ROOT / "environment.yml").read_text()
    lock = (ROOT / "requirements-lock.txt").read_text()
    assert disagreements(env, lock) == []


def test_environment_installs_the_course_itself():
    assert re.search(r"^\s+-\s+-e \.\s*$", (ROOT / "environment.yml").read_text(), re.M)


def test_torch_is_pinned_exactly():
    # Any other spec pulls a multi-GB CUDA build on the course machines.
    assert read_pins((ROOT / "requirements-lock.txt").read_text())["torch"] == "2.13.0"
    assert "torch==2.13.0" in (ROOT / "environment.yml").read_text()


@pytest.mark.parametrize("package, wrong", [("numpy", "1.26.4"), ("torch", "2.14.1")])
def test_versions_check_catches_drift(package, wrong):
    """The check above can fail: change one pin in a copy of environment.yml and it reports it."""
    env = (ROOT / "environment.yml").read_text()
    drifted = re.sub(rf"({package}==)[^\s#]+", rf"\g<1>{wrong}", env)
    assert drifted != env
    problems = disagreements(drifted, (ROOT / "requirements-lock.txt").read_text())
    assert any(package in p and wrong in p for p in problems), problems


def test_versions_check_catches_a_missing_package():
    env = re.sub(r"^\s+- matplotlib==.*\n", "", (ROOT / "environment.yml").read_text(), flags=re.M)
    problems = disagreements(env, (ROOT / "requirements-lock.txt").read_text())
    assert any("matplotlib" in p and "does not name it" in p for p in problems), problems


# ----- the floor ------------------------------------------------------------------------------

# Ranges whose floor cannot share the floor venv with the others: their floor is the lock's pin, so
# `make test` tests it. nbgrader 0.9.6 needs jupyterlab>=4.2, and the course's floor is jupyterlab 4.0.
FLOOR_IS_THE_LOCK = {"nbgrader"}


def floor_problems(floor_text: str, lock_text: str | None = None) -> list[str]:
    floor = read_pins(floor_text)
    lock = read_pins(lock_text if lock_text is not None else (ROOT / "requirements-lock.txt").read_text())
    problems = []
    required = {}
    for req in pyproject_requirements(extras=OPTIONAL_EXTRAS, build=True):
        name = canonicalize_name(req.name)
        required[name] = req
        bound = lower_bound(req)
        if bound is None:
            problems.append(f"pyproject's {req} has no floor: give it one that installs and passes")
        elif name in FLOOR_IS_THE_LOCK:
            if name in floor:
                problems.append(f"requirements-floor.txt pins {name}, whose floor is tested by the lock")
            if lock.get(name) is None or Version(lock[name]) != bound:
                problems.append(f"{req}: its floor is tested by the lock only, which pins {lock.get(name)}")
        elif name not in floor:
            problems.append(f"requirements-floor.txt does not pin {req.name} (floor {bound})")
        elif Version(floor[name]) != bound:
            problems.append(f"requirements-floor.txt pins {name}=={floor[name]} but pyproject's floor is {req}")
    problems += [f"requirements-floor.txt pins {name}, which pyproject does not require"
                 for name in floor if name not in required]
    return problems


def test_floor_file_is_the_lower_bound_of_every_range():
    assert floor_problems((ROOT / "requirements-floor.txt").read_text()) == []


def test_floor_check_catches_a_raised_or_missing_floor():
    floor = (ROOT / "requirements-floor.txt").read_text()
    raised = re.sub(r"^numpy==.*$", "numpy==2.1.0", floor, flags=re.M)
    assert any("numpy==2.1.0" in p for p in floor_problems(raised))
    missing = re.sub(r"^psutil==.*\n", "", floor, flags=re.M)
    assert any("does not pin psutil" in p for p in floor_problems(missing))
    stale = floor + "networkx==3.0\n"
    assert any("networkx, which pyproject does not require" in p for p in floor_problems(stale))
    lock = (ROOT / "requirements-lock.txt").read_text()
    moved = re.sub(r"^nbgrader==.*$", "nbgrader==0.9.7", lock, flags=re.M)
    assert any("nbgrader" in p and "0.9.7" in p for p in floor_problems(floor, moved))


def test_floor_keeps_torch_at_the_cpu_wheel():
    assert read_pins((ROOT / "requirements-floor.txt").read_text())["torch"] == "2.13.0"


IMPORT_NAMES = {"sklearn": "scikit-learn"}  # import name -> distribution name, where they differ


def unlisted_imports(sources: dict[str, str]) -> list[str]:
    """The third-party modules a notebook source imports that are not runtime dependencies."""
    import sys

    runtime = {canonicalize_name(r.name) for r in pyproject_requirements(extras=())}
    missing = set()
    for name, text in sources.items():
        for match in re.finditer(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", text, re.M):
            top = match.group(1)
            if top in sys.stdlib_module_names or top in ("bpcourse", "__future__"):
                continue
            if canonicalize_name(IMPORT_NAMES.get(top, top)) not in runtime:
                missing.add(f"{name} imports {top}")
    return sorted(missing)


def test_every_course_import_is_a_runtime_dependency():
    """What a notebook imports installs with bpcourse itself, not only with an extra (micrograd was)."""
    paths = [*ROOT.glob("notebooks/src/**/*.py"), *ROOT.glob("solutions/src/**/*.py")]
    assert len(paths) >= 15
    assert unlisted_imports({str(p.relative_to(ROOT)): p.read_text() for p in paths}) == []


def test_import_check_catches_an_undeclared_module():
    problems = unlisted_imports({"nb.py": "import numpy as np\nfrom pandas import DataFrame\n    import json"})
    assert problems == ["nb.py imports pandas"]


def test_environment_yml_python_is_one_pyproject_allows():
    from packaging.specifiers import SpecifierSet

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    match = re.search(r"^\s+-\s+python=(\d+\.\d+)\s*$", (ROOT / "environment.yml").read_text(), re.M)
    assert match, "environment.yml must pin python=X.Y"
    assert SpecifierSet(pyproject["requires-python"]).contains(match.group(1) + ".0")
