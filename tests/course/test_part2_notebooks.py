"""Notebooks 04-08 keep the course's promises: library code is shown, never pasted; every widget
cell is ignored by nbval and followed by printed numbers; measured figures assert their claim."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
PART2 = ["04_why_reverse_mode", "05_autograd_from_scratch_scalar", "06_tensor_autograd", "07_pytorch_autograd",
         "08_training_a_network"]
WIDGETS = ("backward_stepper(", "interact(", "TrainingProgress(")
# Lines a notebook may share with the library: notebook 05's deliberately WRONG recursive backward
# walks the inputs with the same loop header as the library's (correct) step-by-step backward.
ALLOWED = {"for parent, local in zip(node.parents, node.local_grads):"}


def code_cells(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


def ignored(cell) -> bool:
    return "nbval-ignore-output" in cell.metadata.get("tags", [])


def library_lines() -> set[str]:
    lines = set()
    for path in (ROOT / "bpcourse").rglob("*.py"):
        if "course" in path.parts:  # the seed program text lives there; it is not library code
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) >= 40 and not line.startswith(("#", "import ", "from ", '"', "'")):
                lines.add(line)
    return lines


@pytest.mark.parametrize("name", PART2)
def test_no_library_code_is_pasted(name):
    library = library_lines()
    pasted = [line.strip() for c in code_cells(name) for line in c.source.splitlines()
              if line.strip() in library and line.strip() not in ALLOWED]
    assert not pasted, f"{name} repeats library lines instead of importing/show_source: {pasted}"


@pytest.mark.parametrize("name", PART2)
def test_widget_cells_are_ignored_and_followed_by_checked_numbers(name):
    cells = code_cells(name)
    for i, cell in enumerate(cells):
        if any(w in cell.source for w in WIDGETS):
            assert ignored(cell), f"widget cell not tagged nbval-ignore-output:\n{cell.source[:200]}"
            after = cells[i + 1]
            assert not ignored(after) and any(o.output_type == "stream" for o in after.outputs), \
                f"the widget cell must be followed by a checked cell that prints its numbers:\n{cell.source[:200]}"


def test_notebook_05_has_the_backward_stepper_call_the_browser_test_drives():
    assert any("backward_stepper(loss)" in c.source for c in code_cells("05_autograd_from_scratch_scalar"))


def test_measured_cells_assert_their_claim():
    measured = [c for name in ("07_pytorch_autograd", "08_training_a_network") for c in code_cells(name)
                if "memory_growth(" in c.source or "perf_counter()" in c.source]
    assert len(measured) == 2
    for cell in measured:
        assert ignored(cell) and "assert " in cell.source, cell.source[:200]
