"""What no submission may do to the grader (issue 8): each case is a crafted notebook in
fixtures/hostile.py, graded in one batch with 2 workers. In every case the file is unchanged, the
other submissions are graded correctly, the CSV is complete, no kernel is left running, and the
affected questions score 0 with a clear status."""
from __future__ import annotations

import csv

import pytest

from .conftest import SAME_USER_CASES
from .fixtures import hostile

STUDENTS = sorted([
    "good", "empty", "q1_only", "q1_only_again", "infinite_loop", "gil_loop", "sys_exit", "os_exit", "segfault",
    "huge_alloc", "print_100mb", "syntax_error", "tests_rewritten", "tests_deleted", "duplicated_answer",
    "monkeypatch", "forge_kill_parent", "read_hidden", "write_grades", "kill_neighbours", "warns", "network", "corrupt",
    "not_a_notebook"])


def check_student(batch, student: str) -> None:
    result, want = batch.results[student], batch.expected[student]
    got = {q.grade_id: q.points for q in result.questions}
    assert got == want.points, f"{student}: points {got}, expected {want.points}\n{result}"
    for gid, status in want.status.items():
        q = next(q for q in result.questions if q.grade_id == gid)
        assert q.status == status, f"{student}/{gid}: status {q.status!r} ({q.message}), expected {status!r}"
        assert q.message or status == "passed", f"{student}/{gid}: a question that did not pass needs a message"
    assert result.status.startswith(want.submission_status), f"{student}: status {result.status!r}"


@pytest.mark.parametrize("student", STUDENTS)
def test_hostile_submission_scores(hostile_batch, student):
    assert student in hostile_batch.expected, f"no crafted submission {student}"
    check_student(hostile_batch, student)


def test_every_submission_file_unchanged(hostile_batch):
    assert hostile_batch.after == hostile_batch.before


def test_csv_complete_one_row_per_submission(hostile_batch):
    rows = list(csv.DictReader(hostile_batch.csv.open()))
    assert [r["student"] for r in rows] == sorted(hostile_batch.expected)
    assert list(rows[0]) == ["student", "status", "q1_sigmoid_grad", "q2_chain_value", "q3_train_step", "total",
                             "max", "seconds", "feedback"]
    for row in rows:
        want = hostile_batch.expected[row["student"]]
        assert float(row["total"]) == want.total, row
        assert row["max"] == "6"
        for gid, points in want.points.items():
            assert float(row[gid]) == points, row
    assert "mallory" not in hostile_batch.csv.read_text()
    assert not list(hostile_batch.csv.parent.glob(".grades.csv.*")), "temporary CSV left behind"


def test_feedback_file_per_student(hostile_batch):
    names = sorted(p.stem for p in hostile_batch.feedback.glob("*.txt"))
    assert names == sorted(hostile_batch.expected)
    text = (hostile_batch.feedback / "infinite_loop.txt").read_text()
    assert "timeout" in text and "4 / 6" in text


def test_no_kernel_or_worker_left(hostile_batch):
    assert hostile_batch.leftovers == []


def test_same_submission_same_score(hostile_batch):
    a, b = hostile_batch.results["q1_only"], hostile_batch.results["q1_only_again"]
    assert [(q.points, q.status, q.message) for q in a.questions] == [(q.points, q.status, q.message) for q in b.questions]


def test_warnings_reported_not_penalised(hostile_batch):
    result = hostile_batch.results["warns"]
    assert result.total == 6
    assert any("careful: float64" in w or "note on stderr" in w for w in result.warnings), result.warnings


def test_monkeypatched_allclose_passes_in_kernel_but_not_in_grader(hostile_batch):
    q1 = hostile_batch.results["monkeypatch"].questions[0]
    assert q1.status == "failed" and "finite difference" in q1.message


def test_fake_submission_planted_by_kernel_not_created(hostile_batch):
    assert not (hostile_batch.folder / "zz_fake.ipynb").exists()


@pytest.mark.parametrize("student", SAME_USER_CASES)
def test_same_user_kernel(same_user_batch, student):
    """Kernel as the grader's own user: the forged-result + kill-the-parent attack scores 0."""
    check_student(same_user_batch, student)


def test_same_user_kernel_leaves_nothing(same_user_batch):
    assert same_user_batch.leftovers == []
    assert same_user_batch.after == same_user_batch.before
    forged = same_user_batch.results["forge_kill_parent"]
    if same_user_batch.same_user:  # the kernel could kill its worker: no result, never a forged one
        assert forged.status.startswith("worker failed"), forged.status
    else:  # as root even without a sandbox the kernel has a uid of its own and cannot reach the worker
        assert forged.total == 4 and forged.questions[0].points == 0, forged


