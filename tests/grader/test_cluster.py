"""The batch grader on a real Dask cluster: a `dask scheduler` and two `dask worker` processes on
localhost (commands, not an in-process cluster), honest, blank and hostile submissions sent with
`--cluster`, and one worker killed with SIGKILL while it runs a submission.

Every student gets exactly one row, the honest ones full marks; no kernel, worker or scratch
folder of the batch is left on either worker; the default engine (`--jobs 2`, a local cluster)
gives the same CSV byte for byte apart from the timing column; a worker with another bpcourse
version is refused by name.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

import bpcourse

from .conftest import CHECKS, HIDDEN
from .fixtures import hostile, source

PY = sys.executable
DASK = str(Path(PY).with_name("dask"))
CASES = ("good", "empty", "q1_only", "monkeypatch", "forge_kill_parent", "read_hidden")


def start(cmd: list[str], log: Path, **env) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True,
                                env=dict(os.environ, **env))


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def family(proc: subprocess.Popen) -> set[int]:
    try:
        me = psutil.Process(proc.pid)
        return {proc.pid, *(c.pid for c in me.children(recursive=True))}
    except psutil.Error:
        return set()


def job_processes(owners: set[int]) -> list[psutil.Process]:
    """Live workers and kernels of jobs run by the given Dask worker processes."""
    found = []
    for p in psutil.process_iter(["environ", "status"]):
        token = (p.info.get("environ") or {}).get("BPCOURSE_GRADER_JOB", "")
        if token.split("-")[0] in {str(o) for o in owners} and p.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(p)
    return found


def rows_without_timing(path: Path) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(path.read_text())))
    at = rows[0].index("seconds")
    return [r[:at] + r[at + 1:] for r in rows]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cluster")
    info = tmp / "scheduler.json"
    procs = {"scheduler": start([DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                 "--scheduler-file", str(info)], tmp / "scheduler.log")}
    try:
        for _ in range(600):
            if info.exists() and info.stat().st_size:
                break
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        for name in ("A", "B"):
            # Each worker's own TMPDIR, where its jobs' scratch folders go. Not under pytest's folder:
            # that one is private to root, and a kernel with a uid of its own must pass through.
            scratch = Path(tempfile.mkdtemp(prefix=f"dask-worker-{name}-"))
            scratch.chmod(0o711)
            procs[f"tmp_{name}"] = scratch
            procs[name] = start([DASK, "worker", address, "--nthreads", "1", "--name", name, "--no-dashboard",
                                 "--local-directory", str(tmp / f"dask_{name}")], tmp / f"worker_{name}.log",
                                TMPDIR=str(scratch))
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield tmp, address, procs
    finally:
        for name, proc in procs.items():
            if isinstance(proc, Path):
                shutil.rmtree(proc, ignore_errors=True)
            else:
                stop(proc)


def make_batch(tmp: Path) -> tuple[Path, Path, list[str], dict]:
    src = source.build(tmp)
    hidden = tmp / "hidden"
    shutil.copytree(HIDDEN, hidden)
    subs = tmp / "submissions"
    listener = socket.socket()  # a port for the "network" case's target; not graded here
    listener.bind(("127.0.0.1", 0))
    targets = {"csv": tmp / "grades.csv", "victim": subs / "good.ipynb", "hidden": hidden / "fx_backprop.py",
               "source": src, "port": listener.getsockname()[1]}
    expected = hostile.make_all(subs, targets, same_user=os.geteuid() != 0, only=CASES)
    listener.close()
    for i in (2, 3):
        source.write(hostile.solved(hostile.A1, hostile.A2, hostile.A3), subs / f"good_{i}.ipynb")
        expected[f"good_{i}"] = expected["good"]
    source.write(source.submission({}), subs / "empty_2" / "fx_backprop.ipynb")
    expected["empty_2"] = expected["empty"]
    (subs / "zz_nothing").mkdir()  # a student folder without a notebook
    args = ["--source", str(src), "--checks", str(CHECKS), "--hidden", str(hidden), "--timeout", "6", "--wall", "60"]
    return subs, hidden, args, expected


def grade(subs: Path, csv_path: Path, args: list[str], *extra: str) -> subprocess.Popen:
    return subprocess.Popen([PY, "-m", "bpcourse", "grade", "--batch", str(subs), "--csv", str(csv_path), *args,
                             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_cluster_batch_survives_a_killed_worker(cluster, tmp_path):
    tmp, address, procs = cluster
    subs, hidden, args, expected = make_batch(tmp_path)
    grades = tmp_path / "grades.csv"
    worker_pids = family(procs["A"]) | family(procs["B"])
    grader = grade(subs, grades, args, "--cluster", address)
    killed = False
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and grader.poll() is None:
            a = family(procs["A"])
            worker_pids |= a | family(procs["B"])
            busy = [p for p in job_processes(a)]
            if busy and grades.exists() and len(grades.read_text().splitlines()) >= 2:
                os.killpg(procs["A"].pid, signal.SIGKILL)  # the whole machine "A" dies mid-task
                killed = True
                break
            time.sleep(0.05)
        out, err = grader.communicate(timeout=600)
    finally:
        if grader.poll() is None:
            grader.kill()
    assert killed, "worker A never ran a submission while the batch was going"
    assert grader.returncode == 0, err[-3000:]
    assert "rows" in err and "/s" in err and "left" in err  # the progress bar on stderr

    rows = list(csv.DictReader(io.StringIO(grades.read_text())))
    students = [r["student"] for r in rows]
    assert sorted(students) == sorted([*expected, "zz_nothing"]) and len(set(students)) == len(students)
    by = {r["student"]: r for r in rows}
    for student, want in expected.items():
        assert float(by[student]["total"]) == want.total, (student, by[student])
    for student in ("good", "good_2", "good_3"):
        assert by[student]["total"] == by[student]["max"] == "6" and by[student]["status"] == "ok"
    assert by["zz_nothing"]["status"] == "missing"

    # Nothing of the batch is left on either worker: no worker or kernel process, no scratch folder.
    for _ in range(150):
        left = job_processes(worker_pids)
        scratch = [p for name in ("A", "B") for p in procs[f"tmp_{name}"].iterdir()]
        if not left and not scratch:
            break
        time.sleep(0.2)
    assert left == [], [p.cmdline()[:4] for p in left]
    assert scratch == [], [(str(p), sorted(str(q.relative_to(p)) for q in p.rglob("*"))[:20]) for p in scratch]
    # The default engine (a local cluster of 2 processes) gives the same grades, timing apart.
    local = tmp_path / "local.csv"
    again = grade(subs, local, args, "--jobs", "2")
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err[-3000:]
    assert rows_without_timing(local) == rows_without_timing(grades)


def test_worker_with_another_version_is_refused_by_name(cluster, tmp_path):
    tmp, address, procs = cluster
    fake = tmp_path / "other_version.py"
    fake.write_text("import bpcourse\nbpcourse.__version__ = '0.0.1'\n")
    other = start([DASK, "worker", address, "--nthreads", "1", "--name", "C", "--no-dashboard", "--preload", str(fake),
                   "--local-directory", str(tmp_path / "dask_C")], tmp_path / "worker_C.log")
    try:
        from distributed import Client

        with Client(address, timeout=60) as client:
            deadline = time.monotonic() + 120
            while not any(w.get("name") == "C" for w in client.scheduler_info(n_workers=-1)["workers"].values()):
                assert time.monotonic() < deadline, (tmp_path / "worker_C.log").read_text()[-2000:]
                time.sleep(0.2)
        subs = tmp_path / "subs"
        source.write(hostile.solved(hostile.A1), subs / "ann.ipynb")
        src = source.build(tmp_path)
        done = grade(subs, tmp_path / "grades.csv", ["--source", str(src), "--checks", str(CHECKS)],
                     "--cluster", address)
        out, err = done.communicate(timeout=300)
    finally:
        stop(other)
    assert done.returncode == 2, out + err
    mine = bpcourse.__version__
    assert f"runs bpcourse 0.0.1, this grader bpcourse {mine}" in err and f"install bpcourse=={mine}" in err, err


def test_no_scheduler_at_the_address_is_a_clear_error(tmp_path):
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    subs = tmp_path / "subs"
    source.write(hostile.solved(hostile.A1), subs / "ann.ipynb")
    src = source.build(tmp_path)
    done = subprocess.run([PY, "-m", "bpcourse", "grade", "--batch", str(subs), "--csv", str(tmp_path / "g.csv"),
                           "--source", str(src), "--checks", str(CHECKS), "--cluster", f"tcp://127.0.0.1:{port}"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and f"no Dask scheduler answers at tcp://127.0.0.1:{port}" in done.stderr, done.stderr


class _FlakyFuture:
    """A Dask future the scheduler cancels (as it may when a worker dies mid-task): its result()
    fails as distributed's sync() then fails, with an UnboundLocalError, status 'cancelled'."""

    def __init__(self, outcome):
        self.outcome, self.status, self.released = outcome, "pending", False

    def result(self, timeout=None):
        if self.outcome == "cancelled":
            self.status = "cancelled"
            raise UnboundLocalError("cannot access local variable 'result' where it is not associated with a value")
        if self.outcome == "broken":
            raise UnboundLocalError("a bug elsewhere")
        return self.outcome

    def release(self):
        self.released = True


