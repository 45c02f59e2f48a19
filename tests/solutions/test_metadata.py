"""The solution notebooks follow the grader protocol (docs/interfaces.md) and nbgrader's schema v3."""
from __future__ import annotations

import ast
import re

import nbformat
import pytest

from _solutions_support import ROOT, STEMS, load_checks, notebook_tool

GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")


def _notebook(stem: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / f"{stem}.ipynb", as_version=4)


@pytest.mark.parametrize("stem", STEMS)
def test_every_cell_has_schema_v3_metadata(stem):
    nb = _notebook(stem)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    ids = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        assert meta is not None, f"{stem}: a cell without nbgrader metadata: {cell.source[:60]!r}"
        assert meta["schema_version"] == 3
        assert GRADE_ID.match(meta["grade_id"]), f"{stem}: bad grade_id {meta['grade_id']!r}"
        ids.append(meta["grade_id"])
        assert {"grade", "solution", "locked"} <= set(meta)
        if meta["grade"]:
            assert cell.cell_type == "code" and not meta["solution"] and meta["locked"]
            assert isinstance(meta["points"], (int, float)) and meta["points"] > 0
        if meta["locked"]:
            assert cell.metadata.get("editable") is False and cell.metadata.get("deletable") is False
        if meta["solution"]:
            assert not meta["locked"] and not meta["grade"] and cell.cell_type == "code"
            assert meta["grade_id"].endswith("_answer")
    assert len(ids) == len(set(ids)), f"{stem}: duplicate grade_ids"


@pytest.mark.parametrize("stem", STEMS)
def test_questions_points_and_answers(stem):
    cells = _notebook(stem).cells
    grades = [c for c in cells if c.metadata["nbgrader"]["grade"]]
    answers = {c.metadata["nbgrader"]["grade_id"] for c in cells if c.metadata["nbgrader"]["solution"]}
    assert len(grades) >= 4, f"{stem}: only {len(grades)} graded questions"
    for cell in grades:
        gid = cell.metadata["nbgrader"]["grade_id"]
        assert f"{gid}_answer" in answers, f"{stem}: question {gid} has no answer cell"
        # The task text states the points the question is worth.
        task = [c for c in cells if c.metadata["nbgrader"]["grade_id"] == f"{gid}_task"]
        assert task, f"{stem}: question {gid} has no task cell"
        points = cell.metadata["nbgrader"]["points"]
        assert f"({points} point" in task[0].source, f"{stem}: {gid}'s task does not say it is worth {points}"


def test_at_least_forty_five_questions_in_total():
    counts = {stem: sum(1 for c in _notebook(stem).cells if c.metadata["nbgrader"]["grade"]) for stem in STEMS}
    assert sum(counts.values()) >= 45, counts


@pytest.mark.parametrize("stem", STEMS)
def test_questions_get_harder_within_a_notebook(stem):
    """Questions come in order of their points (the authors' measure of effort), easiest first."""
    points = [c.metadata["nbgrader"]["points"] for c in _notebook(stem).cells if c.metadata["nbgrader"]["grade"]]
    assert points == sorted(points), f"{stem}: points in question order {points}"


def test_every_solution_notebook_is_listed():
    """A new solutions/NN_topic.ipynb joins STEMS, so the tests above (counts, checks) see it."""
    found = {p.stem for p in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")}
    assert found == set(STEMS), f"unlisted {found - set(STEMS)}, missing {set(STEMS) - found}"


@pytest.mark.parametrize("stem", STEMS)
def test_solution_regions_are_balanced_and_inside_functions(stem):
    """Markers pair up; in a cell that defines a function, the region sits inside its body, so the
    generated exercise keeps the signature and replaces only the body."""
    for cell in _notebook(stem).cells:
        meta = cell.metadata["nbgrader"]
        lines = cell.source.splitlines()
        begins = [i for i, line in enumerate(lines) if line.strip() == "### BEGIN SOLUTION"]
        ends = [i for i, line in enumerate(lines) if line.strip() == "### END SOLUTION"]
        hidden = [line.strip() for line in lines if "HIDDEN TESTS" in line]
        assert len(begins) == len(ends) and all(b < e for b, e in zip(begins, ends))
        assert hidden in ([], ["### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"])
        if meta["solution"]:
            assert begins, f"{stem}:{meta['grade_id']}: an answer cell without a solution region"
            tree = ast.parse(cell.source)
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                    inside = [b for b in begins if node.lineno - 1 < b < node.end_lineno]
                    assert inside, f"{stem}:{meta['grade_id']}: {node.name} has no solution region in its body"
        else:
            assert not begins, f"{stem}:{meta['grade_id']}: a solution region outside an answer cell"
        if hidden:
            assert meta["grade"], f"{stem}:{meta['grade_id']}: hidden tests outside a grade cell"


@pytest.mark.parametrize("stem", STEMS)
def test_every_question_has_a_check_and_every_check_a_question(stem):
    grade_ids = {c.metadata["nbgrader"]["grade_id"] for c in _notebook(stem).cells if c.metadata["nbgrader"]["grade"]}
    checked = {check.grade_id for check in load_checks(stem)}
    assert grade_ids == checked, f"{stem}: unchecked {grade_ids - checked}, unknown {checked - grade_ids}"
    for check in load_checks(stem):
        assert "RESULT" in check.probe and callable(check.inputs) and callable(check.verify)


@pytest.mark.parametrize("stem", STEMS)
def test_executed_cleanly_and_in_sync_with_source(stem):
    nb = _notebook(stem)
    want = [(c.cell_type, c.source) for c in notebook_tool().read_source(ROOT / "solutions" / "src" / f"{stem}.py").cells]
    assert [(c.cell_type, c.source) for c in nb.cells] == want, f"{stem}.ipynb is stale: rebuild it"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, f"{stem}: not executed"
        for out in cell.outputs:
            assert out.output_type != "error", f"{stem}: an error output"
            assert not (out.output_type == "stream" and out.name == "stderr"), f"{stem}: stderr: {out.text[:200]}"
