"""Grade one submission: rebuild it from the source, run it in a worker, judge the results here.

    >>> assignment = Assignment.load("solutions/03_matrix_calculus_backprop.ipynb")   # doctest: +SKIP
    >>> grade_submission("exercises/03_matrix_calculus_backprop.ipynb", assignment).total  # doctest: +SKIP
    0.0

The learner's code only ever runs in the worker's kernel (another process, with limits, as
a user id of its own when the grader runs as root). What comes back is JSON and plain numeric arrays, checked
here with the course's ``verify`` functions, so nothing the kernel does to ``np.allclose`` or to
its own asserts can raise a score.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from bpcourse.grader.api import Check
from bpcourse.grader.checks import HERE as BUILTIN_CHECKS
from bpcourse.grader.checks import load_checks
from bpcourse.grader.notebook import (NotebookError, Question, is_answer, is_question, questions, read_source,
                                      read_submission, rebuild, replace_solution)
from bpcourse.grader.validate import require_checks

WORKER = Path(__file__).resolve().parent / "worker.py"
SEED = 20261127
FRAME = re.compile(rb"BPCOURSE-RESULT ([0-9a-f]{64}) ([0-9]{1,10})\n")


@dataclass
class Limits:
    """What one submission may use. Times in seconds, sizes in MB."""

    cell_timeout: float = 60.0
    wall_limit: float = 300.0
    memory_mb: int = 2048
    cpu_s: int | None = None  # default: wall_limit + 10
    fsize_mb: int = 64
    output_mb: int = 10
    nofile: int = 1024
    nproc: int = 512  # RLIMIT_NPROC and the cgroup's pids.max; only set in a sandbox (it counts per user)
    quota_mb: int = 256  # each of the kernel's tmpfs (/tmp, /var/tmp, /dev/shm, home) and its shared folder
    cpus: float = 1.0  # CPU cores one kernel may use at most (cgroup cpu quota, root only)
    max_restarts: int = 3
    start_timeout: float = 60.0


@dataclass
class Config:
    limits: Limits = field(default_factory=Limits)
    # "auto": as root, a fresh uid per kernel (nobody's rights, and kernels graded side by side cannot
    # reach each other); otherwise the grader's own user. Or a user name, or None/"none".
    kernel_user: str | None = "auto"
    worker_cmd: list[str] = field(default_factory=list)  # a prefix, e.g. a container or no-network runner
    hidden: list[Path] = field(default_factory=list)
    checks_dir: Path | None = BUILTIN_CHECKS
    seed: int = SEED
    protect: list[Path] = field(default_factory=list)  # never visible to a kernel (batch folder, CSV, ...)
    # The sandbox (see sandbox.py): "auto" picks "root" as root and "user" otherwise, confirmed by a
    # probe kernel before any learner's code runs; "none" runs kernels without one.
    sandbox: str = "auto"
    # Without a sandbox: refuse to grade (an instructor's batch) or grade without one, saying so (a
    # learner's self-check). ``--unsafe-no-sandbox`` sets it to False for a batch.
    require_sandbox: bool = True
    bwrap: str = field(default_factory=lambda: os.environ.get("BPCOURSE_BWRAP", "/usr/bin/bwrap"))
    chosen: dict | None = None  # what the probe chose (set once, by resolve_sandbox)

    def resolved_user(self) -> str | None:
        """The kernel's user: as root always a uid other than the grader's own."""
        if os.geteuid() != 0:
            return None
        if self.kernel_user in (None, "", "none", "auto"):
            return "unique"
        import pwd

        if pwd.getpwnam(self.kernel_user).pw_uid == 0:
            raise ValueError(f"--kernel-user {self.kernel_user} is root: a learner's code never runs as root; "
                             "use 'auto' (a uid of its own per kernel) or an unprivileged user")
        return self.kernel_user


@dataclass
class PreparedCheck:
    check: Check
    inputs: Any
    inputs_json: str
    label: str


def _jsonable(o):
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(f"check inputs must be JSON data, got {type(o).__name__}")


@dataclass
class Assignment:
    """A source notebook with its questions and checks, prepared once for a whole batch."""

    path: Path
    stem: str
    notebook: Any
    questions: list[Question]
    checks: dict[str, list[PreparedCheck]]

    @classmethod
    def load(cls, path: str | Path, config: Config | None = None) -> "Assignment":
        config = config or Config()
        path = Path(path)
        nb = read_source(path)
        qs = questions(nb)
        ids = {q.grade_id for q in qs}
        checks: dict[str, list[PreparedCheck]] = {q.grade_id: [] for q in qs}
        for k, check in enumerate(load_checks(path.stem, config.hidden, config.checks_dir)):
            if check.grade_id not in ids:
                raise ValueError(f"a check for {path.stem} names grade_id {check.grade_id!r}, "
                                 f"which is not a question of {path} (questions: {sorted(ids)})")
            n = len(checks[check.grade_id])
            seed = config.seed ^ zlib.crc32(f"{path.stem}:{check.grade_id}:{n}".encode())
            inputs = check.inputs(np.random.default_rng(seed))
            text = json.dumps(inputs, default=_jsonable, sort_keys=True)
            checks[check.grade_id].append(PreparedCheck(check, inputs, text, f"{check.grade_id}#{n}"))
        require_checks(path, qs, checks, [config.checks_dir, *config.hidden])  # no question judged in-kernel only
        return cls(path, path.stem, nb, qs, checks)

    @property
    def max_points(self) -> float:
        return sum(q.points for q in self.questions)


@dataclass
class QuestionResult:
    grade_id: str
    points: float
    max_points: float
    status: str  # passed, failed, not implemented, error, timeout, kernel died, memory limit, ...
    message: str = ""


@dataclass
class SubmissionResult:
    student: str
    path: Path
    status: str  # "ok", "incomplete: ...", "invalid notebook", "worker failed", "grader error"
    questions: list[QuestionResult]
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # the learner's stderr (reported, never penalised)
    notes: list[str] = field(default_factory=list)  # about the grading itself, e.g. isolation that fell back
    # What the sandbox's watchdog saw, per kernel started: [times stopped, seconds stopped, peak MB, demoted].
    throttled: list = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def max_points(self) -> float:
        return sum(q.max_points for q in self.questions)

    def summary(self) -> str:
        """One line per question that did not pass, for the CSV's feedback column."""
        parts = [f"{q.grade_id}: {q.status}" + (f" ({first_line(q.message)[:120]})" if q.message else "")
                 for q in self.questions if q.status != "passed"]
        return "; ".join(parts)


