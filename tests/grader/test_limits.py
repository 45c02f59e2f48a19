"""Resource limits on the kernel (CPU seconds, file size, processes) and the worker-command prefix."""
from __future__ import annotations

import contextlib
import math
import os
import stat
import sys

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
    assert "seccomp filter" in rows["grader sandbox"][0], rows
    limits = rows["grader limits"][0]  # how memory and CPU are bounded here, said plainly
    if os.geteuid() == 0 and sandbox.cgroup_mode():
        assert limits.startswith("cgroup: memory"), limits
    else:
        assert "watchdog" in limits and "throttle at 1 core" in limits, limits
        assert ("autogroup" in limits) == sandbox.autogroups_active()[0], limits


# ------------------------------------------------------------------------------------------------
# The seccomp filter (seccomp.py) loaded with prctl in a forked child, without bubblewrap. Each
# blocked call is made in a way the kernel itself would answer with another error (EINVAL, EBADF,
# ESRCH, EFAULT, ENOENT) or harmlessly succeed, so EPERM can only come from the filter.
FILTERED_CALLS = {
    "memfd_create": lambda libc, nr: libc.syscall(nr["memfd_create"], b"x", 0),
    "shmget": lambda libc, nr: libc.shmget(0, 0, 0),  # size 0: EINVAL
    "shmat": lambda libc, nr: libc.shmat(-1, None, 0),
    "setsid": lambda libc, nr: libc.setsid(),  # a forked child is no group leader: setsid would succeed
    "keyctl": lambda libc, nr: libc.syscall(nr["keyctl"], 0, -3, 0),
    "add_key": lambda libc, nr: libc.syscall(nr["add_key"], b"", b"k", None, 0, -2),
    "request_key": lambda libc, nr: libc.syscall(nr["request_key"], b"user", b"no-such-key", None, 0),
    "bpf": lambda libc, nr: libc.syscall(nr["bpf"], -1, None, 0),
    "perf_event_open": lambda libc, nr: libc.syscall(nr["perf_event_open"], None, 0, -1, -1, 0),
    "userfaultfd": lambda libc, nr: libc.syscall(nr["userfaultfd"], -1),
    "ptrace": lambda libc, nr: libc.ptrace(3, -1, None, None),
    "mount": lambda libc, nr: libc.mount(None, b"/no-such-folder-bpcourse", None, 32, None),  # MS_REMOUNT
    "unshare": lambda libc, nr: libc.unshare(0x10000000),  # a new user namespace, for this child only
    "clone with CLONE_NEWUSER": lambda libc, nr: libc.syscall(nr["clone"], 0x10000000 | 0x200, None, None, None, None),
    "setns": lambda libc, nr: libc.setns(-1, 0),
    "io_uring_setup": lambda libc, nr: libc.syscall(nr["io_uring_setup"], 0, None),
    "process_vm_readv": lambda libc, nr: libc.syscall(nr["process_vm_readv"], -1, None, 0, None, 0, 0),
    "setpriority": lambda libc, nr: libc.setpriority(99, 0, 0),  # no such "which": EINVAL
    "sched_setattr": lambda libc, nr: libc.syscall(nr["sched_setattr"], 0, None, 0),
    # socket and pipe buffers the watchdog cannot see: no fd -1 (EBADF) without the filter
    **{f"setsockopt SOL_SOCKET {option}": (lambda value: lambda libc, nr: libc.setsockopt(-1, 1, value, None, 0))(value)
       for option, value in (("SO_SNDBUF", 7), ("SO_RCVBUF", 8), ("SO_SNDBUFFORCE", 32), ("SO_RCVBUFFORCE", 33))},
    "fcntl F_SETPIPE_SZ": lambda libc, nr: libc.fcntl(-1, 1031, 2**20),
    # no network: TCP on the loopback autotunes its buffers to MBs; bad type 99: EINVAL without the filter
    "socket AF_INET": lambda libc, nr: libc.socket(2, 99, 0),
    "socket AF_INET6": lambda libc, nr: libc.socket(10, 99, 0),
    "socketpair AF_INET": lambda libc, nr: libc.socketpair(2, 99, 0, None),
}


