"""House rules every committed course notebook and solution keeps (see issue 5, 'Standards')."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
COURSE = ["00_start_here", "01_linear_model_gradient_descent", "02_chain_rule_computational_graphs",
          "03_matrix_calculus_backprop", "04_why_reverse_mode", "05_autograd_from_scratch_scalar",
          "06_tensor_autograd", "07_pytorch_autograd", "08_training_a_network"]
NOTEBOOKS = [ROOT / "notebooks" / f"{name}.ipynb" for name in COURSE]
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
REPR = re.compile(r"<(matplotlib|[A-Za-z_.]+ object at|Figure size|function |bound method )")


def ids(paths):
    return [p.stem for p in paths]


def test_every_course_notebook_exists():
    missing = [p.name for p in NOTEBOOKS if not p.exists()]
    assert not missing, f"missing notebooks: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=ids(NOTEBOOKS + SOLUTIONS))
def test_notebook_is_executed_clean_and_deterministic_looking(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert code and all(c.execution_count is not None for c in code), "commit the notebook executed"
    for cell in code:
        tags = cell.metadata.get("tags", [])
        for out in cell.outputs:
            assert out.output_type != "error", f"stored error in cell:\n{cell.source[:200]}"
            if out.output_type == "stream":
                assert out.name != "stderr" or "nbval-ignore-output" in tags, \
                    f"stderr output (warnings must be fixed or filtered):\n{out.text[:300]}"
            data = out.get("data", {})
            assert "image/svg+xml" not in data, "figures are PNG (SVG embeds dates)"
            text = out.get("text", "") + data.get("text/plain", "")
            if "image/png" not in data and "nbval-ignore-output" not in tags:
                assert not REPR.search(text), f"object repr in a checked output: {text[:200]}"


@pytest.mark.parametrize("path", NOTEBOOKS[1:], ids=ids(NOTEBOOKS[1:]))
def test_notebook_opens_with_goals_and_ends_with_summary_and_exercise_link(path):
    nb = nbformat.read(path, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    opening = "\n".join(markdown[:2]).lower()
    assert "you will learn" in opening or "you'll learn" in opening
    closing = "\n".join(markdown[-2:])
    assert "summary" in closing.lower()
    assert f"../exercises/{path.stem}.ipynb" in closing


@pytest.mark.parametrize("folder", ["notebooks", "solutions"])
def test_committed_notebooks_match_their_sources(folder):
    result = subprocess.run([sys.executable, str(ROOT / "tools/notebooks.py"), "check", "--dir", folder],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_notebook_stays_within_forty_cells(path):
    cells = nbformat.read(path, as_version=4).cells
    assert len(cells) <= 40, f"{path.name} has {len(cells)} cells: split it (house style: about 40 at most)"
