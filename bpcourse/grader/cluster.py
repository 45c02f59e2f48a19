"""The batch grader's engine: Dask distributed, on an embedded local cluster or an existing scheduler.

    engine = DaskEngine(jobs=2)                       # N worker processes on this machine
    engine = DaskEngine(address="tcp://host:8786")    # workers started elsewhere (see docs/grading.md)
    result, problem = engine.run(job, config)         # what ``runner.run_worker`` returns

One task is one submission: the job (the source's cells with the learner's answers, the probes'
code and inputs) travels to a worker as task data, where ``run_task`` runs it in the hardened
worker of ``runner.run_worker`` (so the sandbox is decided on the machine that runs it) and sends
back the result whose signature it verified. The checks' ``verify`` functions never leave the
grader's process, which alone judges answers and writes the CSV.

A worker that dies mid-task is replaced by Dask (its tasks run again elsewhere, up to the
scheduler's ``allowed-failures``, 3 by default); after that the submission gets a "worker failed"
row. A worker running another bpcourse version (or other sandbox code) is refused, by name.
"""
from __future__ import annotations

import asyncio
import copy
import hashlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The files that run on a worker around a learner's kernel: grader and workers must agree on them.
WORKER_SIDE = ("runner.py", "worker.py", "_launch_kernel.py", "notebook.py", "sandbox.py", "seccomp.py", "watchdog.py")


class ClusterError(RuntimeError):
    """The cluster cannot grade this batch (a worker of another version, no scheduler, ...)."""


def code_fingerprint() -> str:
    """A short hash of the worker-side grader code (sandbox modules included), to compare machines."""
    digest = hashlib.sha256()
    for path in sorted({*(HERE / name for name in WORKER_SIDE), *HERE.glob("sandbox*.py")}):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def identity() -> dict:
    """What a machine runs: bpcourse's version and the fingerprint of its worker-side code."""
    import bpcourse

    return {"version": bpcourse.__version__, "code": code_fingerprint(), "host": socket.gethostname(),
            "python": sys.version.split()[0]}


def same_grader(mine: dict, theirs: dict) -> bool:
    return (mine["version"], mine["code"]) == (theirs.get("version"), theirs.get("code"))


def refusal(address: str, mine: dict, theirs) -> str:
    if isinstance(theirs, BaseException):
        return (f"the Dask worker {address} cannot run the grader ({type(theirs).__name__}: {theirs}); "
                f"install bpcourse=={mine['version']} there")
    if theirs.get("version") != mine["version"]:
        return (f"the Dask worker {address} ({theirs.get('host')}) runs bpcourse {theirs.get('version')}, "
                f"this grader bpcourse {mine['version']}: install bpcourse=={mine['version']} there "
                "or stop that worker")
    return (f"the Dask worker {address} ({theirs.get('host')}) runs bpcourse {theirs.get('version')} with other "
            f"worker-side code (fingerprint {theirs.get('code')}, this grader {mine['code']}): "
            "install the same bpcourse on every machine")


# A worker machine's own sandbox decision, made once per worker process (remote clusters only).
_BOXES: dict[tuple, dict] = {}


def run_task(job: dict, config, expected: dict, probe_here: bool = False):
    """One submission, on a Dask worker: (verified result or None, problem, seconds), or a refusal.

    With ``probe_here`` (a remote cluster) the sandbox is decided on this machine, once, by the
    runner's probe kernel, and replaces the grader's placeholder in the job. The refusals
    (another version; no sandbox where one is required) cover workers that joined after the
    grader checked the cluster.
    """
    mine = identity()
    if not same_grader(expected, mine):
        return {"refused": mine}
    from bpcourse.grader.runner import SandboxUnavailable, resolve_sandbox, run_worker

    notes: list[str] = []
    if probe_here:
        local = copy.copy(config)
        key = (config.sandbox, config.kernel_user, config.require_sandbox, config.bwrap,
               config.limits.quota_mb, config.limits.cpus)
        local.chosen = _BOXES.get(key)
        try:
            box = _BOXES[key] = resolve_sandbox(local)
        except SandboxUnavailable as exc:
            return {"unavailable": str(exc), "host": mine["host"]}
        notes = list(box.get("notes", []))
        job = dict(job, sandbox={k: v for k, v in box.items() if k != "notes"})
        if box["level"] == "none" and box.get("user") is None:
            job["limits"] = dict(job["limits"], nproc=None)  # RLIMIT_NPROC counts the whole user
        config = local
    started = time.perf_counter()
    result, problem = run_worker(job, config)
    if result is not None and notes:
        result["notes"] = [f"on {mine['host']}: {n}" for n in notes] + list(result.get("notes", []))
    return result, problem, time.perf_counter() - started