def test_isolation_did_not_fall_back(hostile_batch):
    """Every kernel ran in the sandbox the probe chose; nothing fell back, nothing was noted."""
    notes = {s: r.notes for s, r in hostile_batch.results.items() if r.notes}
    assert notes == {}


# ------------------------------------------------------------------------------------------------
# The sandbox itself (issue 12): fixtures/sandbox_attacks.py graded by sandbox_driver.py, as root
# (CI) and dropped to `nobody` (an instructor's laptop: unprivileged user namespaces).
import fcntl  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

from .conftest import grader_processes  # noqa: E402
from .fixtures.sandbox_attacks import HONEST  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ATTACKS = ("fork_hopper", "tmp_files", "read_source", "read_checks", "read_home", "classmate_cmdline", "proc_mem",
           "proc_fds_csv", "proc_root_escape", "network", "a_swarm", "fill_shared", "kill_init", "memfd_balloon",
           "sysv_shm_balloon", "fork_balloon", "shmem_fork_balloon", "cow_balloon")
# Memory the per-process address-space limit does not see: refused by the seccomp filter, or the
# whole sandbox killed by its memory bound (the cgroup as root, the worker's watchdog without).
REFUSED = ("memfd_balloon", "sysv_shm_balloon")
BALLOONS = ("fork_balloon", "shmem_fork_balloon", "cow_balloon")
# Not attacks: an honest classmate who forks 12 readers of a 200 MB array (full marks), and a
# submission that tries each call the seccomp filter refuses (question 2 passes if all got EPERM).
PROBES = {"honest_forks": 6, "seccomp_probe": 1}
NOBODY_PACKAGES = ["numpy", "psutil", "jupyter_client", "ipykernel", "nbformat", "distributed"]  # + the batch engine
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="dropping to nobody and the root sandbox need root (CI is root)")


def nobody_python() -> Path:
    """A venv made from Debian's /usr/bin/python3 that `nobody` can run (the project's Python is
    under /root), with only what the grader needs, pinned by the lock. Built once, then reused."""
    lock = ROOT / "requirements-lock.txt"
    tag = hashlib.sha256(lock.read_bytes() + " ".join(NOBODY_PACKAGES).encode()).hexdigest()[:12]
    venv = Path(tempfile.gettempdir()) / f"bpcourse-nobody-venv-{tag}"
    python = venv / "bin" / "python"
    with open(Path(tempfile.gettempdir()) / "bpcourse-nobody-venv.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if not (venv / ".complete").exists():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run(["/usr/bin/python3", "-m", "venv", str(venv)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            "-c", str(lock), *NOBODY_PACKAGES], check=True)
            (venv / ".complete").write_text("ok")
    venv.chmod(0o755)
    return python


def run_attacks(mode: str, sandbox: str = "auto", only=None) -> dict:
    marker = f"bpcourse-attack-{uuid.uuid4().hex[:10]}"
    work = Path(tempfile.mkdtemp(prefix="bpcourse-attacks-"))
    drop = Path(tempfile.mkdtemp(prefix="bpcourse-drop-"))  # where an escaped process would leave a file
    drop.chmod(0o1777)
    env = {"PATH": "/usr/bin:/bin", "BPCOURSE_TEST_MARKER": marker, "BPCOURSE_TEST_DROP": str(drop),
           "BPCOURSE_TEST_SANDBOX": sandbox, "BPCOURSE_TEST_ONLY": ",".join(only or [])}
    if mode == "root":
        cmd, course = [sys.executable, str(ROOT / "tests/grader/sandbox_driver.py"), str(work), str(ROOT)], ROOT
        env["HOME"] = os.environ.get("HOME", "/root")
    else:
        course = Path(tempfile.mkdtemp(prefix="bpcourse-course-"))  # a copy nobody can read
        course.chmod(0o755)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(ROOT / "bpcourse", course / "bpcourse", ignore=ignore)
        shutil.copytree(ROOT / "tests" / "grader", course / "tests" / "grader", ignore=ignore)
        subprocess.run(["chmod", "-R", "a+rX", str(course)], check=True)
        shutil.chown(work, "nobody", "nogroup")
        env["HOME"] = "/nonexistent"
        cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", str(nobody_python()),
               str(course / "tests/grader/sandbox_driver.py"), str(work), str(course)]
    env["PYTHONPATH"] = str(course)  # for the Dask workers the batch starts, too
    ran = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, cwd="/")
    assert ran.returncode == 0, ran.stderr[-4000:]
    out = json.loads((work / "results.json").read_text())
    time.sleep(6)  # a daemon that escaped would write into `drop` after 4 s
    out["left_files"] = sorted(str(p) for d in ("/tmp", "/var/tmp", "/dev/shm", str(drop))
                               for p in Path(d).glob(f"{marker}*"))
    out["left_processes"] = [(p.pid, p.info.get("name")) for p in grader_processes(f"{out['pid']}-")]
    out["stderr"] = ran.stderr
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(drop, ignore_errors=True)
    if mode != "root":
        shutil.rmtree(course, ignore_errors=True)
    return out