def _run_filtered(use_filter: bool) -> dict:
    """Fork; in the child load the filter (or not), try every call; return {call: errno name}."""
    import ctypes
    import errno
    import json
    import threading

    from bpcourse.grader import seccomp

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            if use_filter:
                prog = seccomp.pack(seccomp.program())
                buf = ctypes.create_string_buffer(prog)

                class SockFprog(ctypes.Structure):
                    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

                fprog = SockFprog(len(prog) // 8, ctypes.addressof(buf))
                assert libc.prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS
                assert libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0, ctypes.get_errno()  # SECCOMP_MODE_FILTER
            nr = seccomp.SYSCALLS[seccomp.machine()]
            got = {}
            for name, call in FILTERED_CALLS.items():
                ctypes.set_errno(0)
                r = call(libc, nr)
                got[name] = errno.errorcode.get(ctypes.get_errno(), "?") if r == -1 else "succeeded"
            ctypes.set_errno(0)
            r = libc.syscall(nr["clone3"], None, 0)
            got["clone3"] = errno.errorcode.get(ctypes.get_errno(), "?") if r == -1 else "succeeded"
            # What an honest kernel does: threads (clone3 -> ENOSYS -> clone), processes, files.
            box = []
            t = threading.Thread(target=lambda: box.append(os.getpid()))
            t.start()
            t.join()
            child = os.fork()
            if child == 0:
                os._exit(7)
            got["thread"] = "ran" if box else "did not run"
            # Other socket options and fcntl commands, and reading a buffer's size, stay allowed.
            import fcntl
            import socket

            a, b = socket.socketpair()
            a.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).close()
            socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0).close()
            got["SO_SNDBUF read"] = a.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
            pipe_read, pipe_write = os.pipe()
            got["pipe size"] = fcntl.fcntl(pipe_read, 1032)  # F_GETPIPE_SZ
            fcntl.fcntl(pipe_read, fcntl.F_SETFL, os.O_NONBLOCK)
            got["fork"] = os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
            os.write(write, json.dumps(got).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    return json.loads(data)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="seccomp is Linux only")
def test_seccomp_filter_refuses_each_blocked_call_with_eperm():
    from bpcourse.grader import seccomp

    if not seccomp.supported():
        pytest.fail(f"no seccomp filter for {seccomp.machine()}: the sandbox would run without one")
    without = _run_filtered(False)
    assert all(e != "EPERM" for name, e in without.items() if name in ("shmat", "bpf", "ptrace", "setns")), without
    got = _run_filtered(True)
    assert {name: got[name] for name in FILTERED_CALLS} == {name: "EPERM" for name in FILTERED_CALLS}, got
    assert got["clone3"] == "ENOSYS", got  # glibc then retries with clone, whose flags the filter reads
    assert got["thread"] == "ran" and got["fork"] == 7, got
    assert got["SO_SNDBUF read"] > 0 and got["pipe size"] == 65536, got


def test_seccomp_program_is_well_formed_for_each_architecture():
    """Every jump lands inside the program, which ends in a return; unknown architectures are killed."""
    from bpcourse.grader import seccomp

    for arch in seccomp.AUDIT_ARCH:
        prog = seccomp.program(arch)
        assert len(seccomp.pack(prog)) == 8 * len(prog)
        for i, (code, jt, jf, k) in enumerate(prog):
            if code & 0x07 == seccomp.BPF_JMP:
                assert i + 1 + max(jt, jf) < len(prog), (arch, i)
        assert prog[-1][0] & 0x07 == seccomp.BPF_RET and prog[2] == (seccomp.BPF_RET, 0, 0,
                                                                      seccomp.SECCOMP_RET_KILL_PROCESS)
        assert set(seccomp.BLOCKED) <= set(seccomp.SYSCALLS[arch]), arch


# ------------------------------------------------------------------------------------------------
# The watchdog (watchdog.py) on plain process trees, without a sandbox: what the worker runs when
# there is no cgroup (the unprivileged level).
def _tree(code: str):
    """A process running ``code`` (the watchdog's root), in a session of its own."""
    import subprocess

    return subprocess.Popen([sys.executable, "-c", code], start_new_session=True)


@contextlib.contextmanager
def _watching(pid: int, **limits):
    """A worker's watchdog over the process tree at ``pid``, running for the with-block."""
    from bpcourse.grader import watchdog

    dog = watchdog.Watchdog(pid, **limits)
    dog.start()
    try:
        yield dog
    finally:
        dog.stop()


def _cpu_seconds(pids) -> float:
    from bpcourse.grader import watchdog

    return sum(s["own"] for s in map(watchdog.stat, pids) if s)


