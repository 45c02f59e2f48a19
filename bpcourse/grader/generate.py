"""Generate exercise notebooks from the solution notebooks: ``python -m bpcourse.grader.generate solutions exercises``.

For each ``solutions/NN_topic.ipynb``: every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region
becomes ``# YOUR CODE HERE`` / ``raise NotImplementedError()``, every hidden-test region is removed,
outputs and execution counts are cleared; cell ids and metadata stay, so the grader can match the
learner's answers to the source. The same solutions always give the same bytes.
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path

import nbformat

from bpcourse.grader.notebook import is_answer, remove_hidden_tests, replace_solution


def make_exercise(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = copy.deepcopy(solution)
    for cell in nb.cells:
        if is_answer(cell):
            cell.source = replace_solution(cell.source, cell.cell_type)
        cell.source = remove_hidden_tests(cell.source) if "### BEGIN HIDDEN TESTS" in cell.source else cell.source
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.get("metadata", {}).pop("execution", None)
    nb.metadata.pop("widgets", None)
    return nb


def exercise_bytes(solution_path: str | Path) -> bytes:
    """The exact bytes of the exercise for one solution notebook."""
    nb = make_exercise(nbformat.read(str(solution_path), as_version=4))
    text = nbformat.writes(nb)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def generate(solutions: Path, exercises: Path) -> list[Path]:
    exercises.mkdir(parents=True, exist_ok=True)
    written = []
    for src in sorted(solutions.glob("[0-9][0-9]_*.ipynb")):
        out = exercises / src.name
        data = exercise_bytes(src)
        if not out.exists() or out.read_bytes() != data:
            tmp = out.with_name(f".{out.name}.tmp")
            tmp.write_bytes(data)
            tmp.replace(out)
        written.append(out)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m bpcourse.grader.generate SOLUTIONS_DIR EXERCISES_DIR", file=sys.stderr)
        return 2
    for out in generate(Path(args[0]), Path(args[1])):
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
