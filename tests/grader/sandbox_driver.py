"""Grade the sandbox attacks (fixtures/sandbox_attacks.py) as the calling user, for test_hostile.

    python sandbox_driver.py WORKDIR COURSE_ROOT [swarm_seconds]

Run as root (CI) or dropped to ``nobody`` with setpriv (then COURSE_ROOT is a copy of the course
that nobody can read, and the interpreter a venv from Debian's python3). Writes WORKDIR/results.json.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import time
from pathlib import Path

work, course = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(course))

from bpcourse.grader.batch import grade_batch  # noqa: E402
from bpcourse.grader.runner import Config, Limits, resolve_sandbox  # noqa: E402
from tests.grader.fixtures import sandbox_attacks, source  # noqa: E402

FIXTURES = course / "tests" / "grader" / "fixtures"
(work / "src").mkdir()
src = source.build(work / "src")
checks = work / "checks"
shutil.copytree(FIXTURES / "checks", checks)
hidden = work / "hidden"
shutil.copytree(FIXTURES / "hidden", hidden)
home = work / "home" / ".ssh"
home.mkdir(parents=True)
(home / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY----- (the instructor's)\n")
drop = Path(os.environ.get("BPCOURSE_TEST_DROP", work / "drop"))
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(8)
subs = work / "batch"
targets = {"source": src, "checks": checks / "fx_backprop.py", "hidden": hidden / "fx_backprop.py",
           "home_secret": home / "id_rsa", "batch": subs, "csv": work / "grades.csv", "drop": drop,
           "marker": os.environ["BPCOURSE_TEST_MARKER"], "port": listener.getsockname()[1],
           "swarm_seconds": float(sys.argv[3]) if len(sys.argv) > 3 else 6.0}
subs.mkdir()
expected = sandbox_attacks.make(subs, targets)
only = os.environ.get("BPCOURSE_TEST_ONLY")
if only:
    keep = set(only.split(","))
    for p in subs.iterdir():
        if p.stem not in keep:
            p.unlink()
    expected = {k: v for k, v in expected.items() if k in keep}
unsafe = os.environ.get("BPCOURSE_TEST_SANDBOX") == "none"  # the control run: what the attacks do unsandboxed
config = Config(checks_dir=checks, hidden=[hidden], sandbox="none" if unsafe else "auto", require_sandbox=not unsafe,
                limits=Limits(cell_timeout=float(os.environ.get("BPCOURSE_TEST_CELL_TIMEOUT", 8)), wall_limit=90))
started = time.monotonic()
box = resolve_sandbox(config)
probe_s = time.monotonic() - started
finished: dict[str, float] = {}
results = grade_batch(subs, src, work / "grades.csv", jobs=2, config=config,
                      progress=lambda r: finished.__setitem__(r.student, time.monotonic() - started))
listener.close()
out = {"pid": os.getpid(), "uid": os.getuid(), "level": box["level"], "probe_seconds": probe_s,
       "batch_seconds": time.monotonic() - started,
       "results": {r.student: {"total": r.total, "status": r.status, "seconds": r.seconds, "notes": r.notes,
                               "finished": finished.get(r.student), "throttled": r.throttled,
                               "points": {q.grade_id: q.points for q in r.questions},
                               "questions": [(q.grade_id, q.status, q.message[:200]) for q in r.questions]}
                   for r in results},
       "expected": {k: v.points for k, v in expected.items()}}
(work / "results.json").write_text(json.dumps(out, indent=1))
