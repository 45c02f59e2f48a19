"""What no submission may do to the grader (issue 8): each case is a crafted notebook in
fixtures/hostile.py, graded in one batch with 2 workers. In every case the file is unchanged, the
other submissions are graded correctly, the CSV is complete, no kernel is left running, and the
affected questions score 0 with a clear status."""
from __future__ import annotations

import csv

import pytest

from .conftest import SAME_USER_CASES
from .fixtures import hostile

STUDENTS = sorted([
    "good", "empty", "q1_only", "q1_only_again", "infinite_loop", "gil_loop", "sys_exit", "os_exit", "segfault",
    "huge_alloc", "print_100mb", "syntax_error", "tests_rewritten", "tests_deleted", "duplicated_answer",
    "monkeypatch", "forge_kill_parent", "read_hidden", "write_grades", "kill_neighbours", "warns", "network", "corrupt",
    "not_a_notebook"])


def check_student(batch, student: str) -> None:
    result, want = batch.results[student], batch.expected[student]
    got = {q.grade_id: q.points for q in result.questions}
    assert got == want.points, f"{student}: points {got}, expected {want.points}\n{result}"
    for gid, status in want.status.items():
        q = next(q for q in result.questions if q.grade_id == gid)
        assert q.status == status, f"{student}/{gid}: status {q.status!r} ({q.message}), expected {status!r}"
        assert q.message or status == "passed", f"{student}/{gid}: a question that did not pass needs a message"
    assert result.status.startswith(want.submission_status), f"{student}: status {result.status!r}"


@pytest.mark.parametrize("student", STUDENTS)
def test_hostile_submission_scores(hostile_batch, student):
    assert student in hostile_batch.expected, f"no crafted submission {student}"
    check_student(hostile_batch, student)


def test_every_submission_file_unchanged(hostile_batch):
    assert hostile_batch.after == hostile_batch.before


def test_csv_complete_one_row_per_submission(hostile_batch):
    rows = list(csv.DictReader(hostile_batch.csv.open()))
    assert [r["student"] for r in rows] == sorted(hostile_batch.expected)
    assert list(rows[0]) == ["student", "status", "q1_sigmoid_grad", "q2_chain_value", "q3_train_step", "total",
                             "max", "seconds", "feedback"]
    for row in rows:
        want = hostile_batch.expected[row["student"]]
        assert float(row["total"]) == want.total, row
        assert row["max"] == "6"
        for gid, points in want.points.items():
            assert float(row[gid]) == points, row
    assert "mallory" not in hostile_batch.csv.read_text()
    assert not list(hostile_batch.csv.parent.glob(".grades.csv.*")), "temporary CSV left behind"


def test_feedback_file_per_student(hostile_batch):
    names = sorted(p.stem for p in hostile_batch.feedback.glob("*.txt"))
    assert names == sorted(hostile_batch.expected)
    text = (hostile_batch.feedback / "infinite_loop.txt").read_text()
    assert "timeout" in text and "4 / 6" in text


def test_no_kernel_or_worker_left(hostile_batch):
    assert hostile_batch.leftovers == []


def test_same_submission_same_score(hostile_batch):
    a, b = hostile_batch.results["q1_only"], hostile_batch.results["q1_only_again"]
    assert [(q.points, q.status, q.message) for q in a.questions] == [(q.points, q.status, q.message) for q in b.questions]


def test_warnings_reported_not_penalised(hostile_batch):
    result = hostile_batch.results["warns"]
    assert result.total == 6
    assert any("careful: float64" in w or "note on stderr" in w for w in result.warnings), result.warnings


def test_monkeypatched_allclose_passes_in_kernel_but_not_in_grader(hostile_batch):
    q1 = hostile_batch.results["monkeypatch"].questions[0]
    assert q1.status == "failed" and "finite difference" in q1.message


def test_fake_submission_planted_by_kernel_not_created(hostile_batch):
    assert not (hostile_batch.folder / "zz_fake.ipynb").exists()


@pytest.mark.parametrize("student", SAME_USER_CASES)
def test_same_user_kernel(same_user_batch, student):
    """Kernel as the grader's own user: the forged-result + kill-the-parent attack scores 0."""
    check_student(same_user_batch, student)


def test_same_user_kernel_leaves_nothing(same_user_batch):
    assert same_user_batch.leftovers == []
    assert same_user_batch.after == same_user_batch.before
    forged = same_user_batch.results["forge_kill_parent"]
    if same_user_batch.same_user:  # the kernel could kill its worker: no result, never a forged one
        assert forged.status.startswith("worker failed"), forged.status
    else:  # as root even without a sandbox the kernel has a uid of its own and cannot reach the worker
        assert forged.total == 4 and forged.questions[0].points == 0, forged


def test_isolation_did_not_fall_back(hostile_batch):
    """Every kernel ran in the sandbox the probe chose; nothing fell back, nothing was noted."""
    notes = {s: r.notes for s, r in hostile_batch.results.items() if r.notes}
    assert notes == {}