@pytest.fixture(scope="session", params=["root", "nobody"])
def attacked(request):
    if os.geteuid() != 0:
        pytest.skip("dropping to nobody and the root sandbox need root (CI is root)")
    return request.param, run_attacks(request.param)


@pytest.mark.parametrize("attack", ATTACKS)
def test_sandbox_attack_scores_zero(attacked, attack):
    mode, out = attacked
    r = out["results"][attack]
    assert r["total"] == 0, (mode, attack, r)
    assert not r["notes"], (mode, attack, r["notes"])


def test_sandbox_honest_classmates_full_marks_nothing_left(attacked):
    mode, out = attacked
    assert out["level"] == ("root" if mode == "root" else "user"), out["level"]
    for name in HONEST:
        assert out["results"][name]["total"] == 6, (mode, name, out["results"][name])
    assert out["left_files"] == [], out["left_files"]
    assert out["left_processes"] == [], out["left_processes"]
    assert sorted(out["results"]) == sorted([*ATTACKS, *HONEST, *PROBES])
    # The honest ones really were graded beside the swarm (their runs overlap its run).
    swarm = out["results"]["a_swarm"]
    span = (swarm["finished"] - swarm["seconds"], swarm["finished"])
    beside = [n for n in HONEST if out["results"][n]["finished"] - out["results"][n]["seconds"] < span[1]]
    assert beside, (span, {n: out["results"][n] for n in HONEST})


def question(out: dict, student: str, grade_id: str = "q2_chain_value") -> tuple[str, str]:
    return {gid: (status, message) for gid, status, message in out["results"][student]["questions"]}[grade_id]


@pytest.mark.parametrize("attack", BALLOONS)
def test_memory_balloon_kills_the_whole_sandbox(attacked, attack):
    """Forked processes that each stay under RLIMIT_AS: killed together, with a memory message,
    in both levels (the cgroup's first OOM kill as root, the watchdog's bound as nobody)."""
    mode, out = attacked
    status, message = question(out, attack)
    assert status == "memory limit" and "MB of memory" in message, (mode, attack, status, message)


@pytest.mark.parametrize("attack", REFUSED)
def test_memory_outside_the_address_space_is_refused(attacked, attack):
    mode, out = attacked
    status, message = question(out, attack)
    assert status == "error" and "Operation not permitted" in message, (mode, attack, status, message)


def test_seccomp_refuses_each_call_in_the_sandbox(attacked):
    mode, out = attacked
    status, message = question(out, "seccomp_probe")
    assert status == "passed", (mode, status, message)
    assert out["results"]["seccomp_probe"]["points"] == {"q1_sigmoid_grad": 0, "q2_chain_value": 1,
                                                         "q3_train_step": 0}


def test_honest_forks_are_not_taken_for_a_balloon(attacked):
    """13 processes sharing one 200 MB array count 200 MB, not 13 x 200 MB: full marks."""
    mode, out = attacked
    r = out["results"]["honest_forks"]
    assert r["total"] == PROBES["honest_forks"], (mode, r)


def test_swarm_is_throttled_honest_kernels_never(attacked):
    """Without a cgroup (nobody), the watchdog stopped or reniced the swarm's sandbox and never
    touched an honest one; as root the cgroup does it and the watchdog only watches for OOM kills."""
    mode, out = attacked
    swarm = out["results"]["a_swarm"]["throttled"]
    if mode == "root":
        assert all(stops == 0 and not demoted for stops, _, _, demoted in swarm), swarm
        return
    assert any(stops > 0 or demoted for stops, _, _, demoted in swarm), swarm
    for name in HONEST:
        kernels = out["results"][name]["throttled"]
        assert kernels and all(stops == 0 and not demoted for stops, _, _, demoted in kernels), (name, kernels)
    # 12 forks at once are more than one core's share: they may be reniced to weigh as one, never stopped.
    assert all(stops == 0 for stops, _, _, _ in out["results"]["honest_forks"]["throttled"])


@as_root
def test_attacks_are_real_without_a_sandbox():
    """The control: as nobody without a sandbox (--unsafe-no-sandbox) the same attacks succeed, so
    the zeros above come from the sandbox, not from attacks that never worked."""
    only = ["read_source", "read_checks", "read_home", "classmate_cmdline", "network", "aa_honest"]
    out = run_attacks("nobody", sandbox="none", only=only)
    assert out["level"] == "none"
    worked = {a for a in only if out["results"][a]["points"]["q2_chain_value"] == 1}
    assert worked == set(only), {a: out["results"][a]["questions"] for a in only}
