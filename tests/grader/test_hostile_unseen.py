"""A second, unseen batch of attacks on the sandboxed grader (issue 12's acceptance): attacks of
the kinds test_hostile.py covers, written afresh (fixtures/unseen_attacks.py), graded beside honest
classmates with 2 workers, as root (CI) and dropped to `nobody` (unprivileged user namespaces).

Each attack scores 0 on what it attacks (or keeps exactly the points it earned honestly), the
honest classmates get full marks, and no file or process is left. Two of these attacks were holes
before the worker was fixed: a FIFO in place of the probe's result file blocked the worker in
`open` past every timeout (the submission lost everything after 105 s, its kernel ran on), and one
.npy named 48 times in the probe's JSON made the worker (no memory limit) hold 2.1 GB.
"""
from __future__ import annotations

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
from .fixtures.unseen_attacks import HONEST
from .test_hostile import ROOT, nobody_python

ATTACKS = ("fifo_result", "npy_repeat", "liars", "nans", "forged_records", "silenced", "fork_bomb", "fill_all",
           "sockets", "proc_links", "iopub_flood", "memfd_balloon", "sysv_shm_balloon")
# Memory outside the address space is bounded only by the memory cgroup, which needs root; as an
# ordinary user these two still take 3 GB (a known hole of the unprivileged level, docs/grading.md).
ROOT_ONLY = ("memfd_balloon", "sysv_shm_balloon")


def run_unseen(mode: str) -> dict:
    marker = f"bpcourse-unseen-{uuid.uuid4().hex[:10]}"
    work = Path(tempfile.mkdtemp(prefix="bpcourse-unseen-"))
    env = {"PATH": "/usr/bin:/bin", "BPCOURSE_TEST_MARKER": marker}
    driver = "tests/grader/unseen_driver.py"
    if mode == "root":
        course = ROOT
        env["HOME"] = os.environ.get("HOME", "/root")
        cmd = [sys.executable, str(ROOT / driver), str(work), str(ROOT)]
    else:
        course = Path(tempfile.mkdtemp(prefix="bpcourse-course-"))  # a copy nobody can read
        course.chmod(0o755)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(ROOT / "bpcourse", course / "bpcourse", ignore=ignore)
        shutil.copytree(ROOT / "tests" / "grader", course / "tests" / "grader", ignore=ignore)
        subprocess.run(["chmod", "-R", "a+rX", str(course)], check=True)
        shutil.chown(work, "nobody", "nogroup")
        env["HOME"] = "/nonexistent"
        cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", str(nobody_python()),
               str(course / driver), str(work), str(course)]
    try:
        ran = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, cwd="/")
        assert ran.returncode == 0, ran.stderr[-4000:]
        out = json.loads((work / "results.json").read_text())
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if mode != "root":
            shutil.rmtree(course, ignore_errors=True)
    time.sleep(1)
    out["left_files"] = sorted(str(p) for d in ("/tmp", "/var/tmp", "/dev/shm") for p in Path(d).glob(f"{marker}*"))
    out["left_files"] += sorted(str(p) for p in Path(tempfile.gettempdir()).glob(f"bpgrade-job-{out['pid']}-*"))
    out["left_processes"] = [(p.pid, p.info.get("name")) for p in grader_processes(f"{out['pid']}-")]
    return out


@pytest.fixture(scope="session", params=["root", "nobody"])
def unseen(request):
    if os.geteuid() != 0:
        pytest.skip("dropping to nobody and the root sandbox need root (CI is root)")
    return request.param, run_unseen(request.param)


@pytest.mark.parametrize("attack", ATTACKS)
def test_unseen_attack_scores_what_it_earned(unseen, attack):
    mode, out = unseen
    if mode != "root" and attack in ROOT_ONLY:
        assert attack not in out["results"]
        return
    r = out["results"][attack]
    assert r["points"] == out["expected"][attack], (mode, attack, r)
    assert not r["notes"], (mode, attack, r["notes"])


def test_unseen_honest_classmates_full_marks_nothing_left(unseen):
    mode, out = unseen
    assert out["level"] == ("root" if mode == "root" else "user"), out["level"]
    for name in HONEST:
        assert out["results"][name]["total"] == 6, (mode, name, out["results"][name])
    assert out["left_files"] == [], out["left_files"]
    assert out["left_processes"] == [], out["left_processes"]
    want = [a for a in ATTACKS if mode == "root" or a not in ROOT_ONLY]
    assert sorted(out["results"]) == sorted([*want, *HONEST])


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