def test_watchdog_kills_a_forked_balloon_and_spares_forks_that_share():
    import time

    from bpcourse.grader import watchdog

    balloon = _tree("import os, time\nfor _ in range(8):\n    if os.fork() == 0:\n"
                    "        b = b'x' * (100 * 2**20)\n        time.sleep(60)\n        os._exit(0)\ntime.sleep(60)")
    with _watching(balloon.pid, memory_mb=500, cpus=None) as dog:
        assert balloon.wait(timeout=30) == -9
    assert dog.verdict and dog.verdict[0] == "memory limit" and "over the limit of 500 MB" in dog.verdict[1], dog.verdict
    assert watchdog.descendants(balloon.pid) == []
    # 8 children that only read their parent's 200 MB: 9 x 200 MB counted per process, 200 MB in truth.
    sharing = _tree("import os, time\nb = b'x' * (200 * 2**20)\nkids = []\nfor _ in range(8):\n"
                    "    p = os.fork()\n    if p == 0:\n        time.sleep(3)\n        os._exit(b.count(b'y'))\n"
                    "    kids.append(p)\nos._exit(max(os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in kids))")
    with _watching(sharing.pid, memory_mb=500, cpus=None) as dog:
        assert sharing.wait(timeout=60) == 0
    assert dog.verdict is None and 150 * 1024 < dog.peak_kb < 500 * 1024, (dog.verdict, dog.peak_kb)


def test_watchdog_charges_each_socket_of_the_sandbox_network_namespace():
    """Socket buffers are kernel memory no process's pages show: each socket of the sandbox's network
    namespace (held, or in flight in a unix message with its fd closed) is charged its default
    buffers. 4 forks of 200 socket pairs (1,600 sockets, 650 MB charged) pass a 200 MB budget; 40
    sockets do not, and are counted."""
    import shutil
    import subprocess
    import time

    from bpcourse.grader import watchdog

    netns = ["unshare", "--user", "--map-root-user", "--net"]
    if not shutil.which("unshare") or subprocess.run([*netns, "true"]).returncode:
        pytest.fail("no unprivileged network namespace here: the sandbox's own needs one")
    code = ("import os, socket, time\nfor _ in range({forks}):\n    if os.fork() == 0:\n"
            "        keep = [socket.socketpair() for _ in range({pairs})]\n"
            "        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
            "        c, d = socket.socketpair()\n        socket.send_fds(a, [b'x'], [c.fileno(), d.fileno()])\n"
            "        c.close()\n        d.close()\n        time.sleep({sleep})\n        os._exit(0)\n"
            "time.sleep({sleep})\nos._exit(0)")

    def tree(**values):
        return subprocess.Popen([*netns, sys.executable, "-c", code.format(**values)], start_new_session=True)

    balloon = tree(forks=4, pairs=200, sleep=60)
    with _watching(balloon.pid, memory_mb=200, cpus=None) as dog:
        assert balloon.wait(timeout=30) == -9
    assert dog.verdict and "over the limit of 200 MB" in dog.verdict[1], dog.verdict
    assert watchdog.descendants(balloon.pid) == []
    few = tree(forks=2, pairs=8, sleep=2)  # 2 x (16 + 4) sockets, 2 of them in flight
    with _watching(few.pid, memory_mb=200, cpus=None) as dog:
        time.sleep(1)
        charged = dog.sockets_kb(watchdog.descendants(few.pid)[0])
        assert few.wait(timeout=30) == 0
    assert dog.verdict is None and charged == 40 * watchdog.SOCKET_KB, (charged, watchdog.SOCKET_KB)
    assert watchdog.Watchdog(os.getpid(), memory_mb=200, cpus=None).sockets_kb(os.getpid()) == 0  # the host's


def test_watchdog_charges_pipes_by_descriptor_slots():
    """Pipe buffers are kernel memory too: each descriptor slot of a process (FDSize) is charged a
    small pipe's buffer (8 kB), so 6 forks holding 480 pipes each (FDSize 1024: 48 MB charged) pass
    a 40 MB budget, while a fresh Python (64 slots: 0.5 MB) is charged next to nothing."""
    import subprocess

    from bpcourse.grader import watchdog

    quiet = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        assert 0 < watchdog.status_kb(quiet.pid)[1] <= 256 * watchdog.PIPE_KB, watchdog.status_kb(quiet.pid)
    finally:
        quiet.kill()
        quiet.wait()
    pipes = _tree("import os, time\nfor _ in range(6):\n    if os.fork() == 0:\n"
                  "        keep = [os.pipe() for _ in range(480)]\n        time.sleep(60)\n        os._exit(0)\n"
                  "time.sleep(60)")
    with _watching(pipes.pid, memory_mb=40, cpus=None) as dog:
        assert pipes.wait(timeout=30) == -9
    assert dog.verdict and "pipe buffers), over the limit of 40 MB" in dog.verdict[1], dog.verdict
    assert watchdog.descendants(pipes.pid) == []


