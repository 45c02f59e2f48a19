"""The sandbox a learner's kernel runs in, and what this machine allows (stdlib only).

Three levels, chosen once per batch by a probe kernel that runs nothing of the learner's
(``runner.resolve_sandbox``), never lowered afterwards:

- ``root``: the grader is root. The kernel runs under bubblewrap (user, pid, mount, network, ipc
  and uts namespaces) started as a uid of its own, inside a cgroup with pids/memory/cpu limits.
- ``user``: the same namespaces without root (unprivileged user namespaces); no cgroup: the
  worker's watchdog (``watchdog.py``) bounds the sandbox's memory and CPU instead.

In both sandboxed levels the kernel runs under the seccomp filter of ``seccomp.py``.
- ``none``: no sandbox; only for a learner's self-check, or a batch with ``--unsafe-no-sandbox``
  (as root the kernel still gets a uid of its own, never the grader's).

In both sandboxed levels the kernel sees a filesystem built from nothing: /usr, /etc, the Python
installation and every folder on its ``sys.path`` read-only; its own size-limited tmpfs for /tmp,
/var/tmp, /dev/shm and its home; one small folder shared with the worker (connection file,
sockets, probe results); its own /proc. Nothing else: not the batch, the source, the checks, the
CSV, the instructor's home, nor any other process. See docs/grading.md.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import stat
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LEVELS = ("root", "user", "none")
BWRAP = "/usr/bin/bwrap"
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_DUMPABLE = 4
# Inside the sandbox: the kernel's home and the folder it shares with the worker.
KERNEL_HOME = "/home/learner"
SHARED = "/run/bpcourse"
CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_PREFIX = "bpcourse-"

_libc = None


def libc():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def call(name: str, *args) -> None:
    if getattr(libc(), name)(*args) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{name}: {os.strerror(err)}")


def mount(source, target, fstype, flags, data=None) -> None:
    enc = lambda s: None if s is None else str(s).encode()  # noqa: E731
    call("mount", enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data))


def not_dumpable() -> None:
    """No ptrace, no /proc/<pid>/mem or fd/ for processes of the same uid (the signing key)."""
    if sys.platform.startswith("linux"):
        call("prctl", PR_SET_DUMPABLE, 0, 0, 0, 0)


# ------------------------------------------------------------------------------ folders
def closed_ancestor(path: str) -> str | None:
    """The outermost folder on ``path`` that other users cannot enter (``/root`` is 0700), if any."""
    parts = os.path.abspath(path).split("/")
    for i in range(2, len(parts) + 1):
        folder = "/".join(parts[:i])
        try:
            mode = os.stat(folder).st_mode
        except OSError:
            return None
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return folder
    return None


def closed_folders(paths) -> dict[str, str]:
    """{path: outermost closed folder on it} for the paths that have one."""
    return {p: c for p in paths if (c := closed_ancestor(p))}


def inside(path: str, folder: str) -> bool:
    path, folder = os.path.abspath(path), os.path.abspath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def private_mounts(unprivileged: bool) -> None:
    """Give the calling process mount namespace of its own (and, without root, a user namespace
    mapping our uid to itself). Must run before any thread starts (numpy's BLAS pool)."""
    uid, gid = os.getuid(), os.getgid()
    call("unshare", CLONE_NEWNS | (CLONE_NEWUSER if unprivileged else 0))
    if unprivileged:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as f:
                f.write(text)
    mount(None, "/", None, MS_REC | MS_PRIVATE)


def expose_closed(expose: list[str], stash: str) -> list[str]:
    """In our private mount namespace (root): make each folder of ``expose`` that sits under a
    closed folder (``/root``, a ``mktemp -d``) reachable by other uids, and nothing else of the
    closed folder: set the exposed folders aside, cover each closed folder with an empty tmpfs,
    bind the exposed ones back read-only at their own paths."""
    closed = closed_folders([p for p in expose if os.path.isdir(p)])
    moved = []
    for i, path in enumerate(sorted(closed)):
        spot = os.path.join(stash, str(i))
        os.makedirs(spot, exist_ok=True)
        mount(path, spot, None, MS_BIND | MS_REC)
        moved.append((path, spot))
    for folder in sorted(set(closed.values()), key=len):
        if closed_ancestor(folder) == folder:
            mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
    for path, spot in moved:
        os.makedirs(path, exist_ok=True)
        mount(spot, path, None, MS_BIND | MS_REC)
        mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_REC)
    for _, spot in moved:
        call("umount2", spot.encode(), MNT_DETACH)
    return sorted(set(closed.values()))


