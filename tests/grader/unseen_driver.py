"""Grade an unseen batch of attacks as the calling user, for test_hostile_unseen.

    python unseen_driver.py WORKDIR COURSE_ROOT {fixture,exercise}

``fixture``: fixtures/unseen_attacks.py against the fixture notebook and its checks; ``exercise``:
fixtures/exercise_attacks.py against the course's exercise 01 (COURSE_ROOT/solutions, /exercises)
and its built-in checks. Like sandbox_driver.py (whose ``lay_out`` and ``summary`` it uses), run as
root or dropped to ``nobody``; also records the peak memory of the grader's children (the workers),
the CSV and the feedback files. Writes WORKDIR/results.json.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

work, course, batch = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
sys.path.insert(0, str(course))

from bpcourse.grader.batch import grade_batch  # noqa: E402
from bpcourse.grader.runner import Config, Limits, resolve_sandbox  # noqa: E402
from tests.grader.fixtures import exercise_attacks, unseen_attacks  # noqa: E402
from tests.grader.sandbox_driver import keep_only, lay_out, summary  # noqa: E402

targets, listener = lay_out(work, course)
subs, hidden = targets["batch"], targets["hidden"].parent
limits = Limits(cell_timeout=10, wall_limit=60, start_timeout=30)
if batch == "fixture":
    expected = {k: v.points for k, v in unseen_attacks.make(subs, targets).items()}
    config = Config(checks_dir=targets["checks"].parent, hidden=[hidden], limits=limits)
else:  # the real exercise 01 and the course's own checks (hidden: the fixture's, which add none to it)
    targets["source"] = Path(shutil.copy(course / "solutions" / f"{exercise_attacks.STEM}.ipynb", work / "src"))
    expected = exercise_attacks.make(subs, targets, course)
    config = Config(hidden=[hidden], limits=limits)
if os.environ.get("BPCOURSE_TEST_ONLY") and batch == "exercise":
    exercise_attacks.remove_deep_folders(subs)  # before shutil.rmtree meets it
expected = keep_only(subs, expected)
started = time.monotonic()
level = resolve_sandbox(config)["level"]
try:  # the Dask engine where installed; the nobody venv (test_hostile.NOBODY_PACKAGES) has it too
    import distributed  # noqa: F401
    engine = "dask"
except ImportError:
    engine = "threads"
results = grade_batch(subs, targets["source"], work / "grades.csv", work / "feedback", jobs=2, config=config,
                      engine=engine)
listener.close()
if batch == "exercise":
    exercise_attacks.remove_deep_folders(subs)
out = {"pid": os.getpid(), "uid": os.getuid(), "level": level, "batch_seconds": time.monotonic() - started,
       "engine": engine, "children_max_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
       "grader_max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
       "results": summary(results), "expected": expected, "csv": (work / "grades.csv").read_text(),
       "feedback": {p.name: p.read_text() for p in sorted((work / "feedback").iterdir())}}
(work / "results.json").write_text(json.dumps(out, indent=1))
