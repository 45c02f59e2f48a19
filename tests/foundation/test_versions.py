"""environment.yml, pyproject.toml and requirements-lock.txt must name the same packages and versions."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def read_lock(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    return pins


def read_environment_yml(text: str) -> dict[str, str]:
    """The pip pins of environment.yml (a tiny reader: the file is flat and written by us)."""
    pins = {}
    for match in re.finditer(r"^\s+-\s+([A-Za-z0-9_.\-]+)==([^\s#]+)", text, re.M):
        pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def pyproject_requirements(extras: tuple[str, ...] = ("test", "bench")) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in extras:
        reqs += project["optional-dependencies"][extra]
    return [Requirement(r) for r in reqs]


def disagreements(env_text: str, lock_text: str) -> list[str]:
    lock = read_lock(lock_text)
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
    assert read_lock((ROOT / "requirements-lock.txt").read_text())["torch"] == "2.13.0"
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
