"""The course (and its editable install) inside a folder other users cannot enter (issue 17).

As root the grader's kernel runs under a uid of its own; ``mktemp -d`` folders and ``/root`` are
0700. The kernel must still import ``bpcourse`` and get full marks for the course's solutions; and
a failure of a cell that is not the learner's (a setup cell) is a setup error with its real
message, never points lost on the answers.
"""
from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bpcourse.grader.batch import grade_batch
from bpcourse.grader.runner import Assignment

from .conftest import fast_config
from .fixtures import source
from .fixtures.hostile import A1, A2, A3

ROOT = Path(__file__).resolve().parents[2]

# Run inside the clone's own environment: grade every solution notebook, print one JSON line each.
GRADE_ALL = r"""
import json, sys
from pathlib import Path
import bpcourse
from bpcourse.grader.runner import Assignment, Config, grade_submission
assert Path(bpcourse.__file__).resolve().is_relative_to(Path(sys.argv[1]).resolve()), bpcourse.__file__
for path in sorted(Path(sys.argv[1], "solutions").glob("[0-9][0-9]_*.ipynb")):
    r = grade_submission(path, Assignment.load(path), Config())
    print(json.dumps({"stem": path.stem, "total": r.total, "max": r.max_points, "status": r.status,
                      "notes": r.notes, "lost": [(q.grade_id, q.status, q.message[:300])
                                                 for q in r.questions if q.points < q.max_points]}), flush=True)
"""


@pytest.fixture(scope="module")
def closed_clone():
    """The working tree's course copied into a 0700 folder, with its own venv and editable install
    (dependencies come from this environment through a .pth file, so nothing is downloaded)."""
    closed = Path(tempfile.mkdtemp(prefix="bpcourse-closed-"))
    assert closed.stat().st_mode & 0o777 == 0o700
    clone = closed / "c"
    clone.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "src")
    for name in ("bpcourse", "solutions"):
        shutil.copytree(ROOT / name, clone / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, clone / name)
    venv = clone / ".venv"
    base = Path(sys.base_prefix) / "bin" / "python3"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    (target,) = {p for p in subprocess.run([str(py), "-c", "import site; print(site.getsitepackages()[0])"],
                                           capture_output=True, text=True, check=True).stdout.split()}
    (Path(target) / "_outer_env.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
                    "-e", str(clone)], check=True, cwd=closed)
    yield clone, py
    shutil.rmtree(closed, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="the kernel gets a uid of its own only when the grader is root")
def test_solutions_full_marks_from_a_closed_folder_as_root(closed_clone):
    clone, py = closed_clone
    ran = subprocess.run([str(py), "-c", GRADE_ALL, str(clone)], capture_output=True, text=True, cwd=clone,
                         timeout=1200)
    assert ran.returncode == 0, ran.stderr[-3000:]
    rows = [json.loads(line) for line in ran.stdout.splitlines() if line.startswith("{")]
    assert len(rows) >= 7, ran.stdout + ran.stderr[-2000:]
    for row in rows:
        assert row["total"] == row["max"] and row["status"] == "ok", row
        assert not any("grader's own user" in n for n in row["notes"]), row


def test_setup_cell_failure_is_a_setup_error(tmp_path):
    """A setup cell (the course's, before any answer) that fails: a grader error naming the real
    exception, no question charged as failed or errored."""
    nb = source.notebook()
    setup = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    setup.source = "import numpy as np\nimport bpcourse_module_that_is_not_installed"
    src = tmp_path / "src" / f"{source.STEM}.ipynb"
    source.write(nb, src)
    source.write(source.submission({a: source.SOLUTIONS[a] for a in (A1, A2, A3)}, base=nb),
                 tmp_path / "subs" / "good.ipynb")
    config = fast_config()
    assert Assignment.load(src, config).checks
    (result,) = grade_batch(tmp_path / "subs", src, tmp_path / "grades.csv", jobs=1, config=config)
    assert result.status.startswith("grader error"), result.status
    assert "setup" in result.status and "ModuleNotFoundError" in result.status, result.status
    assert "bpcourse_module_that_is_not_installed" in result.status
    assert {q.status for q in result.questions} == {"grader error"}, result.questions
    row = (tmp_path / "grades.csv").read_text()
    assert "ModuleNotFoundError" in row and "grader error" in row
