"""The worker: executes one rebuilt submission in a fresh, limited kernel and reports what happened.

Run by the grader as ``[WORKER_CMD...] python -I worker.py`` (a container or no-network wrapper can
be put in front). It reads one job as JSON on stdin, and writes one result frame on the stdout it
was started with, signed with the job's key (HMAC-SHA256); the kernel never sees that key or that
file descriptor, so a kernel cannot forge a result (and if it kills the worker, the grader sees a
non-zero exit and scores 0). Self-contained: stdlib, numpy, psutil, jupyter_client and its sibling
``sandbox.py`` (loaded by path) only.

The job names the sandbox level the grader's probe chose (``sandbox.py``); the worker gives every
kernel exactly that level or reports a grader error, never less. In a sandboxed level the worker
first makes a mount namespace of its own (and, without root, a user namespace), where its folder is
a size-limited tmpfs; then it makes itself not dumpable, so the key cannot be read from its memory.
Each sandboxed kernel gets the seccomp filter of ``seccomp.py``; where it has no cgroup, a thread
of the worker (``watchdog.py``) bounds its memory and CPU, and stops or kills only its processes.

Per code cell the worker waits for the kernel with a per-cell timeout and a whole-notebook
deadline, counts the output (a flood stops the kernel), notices a dead kernel and why. Right after
a question's grade cell runs without error, each check's probe runs in the same kernel and its
``RESULT`` comes back as JSON + ``.npy`` files (``allow_pickle=False``). If a cell times out or
kills the kernel, that question's answer cells are replaced by the stub and the notebook is run
again from the start in a fresh kernel (at most ``max_restarts`` times), so one bad answer costs
only its own question.
"""
from __future__ import annotations

import base64
import ctypes
import hashlib
import hmac
import json
import os
import pwd
import queue
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
np = psutil = None  # imported after the namespaces are made (they refuse a threaded process), see heavy_imports


def heavy_imports() -> None:
    """numpy, psutil, jupyter_client: imported while the first kernel boots (it takes as long)."""
    global np, psutil
    if psutil is None:
        import numpy
        import psutil as _psutil

        np, psutil = numpy, _psutil


def write_ipc_connection(path: Path, ip: str) -> tuple[str, dict]:
    """A kernel connection file over unix sockets (no ports to pick), without importing
    jupyter_client, so that the kernel can start before the worker has imported it."""
    info = {"transport": "ipc", "ip": ip, "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4,
            "hb_port": 5, "key": secrets.token_hex(32), "signature_scheme": "hmac-sha256", "kernel_name": ""}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(info, f)
    return str(path), info


