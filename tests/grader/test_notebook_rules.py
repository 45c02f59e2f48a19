"""Pure functions over notebooks: v3 validation, exercise generation, rebuilding a submission,
and the signed result channel. No kernel runs here."""
from __future__ import annotations

import copy
import hashlib
import hmac

import nbformat
import numpy as np
import pytest

from bpcourse.grader.generate import exercise_bytes, generate, make_exercise
from bpcourse.grader.notebook import (CODE_STUB, NotebookError, grade_id, questions, read_submission, rebuild,
                                      remove_hidden_tests, replace_solution)
from bpcourse.grader.runner import decode_result, verified_result
from bpcourse.grader.validate import validate_notebook

from .fixtures import source


def cell_by_id(nb, gid):
    return next(c for c in nb.cells if grade_id(c) == gid)


# ---------------------------------------------------------------------------------------- validate
def test_fixture_source_is_valid():
    assert validate_notebook(source.notebook(), min_questions=3) == []


BREAKAGES = {
    "schema_version is 2": lambda nb: cell_by_id(nb, "q1_sigmoid_grad").metadata.nbgrader.update(schema_version=2),
    "already used by cell": lambda nb: cell_by_id(nb, "q2_chain_value").metadata.nbgrader.update(grade_id="q1_sigmoid_grad"),
    "must match [A-Za-z0-9_-]+": lambda nb: cell_by_id(nb, "setup").metadata.nbgrader.update(grade_id="set up!"),
    "needs 'points' >= 0": lambda nb: cell_by_id(nb, "q3_train_step").metadata.nbgrader.pop("points"),
    "needs metadata editable: false": lambda nb: cell_by_id(nb, "q1_sigmoid_grad").metadata.pop("editable"),
    "cannot be locked": lambda nb: cell_by_id(nb, "q1_sigmoid_grad_answer").metadata.nbgrader.update(locked=True),
    "'### BEGIN SOLUTION' without '### END SOLUTION'": lambda nb: setattr(
        cell_by_id(nb, "q2_chain_value_answer"), "source", "### BEGIN SOLUTION\ndy_dx = 42.0"),
    "needs '### BEGIN SOLUTION'": lambda nb: setattr(cell_by_id(nb, "q2_chain_value_answer"), "source", "dy_dx = 42.0"),
    "hidden tests belong in a code grade cell": lambda nb: setattr(
        cell_by_id(nb, "setup"), "source", "### BEGIN HIDDEN TESTS\nx = 1\n### END HIDDEN TESTS"),
    "must be true or false": lambda nb: cell_by_id(nb, "intro").metadata.nbgrader.update(grade="yes"),
    "expected 'python3'": lambda nb: nb.metadata.kernelspec.update(name="julia"),
    "expected at least 4": lambda nb: None,
}


@pytest.mark.parametrize("problem", sorted(BREAKAGES))
def test_validator_names_each_problem(problem):
    nb = source.notebook()
    BREAKAGES[problem](nb)
    problems = validate_notebook(nb, min_questions=4 if "at least 4" in problem else 0)
    assert any(problem in p for p in problems), problems


# ---------------------------------------------------------------------------------------- generate
def test_exercise_stubs_solutions_drops_hidden_tests_keeps_metadata():
    sol = source.notebook()
    sol.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi")]
    sol.cells[1].execution_count = 3
    ex = make_exercise(sol)
    answer = cell_by_id(ex, "q1_sigmoid_grad_answer").source
    assert "    # YOUR CODE HERE\n    raise NotImplementedError()" in answer
    assert answer.startswith("def sigmoid_grad(x):") and "np.exp" not in answer
    assert "BEGIN SOLUTION" not in answer
    grade = cell_by_id(ex, "q1_sigmoid_grad").source
    assert "HIDDEN" not in grade and "0.10499" not in grade and "[0.25]" in grade
    assert ex.cells[1].outputs == [] and ex.cells[1].execution_count is None
    assert [c.metadata for c in ex.cells] == [c.metadata for c in sol.cells]
    assert [c.id for c in ex.cells] == [c.id for c in sol.cells]
    assert validate_notebook(ex) != []  # stubs have no solution markers left: exercises are not sources


def test_replace_solution_and_hidden_regions():
    assert replace_solution("x = 1") == CODE_STUB
    assert replace_solution("answer", "markdown") == "YOUR ANSWER HERE"
    assert replace_solution("a\n  ### BEGIN SOLUTION\n  b\n  ### END SOLUTION\nc") == \
        "a\n  # YOUR CODE HERE\n  raise NotImplementedError()\nc"
    assert remove_hidden_tests("t1\n### BEGIN HIDDEN TESTS\nt2\n### END HIDDEN TESTS\nt3") == "t1\nt3"


def test_generate_is_deterministic_bytes(tmp_path):
    sols = tmp_path / "solutions"
    sols.mkdir()
    nbformat.write(source.notebook(), str(sols / "01_fixture.ipynb"))
    (out1,) = generate(sols, tmp_path / "ex1")
    (out2,) = generate(sols, tmp_path / "ex2")
    assert out1.read_bytes() == out2.read_bytes() == exercise_bytes(sols / "01_fixture.ipynb")
    again = out1.stat().st_mtime_ns
    generate(sols, tmp_path / "ex1")
    assert out1.stat().st_mtime_ns == again, "unchanged exercises are not rewritten"


