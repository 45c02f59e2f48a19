"""Nothing lost: the grades CSV gains a row per finished submission (a complete file at every
instant), ``--resume`` grades only the students missing from it, and a grader killed with SIGKILL
mid-batch keeps every grade it had finished. Also: a graded question without a grader-side check
is refused when the assignment loads."""
from __future__ import annotations

import copy
import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from bpcourse.grader.batch import GradesCsv, csv_header
from bpcourse.grader.runner import Assignment, Config, QuestionResult, SubmissionResult

from .conftest import CHECKS, grader_processes
from .fixtures import hostile, source

PY = sys.executable
ROOT = Path(__file__).resolve().parents[2]


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text())))


def result(assignment: Assignment, student: str, points: float) -> SubmissionResult:
    qs = [QuestionResult(q.grade_id, min(points, q.points), q.points, "passed") for q in assignment.questions]
    return SubmissionResult(student, Path(student), "ok", qs, 1.0)


# ------------------------------------------------------------------ item 7: a check for every question
def test_question_graded_only_in_kernel_is_refused_naming_it(tmp_path):
    """An instructor adds a question to a real source whose only test is an assert in the kernel."""
    src = ROOT / "solutions" / "01_linear_model_gradient_descent.ipynb"
    nb = nbformat.read(str(src), as_version=4)
    grade = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    extra = copy.deepcopy(grade)
    extra.id = "extra-question"
    extra.metadata["nbgrader"]["grade_id"] = "q_extra_asserts_only"
    extra.source = "assert np.allclose(1.0, 1.0)"
    nb.cells.append(extra)
    mutated = tmp_path / src.name  # same stem: the course's checks for notebook 01 apply
    nbformat.write(nb, str(mutated))
    with pytest.raises(ValueError) as err:
        Assignment.load(mutated)
    message = str(err.value)
    assert "'q_extra_asserts_only'" in message and "no grader-side check" in message
    assert "01_linear_model_gradient_descent.py" in message  # where to add one
    done = subprocess.run([PY, "-m", "bpcourse", "grade", "--batch", str(tmp_path), "--source", str(mutated),
                           "--csv", str(tmp_path / "grades.csv")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "q_extra_asserts_only" in done.stderr, done.stderr
    assert not (tmp_path / "grades.csv").exists()
    nbformat.write(nbformat.read(str(src), as_version=4), str(mutated))  # the unmutated source loads
    assert Assignment.load(mutated).checks


def test_missing_check_in_a_replaced_checks_folder_is_named(fixture_source, tmp_path):
    checks = tmp_path / "checks"
    checks.mkdir()
    text = (CHECKS / "fx_backprop.py").read_text()
    (checks / "fx_backprop.py").write_text(text + "\nCHECKS = [c for c in CHECKS if c.grade_id != 'q2_chain_value']\n")
    with pytest.raises(ValueError, match=r"question 'q2_chain_value' has no grader-side check"):
        Assignment.load(fixture_source, Config(checks_dir=checks))
    # A question worth 0 points grades nothing, so it needs no check.
    nb = nbformat.read(str(fixture_source), as_version=4)
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == "q2_chain_value":
            c.metadata["nbgrader"]["points"] = 0
    zero = tmp_path / "zero" / fixture_source.name
    zero.parent.mkdir()
    nbformat.write(nb, str(zero))
    assert Assignment.load(zero, Config(checks_dir=checks)).max_points == 5


# ------------------------------------------------------------------ item 8: the CSV as rows finish
def test_rows_kept_in_folder_order_and_file_complete_after_each_add(fixture_source, tmp_path):
    assignment = Assignment.load(fixture_source, Config(checks_dir=CHECKS))
    path = tmp_path / "grades.csv"
    grades = GradesCsv(path, assignment, ["ann", "bob", "=cid"])
    grades.write()
    assert read_rows(path) == [csv_header(assignment)]
    grades.add([result(assignment, "=cid", 1)])
    grades.add([result(assignment, "ann", 9)])
    rows = read_rows(path)
    assert [r[0] for r in rows[1:]] == ["ann", "'=cid"] and rows[1][-4] == "6"
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"], "a temporary file was left behind"


def test_resume_keeps_rows_and_refuses_another_assignments_csv(fixture_source, tmp_path):
    assignment = Assignment.load(fixture_source, Config(checks_dir=CHECKS))
    path = tmp_path / "grades.csv"
    first = GradesCsv(path, assignment, ["ann", "bob", "=cid"])
    first.add([result(assignment, "bob", 9), result(assignment, "=cid", 0)])
    again = GradesCsv(path, assignment, ["ann", "bob", "=cid"], resume=True)
    assert [again.graded(s) for s in ("ann", "bob", "=cid")] == [False, True, True]
    fresh = GradesCsv(path, assignment, ["ann", "bob", "=cid"])  # without --resume: a new batch
    assert not fresh.graded("bob")
    path.write_text("student,status,q9,total,max,seconds,feedback\nbob,ok,1,1,1,0.1,\n")
    with pytest.raises(ValueError, match=r"--resume: .*grades.csv is not a grades file of fx_backprop.ipynb"):
        GradesCsv(path, assignment, ["bob"], resume=True)
    path.write_text(",".join(csv_header(assignment)) + "\nbob,ok,2\n")
    with pytest.raises(ValueError, match=r"line 2 has 3 fields, expected 9"):
        GradesCsv(path, assignment, ["bob"], resume=True)


def grader(subs: Path, src: Path, grades: Path, *extra: str) -> list[str]:
    return [PY, "-m", "bpcourse", "grade", "--batch", str(subs), "--source", str(src), "--checks", str(CHECKS),
            "--csv", str(grades), "--jobs", "2", *extra]


def test_sigkilled_grader_keeps_finished_rows_and_resume_grades_only_the_rest(fixture_source, tmp_path):
    subs = tmp_path / "subs"
    for name in ("ann", "bob"):  # sorted first, so they finish first
        source.write(hostile.solved(hostile.A1, hostile.A2, hostile.A3), subs / f"{name}.ipynb")
    for name in ("cid", "dan", "eve"):  # still running when the grader dies
        source.write(hostile.solved(hostile.A2, hostile.A3, **{hostile.A1: "import time\ntime.sleep(300)"}),
                     subs / f"{name}.ipynb")
    grades = tmp_path / "grades.csv"
    proc = subprocess.Popen(grader(subs, fixture_source, grades, "--timeout", "400"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            if grades.exists():
                rows = read_rows(grades)  # a complete CSV at every instant: never a torn row
                assert rows and len(rows[0]) == 9 and all(len(r) == 9 for r in rows), rows
                seen.append(len(rows) - 1)
                if len(rows) == 3:
                    break
            time.sleep(0.05)
        assert proc.poll() is None, "the grader finished before it could be killed"
        assert seen and seen[-1] == 2, f"rows seen while grading: {seen}"
        assert seen[0] <= 1, "the CSV was not written until two rows were done"
        time.sleep(1.0)  # let cid and dan's kernels start their sleep
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    rows = read_rows(grades)
    assert [(r[0], r[-4]) for r in rows[1:]] == [("ann", "6"), ("bob", "6")]
    kept = {r[0]: r for r in rows[1:]}
    # The orphaned workers notice the grader is gone and end their kernels: within a second when
    # idle; on a 2-core machine running the whole suite, one was still there after 20 s (a worker
    # still starting its kernel when the grader died, 2026-11-30), so this waits up to 60 s.
    for _ in range(300):
        if not grader_processes(f"{proc.pid}-"):
            break
        time.sleep(0.2)
    assert grader_processes(f"{proc.pid}-") == []

    # Resume, with a short cell timeout: the sleepers now lose Q1 to it quickly.
    done = subprocess.run(grader(subs, fixture_source, grades, "--timeout", "4", "--resume"),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    graded = [line.split(":")[0] for line in done.stdout.splitlines() if ": " in line and "/6" in line]
    assert sorted(graded) == ["cid", "dan", "eve"], done.stdout  # ann and bob were not graded again
    rows = read_rows(grades)
    assert [r[0] for r in rows[1:]] == ["ann", "bob", "cid", "dan", "eve"]
    assert {r[0]: r for r in rows[1:] if r[0] in kept} == kept  # byte for byte, timing included
    for r in rows[3:]:
        assert (r[2], r[3], r[4], r[-4]) == ("0", "1", "3", "4"), r  # q1 timed out, q2 and q3 passed
        assert "timeout" in r[-1]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".grades")] == []
