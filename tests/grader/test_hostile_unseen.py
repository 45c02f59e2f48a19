"""Unseen batches of attacks on the sandboxed grader (issue 12's acceptance): attacks of the kinds
test_hostile.py covers, written afresh, graded beside honest classmates with 2 workers, as root (CI)
and dropped to `nobody` (unprivileged user namespaces), by unseen_driver.py.

- ``fixture``: fixtures/unseen_attacks.py on the fixture notebook (the probe's result files, lying
  objects, forged records, sockets, /proc links, a fork bomb, memory outside the address space).
- ``exercise``: fixtures/exercise_attacks.py on the course's exercise 01 and its real checks (the
  notebook file itself, links and FIFOs in the batch folder, names that act on a terminal or a
  spreadsheet, forged output, hooks on later cells, patched libraries, a kernel that will not end,
  closed descriptors, forks left by a check, the shared folder, socket buffers).

Each attack scores 0 on what it attacks (or exactly what its honest answers earn), the honest
classmates get full marks, the CSV has one correct row per submission, and no file or process is
left. Holes found and fixed on the way: a FIFO in place of the probe's result file blocked the
worker past every timeout; one .npy named 48 times made the worker hold 2.1 GB; a link in the batch
folder to the source notebook scored full marks (to a classmate's file: the classmate's marks; to
``/``: the grader walked the whole disk; to /dev/zero or a FIFO: it filled memory or hung); a
carriage return in a file name started a forged row in the CSV; ``alice/`` beside ``alice.ipynb``
made one row of two submissions.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from .conftest import grader_processes
from .fixtures import exercise_attacks
from .fixtures.unseen_attacks import HONEST
from .sandbox_driver import course_for_nobody
from .test_hostile import ROOT, nobody_python

ATTACKS = ("fifo_result", "npy_repeat", "liars", "nans", "forged_records", "silenced", "fork_bomb", "fill_all",
           "sockets", "proc_links", "iopub_flood", "memfd_balloon", "sysv_shm_balloon")
EXERCISE_ATTACKS = (
    # the file itself
    "meta_games", "own_checks", "cell_types", "odd_format", "many_cells", "many_objects", "deep_json", "bad_utf8",
    *map(exercise_attacks.student, (exercise_attacks.WEIRD_NAME, exercise_attacks.LONG_NAME,
                                    exercise_attacks.BYTES_NAME)), "José Müller (copy 2)",
    # the batch folder
    "link_source", "link_classmate", "link_root", "link_dir", "fifo", "dev_zero", "fifo_top", "deep_folder", "honest_c",
    # the kernel
    "ansi_feedback", "forged_frame", "hooks", "fake_idle", "patch_world", "liars", "stay_alive", "close_fds",
    "forking_check", "shared_folder", "exhaust_fds", "json_balloon", "interrupts", "recursion", "deep_result",
    "socket_balloon")
EXERCISE_HONEST = ("honest_a", "honest_b", "honest_c.ipynb")
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="dropping to nobody and the root sandbox need root (CI is root)")


def run_unseen(mode: str, batch: str) -> dict:
    marker = f"bpcourse-unseen-{uuid.uuid4().hex[:10]}"
    work = Path(tempfile.mkdtemp(prefix="bpcourse-unseen-"))
    env = {"PATH": "/usr/bin:/bin", "BPCOURSE_TEST_MARKER": marker}
    driver, course = "tests/grader/unseen_driver.py", ROOT
    if mode == "root":
        env["HOME"] = os.environ.get("HOME", "/root")
        cmd = [sys.executable, str(ROOT / driver), str(work), str(ROOT), batch]
    else:
        stem = exercise_attacks.STEM
        course = course_for_nobody(ROOT, [f"solutions/{stem}.ipynb", f"exercises/{stem}.ipynb"])
        shutil.chown(work, "nobody", "nogroup")
        env["HOME"] = "/nonexistent"
        cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", str(nobody_python()),
               str(course / driver), str(work), str(course), batch]
    env["PYTHONPATH"] = str(course)  # for the Dask workers the batch starts, too
    try:
        ran = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, cwd="/")
        assert ran.returncode == 0, ran.stderr[-4000:]
        out = json.loads((work / "results.json").read_text())
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if course != ROOT:
            shutil.rmtree(course, ignore_errors=True)
    time.sleep(1)
    out["stderr"] = ran.stderr
    out["left_files"] = sorted(str(p) for d in ("/tmp", "/var/tmp", "/dev/shm") for p in Path(d).glob(f"{marker}*"))
    out["left_files"] += sorted(str(p) for p in Path(tempfile.gettempdir()).glob(f"bpgrade-job-{out['pid']}-*"))
    out["left_processes"] = [(p.pid, p.info.get("name")) for p in grader_processes(f"{out['pid']}-")]
    return out


BATCHES = {"fixture": (ATTACKS, HONEST, 6), "exercise": (EXERCISE_ATTACKS, EXERCISE_HONEST, 11)}
_RUNS: dict[tuple[str, str], dict] = {}


def graded(batch: str, mode: str) -> tuple[str, dict]:
    """(mode, what unseen_driver.py reported) for one batch in one mode, graded once per session."""
    if os.geteuid() != 0:
        pytest.skip("dropping to nobody and the root sandbox need root (CI is root)")
    if (batch, mode) not in _RUNS:
        _RUNS[batch, mode] = run_unseen(mode, batch)
    return mode, _RUNS[batch, mode]


@pytest.fixture(scope="session", params=["root", "nobody"])
def mode(request):
    return request.param


@pytest.fixture
def unseen(mode):
    return graded("fixture", mode)


@pytest.fixture
def exercise(mode):
    return graded("exercise", mode)


@pytest.mark.parametrize("batch, attack", [(b, a) for b, (attacks, _, _) in BATCHES.items() for a in attacks])
def test_attack_scores_what_it_earned(mode, batch, attack):
    mode, out = graded(batch, mode)
    r = out["results"][attack]
    assert r["points"] == out["expected"][attack], (mode, attack, r)
    assert not r["notes"], (mode, attack, r["notes"])


@pytest.mark.parametrize("batch", BATCHES)
def test_honest_classmates_full_marks_nothing_left(mode, batch):
    attacks, honest, full = BATCHES[batch]
    mode, out = graded(batch, mode)
    assert out["level"] == ("root" if mode == "root" else "user"), out["level"]
    for name in honest:
        assert out["results"][name]["total"] == full, (mode, name, out["results"][name])
    assert out["left_files"] == [], out["left_files"]
    assert out["left_processes"] == [], out["left_processes"]
    assert sorted(out["results"]) == sorted([*attacks, *honest])


def test_result_file_fifo_does_not_stall_the_worker(unseen):
    """A FIFO for the probe's JSON: refused at once, not read from forever (the cell timeout is
    10 s and the wall limit 60 s; a stuck worker is only killed by the grader after 105 s)."""
    mode, out = unseen
    r = out["results"]["fifo_result"]
    assert r["status"] == "ok" and r["seconds"] < 60, (mode, r)
    assert "not a regular file" in dict((q[0], q[2]) for q in r["questions"])["q2_chain_value"], r


def test_result_arrays_named_twice_do_not_blow_up_the_worker(unseen):
    """One 8 MB .npy named 48 times: refused, and no worker (nor anything else the grader
    started) grew past 1 GB (2.1 GB before the fix; 2,000 names would take the machine)."""
    mode, out = unseen
    message = dict((q[0], q[2]) for q in out["results"]["npy_repeat"]["questions"])["q2_chain_value"]
    assert "named more than once" in message, message
    assert out["children_max_rss_mb"] < 1024, (mode, out["children_max_rss_mb"])


# ------------------------------------------------------------------------ exercise 01, edited by learners
def test_exercise_csv_one_printable_row_per_submission(exercise):
    """Every submission has exactly one row, under its (printable) name, out of 11 points; nothing a
    learner wrote (a name, an exception, stderr) puts a control character, a formula or a forged row
    in the CSV or in a feedback file."""
    mode, out = exercise
    rows = list(csv.reader(io.StringIO(out["csv"])))
    assert [r[0] for r in rows[1:]] == [cell(s) for s in out["results"]], rows[1:]
    assert all(r[-3] == "11" and len(r) == len(rows[0]) for r in rows[1:]), rows
    assert [r[0] for r in rows].count("honest_a") == 1, "a file name started a row of a classmate's"
    for name, text in [("grades.csv", out["csv"]), *out["feedback"].items()]:
        acting = sorted({hex(ord(c)) for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) < 0xa0
                         or c in "\u2028\u2029\u202e"})
        assert acting == [], (mode, name, acting)
    assert all(not r[i].startswith(("=", "+", "-", "@")) for r in rows[1:] for i in (0, 1, len(r) - 1)), rows
    from bpcourse.grader.batch import feedback_path

    assert sorted(out["feedback"]) == sorted(feedback_path(Path("."), s).name for s in out["results"])


def test_exercise_links_fifos_and_devices_are_refused_by_name(exercise):
    """A link, FIFO or device in the batch folder is not followed or read: a clear status, fast."""
    mode, out = exercise
    for name in ("link_source", "link_classmate", "link_root", "link_dir", "dev_zero"):
        r = out["results"][name]
        assert r["status"].startswith("invalid notebook") and "symbolic link" in r["status"], (name, r["status"])
    for name in ("fifo", "fifo_top"):
        assert "not a regular file" in out["results"][name]["status"], out["results"][name]["status"]
    assert max(out["results"][n]["seconds"] for n in ("link_root", "fifo", "dev_zero")) < 5


def test_exercise_one_submission_never_stops_the_batch(exercise):
    """A result nested 490 deep passes the worker but not Dask's pickle: before the fix the whole
    batch stopped there (TypeError: Could not serialize object of type dict); now it is that
    submission's grader error, named on stderr, and everyone else is graded."""
    mode, out = exercise
    r = out["results"]["deep_result"]
    assert r["status"].startswith(("grader error", "ok")), r["status"]
    if r["status"].startswith("grader error"):
        assert "grader error for deep_result" in out["stderr"], out["stderr"][-2000:]


