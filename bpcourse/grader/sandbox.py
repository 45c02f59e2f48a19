"""What isolation the grader can give a learner's kernel on this machine, and why not more.

Used by ``bpcourse doctor`` (and by the grader before a batch) so that an instructor learns
before grading, not from a batch of zeros, that the kernel's user could not read the course's
Python, or that this machine has no namespaces to sandbox kernels in.
"""
from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def closed_folders(paths) -> dict[str, str]:
    """{path: the outermost folder on it that other users cannot enter} for the paths that have one."""
    found = {}
    for path in paths:
        parts = os.path.abspath(path).split("/")
        for i in range(2, len(parts) + 1):
            folder = "/".join(parts[:i])
            try:
                mode = os.stat(folder).st_mode
            except OSError:
                break
            if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
                found[path] = folder
                break
    return found


def namespaces_work() -> tuple[bool, str]:
    """Can a child process make private mount and network namespaces (as root)?"""
    if not sys.platform.startswith("linux"):
        return False, "not Linux"
    import ctypes

    pid = os.fork()
    if pid == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        os._exit(0 if libc.unshare(0x00020000 | 0x40000000) == 0 else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0, "unshare(CLONE_NEWNS | CLONE_NEWNET) refused"


def kernel_paths() -> list[str]:
    """The folders a grading kernel imports from (the worker's own computation)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_bpcourse_worker", HERE / "worker.py")
    worker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(worker)
    return worker.kernel_import_paths()


def doctor_rows() -> list[tuple[str, str, str | None]]:
    """(name, found, advice-or-None) rows for ``bpcourse doctor``."""
    if os.geteuid() != 0:
        return [("grader kernel", "runs as you", None)]
    closed = closed_folders(kernel_paths())
    if not closed:
        return [("grader kernel", "own uid; its Python is readable", None)]
    ok, why = namespaces_work()
    folders = sorted(set(closed.values()))
    if ok:
        return [("grader kernel", f"own uid; {', '.join(folders)} exposed read-only in its namespace", None)]
    return [("grader kernel", f"cannot read {', '.join(folders)}",
             f"as root the grader's kernel runs as a uid of its own, which cannot enter {folders[0]} "
             f"(where {next(iter(closed))} lives), and namespaces are not allowed here ({why}); every "
             "submission would get a setup error. Open the folder (`chmod o+x`) or allow namespaces")]