def load_sibling(name: str):
    """A stdlib-only module of this folder, by path (the worker runs with ``-I``, outside the package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"_bpcourse_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sandbox = load_sibling("sandbox")
seccomp = load_sibling("seccomp")
watchdog = load_sibling("watchdog")
LAUNCHER = HERE / "_launch_kernel.py"
LINUX = sys.platform.startswith("linux")
PR_SET_CHILD_SUBREAPER = 36
UNIQUE_UIDS = (3_000_000, 3_900_000)  # far above any real account
MAX_RESULT_BYTES = 32 * 2**20
SAFE_KINDS = "biufcU"
# Results stay in this process (the grader's user, outside the kernel's limits) until the frame is
# written, so they are bounded as objects, not only as bytes: 8 MB of "[]," is 2.7 million lists,
# and seven probes of it held 1.6 GB here (6 GB at 32 MB each). A check's RESULT has a handful.
MAX_RESULT_CONTAINERS = 200_000  # lists and dicts in one probe's JSON
MAX_JOB_RESULT_BYTES = 40 * 2**20  # all the probes of one run together (the frame carries 64 MB)

PROBE_HARNESS = '''\
def __bpcourse_probe(_json=__import__("json"), _np=__import__("numpy")):
    ns = dict(globals())
    ns["INPUTS"] = _json.loads({inputs!r})
    exec(compile({probe!r}, {label!r}, "exec"), ns)
    if "RESULT" not in ns:
        raise NameError("the check's probe did not assign RESULT")
    arrays = []

    def enc(o, depth=0):
        if depth > 32:
            raise ValueError("RESULT is nested too deeply")
        if o is None or isinstance(o, (bool, str)):
            return o
        if isinstance(o, _np.generic):
            return o.item()
        if isinstance(o, (int, float)):
            return o
        if isinstance(o, dict):
            return {{str(k): enc(v, depth + 1) for k, v in o.items()}}
        if isinstance(o, (list, tuple)):
            return [enc(v, depth + 1) for v in o]
        if not isinstance(o, _np.ndarray):
            if hasattr(o, "detach"):
                o = o.detach()
            if hasattr(o, "cpu"):
                o = o.cpu()
            if hasattr(o, "numpy"):
                o = o.numpy()
            if not hasattr(o, "__array__"):
                raise TypeError(f"RESULT holds a {{type(o).__name__}}; use numbers, lists, dicts or arrays")
            o = _np.asarray(o)
        arrays.append(o)
        return {{"__ndarray__": len(arrays) - 1}}

    data = enc(ns["RESULT"])
    for i, a in enumerate(arrays):
        _np.save({out!r} + f".{{i}}.npy", a, allow_pickle=False)
    with open({out!r} + ".json", "w") as f:
        _json.dump(data, f)
try:
    __bpcourse_probe()
finally:
    del __bpcourse_probe
'''


def kernel_import_paths() -> list[str]:
    """Folders the kernel's Python must read: the installation, every folder on ``sys.path`` (the
    worker runs with ``-I``, so that is the environment's own path plus its ``.pth`` entries), this
    package's own folder and the targets of editable installs (setuptools' finder ``MAPPING``)."""
    import ast
    import glob

    found = {sys.base_prefix, sys.prefix, str(HERE.parent)}
    found |= {p for p in sys.path if p and os.path.isdir(p)}
    for folder in [p for p in sys.path if p.endswith("-packages")]:
        for finder in glob.glob(os.path.join(folder, "__editable__*_finder.py")):
            try:
                tree = ast.parse(Path(finder).read_text())
            except (OSError, SyntaxError, ValueError):
                continue
            for node in tree.body:
                if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "MAPPING" for t in node.targets):
                    try:
                        found |= {os.path.dirname(v) if v.endswith(".py") else v
                                  for v in ast.literal_eval(node.value).values() if isinstance(v, str)}
                    except ValueError:
                        pass
    return sorted({os.path.realpath(p) for p in found if os.path.exists(p)} | found)


def unreadable_for(uid: int, gid: int, path: str) -> str | None:
    """The first folder on ``path`` that a process with this uid/gid (and no groups) cannot enter."""
    parts = os.path.abspath(path).split("/")
    for i in range(2, len(parts) + 1):
        folder = "/".join(parts[:i])
        try:
            st = os.stat(folder)
        except OSError:
            return None
        if not stat.S_ISDIR(st.st_mode):
            return None
        bit = stat.S_IXUSR if st.st_uid == uid else stat.S_IXGRP if st.st_gid == gid else stat.S_IXOTH
        if not st.st_mode & bit:
            return folder
    return None


class SetupError(Exception):
    """A cell that is not the learner's (a setup cell before the first answer) failed: the grader's problem."""


class Fatal(Exception):
    """The kernel cannot go on: timeout, crash, output flood, wall-clock limit."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def signal_name(code: int) -> str:
    try:
        return signal.Signals(code).name
    except ValueError:
        return f"signal {code}"