def first_line(text: str) -> str:
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return ""


# ------------------------------------------------------------------------------------------ worker
def kill_job(token: str) -> None:
    """Kill every process started for one job (they carry BPCOURSE_GRADER_JOB=token), groups included."""
    victims = []
    for proc in psutil.process_iter(["environ"]):
        try:
            env = proc.info.get("environ") or {}
        except psutil.Error:
            continue
        if env.get("BPCOURSE_GRADER_JOB") == token and proc.pid != os.getpid():
            victims.append(proc)
    for proc in victims:
        for kill in (lambda: os.killpg(proc.pid, signal.SIGKILL), proc.kill):
            try:
                kill()
            except (OSError, psutil.Error):
                pass
    psutil.wait_procs(victims, timeout=5)
    if os.geteuid() == 0:
        from bpcourse.grader.sandbox import sweep_cgroups

        sweep_cgroups(token)


def _drain(stream, cap: int, sink: list) -> None:
    size = 0
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        if size < cap:
            sink.append(chunk[: cap - size])
        size += len(chunk)
    stream.close()


def verified_result(stdout: bytes, key: bytes) -> dict | None:
    """The worker's one frame, if it is the whole channel (nothing before it, nothing after it) and
    its HMAC checks out; anything else means someone else wrote on the channel: no result."""
    match = FRAME.match(stdout)
    if match is None:
        return None
    start, length = match.end(), int(match.group(2))
    payload = stdout[start:start + length]
    if len(payload) != length or stdout[start + length:] != b"\n":
        return None
    expected = hmac.new(key, payload, hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(expected, match.group(1)):
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return None


def run_worker(job: dict, config: Config) -> tuple[dict | None, str]:
    """Run one job in a worker process. Returns (verified result, problem); result None if it failed."""
    key = secrets.token_bytes(32)
    owner = os.environ.get("BPCOURSE_GRADER_PID") or os.getpid()  # a local Dask worker names its grader
    token = f"{owner}-{secrets.token_hex(8)}"
    job = dict(job, key=key.hex())
    cmd = [*config.worker_cmd, sys.executable, "-I", str(WORKER)]
    scratch = tempfile.mkdtemp(prefix=f"bpgrade-job-{owner}-")  # the worker's temp folders go here; removed below
    os.chmod(scratch, 0o711)  # a kernel with a uid of its own passes through to its folder, lists nothing
    env = dict(os.environ, BPCOURSE_GRADER_JOB=token, TMPDIR=scratch)
    limit = config.limits.wall_limit + config.limits.start_timeout + 15
    out: list[bytes] = []
    err: list[bytes] = []
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, env=env, close_fds=True)
    readers = [threading.Thread(target=_drain, args=(proc.stdout, 64 * 2**20, out), daemon=True),
               threading.Thread(target=_drain, args=(proc.stderr, 64 * 2**10, err), daemon=True)]
    for t in readers:
        t.start()
    timed_out = False
    try:
        try:
            proc.stdin.write(json.dumps(job).encode())
            proc.stdin.close()
        except OSError:
            pass
        try:
            code = proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            timed_out = True
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
            code = proc.wait()
    finally:
        kill_job(token)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        for t in readers:
            t.join(timeout=10)
        shutil.rmtree(scratch, ignore_errors=True)
    if timed_out:
        return None, f"timeout: the worker ran past {limit:.0f} s and was killed"
    if code != 0:
        # The worker's stderr is not quoted: a kernel running as the same user can write to it.
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
        return None, f"worker failed ({how})"
    result = verified_result(b"".join(out), key)
    if result is None:
        return None, "worker failed (no valid signed result)"
    return result, ""


