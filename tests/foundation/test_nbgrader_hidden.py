"""nbgrader is in the lock for the tests only: `make setup` keeps it out of the learners' JupyterLab."""
import subprocess
import sys
from pathlib import Path

JUPYTER = Path(sys.executable).with_name("jupyter")


def _listing(*args: str) -> str:
    out = subprocess.run([str(JUPYTER), *args], capture_output=True, text=True, timeout=120)
    return out.stdout + out.stderr


def test_nbgrader_lab_extension_is_disabled_in_the_course_venv():
    lines = [l for l in _listing("labextension", "list").splitlines() if "@jupyter/nbgrader" in l and "v0." in l]
    assert lines, "nbgrader's lab extension is not installed at all (is nbgrader still in the lock?)"
    assert all("disabled" in l for l in lines), lines


def test_nbgrader_server_extensions_are_disabled_in_the_course_venv():
    lines = [l for l in _listing("server", "extension", "list").splitlines()
             if "nbgrader.server_extensions." in l and ("enabled" in l or "disabled" in l)]
    assert len(lines) == 4, lines
    assert all("disabled" in l for l in lines), lines
