"""Resource limits on the kernel (CPU seconds, file size, processes) and the worker-command prefix."""
from __future__ import annotations

import os
import stat

import pytest

from bpcourse.grader.batch import grade_batch
from bpcourse.grader.runner import Config, Limits

from .conftest import CHECKS, grader_processes
from .fixtures import hostile, source
from .fixtures.hostile import A1, A2, A3, Q1, Q2, Q3, SOLVED

LIMITED = {
    # A GIL-holding loop with a long cell timeout: RLIMIT_CPU ends it (SIGXCPU), not the timeout.
    "cpu_hog": (hostile.solved(A1, A2, **{A3: "sum(range(10**13))"}), Q3, "cpu limit"),
    # A 100 MB file against an 8 MB RLIMIT_FSIZE: the write fails (EFBIG), the kernel lives on.
    "big_file": (hostile.solved(A2, A3, **{A1: "open('big.bin', 'wb').write(b'x' * 100 * 2**20)\n" + SOLVED[A1]}),
                 Q1, "file size limit"),
    # Threads/processes beyond RLIMIT_NPROC (set only when the kernel has its own user).
    "many_threads": (hostile.solved(A1, A3, **{A2: (
        "import threading, time\nts = []\nfor _ in range(5000):\n"
        "    t = threading.Thread(target=time.sleep, args=(30,), daemon=True); t.start(); ts.append(t)\n"
        "dy_dx = 42.0")}), Q2, "error"),
}


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("limits")
    src = source.build(tmp)
    for name, (nb, _, _) in LIMITED.items():
        source.write(nb, tmp / "subs" / f"{name}.ipynb")
    config = Config(checks_dir=CHECKS, limits=Limits(cell_timeout=25, wall_limit=60, cpu_s=5, fsize_mb=8, nproc=200))
    results = {r.student: r for r in grade_batch(tmp / "subs", src, tmp / "grades.csv", jobs=2, config=config)}
    return results, config


@pytest.mark.parametrize("name", sorted(LIMITED))
def test_limit_costs_only_its_question(limited, name):
    results, config = limited
    _, question, status = LIMITED[name]
    if name == "many_threads" and config.resolved_user() is None:
        status = "passed"  # RLIMIT_NPROC counts every process of the user, so it is not set without one
    r = results[name]
    by_id = {q.grade_id: q for q in r.questions}
    assert by_id[question].status == status, (by_id[question], r.status)
    others = [q for q in r.questions if q.grade_id != question]
    assert all(q.status == "passed" for q in others), r
    assert grader_processes(f"{os.getpid()}-") == []


def test_worker_command_prefix_wraps_the_worker(fixture_source, tmp_path):
    """An instructor's wrapper (container, no-network runner) goes in front of the worker command."""
    marker = tmp_path / "wrapped"
    wrapper = tmp_path / "wrap.sh"
    wrapper.write_text(f"#!/bin/sh\necho \"$@\" > {marker}\nexec unshare --net \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    source.write(hostile.solved(A1, A2, A3), tmp_path / "subs" / "good.ipynb")
    config = Config(checks_dir=CHECKS, limits=Limits(cell_timeout=20, wall_limit=60), worker_cmd=[str(wrapper)])
    (result,) = grade_batch(tmp_path / "subs", fixture_source, tmp_path / "grades.csv", jobs=1, config=config)
    assert result.total == 6, result
    assert "worker.py" in marker.read_text()


def test_auto_user_falls_back_visibly_when_nobody_cannot_run_python(fixture_source, tmp_path):
    """Root without namespaces (a default docker container) and Python under /root: the kernel runs
    as the grader's user and the result says so, instead of every submission failing."""
    import sys
    from pathlib import Path

    source.write(hostile.solved(A1, A2, A3), tmp_path / "subs" / "good.ipynb")
    config = Config(checks_dir=CHECKS, limits=Limits(cell_timeout=20, wall_limit=60), namespaces=False)
    (result,) = grade_batch(tmp_path / "subs", fixture_source, tmp_path / "grades.csv", jobs=1, config=config)
    assert result.total == 6, result
    closed = [p for p in Path(sys.base_prefix).parents if not p.stat().st_mode & stat.S_IXOTH]
    unreachable = config.resolved_user() is not None and bool(closed)
    assert any("could not start as" in n for n in result.notes) == unreachable, result.notes