def quota_tmpfs(folder: str, size_mb: int, mode: int = 0o711) -> None:
    mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, f"mode={mode:o},size={int(size_mb)}m")


# ------------------------------------------------------------------------------ bubblewrap
def bwrap_has(bwrap: str, option: str) -> bool:
    """Does this bubblewrap know ``option``? Read from the binary, not by running it: every run of
    the binary an instructor configured (a wrapper script, say) stays a sandbox start."""
    key = (bwrap, option)
    if key not in _bwrap_help:
        try:
            with open(bwrap, "rb") as f:
                _bwrap_help[key] = option.encode() in f.read(16 * 2**20)
        except OSError:
            _bwrap_help[key] = False
    return _bwrap_help[key]


_bwrap_help: dict[tuple, bool] = {}


def bwrap_argv(bwrap: str, expose: list[str], hide: list[str], shared: str, quota_mb: int,
               seccomp_fd: int | None = None) -> list[str]:
    """The bubblewrap command line (up to its ``--``) for one kernel. ``seccomp_fd``: a file
    descriptor holding the filter of ``seccomp.py`` (inherited by bubblewrap)."""
    size = str(int(quota_mb) * 2**20)
    argv = [bwrap, "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--hostname", "grader", "--ro-bind", "/usr", "/usr"]
    if bwrap_has(bwrap, "--disable-userns"):  # bubblewrap >= 0.8; the filter refuses them too
        argv.append("--disable-userns")
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    argv += ["--ro-bind", "/etc", "/etc", "--ro-bind-try", "/sys/devices/system/cpu", "/sys/devices/system/cpu",
             "--proc", "/proc", "--dev", "/dev"]
    for folder in ("/tmp", "/var/tmp", "/dev/shm", KERNEL_HOME):
        argv += ["--perms", "1777" if folder != KERNEL_HOME else "0700", "--size", size, "--tmpfs", folder]
    for path in sorted({p for p in expose if os.path.exists(p)}, key=lambda p: (len(p), p)):
        if not any(inside(path, t) for t in ("/usr", "/etc", "/proc", "/dev", KERNEL_HOME)):
            argv += ["--ro-bind", path, path]
    for path in hide:  # a hidden folder inside an exposed one (a course checked out with its solutions)
        if os.path.exists(path) and any(inside(path, p) and path != p for p in expose):
            argv += ["--tmpfs", path] if os.path.isdir(path) else ["--ro-bind", "/dev/null", path]
    argv += ["--bind", shared, SHARED, "--chdir", KERNEL_HOME]
    return argv


# ------------------------------------------------------------------------------ cgroups
def cgroup_mode() -> str | None:
    """'v1' (pids, memory and cpu controllers mounted writable), 'v2' (a unified hierarchy with
    those controllers), or None."""
    if all(os.access(CGROUP_ROOT / c / "cgroup.procs", os.W_OK) for c in ("pids", "memory", "cpu")):
        return "v1"
    controllers = CGROUP_ROOT / "cgroup.controllers"
    try:
        if {"pids", "memory", "cpu"} <= set(controllers.read_text().split()) and os.access(CGROUP_ROOT, os.W_OK):
            return "v2"
    except OSError:
        pass
    return None