# ------------------------------------------------------------------------------------------ sandbox
class SandboxUnavailable(RuntimeError):
    """No sandbox on this machine and the caller requires one (``--batch`` without ``--unsafe-no-sandbox``)."""


PROBE_CELL = """\
import os, sys
assert os.getpid() < 10, f"not in a pid namespace of its own (pid {os.getpid()})"
assert not os.path.exists(%r), "the kernel sees the grader's folders"
"""
_probe_lock = threading.Lock()


def resolve_sandbox(config: Config) -> dict:
    """Decide the sandbox once, before any learner's code runs, with a probe kernel that runs nothing
    of theirs; cached on ``config`` so every submission of a batch gets exactly that level."""
    with _probe_lock:
        if config.chosen is not None:
            return config.chosen
        want = config.sandbox
        if want == "auto":
            want = "root" if os.geteuid() == 0 else "user"
        if config.kernel_user in ("none",) and os.geteuid() != 0:
            want = "none"
        lim = config.limits
        box = {"level": want, "user": config.resolved_user() if want in ("root", "none") else None,
               "bwrap": config.bwrap, "quota_mb": lim.quota_mb, "cpus": lim.cpus}
        notes: list[str] = []
        if want != "none":
            if not sys.platform.startswith("linux"):
                problem = f"{sys.platform} has no Linux namespaces"
            elif not os.access(config.bwrap, os.X_OK):
                problem = (f"bubblewrap is not installed ({config.bwrap} not found; Debian/Ubuntu: "
                           "`apt-get install bubblewrap`)")
            else:
                problem = probe(box, config)
            if problem:
                if config.require_sandbox:
                    raise SandboxUnavailable(
                        f"no sandbox for the learners' kernels on this machine ({want!r} level): {problem}. "
                        "Install bubblewrap and allow user namespaces (see docs/grading.md), or pass "
                        "--unsafe-no-sandbox to grade without one")
                notes.append(f"graded without a sandbox: {problem[:300]}")
                box = dict(box, level="none", user=config.resolved_user())
        config.chosen = dict(box, notes=notes)
        return config.chosen