def _dashboard_available() -> bool:
    try:
        import bokeh  # noqa: F401  (Dask serves its dashboard only with bokeh installed)
        return True
    except ImportError:
        return False


RESUBMISSIONS = 2  # a task the scheduler cancels is sent again this many times
_STOPPED, _CANCELLED = object(), object()  # what DaskEngine._wait returns besides a task's output


class DaskEngine:
    """Runs jobs as Dask tasks; ``run`` blocks until its job's result is back (called from threads)."""

    def __init__(self, jobs: int = 2, address: str | None = None, connect_timeout: float = 15):
        if jobs < 1:
            raise ValueError(f"--jobs must be at least 1, got {jobs}")
        from distributed import Client, LocalCluster

        self.cluster = None
        self.scratch = None
        self.expected = identity()
        # Dask's own INFO lines would bury the grader's output; warnings and errors still show.
        for name in ("distributed", "distributed.deploy", "distributed.scheduler", "distributed.worker"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self.procs: list[subprocess.Popen] = []
        self.lock = threading.Lock()
        self.closing = False
        self.busy_seconds = 0.0
        if address:
            try:
                self.client = Client(address, timeout=connect_timeout)
            except OSError as exc:
                raise ClusterError(f"no Dask scheduler answers at {address}: {exc}") from None
        else:
            # The embedded cluster: a scheduler in this process and N `dask worker` processes, started
            # as commands (not forked or spawned from here: a spawn would re-run the instructor's
            # script, and the local run takes the very path a cluster's machines take).
            self.cluster = LocalCluster(n_workers=0, processes=False, protocol="tcp://", host="127.0.0.1",
                                        scheduler_port=0,
                                        dashboard_address=":0",  # a free port: never 8787, which others use
                                        silence_logs=logging.WARNING)
            self.client = Client(self.cluster)
            self.scratch = tempfile.mkdtemp(prefix=f"bpgrade-dask-{os.getpid()}-")
            for i in range(jobs):
                self.procs.append(start_local_worker(self.cluster.scheduler_address, self.scratch, i))
            try:
                self.wait_for_local_workers(jobs, deadline=time.monotonic() + 120)
            except BaseException:
                self.close()
                raise
        try:
            self.check_workers()
        except BaseException:
            self.close()
            raise

    def wait_for_local_workers(self, n: int, deadline: float) -> None:
        while len(self.client.scheduler_info(n_workers=-1).get("workers", {})) < n:
            for i, proc in enumerate(self.procs):
                if proc.poll() is not None:
                    log = Path(self.scratch) / f"worker{i}" / "worker.log"
                    tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
                    raise ClusterError(f"a local Dask worker exited at start ({proc.returncode}): {' '.join(tail)}")
            if time.monotonic() > deadline:
                raise ClusterError(f"the {n} local Dask workers did not start in time")
            time.sleep(0.1)

    def revive_local_workers(self) -> None:
        """Start again a local worker that died (a worker machine's nanny would; ours have none)."""
        with self.lock:
            for i, proc in enumerate(self.procs):
                if proc.poll() is not None and self.cluster is not None and not self.closing:
                    self.procs[i] = start_local_worker(self.cluster.scheduler_address, self.scratch, i)

    def check_workers(self) -> None:
        found = self.client.run(identity, on_error="return")
        bad = [refusal(addr, self.expected, who) for addr, who in sorted(found.items())
               if isinstance(who, BaseException) or not same_grader(self.expected, who)]
        if bad:
            raise ClusterError("; ".join(bad))

    @property
    def slots(self) -> int:
        """Tasks the cluster runs at once right now (threads over all workers)."""
        return int(self.client.scheduler_info(n_workers=0).get("total_threads", 0))

    @property
    def dashboard(self) -> str | None:
        """The Dask dashboard's address, when one is up (it needs bokeh on the scheduler's machine)."""
        if self.cluster is not None and not _dashboard_available():
            return None  # without bokeh the local scheduler serves only its health routes there
        services = self.client.scheduler_info(n_workers=0).get("services", {})
        return self.client.dashboard_link if "dashboard" in services else None

    def run(self, job: dict, config, order: int = 0, submitted=None):
        """Run ``job`` on the cluster; lower ``order`` first (the batch passes the folder's order).
        ``submitted()``, if given, is called as soon as the task is handed to the scheduler.

        When a worker dies mid-task the scheduler normally runs the task again elsewhere; now and
        then it cancels it instead (it lost track of the key): the job is then sent again, as a new
        task, up to ``RESUBMISSIONS`` times (grading a notebook again gives the same grades)."""
        from distributed import KilledWorker

        for attempt in range(1 + RESUBMISSIONS):
            future = self.client.submit(run_task, job, config, self.expected, self.cluster is not None, pure=False,
                                        key=f"bpgrade-{uuid.uuid4().hex}", priority=-order)
            if submitted is not None and attempt == 0:
                submitted()
            try:
                out = self._wait(future)
            except KilledWorker as exc:
                return None, f"worker failed (the Dask workers running it died, each time: {exc})"[:500]
            finally:
                future.release()
            if out is _STOPPED:
                return None, "worker failed (the batch was stopped before this submission finished)"
            if out is not _CANCELLED:
                break
        else:
            return None, f"worker failed (the Dask scheduler cancelled this submission's task {1 + RESUBMISSIONS} times)"
        if isinstance(out, dict) and "refused" in out:
            worker = out["refused"]
            raise ClusterError(refusal(worker.get("host", "?"), self.expected, worker))
        if isinstance(out, dict) and "unavailable" in out:
            raise ClusterError(f"the Dask worker on {out['host']}: {out['unavailable']}")
        result, problem, seconds = out
        self.busy_seconds += seconds  # time spent in the hardened worker: the rest is Dask's and idle
        return result, problem

    def _wait(self, future):
        """The task's output; ``_STOPPED`` if the batch stopped meanwhile, ``_CANCELLED`` if the
        scheduler cancelled the task. Revives dead local workers while it waits."""
        while True:
            try:
                return future.result(timeout=2)
            except (TimeoutError, asyncio.TimeoutError):  # the same class from Python 3.11 on
                if self.closing:  # the batch stopped (an error elsewhere, Ctrl-C): stop waiting
                    return _STOPPED
                self.revive_local_workers()
            except (asyncio.CancelledError, UnboundLocalError):
                # A cancelled task raises CancelledError, a BaseException, inside distributed's sync(),
                # which catches Exception only and then fails on its unset result (UnboundLocalError).
                if future.status != "cancelled":
                    raise
                return _CANCELLED

    @property
    def decides_sandbox(self) -> bool:
        """On a remote cluster each worker machine probes its own sandbox; a local one shares ours."""
        return self.cluster is not None

    def close(self) -> None:
        self.closing = True
        try:
            self.client.close()
        finally:
            for proc in self.procs:  # SIGTERM: the nanny stops its worker, whose jobs end their kernels
                if proc.poll() is None:
                    proc.terminate()
            for proc in self.procs:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            if self.cluster is not None:
                self.cluster.close()
                shutil.rmtree(self.scratch, ignore_errors=True)


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when the grader dies (Linux), so no worker outlives it."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG


def start_local_worker(address: str, scratch: str, index: int) -> subprocess.Popen:
    """One `dask worker` process for the embedded cluster."""
    folder = Path(scratch) / f"worker{index}"
    folder.mkdir(exist_ok=True)
    # No nanny: one process per worker starts twice as fast; the engine restarts a dead one itself.
    cmd = [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
           "--no-dashboard", "--death-timeout", "60", "--local-directory", str(folder), "--name", f"local-{index}"]
    # The very bpcourse this grader runs (a checkout on sys.path, say), first on the worker's path.
    package_root = str(HERE.parents[1])
    path = os.pathsep.join([package_root, *filter(None, [os.environ.get("PYTHONPATH")])])
    env = dict(os.environ, BPCOURSE_GRADER_PID=str(os.getpid()), DASK_LOGGING__DISTRIBUTED="warning",
               PYTHONPATH=path)
    with open(folder / "worker.log", "ab") as log:
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                start_new_session=True, preexec_fn=_die_with_parent)
