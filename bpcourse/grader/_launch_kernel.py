"""Start the learner's kernel with limits: run as ``python -I -S _launch_kernel.py CONFIG -- KERNEL ARGV``.

Self-contained (stdlib only) and short-lived. It sets the resource limits and asks to be killed
when the worker dies, then replaces itself with the kernel (same pid, same process group). When
the worker runs as root and gives a uid (one of the kernel's own, or ``nobody``'s), it first
moves into private mount and network namespaces (no network at all; the kernel talks to the
worker over unix sockets), makes the Python installation reachable if it sits under a private
folder such as ``/root`` (that folder is replaced by an empty one, so the kernel sees nothing
else in it), covers the folders in ``hide``, gives the connection file to that uid and becomes it.
"""
import ctypes
import json
import os
import resource
import signal
import stat
import sys

PR_SET_PDEATHSIG = 1
CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
libc = ctypes.CDLL(None, use_errno=True)


def call(name: str, *args) -> None:
    if getattr(libc, name)(*args) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{name}{args}: {os.strerror(err)}")


def mount(source, target, fstype, flags, data=None) -> None:
    enc = lambda s: None if s is None else str(s).encode()  # noqa: E731
    call("mount", enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data))


def closed_ancestor(path: str) -> str | None:
    """The outermost folder on ``path`` that other users cannot enter (``/root`` is 0700), if any."""
    parts = os.path.abspath(path).split("/")
    for i in range(2, len(parts) + 1):
        folder = "/".join(parts[:i])
        if os.path.isdir(folder) and not os.stat(folder).st_mode & stat.S_IXOTH:
            return folder
    return None


def inside(path: str, folder: str) -> bool:
    path, folder = os.path.abspath(path), os.path.abspath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def isolate(expose: list, stash: str, hide: list, keep: list) -> list:
    """Private mount + network namespaces; folders in ``expose`` stay reachable (read-only), those
    in ``hide`` (submissions, grades, hidden checks, solutions) are covered by an empty folder or
    file, unless that would also cover something the kernel needs (``expose`` or ``keep``)."""
    notes = []
    try:
        call("unshare", CLONE_NEWNS | CLONE_NEWNET)
    except OSError as exc:
        return [f"no namespaces ({exc.strerror})"]
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    # Every exposed folder that sits under a closed one is set aside first (covering the closed
    # folder hides all of them at once), then each closed folder becomes an empty tmpfs and the
    # exposed folders are bound back, read-only, at their own paths.
    reachable = [p for p in expose if os.path.isdir(p)]
    closed = {p: closed_ancestor(p) for p in reachable}
    moved = []
    for i, path in enumerate(sorted(p for p in reachable if closed[p])):
        spot = os.path.join(stash, str(i))
        os.makedirs(spot, exist_ok=True)
        mount(path, spot, None, MS_BIND | MS_REC)
        moved.append((path, spot))
    for folder in sorted({c for c in closed.values() if c}, key=len):
        if closed_ancestor(folder) == folder:  # not already under a covered one
            mount("tmpfs", folder, "tmpfs", MS_NOSUID, "mode=0755,size=1m")
            notes.append(f"{folder} hidden")
    for path, spot in moved:
        os.makedirs(path, exist_ok=True)
        mount(spot, path, None, MS_BIND | MS_REC)
        mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
        notes.append(f"{path} exposed")
    for _, spot in moved:
        call("umount2", spot.encode(), MNT_DETACH)  # the writable copies in the stash go away
    for path in hide:
        if not os.path.exists(path) or any(inside(k, path) for k in list(expose) + list(keep)):
            continue
        if os.path.isdir(path):
            mount("tmpfs", path, "tmpfs", MS_NOSUID, "mode=0000,size=4k")
        else:
            mount("/dev/null", path, None, MS_BIND)
        notes.append(f"{path} hidden")
    return notes


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
    uid, gid = cfg.get("uid"), cfg.get("gid")
    if uid is not None:
        if os.geteuid() == 0 and cfg.get("namespaces", True):
            isolate(cfg.get("expose", []), cfg["stash"], cfg.get("hide", []), cfg.get("keep", []))
        os.chown(cfg["connection_file"], uid, gid)
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
        call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != cfg["parent"]:
        os._exit(72)  # the worker died before we asked
    os.execv(argv[0], argv)


main()
