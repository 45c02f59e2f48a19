"""Start JupyterLab from the project's environment for a test, and stop it (and its kernels) after.

    with running_lab(tmp_path) as lab:          # a free localhost port, a fresh token
        lab.api("/api/sessions")                 # the REST API, authenticated
        lab.run_in_kernel(kernel["id"], "print(1)")  # stdout of code run in a kernel
        page.goto(lab.url("notebooks/01_linear_model_gradient_descent.ipynb"))

Everything that could make a run differ from the next is switched off or made temporary: news
and update checks, the workspace (``?reset`` plus a temporary workspaces folder), the user
settings (a temporary folder with ``windowingMode: none``, so cells scrolled out of view stay in
the page), the runtime folder. JupyterLab refuses to run as root unless told (``--allow-root``).
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import psutil

ROOT = Path(__file__).resolve().parents[2]
# the project's environment (make setup creates .venv); else the one the tests run in
JUPYTER = ROOT / ".venv" / "bin" / "jupyter"
if not JUPYTER.exists():
    JUPYTER = Path(sys.executable).with_name("jupyter")

# User settings JupyterLab reads instead of ~/.jupyter/lab/user-settings (one file per plugin).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    port: int
    token: str
    root_dir: Path
    log_path: Path
    process: subprocess.Popen

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, notebook: str) -> str:
        """The page that opens ``notebook`` (relative to root_dir) in a reset workspace."""
        path = urllib.parse.quote(notebook)
        return f"{self.base}/lab/tree/{path}?reset&token={self.token}"

    def api(self, path: str, method: str = "GET", body: dict | None = None) -> object:
        request = urllib.request.Request(
            f"{self.base}{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
        return json.loads(text) if text else {}

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def run_in_kernel(self, kernel_id: str, code: str, timeout: float = 60) -> str:
        """Execute ``code`` in a running kernel over JupyterLab's websocket; its stdout (errors raise)."""
        import websocket  # websocket-client, a jupyter_server dependency
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{self.port}/api/kernels/{kernel_id}/channels?token={self.token}", timeout=timeout)
        msg_id, out = uuid.uuid4().hex, ""
        ws.send(json.dumps({"header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                                       "session": uuid.uuid4().hex, "version": "5.3"},
                            "parent_header": {}, "metadata": {}, "channel": "shell",
                            "content": {"code": code, "silent": False, "store_history": False,
                                        "user_expressions": {}, "allow_stdin": False}}))
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "stream":
                    out += msg["content"]["text"]
                if msg["msg_type"] == "error":
                    raise AssertionError("\n".join(msg["content"]["traceback"])[-2000:])
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    return out
        finally:
            ws.close()
        raise AssertionError(f"no reply from the kernel within {timeout} s")

    def kernel_of(self, notebook: str) -> dict | None:
        """The kernel model of ``notebook``'s session (``execution_state``, ``connections``)."""
        for session in self.api("/api/sessions"):
            if session.get("path") == notebook and session.get("kernel"):
                return session["kernel"]
        return None

    def wait_for_idle_kernel(self, notebook: str, timeout: float = 120.0) -> dict:
        """Wait until the server lists ``notebook`` with a connected, idle kernel.

        Right after a notebook opens, the page can show "idle" before the session exists; a
        "Run All" then pops a kernel chooser and nothing runs. The server's view is the truth.
        """
        deadline = time.monotonic() + timeout
        kernel = None
        while time.monotonic() < deadline:
            kernel = self.kernel_of(notebook)
            if kernel and kernel.get("execution_state") == "idle" and kernel.get("connections", 0) > 0:
                return kernel
            time.sleep(0.5)
        raise AssertionError(f"no connected idle kernel for {notebook} after {timeout:.0f} s "
                             f"(last seen: {kernel}); server log:\n{self.log()[-3000:]}")


def lab_command(port: int, token: str, root_dir: Path, work: Path, extra: tuple[str, ...] = ()) -> list[str]:
    command = [str(JUPYTER), "lab", "--no-browser", f"--port={port}", "--ServerApp.port_retries=0",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root_dir}",
               "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               f"--LabApp.workspaces_dir={work / 'workspaces'}",
               f"--LabApp.user_settings_dir={work / 'user-settings'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command + list(extra)


def write_settings(folder: Path) -> None:
    for name, values in LAB_SETTINGS.items():
        plugin, file = name.rsplit("/", 1)
        path = folder / plugin / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@contextmanager
def running_lab(work: Path, root_dir: Path = ROOT, startup_timeout: float = 120.0,
                extra: tuple[str, ...] = ()) -> Iterator[Lab]:
    """JupyterLab serving ``root_dir``; ``work`` (a temporary folder) gets its state and log;
    ``extra``: more command-line options (e.g. the Chinese course's app settings)."""
    port, token = free_port(), secrets.token_hex(16)
    (work / "workspaces").mkdir(parents=True, exist_ok=True)
    write_settings(work / "user-settings")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(work / "runtime"), PYTHONUNBUFFERED="1",
               IPYTHONDIR=str(work / "ipython"))
    env.pop("JUPYTER_CONFIG_DIR", None)
    log_path = work / "lab.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(lab_command(port, token, root_dir, work, extra), cwd=root_dir,
                                   stdout=log, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
    lab = Lab(port=port, token=token, root_dir=root_dir, log_path=log_path, process=process)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            try:
                lab.api("/api/status")
                break
            except (OSError, urllib.error.URLError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("JupyterLab did not serve /api/status:\n" + lab.log()[-3000:])
                time.sleep(0.5)
        yield lab
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """Stop JupyterLab and its kernels. Kernels run in sessions of their own (jupyter_client starts
    them so), so they are found as the server's child processes first and stopped by pid after."""
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    for sig, wait in [(signal.SIGTERM, 20), (signal.SIGKILL, 10)]:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    gone, alive = psutil.wait_procs(children, timeout=10)
    for child in alive:
        child.kill()
    psutil.wait_procs(alive, timeout=10)
