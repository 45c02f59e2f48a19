"""Fixtures for the grader tests: the small fixture notebook and the hostile batches graded once."""
from __future__ import annotations

import hashlib
import os
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from bpcourse.grader.batch import grade_batch
from bpcourse.grader.runner import Config, Limits, SubmissionResult

from .fixtures import hostile, source

HERE = Path(__file__).resolve().parent
CHECKS = HERE / "fixtures" / "checks"
HIDDEN = HERE / "fixtures" / "hidden"


def fast_config(**kw) -> Config:
    """Short limits so the hostile cases finish quickly (6 s per cell, 60 s per notebook; the
    build machine is shared, so a 3 s cell timeout could fire on an honest cell under load)."""
    return Config(checks_dir=CHECKS, limits=Limits(cell_timeout=6, wall_limit=60), **kw)


def grader_processes(prefix: str) -> list[psutil.Process]:
    """Live (non-zombie) processes started for jobs whose marker starts with ``prefix``."""
    found = []
    for proc in psutil.process_iter(["environ", "status"]):
        env = proc.info.get("environ") or {}
        if env.get("BPCOURSE_GRADER_JOB", "").startswith(prefix) and proc.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(proc)
    return found


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def fixture_source(tmp_path_factory) -> Path:
    return source.build(tmp_path_factory.mktemp("source"))


@dataclass
class Batch:
    results: dict[str, SubmissionResult]
    expected: dict[str, hostile.Expected]
    folder: Path
    csv: Path
    feedback: Path
    before: dict[str, str]
    after: dict[str, str]
    leftovers: list  # processes still running and temporary folders left behind
    same_user: bool


def run_batch(tmp: Path, kernel_user: str, only=None, **config_kw) -> Batch:
    src = source.build(tmp)
    hidden = tmp / "hidden"
    shutil.copytree(HIDDEN, hidden)
    subs = tmp / "submissions"
    csv_path = tmp / "grades.csv"
    csv_path.write_text("stale grades from an earlier run\n")
    config = fast_config(kernel_user=kernel_user, hidden=[hidden], **config_kw)
    same_user = config.resolved_user() is None and config_kw.get("sandbox") == "none"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    targets = {"csv": csv_path, "victim": subs / "good.ipynb", "hidden": hidden / "fx_backprop.py", "source": src,
               "port": listener.getsockname()[1]}
    expected = hostile.make_all(subs, targets, same_user=same_user, only=only)
    before = {p.name: digest(p) for p in subs.iterdir()}
    mine = f"bpgrade-job-{os.getpid()}-*"  # other people may be grading on this machine right now
    scratch_before = set(Path(tempfile.gettempdir()).glob(mine))
    try:
        results = grade_batch(subs, src, csv_path, tmp / "feedback", jobs=2, config=config)
    finally:
        listener.close()
    after = {p.name: digest(p) for p in subs.iterdir()}
    scratch_left = sorted(set(Path(tempfile.gettempdir()).glob(mine)) - scratch_before)
    return Batch({r.student: r for r in results}, expected, subs, csv_path, tmp / "feedback", before, after,
                 grader_processes(f"{os.getpid()}-") + scratch_left, same_user)


@pytest.fixture(scope="session")
def hostile_batch(tmp_path_factory) -> Batch:
    """Every crafted submission, graded as an instructor would (kernels as nobody when root)."""
    return run_batch(tmp_path_factory.mktemp("batch"), "auto")


SAME_USER_CASES = ("good", "forge_kill_parent", "gil_loop", "read_hidden")


@pytest.fixture(scope="session")
def same_user_batch(tmp_path_factory) -> Batch:
    """A few cases without a sandbox (a learner's self-check): the kernel runs as the grader's own
    user, or as root as a uid of its own (never root itself)."""
    return run_batch(tmp_path_factory.mktemp("same_user"), "none", only=SAME_USER_CASES, sandbox="none",
                     require_sandbox=False)
