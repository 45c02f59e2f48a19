"""Execute every notebook, solution and exercise in the current environment (no output comparison).

Run by `make test-floor` in the floor venv (pytest collects this file only when it is named on the
command line: nbval already executes the notebooks and solutions under the lock in `make test`).
What it proves there: the course runs at the oldest versions pyproject.toml allows.

Notebooks and solutions must run without an error. An exercise has unanswered cells that raise
``NotImplementedError`` and graded cells that then fail; every other cell of it (set-up, helpers,
demos) must run, or fail only with the ``NameError`` an unanswered cell above it causes.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[2]
COURSE = sorted(p for folder in ("notebooks", "solutions") for p in (ROOT / folder).rglob("*.ipynb")
                if ".ipynb_checkpoints" not in p.parts)
EXERCISES = sorted(p for p in (ROOT / "exercises").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
CELL_TIMEOUT = 600
CONSEQUENCES_OF_AN_UNANSWERED_CELL = {"NameError", "NotImplementedError"}


def execute(path: Path, allow_errors: bool) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return nb


def cell_errors(nb: nbformat.NotebookNode):
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                yield index, cell, output["ename"], output["evalue"]


def test_the_lists_are_complete():
    assert len(COURSE) >= 15 and len(EXERCISES) >= 7, (COURSE, EXERCISES)


@pytest.mark.parametrize("path", COURSE, ids=lambda p: str(p.relative_to(ROOT)))
def test_course_notebook_executes(path):
    try:
        execute(path, allow_errors=False)
    except CellExecutionError as error:
        pytest.fail(f"{path.relative_to(ROOT)} fails to execute here:\n{error}")


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: str(p.relative_to(ROOT)))
def test_exercise_executes_up_to_its_unanswered_cells(path):
    nb = execute(path, allow_errors=True)
    problems = []
    for index, cell, ename, evalue in cell_errors(nb):
        grader = cell.get("metadata", {}).get("nbgrader", {})
        if grader.get("solution") or grader.get("grade"):
            continue  # an unanswered answer, or a check of one (the solutions run these answered)
        if ename not in CONSEQUENCES_OF_AN_UNANSWERED_CELL:
            problems.append(f"cell {index} ({grader.get('grade_id', 'no id')}): {ename}: {evalue}")
    assert not problems, f"{path.relative_to(ROOT)}:\n" + "\n".join(problems)