def test_exercise_results_of_millions_of_lists_do_not_blow_up_the_worker(exercise):
    """2.7 million empty lists (8 MB) per probe: each list an object in the worker, which kept every
    probe's result until it reported: 1.6 GB before the fix (6 GB at the 32 MB file limit), outside
    the kernel's memory limit. Now refused by count, and no process the grader started passed 1 GB."""
    mode, out = exercise
    message = out["results"]["json_balloon"]["questions"][0][2]
    assert "lists and dicts" in message, message
    assert out["children_max_rss_mb"] < 1024, (mode, out["children_max_rss_mb"])


def test_exercise_huge_json_is_refused_before_it_is_parsed(exercise):
    """16 million empty objects (45 MB, under the size limit): refused by count, not parsed into
    1.2 GB of the grader's own memory."""
    mode, out = exercise
    assert "JSON objects and lists" in out["results"]["many_objects"]["status"], out["results"]["many_objects"]
    assert out["grader_max_rss_mb"] < 1024, (mode, out["grader_max_rss_mb"])


def cell(student: str) -> str:
    from bpcourse.grader.batch import cell as csv_cell

    return csv_cell(student)


# ------------------------------------------------------------------------ unit level (no kernel, no root)
def test_worker_reads_result_files_safely(tmp_path):
    """The two fixes at unit level (no kernel, no root): a FIFO is refused at once, an array file
    is decoded at most once, and all arrays of one probe together stay under MAX_RESULT_BYTES."""
    import signal

    import numpy as np

    from bpcourse.grader import worker as worker_module

    worker_module.heavy_imports()
    worker = worker_module.Worker.__new__(worker_module.Worker)  # only its file-reading half
    worker.out_dir = tmp_path
    os.mkfifo(tmp_path / "t.json")
    signal.signal(signal.SIGALRM, lambda *a: pytest.fail("reading a FIFO blocked the worker"))
    signal.alarm(10)
    try:
        with pytest.raises(ValueError, match="not a regular file"):
            worker.read_private(tmp_path / "t.json")
    finally:
        signal.alarm(0)
    np.save(tmp_path / "t.0.npy", np.arange(4.0))
    decoded = worker.decode({"a": {"__ndarray__": 0}}, "t", {})
    assert decoded["a"]["__ndarray__"]["shape"] == [4]
    with pytest.raises(ValueError, match="named more than once"):
        worker.decode([{"__ndarray__": 0}, {"__ndarray__": 0}], "t", {})
    big = np.zeros(worker_module.MAX_RESULT_BYTES // 8 // 2 + 1024)  # each just over half the cap
    np.save(tmp_path / "t.1.npy", big)
    np.save(tmp_path / "t.2.npy", big)
    with pytest.raises(ValueError, match="MB in all"):
        worker.decode([{"__ndarray__": 1}, {"__ndarray__": 2}], "t", {})
    worker.result_bytes = 0  # and all the probes of one run together
    worker.count_result(worker_module.MAX_JOB_RESULT_BYTES)
    with pytest.raises(ValueError, match="results are larger than"):
        worker.count_result(1)


def test_batch_folder_links_fifos_and_name_clashes(tmp_path):
    """The batch folder as an unpacked archive or a drop box leaves it: links are listed, never
    followed (a link to / is not walked), and refused when read; a FIFO or /dev/zero neither blocks
    nor fills the grader; a folder beside a file of the same name gives two students."""
    import signal

    from bpcourse.grader.batch import _read, find_submissions
    from bpcourse.grader.notebook import NotebookError, read_submission

    stem = "nb"
    honest = tmp_path / "alice.ipynb"
    honest.write_text('{"cells": []}')
    (tmp_path / "eve.ipynb").symlink_to(honest)
    (tmp_path / "root").symlink_to("/")
    (tmp_path / "zed").mkdir()
    (tmp_path / "zed" / f"{stem}.ipynb").symlink_to("/dev/zero")
    (tmp_path / "ann").mkdir()
    os.mkfifo(tmp_path / "ann" / f"{stem}.ipynb")
    os.mkfifo(tmp_path / "bob.ipynb")
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "deep" / "x").mkdir(parents=True)
    (tmp_path / "alice" / "deep" / "x" / "other.ipynb").write_text("{}")
    signal.signal(signal.SIGALRM, lambda *a: pytest.fail("the grader blocked on the batch folder"))
    signal.alarm(20)
    try:
        found = dict(find_submissions(tmp_path, stem))
        assert sorted(found) == ["alice", "alice.ipynb", "ann", "bob", "eve", "root", "zed"], found
        assert found["alice"].name == "other.ipynb" and found["alice.ipynb"] == honest
        for name, why in [("eve", "symbolic link"), ("root", "symbolic link"), ("zed", "symbolic link"),
                          ("ann", "not a regular file"), ("bob", "not a regular file")]:
            assert _read(found[name]) is None
            with pytest.raises(NotebookError, match=why):
                read_submission(found[name])
        assert read_submission(found["alice.ipynb"]) == {"cells": []}
    finally:
        signal.alarm(0)