def test_watchdog_holds_a_swarm_to_its_share_and_never_stops_a_quiet_tree():
    import time

    from bpcourse.grader import watchdog

    swarm = _tree("import os, time\nfor _ in range(6):\n    if os.fork() == 0:\n        while True:\n"
                  "            pass\ntime.sleep(60)")
    # A share so small that the swarm is over it however busy the machine is (2 cores shared by many).
    with _watching(swarm.pid, memory_mb=None, cpus=0.02) as dog:
        time.sleep(0.5)
        kids = watchdog.descendants(swarm.pid)
        before, began = _cpu_seconds(kids), time.monotonic()
        time.sleep(4)
        share = (_cpu_seconds(kids) - before) / (time.monotonic() - began)
        os.killpg(swarm.pid, 9)
        swarm.wait()
    # 6 busy processes would take both cores; stopped at most 1 s at a time, they keep about 0.1 core.
    assert dog.stops > 0 and share < 0.15, (dog.stops, share)
    quiet = _tree("import time\nfor _ in range(20):\n    sum(range(20000))\n    time.sleep(0.05)")
    with _watching(quiet.pid, memory_mb=None, cpus=0.5) as dog:
        assert quiet.wait(timeout=30) == 0
    assert dog.stops == 0 and dog.stopped_s == 0


def test_cgroup_v2_tree_gets_limits_and_reports_oom(tmp_path, monkeypatch):
    """The cgroup v2 code path against a fake unified hierarchy (these machines have every
    controller on v1, so a real v2 tree here would have none): the controllers are enabled in the
    parent, the limits written, and an OOM kill in memory.events becomes a memory-limit message."""
    from bpcourse.grader import sandbox

    root = tmp_path / "cgroup"
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (root / "cgroup.subtree_control").write_text("")
    monkeypatch.setattr(sandbox, "CGROUP_ROOT", root)
    assert sandbox.cgroup_mode() == "v2"
    cg = sandbox.Cgroup("bpcourse-test-1", memory_mb=300, pids=64, cpus=1.0)
    d = root / "bpcourse" / "bpcourse-test-1"
    assert cg.dirs == [d] and cg.procs == [str(d / "cgroup.procs")]
    assert (root / "bpcourse" / "cgroup.subtree_control").read_text() == "+pids +memory +cpu"
    assert {k: (d / k).read_text() for k in ("pids.max", "memory.max", "memory.swap.max", "cpu.max")} == {
        "pids.max": "64", "memory.max": str(300 * 2**20), "memory.swap.max": "0", "cpu.max": "100000 100000"}
    assert cg.oom_kills() == 0
    (d / "memory.events").write_text("low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n")
    assert cg.oom_kills() == 1 and "300 MB" in cg.memory_message()