class _FakeClient:
    def __init__(self, outcomes):
        self.outcomes, self.futures = list(outcomes), []

    def submit(self, *args, **kwargs):
        self.futures.append(_FlakyFuture(self.outcomes.pop(0)))
        return self.futures[-1]


def _engine_with(outcomes):
    from bpcourse.grader.cluster import DaskEngine

    engine = object.__new__(DaskEngine)  # no cluster: the submit/wait logic alone
    engine.client, engine.cluster, engine.expected = _FakeClient(outcomes), None, {}
    engine.closing, engine.busy_seconds = False, 0.0
    return engine


def test_a_task_the_scheduler_cancels_is_sent_again_and_its_grades_come_back():
    engine = _engine_with(["cancelled", ({"questions": {}}, "", 1.5)])
    submitted = []
    assert engine.run({"job": 1}, None, submitted=lambda: submitted.append(1)) == ({"questions": {}}, "")
    assert len(engine.client.futures) == 2 and all(f.released for f in engine.client.futures)
    assert submitted == [1] and engine.busy_seconds == 1.5


def test_a_task_cancelled_every_time_is_a_worker_failure_not_a_crash():
    from bpcourse.grader.cluster import RESUBMISSIONS

    engine = _engine_with(["cancelled"] * (1 + RESUBMISSIONS))
    result, problem = engine.run({"job": 1}, None)
    assert result is None and problem.startswith("worker failed") and "cancelled" in problem


def test_an_unbound_local_that_is_no_cancellation_is_not_swallowed():
    with pytest.raises(UnboundLocalError, match="a bug elsewhere"):
        _engine_with(["broken"]).run({"job": 1}, None)
