"""Resource limits on the kernel (CPU seconds, file size, processes) and the worker-command prefix."""
from __future__ import annotations

import os
import stat

import pytest

from bpcourse.grader.batch import grade_batch
from bpcourse.grader.runner import Config, Limits, resolve_sandbox

from .conftest import CHECKS, grader_processes
from .fixtures import hostile, source
from .fixtures.hostile import A1, A2, A3, Q1, Q2, Q3, SOLVED

LIMITED = {
    # A GIL-holding loop with a long cell timeout: RLIMIT_CPU ends it (SIGXCPU), not the timeout.
    "cpu_hog": (hostile.solved(A1, A2, **{A3: "sum(range(10**13))"}), Q3, "cpu limit"),
    # A 100 MB file against an 8 MB RLIMIT_FSIZE: the write fails (EFBIG), the kernel lives on.
    "big_file": (hostile.solved(A2, A3, **{A1: "open('big.bin', 'wb').write(b'x' * 100 * 2**20)\n" + SOLVED[A1]}),
                 Q1, "file size limit"),
    # Threads/processes beyond RLIMIT_NPROC (set only when the kernel has its own user).
    "many_threads": (hostile.solved(A1, A3, **{A2: (
        "import threading, time\nts = []\nfor _ in range(5000):\n"
        "    t = threading.Thread(target=time.sleep, args=(30,), daemon=True); t.start(); ts.append(t)\n"
        "dy_dx = 42.0")}), Q2, "error"),
}


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("limits")
    src = source.build(tmp)
    for name, (nb, _, _) in LIMITED.items():
        source.write(nb, tmp / "subs" / f"{name}.ipynb")
    config = Config(checks_dir=CHECKS, limits=Limits(cell_timeout=25, wall_limit=60, cpu_s=5, fsize_mb=8, nproc=200))
    resolve_sandbox(config)
    results = {r.student: r for r in grade_batch(tmp / "subs", src, tmp / "grades.csv", jobs=2, config=config)}
    return results, config


@pytest.mark.parametrize("name", sorted(LIMITED))
def test_limit_costs_only_its_question(limited, name):
    results, config = limited
    _, question, status = LIMITED[name]
    if name == "many_threads" and config.chosen["level"] == "none" and config.resolved_user() is None:
        status = "passed"  # RLIMIT_NPROC counts every process of the user, so it is not set without a sandbox
    r = results[name]
    by_id = {q.grade_id: q for q in r.questions}
    assert by_id[question].status == status, (by_id[question], r.status)
    others = [q for q in r.questions if q.grade_id != question]
    assert all(q.status == "passed" for q in others), r
    assert grader_processes(f"{os.getpid()}-") == []