class Cgroup:
    """One kernel's cgroup(s). ``procs`` are the files the launcher writes its pid to."""

    def __init__(self, name: str, memory_mb: int, pids: int, cpus: float):
        self.mode = cgroup_mode()
        self.dirs: list[Path] = []
        self.memory_mb = memory_mb
        if self.mode is None:
            return
        period = 100_000
        if self.mode == "v1":
            settings = {"pids": {"pids.max": pids},
                        "memory": {"memory.limit_in_bytes": memory_mb * 2**20},
                        "cpu": {"cpu.cfs_period_us": period, "cpu.cfs_quota_us": int(cpus * period),
                                "cpu.shares": 1024}}
            for controller, values in settings.items():
                self._make(CGROUP_ROOT / controller / name, values)
        else:
            parent = CGROUP_ROOT / "bpcourse"
            parent.mkdir(exist_ok=True)
            try:  # our own controllers must be enabled in our parent for the children to use them
                (CGROUP_ROOT / "cgroup.subtree_control").write_text("+pids +memory +cpu")
                (parent / "cgroup.subtree_control").write_text("+pids +memory +cpu")
            except OSError:
                pass
            self._make(parent / name, {"pids.max": pids, "memory.max": memory_mb * 2**20,
                                       "memory.swap.max": 0, "cpu.max": f"{int(cpus * period)} {period}"})

    def _make(self, path: Path, values: dict) -> None:
        path.mkdir(exist_ok=True)
        self.dirs.append(path)
        for key, value in values.items():
            try:
                (path / key).write_text(str(value))
            except OSError:
                if key not in ("memory.swap.max",):
                    raise

    def oom_kills(self) -> int:
        """How many processes the kernel's memory limit has killed (v1 memory.oom_control, v2 memory.events)."""
        for d in self.dirs:
            for name in ("memory.oom_control", "memory.events"):
                try:
                    for line in (d / name).read_text().splitlines():
                        if line.startswith("oom_kill "):
                            return int(line.split()[1])
                except (OSError, ValueError):
                    pass
        return 0

    def memory_message(self) -> str:
        return (f"the kernel and its processes used more than the limit of {self.memory_mb} MB of memory "
                "(processes, shared memory and temporary files)")

    @property
    def procs(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in self.dirs]

    def pids(self) -> set[int]:
        found = set()
        for d in self.dirs:
            try:
                found |= {int(x) for x in (d / "cgroup.procs").read_text().split()}
            except OSError:
                pass
        return found

    def remove(self) -> None:
        """Kill whatever is still inside, then remove the cgroup folders."""
        import signal
        import time

        for _ in range(50):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)
        for d in self.dirs:
            for _ in range(50):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
        self.dirs = []


def sweep_cgroups(token: str) -> None:
    """Remove the cgroups a job left (its worker was killed before it could)."""
    for base in [CGROUP_ROOT / c for c in ("pids", "memory", "cpu")] + [CGROUP_ROOT / "bpcourse"]:
        for d in base.glob(f"{CGROUP_PREFIX}{token}-*") if base.is_dir() else []:
            cg = Cgroup.__new__(Cgroup)
            cg.dirs, cg.mode = [d], None
            cg.remove()