def test_learner_text_is_printable_and_csv_names_stay_distinct(tmp_path):
    """Escapes, carriage returns, NUL and bidi overrides from a learner are written as text; names
    differing only by a leading quote keep two rows; a CSV holding such a name resumes cleanly."""
    from bpcourse.grader.batch import GradesCsv, cell as csv_cell, printable, printable_result
    from bpcourse.grader.runner import Assignment, Config, QuestionResult, SubmissionResult

    from .conftest import CHECKS
    from .fixtures import source

    evil = "ok\x1b[2J\rrow\x00\u202e\n2"
    assert printable(evil) == "ok\\x1b[2J\\x0drow\\x00\\u202e\n2"
    assert printable(evil, newlines=False) == "ok\\x1b[2J\\x0drow\\x00\\u202e\\n2"
    assert printable("plain ünïcode\ttab") == "plain ünïcode\ttab"
    assert csv_cell("=x") != csv_cell("'=x") and csv_cell("'=x") == "''=x"
    assignment = Assignment.load(source.build(tmp_path), Config(checks_dir=CHECKS))
    qs = [QuestionResult(q.grade_id, 0.0, q.points, "failed", evil) for q in assignment.questions]
    names = ["=x", "'=x", "a\rb,ok,6"]
    results = [printable_result(SubmissionResult(n, Path(n), "ok", qs, 1.0, [evil], [])) for n in names]
    grades = GradesCsv(tmp_path / "g.csv", assignment, [r.student for r in results])
    grades.add(results)
    rows = list(csv.reader(io.StringIO((tmp_path / "g.csv").read_text())))
    assert [r[0] for r in rows[1:]] == ["'=x", "''=x", "a\\x0db,ok,6"]
    assert "\r" not in (tmp_path / "g.csv").read_text() and "\x1b" not in (tmp_path / "g.csv").read_text()
    again = GradesCsv(tmp_path / "g.csv", assignment, [r.student for r in results], resume=True)
    assert all(again.graded(r.student) for r in results)