# ---------------------------------------------------------------------------------------- rebuild
def test_rebuild_takes_only_answer_cells_first_occurrence():
    src = source.notebook()
    sub = source.submission({"q1_sigmoid_grad_answer": "def sigmoid_grad(x):\n    return 'first'"})
    dup = copy.deepcopy(cell_by_id(sub, "q1_sigmoid_grad_answer"))
    dup.source = "def sigmoid_grad(x):\n    return 'second'"
    sub.cells.append(dup)
    cell_by_id(sub, "q1_sigmoid_grad").source = "assert True"
    cell_by_id(sub, "setup").source = "import os; os.system('rm -rf /')"
    sub.cells.insert(0, nbformat.v4.new_code_cell("evil = True"))
    rebuilt = rebuild(src, sub).notebook
    assert cell_by_id(rebuilt, "q1_sigmoid_grad_answer").source.endswith("return 'first'")
    assert cell_by_id(rebuilt, "q1_sigmoid_grad").source == cell_by_id(src, "q1_sigmoid_grad").source
    assert "HIDDEN TESTS" in cell_by_id(rebuilt, "q1_sigmoid_grad").source
    assert cell_by_id(rebuilt, "setup").source == "import numpy as np"
    assert len(rebuilt.cells) == len(src.cells) and "evil" not in nbformat.writes(rebuilt)


def test_rebuild_missing_answer_is_the_stub_and_cell_id_is_a_fallback():
    src = source.notebook()
    sub = source.submission({"q2_chain_value_answer": "dy_dx = 42.0"})
    sub.cells = [c for c in sub.cells if grade_id(c) != "q1_sigmoid_grad_answer"]
    lost = cell_by_id(sub, "q2_chain_value_answer")
    lost.metadata = {}  # an editor dropped the metadata; the cell id still matches the source
    result = rebuild(src, sub)
    assert result.answered == {"q1_sigmoid_grad_answer": False, "q2_chain_value_answer": True,
                               "q3_train_step_answer": True}
    assert "raise NotImplementedError()" in cell_by_id(result.notebook, "q1_sigmoid_grad_answer").source
    assert cell_by_id(result.notebook, "q2_chain_value_answer").source == "dy_dx = 42.0"


def test_questions_own_their_answer_cells():
    qs = questions(source.notebook())
    assert [(q.grade_id, q.points, len(q.answer_cells)) for q in qs] == [
        ("q1_sigmoid_grad", 2.0, 1), ("q2_chain_value", 1.0, 1), ("q3_train_step", 3.0, 1)]


@pytest.mark.parametrize("data", [b"", b"{", b"[]", b'{"cells": 3}', b"\xff\xfe", b'"just a string"'])
def test_unreadable_submissions_raise_notebook_error(tmp_path, data):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(data)
    with pytest.raises(NotebookError):
        read_submission(path)


# ---------------------------------------------------------------------------------------- channel
def frame(key: bytes, payload: bytes) -> bytes:
    digest = hmac.new(key, payload, hashlib.sha256).hexdigest().encode()
    return b"BPCOURSE-RESULT " + digest + b" %d\n" % len(payload) + payload + b"\n"


def test_only_a_frame_signed_with_the_job_key_is_accepted():
    """Exactly one frame, the whole channel: anything written before or after it (someone else
    had the channel) means no result, even around a correctly signed frame."""
    key, other = b"k" * 32, b"x" * 32
    good = frame(key, b'{"questions": {}}')
    assert verified_result(good, key) == {"questions": {}}
    assert verified_result(frame(other, b'{"forged": 1}'), key) is None
    forged_first = frame(other, b'{"forged": 1}') + b"noise\n" + good
    assert verified_result(forged_first, key) is None
    assert verified_result(good + good, key) is None
    assert verified_result(good + b"x", key) is None
    assert verified_result(b"BPCOURSE-RESULT " + b"0" * 64 + b" 2\n{}\n", key) is None
    assert verified_result(good[:-10], key) is None


def test_results_decode_to_plain_arrays_only():
    import base64
    a = np.arange(6.0).reshape(2, 3)
    enc = {"__ndarray__": {"dtype": a.dtype.str, "shape": [2, 3], "b64": base64.b64encode(a.tobytes()).decode()}}
    out = decode_result({"x": [enc, 1.5, "s"]})
    assert np.array_equal(out["x"][0], a) and out["x"][1:] == [1.5, "s"]
    with pytest.raises(TypeError):
        decode_result({"__ndarray__": {"dtype": "|O", "shape": [1], "b64": ""}})


def test_csv_fields_from_learners_cannot_be_formulas():
    from bpcourse.grader.batch import csv_bytes
    from bpcourse.grader.runner import Assignment, QuestionResult, SubmissionResult

    a = Assignment(path=None, stem="fx", notebook=None, questions=questions(source.notebook()), checks={})
    qs = [QuestionResult(q.grade_id, 0.0, q.points, "failed", "=1+1") for q in a.questions]
    text = csv_bytes(a, [SubmissionResult("=HYPERLINK(1)", None, "ok", qs)]).decode()
    row = text.splitlines()[1]
    assert row.startswith("'=HYPERLINK(1),ok,0,0,0,0,6,")
