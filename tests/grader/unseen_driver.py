"""Grade the unseen attacks (fixtures/unseen_attacks.py) as the calling user, for test_hostile_unseen.

    python unseen_driver.py WORKDIR COURSE_ROOT

Like sandbox_driver.py (root in CI, or dropped to ``nobody`` with setpriv); also records the peak
memory of the grader's children (the workers), which a result-channel attack tries to blow up.
Writes WORKDIR/results.json.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import sys
import time
from pathlib import Path

work, course = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(course))

from bpcourse.grader.batch import grade_batch  # noqa: E402
from bpcourse.grader.runner import Config, Limits, resolve_sandbox  # noqa: E402
from tests.grader.fixtures import source, unseen_attacks  # noqa: E402

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
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(8)
subs = work / "batch"
subs.mkdir()
targets = {"source": src, "checks": checks / "fx_backprop.py", "hidden": hidden / "fx_backprop.py",
           "home_secret": home / "id_rsa", "csv": work / "grades.csv", "marker": os.environ["BPCOURSE_TEST_MARKER"],
           "port": listener.getsockname()[1]}
expected = unseen_attacks.make(subs, targets, unprivileged=os.geteuid() != 0)
only = os.environ.get("BPCOURSE_TEST_ONLY")
if only:
    for p in subs.iterdir():
        if p.stem not in only.split(","):
            p.unlink()
    expected = {k: v for k, v in expected.items() if k in only.split(",")}
config = Config(checks_dir=checks, hidden=[hidden], limits=Limits(cell_timeout=10, wall_limit=60, start_timeout=30))
started = time.monotonic()
level = resolve_sandbox(config)["level"]
try:  # the Dask engine where installed; the nobody venv (test_hostile.NOBODY_PACKAGES) has the threads one
    import distributed  # noqa: F401
    engine = "dask"
except ImportError:
    engine = "threads"
results = grade_batch(subs, src, work / "grades.csv", jobs=2, config=config, engine=engine)
listener.close()
out = {"pid": os.getpid(), "uid": os.getuid(), "level": level,
       "batch_seconds": time.monotonic() - started, "engine": engine,
       "children_max_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
       "results": {r.student: {"total": r.total, "status": r.status, "seconds": r.seconds, "notes": r.notes, "warnings": r.warnings,
                               "points": {q.grade_id: q.points for q in r.questions},
                               "questions": [(q.grade_id, q.status, q.message[:200]) for q in r.questions]}
                   for r in results},
       "expected": {k: v.points for k, v in expected.items()}}
(work / "results.json").write_text(json.dumps(out, indent=1))
