"""bpcourse installs from its wheel alone, and pip refuses a dependency below one of its floors.

A learner or an instructor may `pip install` the course into an environment of their own, far from
this repository. The wheel must then carry everything the package reads at run time (the grader's
checks and kernel launcher, any data or translation files), and `bpcourse doctor` and
`bpcourse grade` must work from a folder that has nothing of the repository but a solution notebook.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_versions import pyproject_requirements, read_pins  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = "01_linear_model_gradient_descent.ipynb"


def offline_pip_env() -> dict[str, str]:
    """pip with no configured index or find-links: only what a test hands it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run(cmd: list, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("timeout", 900)
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the package's files (the working tree stays untouched)."""
    src = tmp_path_factory.mktemp("src")
    shutil.copytree(ROOT / "bpcourse", src / "bpcourse", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("dist")
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                 "-w", out, src], env=offline_pip_env(), cwd=src)
    assert built.returncode == 0, built.stdout + built.stderr
    (path,) = out.glob("bpcourse-*.whl")
    return path


def test_wheel_carries_every_file_of_the_package(wheel):
    """Every file under bpcourse/ in the repository (code, checks, launcher, data) is in the wheel."""
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    in_repo = {p.relative_to(ROOT).as_posix() for p in (ROOT / "bpcourse").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert {"bpcourse/grader/_launch_kernel.py", "bpcourse/grader/worker.py",
            "bpcourse/grader/checks/__init__.py"} <= in_repo
    assert sorted(in_repo - in_wheel) == []


def debian_python() -> str:
    """Debian's own python3 (3.11.2 on the course machines), which `make setup PYTHON=...` must take.

    Its folder is one every user can enter, so it is also the interpreter of the grader's
    unprivileged mode. Elsewhere (a Mac) the test uses the running interpreter; CI has Debian's.
    """
    if Path("/usr/bin/python3").exists():
        return "/usr/bin/python3"
    assert not os.environ.get("CI"), "CI must test the setup on Debian's /usr/bin/python3"
    return sys.executable


def test_setup_on_debian_python_then_the_wheel_works_outside_the_repository(wheel, tmp_path):
    """`make setup PYTHON=/usr/bin/python3` installs the lock; bpcourse's wheel then runs with no repo.

    One install serves both checks: the venv `make setup` builds (lock + editable bpcourse) has
    its editable bpcourse replaced by the wheel, so what runs afterwards comes from the wheel alone.
    """
    venv, python3 = tmp_path / "venv", debian_python()
    setup = run(["make", "--no-print-directory", "-C", ROOT, "setup", f"PYTHON={python3}", f"VENV={venv}"],
                timeout=1500)
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    python, bpcourse = venv / "bin" / "python", venv / "bin" / "bpcourse"
    version = run([python, "-c", "import platform; print(platform.python_version())"]).stdout
    assert version == run([python3, "-c", "import platform; print(platform.python_version())"]).stdout

    swapped = run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", wheel])
    assert swapped.returncode == 0, swapped.stdout + swapped.stderr
    check = run([python, "-m", "pip", "check"])  # the wheel's own requirements hold under the lock
    assert check.returncode == 0, check.stdout + check.stderr

    work = tmp_path / "course"
    (work / "solutions").mkdir(parents=True)
    (work / "mine").mkdir()
    shutil.copy(ROOT / "solutions" / SOLUTION, work / "solutions" / SOLUTION)
    shutil.copy(ROOT / "solutions" / SOLUTION, work / "mine" / SOLUTION)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    where = run([python, "-c", "import bpcourse, bpcourse.grader.checks as c; print(bpcourse.__file__, c.__file__)"],
                cwd=work, env=env)
    assert where.returncode == 0, where.stderr
    for path in where.stdout.split():
        assert Path(path).resolve().is_relative_to(venv.resolve()), where.stdout
    assert (Path(where.stdout.split()[0]).parent / "grader" / "_launch_kernel.py").is_file()

    doctor = run([bpcourse, "doctor"], cwd=work, env=env, timeout=300)
    assert "numpy" in doctor.stdout and "torch" in doctor.stdout, doctor.stdout + doctor.stderr
    assert doctor.returncode == 0 and "All good" in doctor.stdout, doctor.stdout + doctor.stderr

    graded = run([bpcourse, "grade", Path("mine") / SOLUTION], cwd=work, env=env, timeout=300)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert re.search(r"^total: (\d+) / \1$", graded.stdout, re.M), graded.stdout + graded.stderr  # full marks
    # The learner's file is read, never changed.
    assert (work / "mine" / SOLUTION).read_bytes() == (ROOT / "solutions" / SOLUTION).read_bytes()


# ----- pip refuses a version below a floor --------------------------------------------------

def stub_wheel(folder: Path, name: str, version: str) -> None:
    """An empty wheel that only says its name and version: enough for pip's resolver."""
    dist = f"{canonicalize_name(name).replace('-', '_')}-{version}"
    with zipfile.ZipFile(folder / f"{dist}-py3-none-any.whl", "w") as z:
        z.writestr(f"{dist}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        z.writestr(f"{dist}.dist-info/WHEEL",
                   "Wheel-Version: 1.0\nGenerator: bpcourse-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{dist}.dist-info/RECORD", "")


@pytest.fixture(scope="module")
def floor_index(wheel, tmp_path_factory) -> Path:
    """A folder with bpcourse's wheel and a stub of every runtime dependency at its floor."""
    folder = tmp_path_factory.mktemp("index")
    shutil.copy(wheel, folder)
    floor = read_pins((ROOT / "requirements-floor.txt").read_text())
    for req in pyproject_requirements(extras=()):
        stub_wheel(folder, req.name, floor[canonicalize_name(req.name)])
    return folder


def dry_run(floor_index: Path, *pins: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-index",
                "--find-links", floor_index, "bpcourse", *pins], env=offline_pip_env(), timeout=300)


def test_pip_accepts_every_floor(floor_index):
    result = dry_run(floor_index)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "numpy-2.0.0" in result.stdout and "torch-2.13.0" in result.stdout, result.stdout


@pytest.mark.parametrize("name, below", [("numpy", "1.26.4"), ("matplotlib", "3.8.3"),
                                         ("scikit-learn", "1.4.1"), ("psutil", "5.9.3"),
                                         ("torch", "2.12.0")])
def test_pip_refuses_a_version_below_the_floor(floor_index, name, below):
    stub_wheel(floor_index, name, below)
    result = dry_run(floor_index, f"{name}=={below}")
    said = result.stdout + result.stderr
    assert result.returncode != 0, said
    assert "ResolutionImpossible" in said and f"The user requested {name}=={below}" in said, said
    assert f"bpcourse 0.1.0 depends on {name}>=" in said, said
