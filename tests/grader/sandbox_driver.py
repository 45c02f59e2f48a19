"""Grade the sandbox attacks (fixtures/sandbox_attacks.py) as the calling user, for test_hostile.

    python sandbox_driver.py WORKDIR COURSE_ROOT [swarm_seconds]

Run as root (CI) or dropped to ``nobody`` with setpriv (then COURSE_ROOT is a copy of the course
that nobody can read, and the interpreter a venv from Debian's python3). Writes WORKDIR/results.json.
``lay_out`` and ``summary`` also serve unseen_driver.py (test_hostile_unseen).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import time
from pathlib import Path


def lay_out(work: Path, course: Path) -> tuple[dict, socket.socket]:
    """The instructor's side of a batch under ``work``: the fixture source, checks, hidden checks,
    a home with a secret, an empty batch folder, a listening port. Returns (targets, listener):
    the paths an attacker is assumed to have guessed, and the port's socket (close it after)."""
    from tests.grader.fixtures import source

    fixtures = course / "tests" / "grader" / "fixtures"
    (work / "src").mkdir()
    src = source.build(work / "src")
    checks = work / "checks"
    shutil.copytree(fixtures / "checks", checks)
    hidden = work / "hidden"
    shutil.copytree(fixtures / "hidden", hidden)
    home = work / "home" / ".ssh"
    home.mkdir(parents=True)
    (home / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY----- (the instructor's)\n")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    subs = work / "batch"
    subs.mkdir()
    targets = {"source": src, "checks": checks / "fx_backprop.py", "hidden": hidden / "fx_backprop.py",
               "home_secret": home / "id_rsa", "batch": subs, "csv": work / "grades.csv",
               "marker": os.environ["BPCOURSE_TEST_MARKER"], "port": listener.getsockname()[1]}
    return targets, listener


def keep_only(subs: Path, expected: dict) -> dict:
    """With BPCOURSE_TEST_ONLY=a,b: drop every other submission from the batch folder."""
    only = os.environ.get("BPCOURSE_TEST_ONLY")
    if not only:
        return expected
    keep = set(only.split(","))
    for p in subs.iterdir():
        if p.stem not in keep:
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
    return {k: v for k, v in expected.items() if k in keep}


def summary(results, finished: dict | None = None) -> dict:
    """What the tests read of each student's result (JSON data)."""
    return {r.student: {"total": r.total, "status": r.status, "seconds": r.seconds, "notes": r.notes,
                        "warnings": r.warnings, "finished": (finished or {}).get(r.student),
                        "throttled": getattr(r, "throttled", None),  # grader-usermode's watchdog report
                        "points": {q.grade_id: q.points for q in r.questions},
                        "questions": [(q.grade_id, q.status, q.message[:200]) for q in r.questions]}
            for r in results}


def course_for_nobody(root: Path, extra=()) -> Path:
    """A copy of the course that ``nobody`` can read (the package, tests/grader and the ``extra``
    files, relative to ``root``), for a driver dropped to nobody; the caller removes it."""
    import subprocess
    import tempfile

    course = Path(tempfile.mkdtemp(prefix="bpcourse-course-"))
    course.chmod(0o755)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(root / "bpcourse", course / "bpcourse", ignore=ignore)
    shutil.copytree(root / "tests" / "grader", course / "tests" / "grader", ignore=ignore)
    for name in extra:
        (course / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / name, course / name)
    subprocess.run(["chmod", "-R", "a+rX", str(course)], check=True)
    return course


def main() -> None:
    work, course = Path(sys.argv[1]), Path(sys.argv[2])
    sys.path.insert(0, str(course))

    from bpcourse.grader.batch import grade_batch
    from bpcourse.grader.runner import Config, Limits, resolve_sandbox
    from tests.grader.fixtures import sandbox_attacks

    targets, listener = lay_out(work, course)
    subs = targets["batch"]
    checks, hidden = targets["checks"].parent, targets["hidden"].parent
    drop = Path(os.environ.get("BPCOURSE_TEST_DROP", work / "drop"))
    targets.update(drop=drop, swarm_seconds=float(sys.argv[3]) if len(sys.argv) > 3 else 6.0)
    expected = keep_only(subs, sandbox_attacks.make(subs, targets))
    unsafe = os.environ.get("BPCOURSE_TEST_SANDBOX") == "none"  # the control run: what the attacks do unsandboxed
    config = Config(checks_dir=checks, hidden=[hidden], sandbox="none" if unsafe else "auto", require_sandbox=not unsafe,
                    limits=Limits(cell_timeout=float(os.environ.get("BPCOURSE_TEST_CELL_TIMEOUT", 8)), wall_limit=90))
    started = time.monotonic()
    box = resolve_sandbox(config)
    probe_s = time.monotonic() - started
    finished: dict[str, float] = {}
    results = grade_batch(subs, targets["source"], work / "grades.csv", jobs=2, config=config,
                          progress=lambda r: finished.__setitem__(r.student, time.monotonic() - started))
    listener.close()
    out = {"pid": os.getpid(), "uid": os.getuid(), "level": box["level"], "probe_seconds": probe_s,
           "batch_seconds": time.monotonic() - started, "results": summary(results, finished),
           "expected": {k: v.points for k, v in expected.items()}}
    (work / "results.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