# ------------------------------------------------------------------------------ doctor
def userns_works(bwrap: str = BWRAP) -> tuple[bool, str]:
    """Can bubblewrap make user, pid, mount and network namespaces here?"""
    import subprocess

    if not sys.platform.startswith("linux"):
        return False, f"{sys.platform} has no Linux namespaces"
    if not (shutil.which(bwrap) or os.access(bwrap, os.X_OK)):
        return False, f"bubblewrap is not installed ({bwrap} missing; Debian/Ubuntu: apt-get install bubblewrap)"
    try:
        ran = subprocess.run([bwrap, "--unshare-user", "--unshare-pid", "--unshare-net", "--ro-bind", "/", "/",
                              "--proc", "/proc", "true"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bubblewrap did not run: {exc}"
    if ran.returncode != 0:
        return False, f"unprivileged user namespaces are not available: {ran.stderr.strip()[:200]}"
    return True, ""


def mount_namespace_works() -> bool:
    """Can a child process make a private mount namespace (as root, without bubblewrap)?"""
    pid = os.fork()
    if pid == 0:
        try:
            call("unshare", CLONE_NEWNS)
            os._exit(0)
        except BaseException:
            os._exit(1)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def kernel_paths() -> list[str]:
    """The folders a grading kernel imports from (the worker's own computation)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_bpcourse_worker", HERE / "worker.py")
    worker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(worker)
    return worker.kernel_import_paths()


def doctor_rows() -> list[tuple[str, str, str | None]]:
    """(name, found, advice-or-None) rows for ``bpcourse doctor``."""
    ok, why = userns_works(os.environ.get("BPCOURSE_BWRAP", BWRAP))
    if not ok:
        rows = [("grader sandbox", "unavailable",
                 f"{why}. A self-check of your own notebook still works; an instructor's `--batch` "
                 "refuses to grade without a sandbox (or pass --unsafe-no-sandbox)")]
        closed = sorted(set(closed_folders(kernel_paths()).values()))
        if os.geteuid() == 0 and closed and not mount_namespace_works():
            rows.append(("grader kernel", f"cannot read {', '.join(closed)}",
                         f"as root the kernel runs as a uid of its own, which cannot enter {closed[0]}, and "
                         "this machine allows no mount namespace to expose the course's Python there: every "
                         "submission would get a setup error. Install bubblewrap, or open the folder (`chmod o+x`)"))
        return rows
    level = "root: own uid, namespaces" if os.geteuid() == 0 else "user namespaces"
    cg = cgroup_mode() if os.geteuid() == 0 else None
    closed = sorted(set(closed_folders(kernel_paths()).values()))
    filtered = ", seccomp filter" if _seccomp().supported() else ""
    found = (level + filtered + (f", cgroup {cg}" if cg else "")
             + (f"; {', '.join(closed)} exposed read-only" if closed else ""))
    rows = [("grader sandbox", found, None)]
    if not _seccomp().supported():
        rows.append(("grader seccomp", f"none for {_seccomp().machine()}",
                     "memfd_create, System V shared memory and nested namespaces stay open to a kernel: "
                     "grade on x86_64 or aarch64"))
    if cg:
        rows.append(("grader limits", "cgroup: memory, pids, 1 CPU per kernel", None))
    else:
        groups, why = autogroups_active()
        memory = "memory: the worker's watchdog (processes + shared memory + tmpfs, every 50 ms)"
        cpu = ("CPU: scheduler autogroup per kernel + throttle at 1 core" if groups else
               f"CPU: throttle at 1 core (SIGSTOP/SIGCONT; no autogroups: {why})")
        rows.append(("grader limits", f"{memory}; {cpu}", None))
    return rows


def _seccomp():
    import importlib.util

    spec = importlib.util.spec_from_file_location("_bpcourse_seccomp", HERE / "seccomp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def autogroups_active(flag: Path = Path("/proc/sys/kernel/sched_autogroup_enabled"),
                      own: Path = Path("/proc/self/cgroup")) -> tuple[bool, str]:
    """Does the scheduler give each session (so each kernel, started by bubblewrap's
    ``--new-session``, with ``setsid`` refused inside) a fair share of its own? Only when
    autogroups are enabled and our tasks sit in the root cpu cgroup (else the cgroup decides).
    A cgroup namespace can hide a non-root cgroup as "/": the throttle runs in every case."""
    try:
        if flag.read_text().strip() != "1":
            return False, "kernel.sched_autogroup_enabled is 0"
        lines = [line.split(":", 2) for line in own.read_text().splitlines()]
    except OSError as exc:
        return False, f"cannot read the scheduler settings ({exc.strerror})"
    for _, controllers, path in lines:
        if "cpu" in controllers.split(","):
            return (True, "") if path == "/" else (False, f"this process's cpu cgroup is {path}")
    unified = [path for _, controllers, path in lines if controllers == ""]
    try:
        cpu_enabled = "cpu" in (CGROUP_ROOT / "cgroup.subtree_control").read_text().split()
    except OSError:
        cpu_enabled = False
    if unified and cpu_enabled and unified[0] != "/":
        return False, f"this process's cgroup {unified[0]} has the cpu controller"
    return True, ""