def test_worker_command_prefix_wraps_the_worker(fixture_source, tmp_path):
    """An instructor's wrapper (container, no-network runner) goes in front of the worker command."""
    marker = tmp_path / "wrapped"
    wrapper = tmp_path / "wrap.sh"
    wrapper.write_text(f"#!/bin/sh\necho \"$@\" > {marker}\nexec unshare --net \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    source.write(hostile.solved(A1, A2, A3), tmp_path / "subs" / "good.ipynb")
    config = Config(checks_dir=CHECKS, limits=Limits(cell_timeout=20, wall_limit=60), worker_cmd=[str(wrapper)])
    (result,) = grade_batch(tmp_path / "subs", fixture_source, tmp_path / "grades.csv", jobs=1, config=config)
    assert result.total == 6, result
    assert "worker.py" in marker.read_text()


def test_restart_failure_is_a_grader_error_never_less_isolation(fixture_source, tmp_path, capfd):
    """The probe and the first kernel get the sandbox; the learner's code kills the kernel and the
    restart cannot have the sandbox any more (bubblewrap now fails): the submission gets a grader
    error naming the cause, on stderr too, and no cell runs with less isolation."""
    import shutil
    import tempfile

    from pathlib import Path

    bin_dir = Path(tempfile.mkdtemp(prefix="bpcourse-flaky-"))  # the kernel's uid must be able to run it
    bin_dir.chmod(0o755)
    count = bin_dir / "starts"
    wrapper = bin_dir / "flaky-bwrap"
    wrapper.write_text("#!/bin/sh\n"
                       f"n=$(cat {count} 2>/dev/null || echo 0); echo $((n + 1)) > {count}\n"
                       "if [ \"$n\" -ge 2 ]; then echo 'bwrap: creating new namespace failed: simulated' >&2; exit 1; fi\n"
                       "exec /usr/bin/bwrap \"$@\"\n")
    wrapper.chmod(0o755)
    count.write_text("0")
    count.chmod(0o666)
    marker = tmp_path / "ran-unsandboxed"
    answer = (f"import os\nif not os.path.exists('/run/bpcourse'):\n    open({str(marker)!r}, 'w').write('x')\n"
              "os._exit(3)")
    source.write(hostile.solved(A1, A3, **{A2: answer}), tmp_path / "subs" / "killer.ipynb")
    config = Config(checks_dir=CHECKS, limits=Limits(cell_timeout=20, wall_limit=60), bwrap=str(wrapper))
    resolve_sandbox(config)
    (result,) = grade_batch(tmp_path / "subs", fixture_source, tmp_path / "grades.csv", jobs=1, config=config)
    assert config.chosen["level"] in ("root", "user")
    assert int(count.read_text()) == 3, "probe, first start, failed restart"
    assert result.status.startswith("grader error"), result.status
    assert "simulated" in result.status and "sandbox" in result.status, result.status
    assert {q.status for q in result.questions} == {"grader error"}
    assert not marker.exists(), "a cell ran outside the sandbox"
    assert "grader error for killer" in capfd.readouterr().err
    assert "grader error" in (tmp_path / "grades.csv").read_text()
    shutil.rmtree(bin_dir)


def test_batch_refuses_without_a_sandbox_unless_unsafe(fixture_source, tmp_path, monkeypatch, capsys):
    """No bubblewrap: `--batch` refuses and says why; `--unsafe-no-sandbox` grades and notes it; a
    learner's self-check grades too, with the same note."""
    from bpcourse.grader.cli import main

    monkeypatch.setenv("BPCOURSE_BWRAP", str(tmp_path / "no-such-bwrap"))
    sub = source.write(hostile.solved(A1, A2, A3), tmp_path / "subs" / "good.ipynb")
    args = ["--batch", str(tmp_path / "subs"), "--source", str(fixture_source), "--csv", str(tmp_path / "g.csv"),
            "--checks", str(CHECKS), "--timeout", "20", "--jobs", "1"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "no sandbox" in err and "bubblewrap is not installed" in err and "--unsafe-no-sandbox" in err, err
    grades = tmp_path / "g.csv"  # nobody graded: at most the header of this batch
    assert not grades.exists() or grades.read_text().count("\n") <= 1, grades.read_text()
    assert main(args + ["--unsafe-no-sandbox"]) == 0
    captured = capsys.readouterr()
    assert "6/6" in captured.out and "graded without a sandbox" in captured.err, captured
    assert main([str(sub), "--source", str(fixture_source), "--checks", str(CHECKS), "--timeout", "20"]) == 0
    out = capsys.readouterr().out
    assert "total: 6 / 6" in out and "graded without a sandbox" in out, out


@pytest.mark.skipif(os.geteuid() != 0, reason="the kernel's user is chosen only by a root grader")
def test_kernel_user_as_root_is_never_root(fixture_source, tmp_path):
    """`--kernel-user nobody` runs the kernel as nobody; `--kernel-user root` is refused."""
    answer = "import os\ndy_dx = 42.0 if os.getuid() == 65534 else -1.0"
    source.write(hostile.solved(A1, A3, **{A2: answer}), tmp_path / "subs" / "who.ipynb")
    config = Config(checks_dir=CHECKS, limits=Limits(cell_timeout=20, wall_limit=60), kernel_user="nobody")
    (result,) = grade_batch(tmp_path / "subs", fixture_source, tmp_path / "grades.csv", jobs=1, config=config)
    assert result.total == 6, result
    with pytest.raises(ValueError, match="never runs as root"):
        grade_batch(tmp_path / "subs", fixture_source, tmp_path / "grades2.csv", jobs=1,
                    config=Config(checks_dir=CHECKS, kernel_user="root"))


def test_doctor_says_when_the_grader_has_no_sandbox(monkeypatch, tmp_path):
    from bpcourse.grader import sandbox

    monkeypatch.setenv("BPCOURSE_BWRAP", str(tmp_path / "no-such-bwrap"))
    rows = {name: (found, advice) for name, found, advice in sandbox.doctor_rows()}
    found, advice = rows["grader sandbox"]
    assert found == "unavailable" and "bubblewrap is not installed" in advice and "apt-get install bubblewrap" in advice
    monkeypatch.delenv("BPCOURSE_BWRAP")
    rows = {name: (found, advice) for name, found, advice in sandbox.doctor_rows()}
    assert rows["grader sandbox"][1] is None, rows  # bubblewrap works on this machine (CI installs it)
