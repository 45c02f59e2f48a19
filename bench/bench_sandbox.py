"""Grading time per sandbox level, fairness beside a 64-process busy swarm, and how far a memory
balloon overshoots the budget before it is killed. Not a test.

    python bench/bench_sandbox.py [--notebook 03_matrix_calculus_backprop] [--n 6]

Prints, per level this machine offers, the median seconds per honest submission (the course's
solution) graded one at a time, then a batch of honest submissions with --jobs 2, alone and
beside one submission that starts 64 busy processes, and the ratio of the honest submissions'
median times (the target: at most 2). As root it measures the root level and the unsandboxed
self-check, then runs itself as `nobody` (Debian's python3 in a venv, like the hostile tests) for
the unprivileged level, twice: as the machine is (scheduler autogroups + the worker's throttle),
and inside one shared cpu cgroup where autogroups cannot act (the throttle alone, as on a laptop
whose session sits in a systemd cgroup). In the unprivileged level it also grades a balloon (32
processes taking 200 MB each as fast as they can) a few times and prints what the watchdog
measured when it killed the sandbox, against the 2048 MB budget.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
BALLOON = ("import os, time\nkids = []\nfor _ in range(32):\n    pid = os.fork()\n    if pid == 0:\n"
           "        b = b'x' * (200 * 2**20)\n        time.sleep(20)\n        os._exit(0)\n    kids.append(pid)\n"
           "for p in kids:\n    os.waitpid(p, 0)\n")


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


def with_first_answer(src: Path, code: str, target: Path) -> None:
    nb = make_exercise(nbformat.read(str(src), as_version=4))
    first = next(c for c in nb.cells if is_answer(c) and c.cell_type == "code")
    first.source = code
    nbformat.write(nb, str(target))


def batch(src: Path, honest: int, swarm_seconds: float | None) -> tuple[list[float], float]:
    """Seconds of each honest submission and of the whole batch."""
    tmp = Path(tempfile.mkdtemp())
    try:
        subs = tmp / "subs"
        subs.mkdir()
        for i in range(honest):
            shutil.copy(src, subs / f"honest_{i:02d}.ipynb")
        if swarm_seconds:  # sorted first: it runs beside all the others
            with_first_answer(src, SWARM.format(seconds=swarm_seconds), subs / "aa_swarm.ipynb")
        config = Config(limits=Limits(cell_timeout=swarm_seconds + 30 if swarm_seconds else 60))
        started = time.monotonic()
        results = grade_batch(subs, src, tmp / "grades.csv", jobs=2, config=config)
        took = time.monotonic() - started
        honest_results = [r for r in results if r.student.startswith("honest")]
        touched = [r.student for r in honest_results if any(t[0] or t[3] for t in r.throttled)]
        assert not touched, f"the throttle stopped or reniced an honest kernel: {touched}"
        assert all(r.total == r.max_points for r in honest_results), [(r.student, r.total, r.status)
                                                                       for r in honest_results]
        return [r.seconds for r in honest_results], took
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def balloons(src: Path, runs: int) -> list[int]:
    """MB the watchdog (or the cgroup) measured when it killed a fast balloon, per run."""
    tmp = Path(tempfile.mkdtemp())
    try:
        subs = tmp / "subs"
        subs.mkdir()
        for i in range(runs):
            with_first_answer(src, BALLOON, subs / f"balloon_{i}.ipynb")
        config = Config(limits=Limits(cell_timeout=60, max_restarts=0))
        found = []
        for r in grade_batch(subs, src, tmp / "grades.csv", jobs=1, config=config):
            message = " ".join(q.message for q in r.questions if q.status == "memory limit")
            used = re.search(r"used (\d+) MB", message)
            found.append(int(used.group(1)) if used else -1)
        return found
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report_balloons(src: Path, runs: int = 5) -> None:
    used = balloons(src, runs)
    print(f"  user: a balloon of 32 x 200 MB killed at {used} MB as measured (budget 2048 MB; overshoot "
          f"median {statistics.median(used) - 2048} MB, max {max(used) - 2048} MB); load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)


def fairness(src: Path, label: str) -> None:
    alone, alone_batch = batch(src, 6, None)
    swarmed, swarmed_batch = batch(src, 6, 25.0)
    ratio = statistics.median(swarmed) / statistics.median(alone)
    print(f"  {label}: batch --jobs 2, 6 honest: median {statistics.median(alone):.2f} s each alone "
          f"(batch {alone_batch:.1f} s), {statistics.median(swarmed):.2f} s beside a 64-process swarm "
          f"(max {max(swarmed):.2f}; batch {swarmed_batch:.1f} s): ratio {ratio:.2f} (target <= 2); "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)


def as_nobody(args, extra: list[str], cpu_cgroup: Path | None = None) -> None:
    """Run this benchmark as `nobody` on a copy of the course it can read."""
    from tests.grader.test_hostile import nobody_python

    course = Path(tempfile.mkdtemp(prefix="bpcourse-bench-"))
    course.chmod(0o755)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "bpcourse", course / "bpcourse", ignore=ignore)
    shutil.copytree(ROOT / "bench", course / "bench", ignore=ignore)
    (course / "solutions").mkdir()
    shutil.copy(ROOT / "solutions" / f"{args.notebook}.ipynb", course / "solutions")
    subprocess.run(["chmod", "-R", "a+rX", str(course)], check=True)
    cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", str(nobody_python()),
           str(course / "bench" / "bench_sandbox.py"), "--child", "--notebook", args.notebook, "--n", str(args.n),
           *extra]
    if cpu_cgroup is not None:  # join the cgroup first, then become nobody
        cmd = ["/bin/sh", "-c", f'echo $$ > {cpu_cgroup / "cgroup.procs"} && exec "$@"', "sh", *cmd]
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "PYTHONPATH": str(course)}
    try:
        subprocess.run(cmd, env=env, cwd="/", check=True, timeout=3600)
    finally:
        shutil.rmtree(course, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notebook", default="03_matrix_calculus_backprop")
    ap.add_argument("--n", type=int, default=6)
    ap.add_argument("--no-swarm", action="store_true", help="only the per-submission times")
    ap.add_argument("--parts", default="here,user,throttle",
                    help="as root, which parts to run: here (root and none), user (as nobody), throttle (as nobody "
                         "in one shared cpu cgroup: no autogroups), balloon (only the balloons, as nobody); "
                         "default all but balloon, which user includes")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--only-fairness", default="", help=argparse.SUPPRESS)
    ap.add_argument("--only-balloon", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    src = ROOT / "solutions" / f"{args.notebook}.ipynb"
    from bpcourse.grader.sandbox import autogroups_active

    groups, why = autogroups_active()
    if not args.child:
        print(f"bench_sandbox: {src.name}, {os.cpu_count()} CPUs, uid {os.geteuid()}, "
              f"load average {os.getloadavg()[0]:.1f} at start", flush=True)
    if args.only_balloon:
        report_balloons(src)
        return
    if args.only_fairness:
        fairness(src, args.only_fairness + (" (autogroups on)" if groups else f" (no autogroups: {why})"))
        return
    parts = set(args.parts.split(","))
    levels = (["root"] if os.geteuid() == 0 else ["user"]) + ["none"]
    for level in levels if args.child or os.geteuid() != 0 or "here" in parts else []:
        times, chosen, starts, runs = per_submission(src, level, args.n)
        print(f"  {level:>5} (uid {os.geteuid()}): median {statistics.median(times):.2f} s per honest submission "
              f"(min {min(times):.2f}, max {max(times):.2f}, n={len(times)}; kernel user {chosen.get('user')}); "
              f"of which kernel start {statistics.median(starts):.2f} s, worker run {statistics.median(runs):.2f} s",
              flush=True)
    if not args.no_swarm and (args.child or os.geteuid() != 0 or "here" in parts):
        fairness(src, levels[0] + (" (autogroups on)" if groups else f" (no autogroups: {why})")
                 if levels[0] == "user" else "root (cgroup cpu quota)")
    if levels[0] == "user":
        report_balloons(src)
    if os.geteuid() == 0 and not args.child:
        if "user" in parts:
            as_nobody(args, ["--no-swarm"] if args.no_swarm else [])
        elif "balloon" in parts:
            as_nobody(args, ["--only-balloon"])
        cpu = Path("/sys/fs/cgroup/cpu")
        if not args.no_swarm and "throttle" in parts and os.access(cpu / "cgroup.procs", os.W_OK):
            shared = cpu / f"bpcourse-bench-{os.getpid()}"  # one cgroup for the whole batch: no autogroups
            shared.mkdir()
            try:
                as_nobody(args, ["--only-fairness", "user, throttle only"], cpu_cgroup=shared)
            finally:
                time.sleep(1)
                shared.rmdir()
    print(f"  load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