def test_a_reniced_kernel_cannot_undo_it_the_worker_can():
    """The launcher's RLIMIT_NICE 20 lets the worker (same user, outside the filter) give a nice
    value back; the filter keeps the sandbox from raising its own priority."""
    import ctypes
    import resource

    from bpcourse.grader import seccomp

    # Giving a nice value back needs the target's RLIMIT_NICE at 20; where the hard limit is lower
    # (0 on the build machine, where even root lacks CAP_SYS_RESOURCE) a renice is for good.
    restorable = resource.getrlimit(resource.RLIMIT_NICE)[1] in (resource.RLIM_INFINITY,) or \
        resource.getrlimit(resource.RLIMIT_NICE)[1] >= 20
    ready, go = os.pipe(), os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(ready[0])
            os.close(go[1])
            hard = resource.getrlimit(resource.RLIMIT_NICE)[1]  # the launcher asks for 20, within the hard limit
            resource.setrlimit(resource.RLIMIT_NICE, (min(20, hard), hard))
            if os.geteuid() == 0:  # as the kernel runs: no CAP_SYS_NICE
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            libc = ctypes.CDLL(None, use_errno=True)
            buf = ctypes.create_string_buffer(seccomp.pack(seccomp.program()))

            class SockFprog(ctypes.Structure):
                _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

            fprog = SockFprog(len(buf.raw) // 8, ctypes.addressof(buf))
            assert libc.prctl(38, 1, 0, 0, 0) == 0 and libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0
            os.write(ready[1], b"x")
            os.read(go[0], 1)  # the "worker" set nice 19 meanwhile
            if os.getpriority(os.PRIO_PROCESS, 0) != 19:
                os._exit(3)
            try:
                os.setpriority(os.PRIO_PROCESS, 0, 0)
                os._exit(1)
            except PermissionError:
                pass
            # What zmq's threads do: allowed, and it keeps the nice value; a real-time policy is refused.
            os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
            if os.getpriority(os.PRIO_PROCESS, 0) != 19:
                os._exit(6)
            try:
                os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
                os._exit(7)
            except PermissionError:
                pass
            os.write(ready[1], b"y")
            os.read(go[0], 1)
            os._exit(0 if os.getpriority(os.PRIO_PROCESS, 0) == (0 if restorable else 19) else 4)
        finally:
            os._exit(2)
    os.close(ready[1])
    os.close(go[0])
    assert os.read(ready[0], 1) == b"x", os.waitpid(pid, 0)
    os.setpriority(os.PRIO_PROCESS, pid, 19)
    os.write(go[1], b"x")
    assert os.read(ready[0], 1) == b"y", os.waitpid(pid, 0)
    if not restorable:
        pass
    elif os.geteuid() == 0:  # the worker of the unprivileged level is the kernel's user, not root
        who = os.fork()
        if who == 0:
            try:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
                os.setpriority(os.PRIO_PROCESS, pid, 0)
                os._exit(0)
            finally:
                os._exit(5)
        assert os.waitstatus_to_exitcode(os.waitpid(who, 0)[1]) == 0, "the worker could not restore nice 0"
    else:
        os.setpriority(os.PRIO_PROCESS, pid, 0)
    os.write(go[1], b"x")
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def test_watchdog_renices_a_swarm_so_it_weighs_as_one_process():
    """6 busy processes for more than a second: nice log(6)/log(1.25) = 8 on each (about 1/6 of the
    weight of a process at nice 0), which they cannot undo in the sandbox (the filter)."""
    import time

    from bpcourse.grader import watchdog

    swarm = _tree("import os, time\nfor _ in range(6):\n    if os.fork() == 0:\n        while True:\n"
                  "            pass\ntime.sleep(60)")
    with _watching(swarm.pid, memory_mb=None, cpus=1.0) as dog:
        time.sleep(3)
        nices = {os.getpriority(os.PRIO_PROCESS, pid) for pid in watchdog.descendants(swarm.pid)}
        os.killpg(swarm.pid, 9)
        swarm.wait()
    assert 6 <= dog.demoted <= 9 and nices == {dog.demoted}, (dog.demoted, nices)


@pytest.mark.parametrize("enabled, cgroups, subtree, expected", [
    ("1", "4:memory:/x\n1:cpu,cpuacct:/\n0::/", "", (True, "")),
    ("0", "1:cpu,cpuacct:/\n0::/", "", (False, "kernel.sched_autogroup_enabled is 0")),
    ("1", "1:cpu,cpuacct:/user.slice\n0::/", "", (False, "this process's cpu cgroup is /user.slice")),
    ("1", "0::/user.slice/user-1000.slice/session-3.scope", "cpu memory pids",
     (False, "this process's cgroup /user.slice/user-1000.slice/session-3.scope has the cpu controller")),
    ("1", "0::/user.slice/session-3.scope", "memory pids", (True, "")),  # no cpu controller: one root group
])
def test_autogroups_detected_only_in_the_root_cpu_cgroup(tmp_path, monkeypatch, enabled, cgroups, subtree, expected):
    """`bpcourse doctor` says autogroups act only where they do; the throttle runs either way."""
    from bpcourse.grader import sandbox

    (tmp_path / "flag").write_text(enabled + "\n")
    (tmp_path / "cgroup").write_text(cgroups + "\n")
    root = tmp_path / "fs"
    root.mkdir()
    (root / "cgroup.subtree_control").write_text(subtree + "\n")
    monkeypatch.setattr(sandbox, "CGROUP_ROOT", root)
    assert sandbox.autogroups_active(tmp_path / "flag", tmp_path / "cgroup") == expected


def test_watchdog_finds_the_sandbox_without_children_files(monkeypatch):
    """Kernels built without CONFIG_PROC_CHILDREN: the process tree comes from every process's parent."""
    import time

    from bpcourse.grader import watchdog

    tree = _tree("import os, time\nif os.fork() == 0:\n    if os.fork() == 0:\n        time.sleep(30)\n"
                 "    time.sleep(30)\ntime.sleep(30)")
    try:
        time.sleep(1)
        with_files = watchdog.descendants(tree.pid)
        monkeypatch.setattr(watchdog, "HAVE_CHILDREN", False)
        assert len(with_files) == 2 and watchdog.descendants(tree.pid) == with_files
    finally:
        os.killpg(tree.pid, 9)
        tree.wait()
