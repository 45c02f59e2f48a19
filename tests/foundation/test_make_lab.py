"""`make lab` serves JupyterLab on the project's own kernel and opens the first notebook."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from lab import Lab, free_port, stop  # noqa: E402  (the browser tests' JupyterLab launcher)

ROOT = Path(__file__).resolve().parents[2]
FIRST_NOTEBOOK = "notebooks/00_start_here.ipynb"


@pytest.fixture
def lab(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    args = (f"--no-browser --port={port} --ServerApp.port_retries=0 --ServerApp.ip=127.0.0.1 "
            f"--IdentityProvider.token={token} --LabApp.news_url=None --LabApp.check_for_updates_class="
            f"jupyterlab.NeverCheckForUpdate --LabApp.workspaces_dir={tmp_path}")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"], cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    lab = Lab(port, token, ROOT, tmp_path / "lab.log", proc)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                lab.api("/api/status")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("make lab did not serve /api/status:\n"
                                         + lab.log()[-3000:])
                time.sleep(0.5)
        yield lab
    finally:
        stop(proc)  # stops make, JupyterLab and the kernels it started (they run in sessions of their own)
        log.close()


def test_make_lab_serves_the_first_notebook_on_the_project_kernel(lab):
    model = lab.api(f"/api/contents/{FIRST_NOTEBOOK}")
    assert model["type"] == "notebook"
    assert model["content"]["metadata"]["kernelspec"]["name"] == "python3"
    specs = lab.api("/api/kernelspecs")
    assert "python3" in specs["kernelspecs"]
    # The python3 kernel JupyterLab starts is the project's .venv interpreter.
    argv0 = specs["kernelspecs"]["python3"]["spec"]["argv"][0]
    assert Path(argv0).resolve().is_relative_to((ROOT / ".venv").resolve()) or argv0 == "python", argv0
    session = lab.api("/api/sessions", "POST",
                      {"path": FIRST_NOTEBOOK, "type": "notebook", "kernel": {"name": "python3"}})
    assert session["kernel"]["name"] == "python3"
    executable = lab.run_in_kernel(session["kernel"]["id"], "import sys; print(sys.executable)", timeout=90)
    assert Path(executable.strip()).parent.resolve() == (ROOT / ".venv/bin").resolve(), executable
    lab.api(f"/api/sessions/{session['id']}", "DELETE")
    # The lab log says it opened the first notebook's folder layout without errors.
    assert "Traceback" not in lab.log()


def test_setup_is_up_to_date_after_install():
    """A second `make test` spends no time on setup: the install stamp is newer than lock and pyproject."""
    result = subprocess.run(["make", "-q", "setup"], cwd=ROOT)
    assert result.returncode == 0, "make setup would reinstall although nothing changed"


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    # The README's command, then the floor environment's run (issue 18), and nothing after them.
    assert commands[-2:] == ["make test", "make test-floor"]
    assert "make test-floor" in readme


def test_doctor_reports_versions_and_verdict():
    out = subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "bpcourse", "doctor"],
                         capture_output=True, text=True, timeout=120)
    for name in ["Python", "numpy", "torch", "ipywidgets", "jupyterlab", "widget extension"]:
        assert name in out.stdout
    assert ("All good" in out.stdout) == (out.returncode == 0)