def probe(box: dict, config: Config) -> str:
    """Start one kernel in ``box`` and run the probe cell; '' if it works, else why not."""
    folder = tempfile.mkdtemp(prefix="bpgrade-probe-")
    secret = Path(folder, "marker")
    secret.write_text("the kernel must not see this")
    job = {"cells": [{"index": 0, "kind": "code", "source": PROBE_CELL % str(secret), "question": None,
                      "grade_id": None}],
           "probes": {}, "cell_timeout": 60, "wall_limit": 120, "output_limit": 2**20, "max_restarts": 0,
           "limits": {"memory_mb": 2048, "cpu_s": 120, "fsize_mb": 16, "nofile": 1024, "nproc": 64},
           "start_timeout": max(60.0, config.limits.start_timeout), "sandbox": box, "hide": []}
    try:
        result, problem = run_worker(job, config)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if result is None:
        return problem
    if "error" in result:
        return str(result["error"])[:1000]
    return ""


# ------------------------------------------------------------------------------------------ grading
def build_job(assignment: Assignment, nb, config: Config) -> dict:
    segment: dict[int, str] = {}
    for q in assignment.questions:
        start = max([-1] + [p.cell_index for p in assignment.questions if p.cell_index < q.cell_index])
        for i in range(start + 1, q.cell_index + 1):
            segment[i] = q.grade_id
    cells = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        kind = "grade" if is_question(cell) else "answer" if is_answer(cell) else "code"
        entry = {"index": i, "kind": kind, "source": cell.source, "question": segment.get(i),
                 "grade_id": segment.get(i) if kind == "grade" else None}
        if kind == "answer":
            entry["stub"] = replace_solution(assignment.notebook.cells[i].source, "code")
        cells.append(entry)
    lim = config.limits
    box = resolve_sandbox(config)
    boxed = box["level"] != "none" or box.get("user") is not None
    limits = {"memory_mb": lim.memory_mb, "cpu_s": lim.cpu_s or int(lim.wall_limit) + 10, "fsize_mb": lim.fsize_mb,
              "nofile": lim.nofile, "nproc": lim.nproc if boxed else None}
    probes = {gid: [{"inputs": p.inputs_json, "probe": p.check.probe, "label": p.label} for p in checks]
              for gid, checks in assignment.checks.items() if checks}
    return {"cells": cells, "probes": probes, "cell_timeout": lim.cell_timeout, "wall_limit": lim.wall_limit,
            "output_limit": lim.output_mb * 2**20, "max_restarts": lim.max_restarts, "limits": limits,
            "sandbox": {k: v for k, v in box.items() if k != "notes"}, "start_timeout": lim.start_timeout,
            "hide": sorted({str(Path(p).resolve()) for p in
                            [assignment.path.parent, *config.hidden, *config.protect,
                             *([config.checks_dir] if config.checks_dir and Path(config.checks_dir).resolve()
                                != Path(BUILTIN_CHECKS).resolve() else [])]})}


def decode_result(data):
    if isinstance(data, dict):
        if set(data) == {"__ndarray__"} and isinstance(data["__ndarray__"], dict):
            spec = data["__ndarray__"]
            dtype = np.dtype(spec["dtype"])
            if dtype.kind not in "biufcU":
                raise TypeError(f"dtype {dtype} not allowed")
            raw = base64.b64decode(spec["b64"])
            return np.frombuffer(raw, dtype=dtype).reshape(spec["shape"]).copy()
        return {k: decode_result(v) for k, v in data.items()}
    if isinstance(data, list):
        return [decode_result(v) for v in data]
    return data


ERROR_STATUS = {"AssertionError": "failed", "NotImplementedError": "not implemented", "MemoryError": "memory limit"}


def error_status(ran: dict) -> str | None:
    """A status more telling than "error" for some exceptions (None for the others)."""
    if "File too large" in ran.get("evalue", ""):
        return "file size limit"
    return ERROR_STATUS.get(ran.get("ename", ""))


def error_text(ran: dict) -> str:
    return f"{ran.get('ename', '')}: {first_line(ran.get('evalue', ''))}".strip(": ")


