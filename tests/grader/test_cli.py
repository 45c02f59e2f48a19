"""`bpcourse grade`: the learner's self-check table, the batch CSV, and a grader killed mid-batch."""
from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bpcourse.grader.cli import default_source

from .conftest import CHECKS, digest, grader_processes
from .fixtures import hostile, source

PY = sys.executable


def run(*args, cwd=None, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)


def test_learner_self_check_prints_table_and_leaves_file_alone(fixture_source, tmp_path):
    nb = hostile.solved(hostile.A1, **{hostile.A3: "def train_step(w, x, y, lr):\n    return w",
                                       hostile.A2: "import warnings\nwarnings.warn('careful: float64')"})
    mine = source.write(nb, tmp_path / "fx_backprop.ipynb")
    before = digest(mine)
    done = run("bpcourse", "grade", str(mine), "--source", str(fixture_source), "--checks", str(CHECKS))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("q")}
    assert "passed" in lines["q1_sigmoid_grad"] and "2/2" in lines["q1_sigmoid_grad"]
    assert "error" in lines["q2_chain_value"] and "name 'dy_dx' is not defined" in lines["q2_chain_value"]
    assert "failed" in lines["q3_train_step"] and "expected 1.0, got 0.0" in lines["q3_train_step"]
    assert "total: 2 / 6" in out
    assert "warnings on stderr" in out and "careful: float64" in out  # reported, and cost nothing
    assert digest(mine) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fx_backprop.ipynb"], "the grader wrote next to the notebook"


def test_self_check_without_source_is_a_usage_error(tmp_path):
    mine = source.write(source.submission({}), tmp_path / "99_nothing_like_this.ipynb")
    done = run("bpcourse", "grade", str(mine))
    assert done.returncode == 2 and "pass --source" in done.stderr


def test_default_source_is_the_solution_with_the_same_name(repo_root):
    found = default_source(repo_root / "exercises" / "03_matrix_calculus_backprop.ipynb")
    assert found == repo_root / "solutions" / "03_matrix_calculus_backprop.ipynb"
    renamed = default_source(Path("/somewhere/else/03_mine.ipynb"))
    assert renamed == repo_root / "solutions" / "03_matrix_calculus_backprop.ipynb"


def test_batch_cli_writes_csv_and_feedback(fixture_source, tmp_path):
    subs = tmp_path / "subs"
    source.write(hostile.solved(hostile.A1, hostile.A2, hostile.A3), subs / "ann" / "fx_backprop.ipynb")
    source.write(hostile.solved(hostile.A2), subs / "bob.ipynb")
    (subs / "cid").mkdir()  # a student folder with no notebook
    done = run("bpcourse.grader.cli", "--batch", str(subs), "--source", str(fixture_source), "--checks", str(CHECKS),
               "--csv", str(tmp_path / "grades.csv"), "--feedback", str(tmp_path / "fb"), "--jobs", "2")
    assert done.returncode == 0, done.stderr
    rows = {r["student"]: r for r in csv.DictReader((tmp_path / "grades.csv").open())}
    assert (rows["ann"]["total"], rows["bob"]["total"], rows["cid"]["total"]) == ("6", "1", "0")
    assert rows["cid"]["status"] == "missing"
    assert rows["bob"]["q2_chain_value"] == "1" and "q1_sigmoid_grad: not implemented" in rows["bob"]["feedback"]
    assert "6 / 6" in (tmp_path / "fb" / "ann.txt").read_text()


def test_bpcourse_grade_passes_options_through(fixture_source, tmp_path):
    """`bpcourse grade --batch ...` (an option first) must reach the grader's own parser (bpcourse/cli.py)."""
    subs = tmp_path / "subs"
    source.write(hostile.solved(hostile.A2), subs / "bob.ipynb")
    done = run("bpcourse", "grade", "--batch", str(subs), "--source", str(fixture_source), "--checks", str(CHECKS),
               "--csv", str(tmp_path / "grades.csv"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "grades.csv").is_file()


def test_grader_killed_mid_batch_leaves_a_complete_csv_and_no_processes(fixture_source, tmp_path):
    """Killed before any submission finished: the CSV is this batch's (the header, no stale rows)."""
    subs = tmp_path / "subs"
    for name in ("a", "b", "c"):
        source.write(hostile.solved(hostile.A2, hostile.A3, **{hostile.A1: "import time\ntime.sleep(600)"}),
                     subs / f"{name}.ipynb")
    grades = tmp_path / "grades.csv"
    grades.write_text("old grades\n")
    proc = subprocess.Popen([PY, "-m", "bpcourse.grader.cli", "--batch", str(subs), "--source", str(fixture_source),
                             "--checks", str(CHECKS), "--csv", str(grades), "--timeout", "120"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    prefix = f"{proc.pid}-"
    try:
        for _ in range(600):  # wait until its kernels run
            if len(grader_processes(prefix)) >= 3 or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert grader_processes(prefix), "no worker or kernel ever started"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    left = grader_processes(prefix)
    for _ in range(100):  # workers notice their grader is gone and kill their kernels
        if not left:
            break
        time.sleep(0.2)
        left = grader_processes(prefix)
    for p in left:
        p.kill()
    assert left == [], f"left running after the grader was killed: {[p.cmdline()[:4] for p in left]}"
    assert grades.read_text() == "student,status,q1_sigmoid_grad,q2_chain_value,q3_train_step,total,max,seconds,feedback\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".grades")] == []