class Worker:
    def __init__(self, job: dict):
        self.job = job
        self.cells = job["cells"]
        self.deadline = time.monotonic() + float(job["wall_limit"])
        self.parent = job.get("_parent") or os.getppid()
        box = job.get("sandbox") or {"level": "none"}
        self.level = box["level"]
        self.box = box
        self.user = box.get("user") or None
        self.warnings: list[dict] = []
        self.notes: list[str] = []  # about the grading itself
        self.kernel: subprocess.Popen | None = None
        self.client = None
        self.cgroup = None
        self.watchdog = None  # memory and CPU limits where there is no cgroup (watchdog.py)
        self.kernel_starts = 0
        self.start_seconds: list[float] = []  # each kernel's start-up, for the benchmark
        self.throttled: list[tuple] = []  # per kernel with a watchdog: (stops, seconds stopped, peak MB, demoted)
        self.workdir = Path(tempfile.mkdtemp(prefix="bpgrade-"))
        self.uid = self.gid = None
        if self.user == "unique":
            # A uid of its own (no passwd entry needed): kernels graded side by side cannot signal,
            # trace or read each other, and RLIMIT_NPROC counts this kernel only.
            self.uid = self.gid = UNIQUE_UIDS[0] + secrets.randbelow(UNIQUE_UIDS[1] - UNIQUE_UIDS[0])
        elif self.user:
            pw = pwd.getpwnam(self.user)
            self.uid, self.gid = pw.pw_uid, pw.pw_gid
        if self.level == "root" or (self.level == "none" and self.uid is not None and job.get("_private")):
            # Our private mount namespace: the folders the kernel imports from become reachable by
            # its uid even under a closed folder (issue 17); nothing else of that folder does.
            sandbox.expose_closed(kernel_import_paths(), str(self.workdir / "stash"))
            # The stash's mount points are detached by now; remove them before the tmpfs below hides
            # them, else a worker whose grader died (cleanup inside this namespace) leaves them behind.
            shutil.rmtree(self.workdir / "stash", ignore_errors=True)
            self.workdir.mkdir(parents=True, exist_ok=True)
        if self.level in ("root", "user"):
            # Everything the kernel can write outside its own tmpfs mounts lives here: one quota, and
            # gone with our mount namespace when we exit.
            sandbox.quota_tmpfs(str(self.workdir), int(box.get("quota_mb", 256)))
        if self.user:
            os.chmod(self.workdir, 0o711)  # the kernel's user may pass through to its own folder, not list ours

    # ---------------------------------------------------------------- kernel lifecycle
    def _own(self, path: Path) -> Path:
        path.mkdir(mode=0o700, exist_ok=True)
        if self.uid is not None:
            os.chown(path, self.uid, self.gid)
        return path

    def kernel_env(self, home: Path) -> dict:
        tmp = "/tmp" if self.level in ("root", "user") else str(self._own(home / "tmp"))
        env = {
            "PATH": os.path.dirname(sys.executable) + ":/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8", "HOME": str(home), "TMPDIR": tmp, "USER": "learner", "LOGNAME": "learner",
            "IPYTHONDIR": str(home / ".ipython"), "MPLCONFIGDIR": str(home / ".mpl"),
            "MPLBACKEND": "Agg", "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
            "JUPYTER_DATA_DIR": str(home / ".jupyter"), "JUPYTER_RUNTIME_DIR": str(home / ".jupyter"),
            "XDG_CACHE_HOME": str(home / ".cache"), "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "BPCOURSE_GRADER_JOB": os.environ.get("BPCOURSE_GRADER_JOB", ""),
        }
        return env

    def start_kernel(self) -> None:
        self.kernel_starts += 1
        run = self._own(self.workdir / f"run{self.kernel_starts}")
        self.out_dir = self._own(run / "out")
        boxed = self.level in ("root", "user")
        # Paths as the kernel sees them: the shared folder is mounted at sandbox.SHARED in the sandbox.
        seen = Path(sandbox.SHARED) if boxed else run
        self.out_seen = seen / "out"
        home = Path(sandbox.KERNEL_HOME) if boxed else run
        # Unix sockets in the shared folder: no ports to race for, and they work without a network.
        if LINUX:
            conn, info = write_ipc_connection(run / "kernel.json", str(seen / "k"))
            info = dict(info, ip=str(run / "k"))
        else:  # macOS: socket paths under its long TMPDIR can pass the 104-byte limit
            from jupyter_client.connect import write_connection_file

            conn, info = write_connection_file(fname=str(run / "kernel.json"), ip="127.0.0.1")
        limits = dict(self.job["limits"])
        cfg = {"limits": limits, "parent": os.getpid()}
        kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", str(seen / "kernel.json"),
                  "--HistoryManager.enabled=False", "--IPKernelApp.log_level=ERROR"]
        if self.uid is not None:
            cfg.update(uid=self.uid, gid=self.gid, chown=[conn])
        if self.level == "root" and sandbox.cgroup_mode():
            token = os.environ.get("BPCOURSE_GRADER_JOB", "") or secrets.token_hex(6)
            self.cgroup = sandbox.Cgroup(f"{sandbox.CGROUP_PREFIX}{token}-{self.kernel_starts}",
                                         memory_mb=int(limits.get("memory_mb") or 2048),
                                         pids=int(limits.get("nproc") or 512), cpus=float(self.box.get("cpus", 1.0)))
            cfg["cgroup_procs"] = self.cgroup.procs
        pass_fds: tuple[int, ...] = ()
        if boxed:
            hide = [p for p in self.job.get("hide", [])]
            if seccomp.supported():
                pass_fds = (seccomp.filter_fd(),)
            wrap = sandbox.bwrap_argv(self.box.get("bwrap", sandbox.BWRAP), kernel_import_paths(), hide, str(run),
                                      int(self.box.get("quota_mb", 256)), seccomp_fd=(pass_fds or (None,))[0])
            kernel = [*wrap, "--", *kernel]
        argv = [sys.executable, "-I", "-S", str(LAUNCHER), json.dumps(cfg), "--", *kernel]
        log_path = self.workdir / f"kernel{self.kernel_starts}.log"
        log = open(log_path, "wb")
        try:
            self.kernel = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=run,
                                           env=self.kernel_env(home), start_new_session=True, close_fds=True,
                                           pass_fds=pass_fds)
        finally:
            log.close()
            for fd in pass_fds:
                os.close(fd)
        if boxed and self.cgroup is None:
            # No cgroup (always so without root): the worker bounds the sandbox's memory and CPU itself.
            self.watchdog = watchdog.Watchdog(
                self.kernel.pid, memory_mb=limits.get("memory_mb"), cpus=float(self.box.get("cpus", 1.0)),
                folders=("/tmp", "/var/tmp", "/dev/shm", sandbox.KERNEL_HOME), shared=(str(self.workdir),))
            self.watchdog.start()
        elif boxed:  # the cgroup bounds memory and CPU; its first OOM kill ends the whole sandbox
            self.watchdog = watchdog.Watchdog(self.kernel.pid, memory_mb=None, cpus=None,
                                              oom=(self.cgroup.oom_kills, self.cgroup.memory_message()))
            self.watchdog.start()
        heavy_imports()
        from jupyter_client import BlockingKernelClient

        client = BlockingKernelClient()
        client.load_connection_info(info)
        client.start_channels()
        self.client = client
        began = time.monotonic()
        limit = began + float(self.job.get("start_timeout", 60))
        while True:
            try:
                client.wait_for_ready(timeout=1)
                self.start_seconds.append(round(time.monotonic() - began, 3))
                return
            except RuntimeError:
                pass
            self.check_parent()
            if self.kernel.poll() is not None or time.monotonic() > limit:
                tail = log_path.read_bytes()[-2000:].decode("utf-8", "replace").strip()
                code = self.kernel.poll()
                self.stop_kernel()
                why = tail or (f"exit status {code}" if code is not None else "no answer before the start timeout")
                raise RuntimeError(f"the kernel did not start in the {self.level!r} sandbox: {why}" + self.access_hint())

    def access_hint(self) -> str:
        """Why the kernel's own user may not reach the Python it needs (no sandbox, as root)."""
        if self.uid is None or self.level != "none":
            return ""
        for path in kernel_import_paths():
            closed = unreadable_for(self.uid, self.gid, path)
            if closed:
                who = f"uid {self.uid}" if self.user == "unique" else self.user
                return (f" (the kernel's user, {who}, cannot read {path}: {closed} is closed to other users; "
                        "open it with `chmod o+x`, or grade with the sandbox)")
        return ""

    def stop_kernel(self) -> None:
        """Kill the kernel's whole process group (its sandbox dies with it), then anything else still
        below the worker, and its cgroup."""
        heavy_imports()
        if self.watchdog is not None:
            self.watchdog.stop()  # before the kill below: it never holds a stopped sandbox past this
            self.throttled.append((self.watchdog.stops, round(self.watchdog.stopped_s, 3),
                                   round(self.watchdog.peak_kb / 1024, 1), self.watchdog.demoted))
            self.watchdog = None
        if self.client is not None:
            try:
                self.client.stop_channels()
            except Exception:
                pass
            self.client = None
        if self.kernel is not None:
            try:
                os.killpg(self.kernel.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.kernel.kill()
            self.kernel.wait()
        for child in psutil.Process().children(recursive=True):
            try:
                child.kill()
            except psutil.Error:
                pass
        for child in psutil.Process().children():
            try:
                os.waitpid(child.pid, 0)
            except ChildProcessError:
                pass
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None

    def check_parent(self) -> None:
        if os.getppid() != self.parent:  # the grader is gone: nobody will read our result
            self.cleanup()
            os._exit(3)

    def death(self) -> Fatal:
        code = self.kernel.wait()
        if self.watchdog is not None and self.watchdog.verdict:
            return Fatal(*self.watchdog.verdict)
        if self.cgroup is not None and self.cgroup.oom_kills():
            return Fatal("memory limit", self.cgroup.memory_message())
        if self.level in ("root", "user") and code > 128:
            code = 128 - code  # bubblewrap exits with 128 + the signal that ended the kernel
        if code < 0:
            name = signal_name(-code)
            if name == "SIGXCPU":
                return Fatal("cpu limit", f"the kernel used up its {self.job['limits'].get('cpu_s')} s of CPU time")
            if name == "SIGKILL":
                return Fatal("kernel died", "the kernel was killed (SIGKILL: out of memory or CPU time)")
            return Fatal("kernel died", f"the kernel crashed ({name})")
        return Fatal("kernel died", f"the kernel exited with code {code} (sys.exit/os._exit in a cell?)")

    # ---------------------------------------------------------------- one cell
    def execute(self, code: str, cell_index: int, record_stderr: bool = True) -> dict:
        client = self.client
        msg_id = client.execute(code, store_history=False, allow_stdin=False, stop_on_error=False)
        deadline = min(time.monotonic() + float(self.job["cell_timeout"]), self.deadline)
        error = None
        printed = 0
        stderr = []
        while True:
            self.check_parent()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if deadline >= self.deadline:
                    raise Fatal("timeout", f"the whole notebook ran out of its {self.job['wall_limit']} s")
                raise Fatal("timeout", f"cell {cell_index} ran longer than {self.job['cell_timeout']} s")
            try:
                msg = client.get_iopub_msg(timeout=min(remaining, 0.2))
            except queue.Empty:
                if self.kernel.poll() is not None:
                    raise self.death()
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                text = content.get("text", "")
                printed += len(text)
                if content.get("name") == "stderr" and record_stderr and sum(map(len, stderr)) < 2000:
                    stderr.append(text)
            elif kind in ("display_data", "execute_result", "update_display_data"):
                printed += sum(len(str(v)) for v in content.get("data", {}).values())
            elif kind == "error":
                error = {"ename": str(content.get("ename", ""))[:200], "evalue": str(content.get("evalue", ""))[:2000]}
            elif kind == "status" and content.get("execution_state") == "idle":
                break
            if printed > self.job["output_limit"]:
                raise Fatal("output limit", f"cell {cell_index} printed more than {self.job['output_limit'] // 2**20} MB")
        if stderr:
            self.warnings.append({"cell": cell_index, "text": "".join(stderr)[:2000]})
        if error is None:
            return {"status": "ok"}
        return {"status": "error", **error}

    # ---------------------------------------------------------------- probes
    def probe(self, check: dict, cell_index: int) -> dict:
        token = secrets.token_hex(8)
        out = str(self.out_seen / token)
        code = PROBE_HARNESS.format(inputs=check["inputs"], probe=check["probe"], label=f"<check {check['label']}>",
                                    out=out)
        ran = self.execute(code, cell_index, record_stderr=False)
        if ran["status"] != "ok":
            return ran
        try:
            raw = self.read_private(self.out_dir / f"{token}.json")
            self.count_result(len(raw))
            if raw.count(b"[") + raw.count(b"{") > MAX_RESULT_CONTAINERS:
                raise ValueError(f"RESULT holds more than {MAX_RESULT_CONTAINERS:,} lists and dicts")
            return {"status": "ok", "result": self.decode(json.loads(raw), token, {})}
        except Exception as exc:
            return {"status": "error", "ename": "ResultError",
                    "evalue": f"the probe's RESULT could not be read back: {type(exc).__name__}: {exc}"[:500]}

    def read_private(self, path: Path) -> bytes:
        """Read a file the kernel wrote, refusing links and oversize files."""
        # O_NONBLOCK: a FIFO the kernel put there would block this open (and with it every
        # timeout the worker enforces) until the grader kills us; non-blocking, it opens at once
        # and is refused below as not a regular file.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_RESULT_BYTES:
                raise ValueError("not a regular file or too large")
            return f.read(MAX_RESULT_BYTES + 1)

    result_bytes = 0  # of this run's probes, see MAX_JOB_RESULT_BYTES

    def count_result(self, size: int) -> None:
        self.result_bytes += size
        if self.result_bytes > MAX_JOB_RESULT_BYTES:
            raise ValueError(f"the probes' results are larger than {MAX_JOB_RESULT_BYTES // 2**20} MB in all")

    def decode(self, data, token: str, seen: dict):
        """``seen``: {array file: bytes read} for this probe. The kernel writes the JSON, so it could
        name one .npy thousands of times and make us (the grader's user, no memory limit) decode it
        each time: each file is read once, and all of them together at most MAX_RESULT_BYTES."""
        if isinstance(data, dict):
            if set(data) == {"__ndarray__"} and isinstance(data["__ndarray__"], int):
                import io
                index = int(data["__ndarray__"])
                if index in seen:
                    raise ValueError(f"array file {index} is named more than once")
                raw = self.read_private(self.out_dir / f"{token}.{index}.npy")
                self.count_result(len(raw))
                seen[index] = len(raw)
                if sum(seen.values()) > MAX_RESULT_BYTES:
                    raise ValueError(f"the arrays are larger than {MAX_RESULT_BYTES // 2**20} MB in all")
                a = np.load(io.BytesIO(raw), allow_pickle=False)
                if a.dtype.kind not in SAFE_KINDS:
                    raise TypeError(f"array of dtype {a.dtype} is not allowed")
                a = np.ascontiguousarray(a)
                return {"__ndarray__": {"dtype": a.dtype.str, "shape": list(a.shape),
                                        "b64": base64.b64encode(a.tobytes()).decode("ascii")}}
            return {k: self.decode(v, token, seen) for k, v in data.items()}
        if isinstance(data, list):
            return [self.decode(v, token, seen) for v in data]
        return data

    # ---------------------------------------------------------------- the notebook
    def run_once(self, stubbed: dict[int, str]) -> tuple[dict, dict | None]:
        """Execute every code cell once in a fresh kernel. Returns (per-question records, fatal or None)."""
        records: dict[str, dict] = {}
        answer_errors: dict[str, dict] = {}
        self.result_bytes = 0
        self.start_kernel()
        current = None
        learner_ran = False
        try:
            for cell in self.cells:
                current = cell
                source = cell["stub"] if cell["index"] in stubbed else cell["source"]
                ran = self.execute(source, cell["index"])
                learner_ran = learner_ran or cell["kind"] == "answer"
                if cell["kind"] == "code" and not learner_ran and ran["status"] != "ok":
                    # Nothing of the learner's has run yet: the course's own setup failed here.
                    raise SetupError(f"the setup cell {cell['index']} failed before any answer ran: "
                                     f"{ran.get('ename', '')}: {ran.get('evalue', '')}".strip()
                                     + self.access_hint())
                if cell["kind"] == "answer" and ran["status"] != "ok":
                    answer_errors.setdefault(cell["question"], ran)
                if cell["kind"] != "grade":
                    continue
                record = records[cell["grade_id"]] = {"cell": ran, "probes": [],
                                                      "answer": answer_errors.get(cell["grade_id"])}
                if ran["status"] == "ok":
                    for check in self.job["probes"].get(cell["grade_id"], []):
                        record["probes"].append(self.probe(check, cell["index"]))
            return records, None
        except Fatal as fatal:
            return records, {"status": fatal.status, "message": fatal.message,
                             "cell": current["index"], "question": current.get("question")}
        finally:
            self.stop_kernel()

    def run(self) -> dict:
        started = time.monotonic()
        stubbed: dict[int, str] = {}
        fatal_by_question: dict[str, dict] = {}
        answers = {c["index"]: c.get("question") for c in self.cells if c["kind"] == "answer"}
        stopped = None
        for attempt in range(int(self.job["max_restarts"]) + 1):
            self.warnings = []
            try:
                records, fatal = self.run_once(stubbed)
            except SetupError as exc:
                return {"error": f"setup error: {exc}"[:3000], "kernel_starts": self.kernel_starts, "notes": self.notes}
            except RuntimeError as exc:
                # The kernel did not start with the isolation the probe chose for this batch (a first
                # start, or a restart after the learner's code killed the kernel): a grader error that
                # names the cause. Never a retry with less isolation.
                return {"error": str(exc)[:3000], "kernel_starts": self.kernel_starts, "notes": self.notes}
            if fatal is None:
                stopped = None
                break
            stopped = fatal
            question = fatal.get("question")
            to_stub = [i for i, q in answers.items() if q == question and i not in stubbed]
            if question is None or question in fatal_by_question or time.monotonic() >= self.deadline:
                break
            fatal_by_question[question] = fatal
            for i in to_stub:
                stubbed[i] = fatal["status"]
            stopped = None
        return {"questions": records, "fatal": fatal_by_question, "stopped": stopped, "warnings": self.warnings,
                "notes": self.notes, "kernel_starts": self.kernel_starts, "start_seconds": self.start_seconds,
                "throttled": self.throttled,
                "seconds": round(time.monotonic() - started, 3)}

    def cleanup(self) -> None:
        self.stop_kernel()
        if self.level in ("root", "user"):
            try:  # uncover the real folder under our quota tmpfs, so it can go too (a grader gone)
                sandbox.call("umount2", str(self.workdir).encode(), sandbox.MNT_DETACH)
            except OSError:
                pass
        shutil.rmtree(self.workdir, ignore_errors=True)
        if self.workdir.parent.name.startswith("bpgrade-job-"):
            try:
                self.workdir.parent.rmdir()  # the grader's scratch folder, if the grader is gone
            except OSError:
                pass


def frame(key: bytes, payload: bytes) -> bytes:
    digest = hmac.new(key, payload, hashlib.sha256).hexdigest()
    return b"BPCOURSE-RESULT %s %d\n" % (digest.encode(), len(payload)) + payload + b"\n"


def main() -> int:
    # Our grader, noted before anything slow (reading the job, unsharing): if it is killed during
    # those steps we are re-parented, and a ppid read later would watch the wrong process.
    parent = os.getppid()
    # The result channel is the stdout we were started with; keep it private, point fd 1 elsewhere.
    channel = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    job = json.loads(sys.stdin.buffer.read())
    sys.stdin.close()
    key = bytes.fromhex(job.pop("key"))
    job["_parent"] = parent
    level = (job.get("sandbox") or {}).get("level", "none")
    problem = None
    if level in ("root", "user"):
        try:  # before numpy starts its threads: unshare refuses a threaded process
            sandbox.private_mounts(unprivileged=level == "user")
        except OSError as exc:
            problem = f"the worker could not make its private namespaces for the {level!r} sandbox: {exc}"
    elif LINUX and os.geteuid() == 0 and (job.get("sandbox") or {}).get("user"):
        try:  # no sandbox, but root: still expose the course's Python to the kernel's own uid
            sandbox.private_mounts(unprivileged=False)
            job["_private"] = True
        except OSError:
            pass
    if LINUX:
        sandbox.not_dumpable()  # the key: no /proc/<pid>/mem, no ptrace, even for the same uid
        ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans of the kernel stay ours to kill
    if problem:
        result = {"error": problem, "kernel_starts": 0, "notes": []}
    else:
        worker = None
        try:
            worker = Worker(job)
            result = worker.run()
        except OSError as exc:
            result = {"error": f"the worker could not prepare the {level!r} sandbox: {exc}", "kernel_starts": 0,
                      "notes": []}
        finally:
            if worker is not None:
                worker.cleanup()
    payload = json.dumps(result).encode()
    data = frame(key, payload)
    while data:
        data = data[os.write(channel, data):]
    os.close(channel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
