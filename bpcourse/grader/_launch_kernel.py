"""Start the learner's kernel with limits: run as ``python -I -S _launch_kernel.py CONFIG -- ARGV``.

Self-contained (stdlib only) and short-lived. It joins the kernel's cgroups (root), gives up root
for the kernel's own uid, sets the resource limits, asks to be killed when the worker dies, then
replaces itself with ARGV: bubblewrap wrapping the kernel (sandboxed levels) or the kernel itself
(no sandbox). Everything set here is inherited by the sandbox and the kernel.
"""
import ctypes
import json
import os
import resource
import signal
import sys

PR_SET_PDEATHSIG = 1
libc = ctypes.CDLL(None, use_errno=True)


def limit(which: int, soft: int, hard: int) -> None:
    """Lower a limit; a platform that refuses one (macOS and RLIMIT_AS) keeps the others."""
    current_hard = resource.getrlimit(which)[1]
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    try:
        resource.setrlimit(which, (soft, hard))
    except (ValueError, OSError):
        if sys.platform.startswith("linux"):
            raise


def main() -> None:
    split = sys.argv.index("--")
    cfg = json.loads(sys.argv[1])
    argv = sys.argv[split + 1:]
    limits = cfg.get("limits", {})
    for procs in cfg.get("cgroup_procs", []):  # before giving up root: only root may join them
        with open(procs, "w") as f:
            f.write(str(os.getpid()))
    uid, gid = cfg.get("uid"), cfg.get("gid")
    if uid is not None:
        for path in cfg.get("chown", []):
            os.chown(path, uid, gid)
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        if os.getuid() != uid or os.geteuid() != uid or os.getgid() != gid:
            os._exit(71)
    # Exceeding the file-size limit then fails the write (OSError EFBIG) instead of killing the kernel.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    mb = 2**20
    table = [
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_AS, limits.get("memory_mb") and limits["memory_mb"] * mb),
        (resource.RLIMIT_FSIZE, limits.get("fsize_mb") and limits["fsize_mb"] * mb),
        (resource.RLIMIT_NOFILE, limits.get("nofile")),
        (resource.RLIMIT_NPROC, limits.get("nproc")),
        # Nice values 0..19, and no higher priority: the worker's watchdog renices a swarm and may
        # restore it to 0 (the target's limit decides); the sandbox itself cannot (seccomp).
        (resource.RLIMIT_NICE, 20),
    ]
    for which, value in table:
        if value is not None:
            limit(which, int(value), int(value))
    cpu = limits.get("cpu_s")
    if cpu:
        # SIGXCPU at the soft limit, SIGKILL at the hard one: a GIL-holding loop cannot run on.
        limit(resource.RLIMIT_CPU, int(cpu), int(cpu) + 2)
    if sys.platform.startswith("linux"):
        # Set after changing user: a change of credentials clears the parent-death signal.
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            os._exit(73)
    if os.getppid() != cfg["parent"]:
        os._exit(72)  # the worker died before we asked
    os.execv(argv[0], argv)


main()