def judge(question: Question, record: dict, checks: list[PreparedCheck]) -> QuestionResult:
    """Score one question from what its grade cell and probes reported."""
    gid, pts = question.grade_id, question.points
    ran = record["cell"]
    if ran["status"] != "ok":
        answer = record.get("answer")
        status = (answer and error_status(answer)) or error_status(ran) or "error"
        message = (f"answer cell: {error_text(answer)}; " if answer else "") + "test cell: " + error_text(ran)
        if status == "not implemented":
            message = "not answered yet (the stub raises NotImplementedError)"
        return QuestionResult(gid, 0.0, pts, status, message)
    probes = record.get("probes", [])
    if len(probes) != len(checks):
        return QuestionResult(gid, 0.0, pts, "error", f"{len(probes)} check results for {len(checks)} checks")
    for prepared, probe in zip(checks, probes):
        if probe["status"] != "ok":
            status = error_status(probe) or "failed"
            return QuestionResult(gid, 0.0, pts, status, f"check {prepared.label}: {error_text(probe)}")
        try:
            prepared.check.verify(copy.deepcopy(prepared.inputs), decode_result(probe["result"]))
        except AssertionError as exc:
            return QuestionResult(gid, 0.0, pts, "failed", first_line(str(exc)) or f"check {prepared.label} failed")
        except Exception as exc:  # a result of the wrong kind (a string for an array, ...)
            return QuestionResult(gid, 0.0, pts, "failed",
                                  f"check {prepared.label}: the result could not be checked: {type(exc).__name__}: {exc}")
    return QuestionResult(gid, pts, pts, "passed", "")


def score(assignment: Assignment, result: dict) -> tuple[list[QuestionResult], str]:
    records, fatal, stopped = result.get("questions", {}), result.get("fatal", {}), result.get("stopped")
    out = []
    for q in assignment.questions:
        if q.grade_id in fatal:
            f = fatal[q.grade_id]
            out.append(QuestionResult(q.grade_id, 0.0, q.points, f["status"], f["message"]))
        elif q.grade_id in records:
            out.append(judge(q, records[q.grade_id], assignment.checks.get(q.grade_id, [])))
        elif stopped:
            mine = stopped.get("question") == q.grade_id
            out.append(QuestionResult(q.grade_id, 0.0, q.points, stopped["status"] if mine else "not run",
                                      stopped["message"] if mine else
                                      f"not run: the notebook stopped at cell {stopped['cell']} ({stopped['status']})"))
        else:
            out.append(QuestionResult(q.grade_id, 0.0, q.points, "not run", "the test cell did not run"))
    events = [f"{g}: {f['status']}" for g, f in fatal.items()]
    if stopped:
        events.append(f"stopped at cell {stopped['cell']}: {stopped['status']}")
    return out, ("ok" if not events else "incomplete: " + "; ".join(events))


def grade_submission(path: str | Path, assignment: Assignment, config: Config | None = None,
                     student: str | None = None, raw: bytes | None = None, run=None) -> SubmissionResult:
    """Grade one learner's notebook against ``assignment`` (``raw``: its bytes if already read).

    Never writes to ``path``; the worker gets only the rebuilt cells, never the file. ``run``
    (default ``run_worker``) executes the job and returns (verified result, problem): the batch
    grader passes one that runs it on a Dask worker; the answers are judged here either way.
    """
    config = config or Config()
    path = Path(path)
    student = student or path.stem
    started = time.monotonic()

    def zero(status: str, message: str) -> SubmissionResult:
        qs = [QuestionResult(q.grade_id, 0.0, q.points, status, message) for q in assignment.questions]
        return SubmissionResult(student, path, f"{status}: {message}", qs, round(time.monotonic() - started, 2))

    try:
        submission = read_submission(path, raw)
    except NotebookError as exc:
        return zero("invalid notebook", str(exc))
    rebuilt = rebuild(assignment.notebook, submission)
    result, problem = (run or run_worker)(build_job(assignment, rebuilt.notebook, config), config)
    if result is None:
        status = "timeout" if problem.startswith("timeout") else "worker failed"
        return zero(status, problem)
    if "error" in result:
        failed = zero("grader error", result["error"])
        failed.notes = list(result.get("notes", []))
        print(f"bpcourse grade: grader error for {student}: {first_line(result['error'])[:300]}", file=sys.stderr,
              flush=True)
        return failed
    qs, status = score(assignment, result)
    warnings = [f"cell {w['cell']}: {first_line(w['text'])}" for w in result.get("warnings", [])]
    notes = list((config.chosen or {}).get("notes", [])) + list(result.get("notes", []))
    return SubmissionResult(student, path, status, qs, round(time.monotonic() - started, 2), warnings, notes,
                            [list(t) for t in result.get("throttled", [])])