def test_a_submission_that_breaks_the_grader_costs_only_its_own_row(tmp_path, monkeypatch):
    """Whatever a submission makes the grader raise (here: the engine's own error, as Dask's was)
    becomes that student's grader error; the others are graded, the CSV has every row."""
    from bpcourse.grader import runner
    from bpcourse.grader.batch import grade_batch

    from .conftest import CHECKS
    from .fixtures import hostile, source

    src = source.build(tmp_path)
    for name in ("ann", "bob", "cid", "x" * 249, os.fsdecode(b"bad\xff\xfename")):
        source.write(hostile.solved(hostile.A1), tmp_path / "subs" / f"{name}.ipynb")
    real = {"questions": {}, "fatal": {}, "stopped": None, "warnings": [], "notes": []}

    def run_worker(job, config):
        if any("bob" in str(c.get("source")) for c in job["cells"]):
            raise TypeError("Could not serialize object of type dict")
        return real, ""

    monkeypatch.setattr(runner, "run_worker", run_worker)
    source.write(hostile.solved(hostile.A1, **{hostile.A2: "# bob\ndy_dx = 1.0"}), tmp_path / "subs" / "bob.ipynb")
    config = runner.Config(checks_dir=CHECKS)
    config.chosen = {"level": "none", "user": None, "notes": []}  # no probe kernel: nothing runs here
    results = {r.student: r for r in grade_batch(tmp_path / "subs", src, tmp_path / "g.csv", tmp_path / "fb", jobs=2,
                                                 config=config, engine="threads")}
    # Names once fatal to the batch too: too long for a feedback file, not UTF-8 (the CSV is UTF-8).
    assert sorted(results) == ["ann", "bad\\xff\\xfename", "bob", "cid", "x" * 249]
    assert len(list((tmp_path / "fb").iterdir())) == 5
    results = {n: r for n, r in results.items() if n in ("ann", "bob", "cid")}
    assert results["bob"].status == "grader error: TypeError: Could not serialize object of type dict"
    assert [r.status for n, r in results.items() if n != "bob"] == ["ok", "ok"]
    assert [row.split(",")[0] for row in (tmp_path / "g.csv").read_text().splitlines()[1:]] == \
        ["ann", "bad\\xff\\xfename", "bob", "cid", "x" * 249]
