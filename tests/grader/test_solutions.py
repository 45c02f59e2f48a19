"""The course's real solution notebooks (solutions/NN_topic.ipynb) against the grader.

Every source validates against nbgrader's v3 rules; the exercises in exercises/ are exactly what
`make exercises` generates; every question has a check judged in the grader's process; and graded
for real: the solution scores full marks, the fresh exercise 0 without a grader error, and the
exercise with only its first question solved scores exactly that question's points.
"""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import nbformat
import pytest

from bpcourse.grader.batch import grade_batch
from bpcourse.grader.generate import exercise_bytes, make_exercise
from bpcourse.grader.notebook import grade_id, is_answer, questions
from bpcourse.grader.runner import Assignment, Config
from bpcourse.grader.validate import validate_notebook

from .conftest import digest

ROOT = Path(__file__).resolve().parents[2]
# The course's notebooks, and any other solution notebook found (so a new one is validated too).
STEMS = sorted({"01_linear_model_gradient_descent", "02_chain_rule_computational_graphs",
                "03_matrix_calculus_backprop", "04_why_reverse_mode", "05_autograd_from_scratch_scalar", "06_tensor_autograd",
                "07_pytorch_autograd", "08_training_a_network"}
               | {p.stem for p in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")})


def solution(repo_root, stem):
    path = repo_root / "solutions" / f"{stem}.ipynb"
    assert path.is_file(), f"{path} is missing (the solutions author writes solutions/src/{stem}.py)"
    return path


def test_at_least_eight_notebooks_and_forty_five_questions(repo_root):
    found = sorted(repo_root.glob("solutions/[0-9][0-9]_*.ipynb"))
    assert len(found) >= 8, f"{len(found)} solution notebooks: {[p.name for p in found]}"
    counts = {p.stem: len(questions(nbformat.read(str(p), as_version=4))) for p in found}
    assert sum(counts.values()) >= 45, f"{sum(counts.values())} graded questions in solutions/ {counts}, the course promises at least 45"


@pytest.mark.parametrize("stem", STEMS)
def test_solution_metadata_is_nbgrader_v3(repo_root, stem):
    nb = nbformat.read(str(solution(repo_root, stem)), as_version=4)
    assert validate_notebook(nb, min_questions=4) == []


@pytest.mark.parametrize("stem", STEMS)
def test_every_question_has_a_check_in_the_grader(repo_root, stem):
    """In-kernel asserts alone can be fooled (monkeypatched np.allclose); each question needs a Check."""
    assignment = Assignment.load(solution(repo_root, stem))
    unchecked = [gid for gid, checks in assignment.checks.items() if not checks]
    assert unchecked == [], f"questions without a check in bpcourse/grader/checks/{stem}.py: {unchecked}"


@pytest.mark.parametrize("stem", STEMS)
def test_exercise_is_generated_from_solution(repo_root, stem):
    exercise = repo_root / "exercises" / f"{stem}.ipynb"
    assert exercise.is_file(), f"{exercise} missing: run `make exercises`"
    assert exercise.read_bytes() == exercise_bytes(solution(repo_root, stem)), \
        f"{exercise} differs from what `make exercises` generates (never edit exercises by hand)"


def prefix_solved(sol: nbformat.NotebookNode, k: int) -> nbformat.NotebookNode:
    """The exercise with the answers of the first k questions taken from the solution."""
    qs = questions(sol)
    keep = {grade_id(sol.cells[i]) for q in qs[:k] for i in q.answer_cells}
    answers = {grade_id(c): c.source for c in sol.cells if is_answer(c) and grade_id(c) in keep}
    nb = make_exercise(sol)
    for cell in nb.cells:
        if is_answer(cell) and grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


@pytest.mark.parametrize("stem", STEMS)
def test_real_grading_full_zero_and_one_question(repo_root, tmp_path, stem):
    src = solution(repo_root, stem)
    sol = nbformat.read(str(src), as_version=4)
    qs = questions(sol)
    subs = tmp_path / "submissions"
    subs.mkdir()
    shutil.copy(src, subs / "solution.ipynb")
    for k in (0, 1):  # the fresh exercise; the exercise with question 1 solved
        nbformat.write(prefix_solved(sol, k), str(subs / f"solved_{k:02d}.ipynb"))
    before = digest(src)
    results = {r.student: r for r in grade_batch(subs, src, tmp_path / "grades.csv", jobs=2, config=Config())}
    assert digest(src) == before
    full = results["solution"]
    assert full.total == full.max_points, [(q.grade_id, q.status, q.message) for q in full.questions if q.points < q.max_points]
    for k in (0, 1):
        r = results[f"solved_{k:02d}"]
        assert r.status == "ok", f"questions 1..{k} solved: {r.status}"
        want = sum(q.points for q in qs[:k])
        assert r.total == want, f"questions 1..{k} solved should score {want}: " + \
            str([(q.grade_id, q.points, q.status, q.message) for q in r.questions])
        assert all(q.status in ("passed", "not implemented", "error", "failed") for q in r.questions), r
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    assert [row["student"] for row in rows] == ["solution", "solved_00", "solved_01"]


# A prediction that compares equal to anything passes the in-kernel `prediction == actual` assert;
# only the grader's own reference, compared with the prediction's value, catches it.
_AGREES = "class _Agrees(float):\n    def __eq__(self, other):\n        return True\n    __hash__ = float.__hash__\n"
WRONG_PREDICTIONS = {
    "05_autograd_from_scratch_scalar": ("q2_predict", _AGREES + "predicted_a_grad = _Agrees(-0.5)\npredicted_h_grad = 1.0\n"),
    "07_pytorch_autograd": ("q2_predict", _AGREES + "predicted_grad = _Agrees(5.0)\npredicted_after_zero_grad = None\n"),
}


@pytest.mark.parametrize("stem", sorted(WRONG_PREDICTIONS))
def test_predict_then_run_is_graded_on_the_prediction(repo_root, tmp_path, stem):
    """A wrong prediction made to agree with the run in the kernel still scores 0 for that question,
    and only that question."""
    gid, answer = WRONG_PREDICTIONS[stem]
    src = solution(repo_root, stem)
    sol = nbformat.read(str(src), as_version=4)
    cell = next(c for c in sol.cells if is_answer(c) and grade_id(c) == f"{gid}_answer")
    cell.source = answer
    subs = tmp_path / "submissions"
    subs.mkdir()
    nbformat.write(sol, str(subs / "student.ipynb"))
    (r,) = grade_batch(subs, src, tmp_path / "grades.csv", jobs=1, config=Config())
    lost = [(q.grade_id, q.status, q.message) for q in r.questions if q.points < q.max_points]
    assert [q[0] for q in lost] == [gid], lost
    assert "predicted" in lost[0][2], lost
