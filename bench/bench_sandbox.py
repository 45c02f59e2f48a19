"""Grading time per sandbox level, and fairness beside a 64-process busy swarm. Not a test.

    python bench/bench_sandbox.py [--notebook 03_matrix_calculus_backprop] [--n 8]

Prints the median seconds per honest submission (the course's solution) graded one at a time in
each level this machine offers ("root" needs root; "none" is the unsandboxed self-check), then a
batch of honest submissions with --jobs 2, alone and with one submission that starts 64 busy
processes, and the ratio of the honest submissions' median times (the target: at most 2).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import sys

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # also run as `nobody` with another venv

import nbformat  # noqa: E402

from bpcourse.grader.batch import grade_batch  # noqa: E402
from bpcourse.grader.generate import make_exercise  # noqa: E402
from bpcourse.grader.notebook import is_answer, read_submission, rebuild  # noqa: E402
from bpcourse.grader.runner import (Assignment, Config, Limits, build_job,  # noqa: E402
                                    grade_submission, resolve_sandbox, run_worker)

ROOT = Path(__file__).resolve().parents[1]
SWARM = ("import os, time\nfor _ in range(64):\n    if os.fork() == 0:\n        while True:\n            pass\n"
         "time.sleep({seconds})\n")


def per_submission(src: Path, level: str, n: int) -> tuple[list[float], dict, list[float], list[float]]:
    """Whole grading time of the solution, n times; also the kernel's start-up and the worker's run."""
    config = Config(sandbox=level, require_sandbox=level != "none")
    chosen = resolve_sandbox(config)
    assignment = Assignment.load(src, config)
    times, starts, runs = [], [], []
    for _ in range(n):
        started = time.monotonic()
        r = grade_submission(src, assignment, config)
        times.append(time.monotonic() - started)
        assert r.total == r.max_points, r
        raw, _ = run_worker(build_job(assignment, rebuild(assignment.notebook, read_submission(src)).notebook,
                                      config), config)
        starts.append(raw["start_seconds"][0])
        runs.append(raw["seconds"])
    return times, chosen, starts, runs


def batch(src: Path, honest: int, swarm_seconds: float | None) -> list[float]:
    tmp = Path(tempfile.mkdtemp())
    try:
        subs = tmp / "subs"
        subs.mkdir()
        for i in range(honest):
            shutil.copy(src, subs / f"honest_{i:02d}.ipynb")
        if swarm_seconds:
            nb = make_exercise(nbformat.read(str(src), as_version=4))
            first = next(c for c in nb.cells if is_answer(c) and c.cell_type == "code")
            first.source = SWARM.format(seconds=swarm_seconds)
            nbformat.write(nb, str(subs / "aa_swarm.ipynb"))  # sorted first: it runs beside all the others
        config = Config(limits=Limits(cell_timeout=swarm_seconds + 30 if swarm_seconds else 60))
        results = grade_batch(subs, src, tmp / "grades.csv", jobs=2, config=config)
        honest_results = [r for r in results if r.student.startswith("honest")]
        assert all(r.total == r.max_points for r in honest_results), [(r.student, r.total, r.status)
                                                                       for r in honest_results]
        return [r.seconds for r in honest_results]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notebook", default="03_matrix_calculus_backprop")
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--no-swarm", action="store_true", help="only the per-submission times")
    args = ap.parse_args()
    src = ROOT / "solutions" / f"{args.notebook}.ipynb"
    print(f"bench_sandbox: {src.name}, {os.cpu_count()} CPUs, uid {os.geteuid()}, "
          f"load average {os.getloadavg()[0]:.1f} at start")
    levels = (["root"] if os.geteuid() == 0 else ["user"]) + ["none"]
    for level in levels:
        times, chosen, starts, runs = per_submission(src, level, args.n)
        print(f"  {level:>5}: median {statistics.median(times):.2f} s per honest submission "
              f"(min {min(times):.2f}, max {max(times):.2f}, n={len(times)}; kernel user {chosen.get('user')}); "
              f"of which kernel start {statistics.median(starts):.2f} s, worker run {statistics.median(runs):.2f} s")
    if args.no_swarm:
        return
    alone = batch(src, 6, None)
    swarmed = batch(src, 6, 25.0)
    ratio = statistics.median(swarmed) / statistics.median(alone)
    print(f"  load average {os.getloadavg()[0]:.1f} at the end")
    print(f"  batch --jobs 2, 6 honest: median {statistics.median(alone):.2f} s each alone, "
          f"{statistics.median(swarmed):.2f} s beside a 64-process swarm: ratio {ratio:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
